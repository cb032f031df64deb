"""Queries shared by the browsing pages: plans with their counts, the current reporting periods."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.periods.models import ReportingPeriod
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


def recent_periods(today: date, count: int = 4, *, tenant) -> list[ReportingPeriod]:
    """The tenant's latest periods whose data window has begun, newest first.

    The first is the current period: the quarter agencies are reporting on now (its data window
    contains today), or the last one created before today when the current one does not exist yet.
    """
    from tracker.periods.services import tenant_periods

    return list(
        db.session.scalars(
            tenant_periods(tenant)
            .where(ReportingPeriod.data_start <= today)
            .order_by(ReportingPeriod.year.desc(), ReportingPeriod.quarter.desc())
            .limit(count)
        )
    )


def current_period(today: date, *, tenant) -> ReportingPeriod | None:
    """The one rule is `tracker.periods.services.current_period` (kept here for older imports)."""
    from tracker.periods.services import current_period as rule

    return rule(today, tenant)
