"""The dashboard (Tổng quan)."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from tracker.auth.permissions import read_required
from tracker.core.security import bounded_int
from tracker.core.time import today_local
from tracker.dashboard.services import build_dashboard, choose_plan
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
    return render_template(
        "dashboard/index.html",
        board=build_dashboard(plan, today) if plan is not None else None,
        plans=plans,
        today=today,
        status_order=STATUS_ORDER,
        timeliness_order=TIMELINESS_ORDER,
        timeliness_labels=TIMELINESS_LABELS,
        completeness_labels=COMPLETENESS_LABELS,
    )
