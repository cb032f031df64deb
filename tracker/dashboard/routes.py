"""The dashboard (Tổng quan)."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from tracker.auth.permissions import read_required
from tracker.core.fragments import fragments
from tracker.core.security import bounded_int
from tracker.core.time import today_local
from tracker.charts.svg import render_svg
from tracker.dashboard.charts import build_charts
from tracker.dashboard.services import build_dashboard, choose_plan
from tracker.ops.freshness import shared_page_key
from tracker.periods.completeness import COMPLETENESS_LABELS
from tracker.plans.listing import STATUS_ORDER, TIMELINESS_LABELS, TIMELINESS_ORDER

bp = Blueprint("dashboard", __name__)


@bp.get("/tong-quan")
@read_required
def index():
    plan_id = request.args.get("ke-hoach", type=bounded_int)
    plan, plans = choose_plan(plan_id, current_user)
    if plan_id is not None and plan is None:
        abort(404)
    today = today_local()

    def render() -> str:
        board = build_dashboard(plan, today) if plan is not None else None
        charts = _charts(board, today) if board is not None else None
        return render_template(
            "dashboard/_content.html",
            board=board,
            charts=charts,
            render_svg=render_svg,
            plans=plans,
            today=today,
            status_order=STATUS_ORDER,
            timeliness_order=TIMELINESS_ORDER,
            timeliness_labels=TIMELINESS_LABELS,
            completeness_labels=COMPLETENESS_LABELS,
        )

    # The chosen plan is part of the key (it follows the user's unit when none is asked for): the
    # coordinators of every unit of a province share one entry.
    key = shared_page_key(current_user, plan.id if plan is not None else None, today=today)
    return render_template("dashboard/index.html", content=Markup(fragments.get_or_render(key, render)))

def _charts(board, today):
    plan_base = url_for("plans.show", plan_id=board.plan.id)
    unit_base = url_for("units.show", unit_id=0).rsplit("/", 1)[0]  # one url_for: many links

    def plan_url(**args) -> str:
        return f"{plan_base}?{urlencode(args)}"

    def unit_url(unit, period) -> str:
        return f"{unit_base}/{unit.id}#" + (f"ky-{period.code}" if period is not None else "bao-cao")

    def framework_url(framework, indicator) -> str:
        return url_for("indicators.show", framework_id=framework.id, **{"ke-hoach": board.plan.id},
                       _anchor=f"cs-{indicator.id}" if indicator is not None else None)

    return build_charts(board, today, plan_url=plan_url, unit_url=unit_url, framework_url=framework_url)
