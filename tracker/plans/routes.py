"""Plan pages: the list of plans and one plan, one tab per appendix, with filters and search."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from tracker.auth.permissions import read_required
from tracker.core.fragments import fragments
from tracker.core.time import today_local
from tracker.extensions import db
from tracker.ops.freshness import shared_page_key
from tracker.plans import pages
from tracker.plans.listing import STATUS_ORDER, TIMELINESS_LABELS, TIMELINESS_ORDER
from tracker.plans.models import Plan

bp = Blueprint("plans", __name__)

ALL_TAB = "tat-ca"


@bp.get("/ke-hoach")
@read_required
def index():
    return render_template("plans/index.html", rows=pages.plan_list(today_local()))


@bp.get("/ke-hoach/<int:plan_id>")
@read_required
def show(plan_id: int):
    plan = db.get_or_404(Plan, plan_id)
    today = today_local()
    args = request.args
    item_filter = pages.filter_from_args(args)
    missing = []

    def render() -> str:
        page = pages.plan_page(plan, item_filter, args.get("phu-luc", ""), today)
        if page is None:
            missing.append(True)
            return ""

        def tab_url(number: str) -> str:
            values = {k: v for k, v in args.items() if v and k != "phu-luc"}
            return url_for("plans.show", plan_id=plan.id, **{"phu-luc": number}, **values)

        return render_template(
            "plans/_show_content.html",
            plan=plan,
            page=page,
            filter=item_filter,
            args=args,
            today=today,
            tab_url=tab_url,
            all_tab=ALL_TAB,
            status_order=STATUS_ORDER,
            timeliness_order=TIMELINESS_ORDER,
            timeliness_labels=TIMELINESS_LABELS,
        )

    content = fragments.get_or_render(shared_page_key(current_user, plan.id, today=today), render)
    if missing or not content:  # an appendix the plan does not have (never kept: nothing is rendered)
        abort(404)
    return render_template("plans/show.html", plan=plan, content=Markup(content))

from tracker.plans import import_routes  # noqa: E402,F401 - Nhập kế hoạch, on this blueprint
