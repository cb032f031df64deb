"""Queries for the home page."""
from __future__ import annotations

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.plans.models import Plan, PlanItem


def plan_summaries() -> list[dict]:
    """Every plan with its item counts per kind, in two queries whatever the number of plans."""
    plans = db.session.scalars(select(Plan).order_by(Plan.issued_on, Plan.number)).all()
    counts: dict[int, dict[str, int]] = {}
    rows = db.session.execute(
        select(PlanItem.plan_id, PlanItem.kind, func.count()).group_by(PlanItem.plan_id, PlanItem.kind)
    )
    for plan_id, kind, count in rows:
        counts.setdefault(plan_id, {})[kind] = count
    return [{"plan": plan, "counts": counts.get(plan.id, {})} for plan in plans]
