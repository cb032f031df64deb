"""The dashboard of one plan: progress per appendix, status and timeliness, reporting completeness
over the last periods, the most overdue items. A fixed number of queries whatever the data size."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from tracker.core.text import vietnamese_sort_key
from tracker.items.orphans import orphaned
from tracker.extensions import db
from tracker.periods.completeness import COMPLETENESS_LABELS, Completeness, completeness, latest_update_states
from tracker.main.services import recent_periods
from tracker.periods.models import ReportingPeriod
from tracker.plans.listing import STATUS_KINDS, days_overdue, timeliness
from tracker.plans.snapshot import load_plan_items
from tracker.plans.models import Appendix, Plan, PlanItem
from tracker.units.models import Unit
from tracker.updates.services import sample_item_ids

GRID_PERIODS = 4
OVERDUE_SHOWN = 10


def choose_plan(plan_id: int | None, user) -> tuple[Plan | None, list[Plan]]:
    """The plan asked for, else the latest plan of the user's area (or an enclosing one), else of the
    user's province, else the latest."""
    plans = list(db.session.scalars(select(Plan).order_by(Plan.issued_on.desc(), Plan.number)))
    if plan_id is not None:
        return next((p for p in plans if p.id == plan_id), None), plans
    unit = getattr(user, "unit", None)
    if unit is not None:
        area, seen = unit.area, set()
        while area is not None and area.id not in seen:
            seen.add(area.id)
            for plan in plans:
                if plan.area_id == area.id:
                    return plan, plans
            area = area.parent
    # Else the latest plan of the user's province (a district's plan for a provincial user).
    tenant_id = getattr(user, "tenant_id", None)
    mine = [plan for plan in plans if tenant_id is not None and plan.tenant_id == tenant_id]
    if mine:
        return mine[0], plans
    return (plans[0] if plans else None), plans


@dataclass
class AppendixStats:
    appendix: Appendix | None  # None: every appendix together
    total: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    timeliness: dict[str, int] = field(default_factory=dict)
    progress_sum: int = 0
    # budget appendices
    planned_state: int = 0
    planned_other: int = 0
    planned_total: int = 0
    unfixed: int = 0  # lines "-": no amount fixed (not zero)
    committed: int = 0
    disbursed: int = 0
    # Disbursed on lines with a fixed amount: "-" lines add 0 to planned_total, so their spending
    # must not count towards the rate either.
    disbursed_fixed: int = 0

    @property
    def tracks_status(self) -> bool:
        return self.appendix is None or self.appendix.kind in STATUS_KINDS

    @property
    def done(self) -> int:
        return self.statuses.get("done", 0)

    @property
    def done_percent(self) -> float:
        active = self.total - self.statuses.get("cancelled", 0)
        return 100.0 * self.done / active if active else 0.0

    @property
    def average_progress(self) -> float:
        return self.progress_sum / self.total if self.total else 0.0

    @property
    def disbursed_percent(self) -> float:
        return 100.0 * self.disbursed_fixed / self.planned_total if self.planned_total else 0.0


@dataclass
class UnitRow:
    unit: Unit
    cells: dict[int, Completeness]  # period id -> completeness


@dataclass
class Dashboard:
    plan: Plan
    appendices: list[AppendixStats]
    totals: AppendixStats
    periods: list[ReportingPeriod]  # oldest first
    current: ReportingPeriod | None
    unit_rows: list[UnitRow]
    current_summary: dict[str, list[Unit]]
    period_rates: list[tuple[ReportingPeriod, int, int]]  # period, submitted, owed
    overdue: list[tuple[PlanItem, int]]
    overdue_count: int
    sample_items: int = 0  # items whose state comes from demo data ("Dữ liệu mẫu"), said on the page
    # Open items whose units have all ended, until a coordinator reassigns them (tracker.items.orphans).
    orphans: list = field(default_factory=list)
    items: list = field(default_factory=list)  # the plan's items (tracker.plans.snapshot), for the charts


def build_dashboard(plan: Plan, today: date) -> Dashboard:
    appendices = [a for a in plan.appendices if a.kind != "framework"]
    items = load_plan_items(plan)
    by_id = {item.id: item for item in items}

    stats = {a.id: AppendixStats(a) for a in appendices}
    totals = AppendixStats(None)
    counted_projects: set[int] = set()
    for item in items:
        entry = stats.get(item.appendix_id)
        if entry is None:
            continue
        entry.total += 1
        if item.kind in STATUS_KINDS:
            key = timeliness(item, today)
            for target in (entry, totals):
                target.statuses[item.status] = target.statuses.get(item.status, 0) + 1
                target.timeliness[key] = target.timeliness.get(key, 0) + 1
                target.progress_sum += item.progress or 0
            totals.total += 1
        if item.kind == "budget":
            entry.planned_state += item.budget_state or 0
            entry.planned_other += item.budget_other or 0
            entry.planned_total += item.budget_total or 0
            entry.unfixed += item.budget_total is None
            # Money is reported on the project a line funds; count each project once.
            source = item
            if item.amount_disbursed is None and item.amount_committed is None and item.funded_project_id:
                source = by_id.get(item.funded_project_id, item)
            if source.id in counted_projects:
                continue
            counted_projects.add(source.id)
            entry.committed += source.amount_committed or 0
            entry.disbursed += source.amount_disbursed or 0
            if item.budget_total is not None:
                entry.disbursed_fixed += source.amount_disbursed or 0

    periods = recent_periods(today, GRID_PERIODS, tenant=plan.tenant_id)
    states = latest_update_states([p.id for p in periods], plan_id=plan.id)
    grid = completeness(items, periods, states, today)
    units: dict[int, UnitRow] = {}
    for (unit_id, period_id), entry in grid.items():
        units.setdefault(unit_id, UnitRow(entry.unit, {})).cells[period_id] = entry
    unit_rows = sorted(units.values(), key=lambda row: vietnamese_sort_key(row.unit.name))

    current = periods[0] if periods else None
    summary: dict[str, list[Unit]] = {key: [] for key in COMPLETENESS_LABELS if key != "none"}
    if current is not None:
        for row in unit_rows:
            cell = row.cells.get(current.id)
            if cell is not None and cell.state in summary:
                summary[cell.state].append(row.unit)
    rates = []
    for period in periods:
        owed = sum(row.cells[period.id].owed for row in unit_rows if period.id in row.cells)
        submitted = sum(row.cells[period.id].submitted for row in unit_rows if period.id in row.cells)
        rates.append((period, submitted, owed))

    overdue = [(item, days_overdue(item, today)) for item in items
               if item.kind in STATUS_KINDS and timeliness(item, today) == "overdue"]
    overdue.sort(key=lambda pair: (-pair[1], pair[0].position))
    return Dashboard(
        plan=plan,
        appendices=[stats[a.id] for a in appendices],
        totals=totals,
        periods=list(reversed(periods)),
        current=current,
        unit_rows=unit_rows,
        current_summary=summary,
        period_rates=list(reversed(rates)),
        overdue=overdue[:OVERDUE_SHOWN],
        overdue_count=len(overdue),
        sample_items=len(sample_item_ids(plan_id=plan.id)),  # one query
        orphans=orphaned(items, today),
        items=items,
    )

