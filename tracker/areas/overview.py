"""The national overview: one row per area (plans, items done / overdue, the current period's
reporting rate, DTI points at risk), for the national viewer and the superadmin.

A fixed number of queries whatever the number of areas (asserted in tests/areas/test_overview.py);
what each query returns is the caller's scope (every area for the national viewer).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import load_only, selectinload

from tracker.extensions import db
from tracker.indicators.models import Framework, Indicator, ItemIndicatorLink
from tracker.periods.models import ReportingPeriod
from tracker.plans.listing import STATUS_KINDS, timeliness
from tracker.plans.models import Plan, PlanItem
from tracker.units.models import Area


@dataclass
class AreaRow:
    area: Area
    name: str  # as named today (Thừa Thiên Huế → thành phố Huế)
    plans: int = 0
    items: int = 0
    done: int = 0
    overdue: int = 0
    period: ReportingPeriod | None = None
    owed: int = 0
    sent: int = 0
    points_at_risk: float = 0

    @property
    def reporting_percent(self) -> float | None:
        return 100.0 * self.sent / self.owed if self.owed else None


def current_periods(today: date, tenant_ids: list[int]) -> dict[int, ReportingPeriod]:
    """Each tenant's current period (as `periods.services.current_period`), in one query."""
    from tracker.periods.services import quarter_of

    year, quarter = quarter_of(today)
    code = f"{year}-Q{quarter}"
    found: dict[int, ReportingPeriod] = {}
    rows = db.session.scalars(
        select(ReportingPeriod).where(ReportingPeriod.tenant_id.in_(tenant_ids), ReportingPeriod.data_start <= today)
        .order_by(ReportingPeriod.year.desc(), ReportingPeriod.quarter.desc())
    ) if tenant_ids else []
    for period in rows:
        if period.code == code or period.tenant_id not in found:
            found[period.tenant_id] = period
    exact = db.session.scalars(select(ReportingPeriod).where(
        ReportingPeriod.tenant_id.in_(tenant_ids), ReportingPeriod.code == code)) if tenant_ids else []
    for period in exact:  # the quarter of today, even before its data window opens
        found[period.tenant_id] = period
    return found


def _points_at_risk(overdue_ids: set[int], tenant_of_item: dict[int, int]) -> dict[int, float]:
    """Points of the national frameworks' indicators with an overdue linked item, per tenant; an
    indicator under one already counted is not counted again."""
    if not overdue_ids:
        return {}
    links = db.session.execute(
        select(ItemIndicatorLink.item_id, Indicator.id, Indicator.framework_id)
        .join(Indicator, Indicator.id == ItemIndicatorLink.indicator_id)
        .join(Framework, Framework.id == Indicator.framework_id)
        .where(ItemIndicatorLink.item_id.in_(sorted(overdue_ids)))
    ).all()
    if not links:
        return {}
    indicators = {
        row.id: row for row in db.session.execute(
            select(Indicator.id, Indicator.parent_id, Indicator.max_points)
            .where(Indicator.framework_id.in_({framework_id for _, _, framework_id in links})))
    }
    flagged: dict[int, set[int]] = {}
    for item_id, indicator_id, _ in links:
        flagged.setdefault(tenant_of_item[item_id], set()).add(indicator_id)
    points: dict[int, float] = {}
    for tenant_id, ids in flagged.items():
        total = 0.0
        for indicator_id in ids:
            parent, covered = indicators[indicator_id].parent_id, False
            while parent is not None and not covered:
                covered = parent in ids
                parent = indicators[parent].parent_id if parent in indicators else None
            if not covered and indicators[indicator_id].max_points is not None:
                total += float(indicators[indicator_id].max_points)
        points[tenant_id] = total
    return points


def national_overview(today: date) -> list[AreaRow]:
    from tracker.periods.completeness import period_tallies
    from tracker.units.models import TENANT_LEVELS

    areas = [a for a in db.session.scalars(
        select(Area).where(Area.level.in_(TENANT_LEVELS)).options(selectinload(Area.names))) if a.tenant_id in (None, a.id)]
    rows = {area.id: AreaRow(area, area.name_on(today)) for area in areas}
    for tenant_id, count in db.session.execute(select(Plan.tenant_id, func.count()).group_by(Plan.tenant_id)):
        if tenant_id in rows:
            rows[tenant_id].plans = count
    items = db.session.scalars(
        select(PlanItem).where(PlanItem.kind.in_(STATUS_KINDS))
        .options(load_only(PlanItem.id, PlanItem.tenant_id, PlanItem.kind, PlanItem.status, PlanItem.deadline,
                           PlanItem.end_year, PlanItem.target_year, PlanItem.completed_on, PlanItem.plan_id),
                 selectinload(PlanItem.plan).load_only(Plan.period_end))
    ).all()
    overdue_ids: set[int] = set()
    tenant_of_item: dict[int, int] = {}
    for item in items:
        row = rows.get(item.tenant_id)
        if row is None:
            continue
        state = timeliness(item, today)
        row.items += 1
        row.done += state in ("done_on_time", "done_late")
        if state == "overdue":
            row.overdue += 1
            overdue_ids.add(item.id)
            tenant_of_item[item.id] = item.tenant_id
    periods = current_periods(today, list(rows))
    tallies = period_tallies(list(periods.values()))
    for tenant_id, period in periods.items():
        tally = tallies.get(period.id)
        rows[tenant_id].period = period
        if tally is not None:
            rows[tenant_id].owed, rows[tenant_id].sent = tally[0].owed, tally[0].sent
    for tenant_id, points in _points_at_risk(overdue_ids, tenant_of_item).items():
        rows[tenant_id].points_at_risk = points
    return sorted(rows.values(), key=lambda row: row.name)
