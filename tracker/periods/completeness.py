"""How far the units are with each period's reports: counts per period and the units × state grid.

Who owes what, a report's state and its timeliness all follow `tracker.periods.obligations`: a
correction under way (a draft or returned version after an accepted one) counts as accepted, and a
report is late only when its FIRST submission was after the deadline.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.core.text import vietnamese_sort_key
from tracker.extensions import db
from tracker.items.models import ItemReassignment
from tracker.periods.models import ReportingPeriod
from tracker.periods.obligations import REPORTING_KINDS, Chain, is_late, item_owes_in, obligations_for_period, owner_units
from tracker.plans.models import ItemAssignment, Plan, PlanItem
from tracker.units.models import Unit, UnitGroup, UnitGroupMember
from tracker.updates.models import StatusUpdate, UpdateState

STATES = ("not_started", "draft", "returned", "submitted", "accepted")


@dataclass
class Tally:
    states: Counter = field(default_factory=Counter)
    late: int = 0  # submitted or accepted after the deadline

    @property
    def owed(self) -> int:
        return sum(self.states.values())

    @property
    def sent(self) -> int:
        return self.states["submitted"] + self.states["accepted"]

    @property
    def on_time(self) -> int:
        return self.sent - self.late

    @property
    def percent(self) -> float:
        return 100.0 * self.sent / self.owed if self.owed else 0.0


@dataclass
class UnitRow:
    unit: Unit
    tally: Tally
    exception: object | None = None


def period_tallies(periods: list[ReportingPeriod]) -> dict[int, tuple[Tally, int, int]]:
    """period id -> (tally, units owing, units having sent everything), in three queries."""
    if not periods:
        return {}
    items = list(db.session.scalars(
        select(PlanItem)
        .where(PlanItem.kind.in_([k.value for k in REPORTING_KINDS]))
        .options(
            selectinload(PlanItem.plan).selectinload(Plan.area),
            selectinload(PlanItem.assignments).selectinload(ItemAssignment.unit).selectinload(Unit.successor),
            selectinload(PlanItem.assignments).selectinload(ItemAssignment.group).selectinload(UnitGroup.members)
            .selectinload(UnitGroupMember.unit).selectinload(Unit.successor),
            selectinload(PlanItem.reassignments).selectinload(ItemReassignment.to_unit).selectinload(Unit.successor),
        )
        .where(PlanItem.tenant_id.in_({p.tenant_id for p in periods}))
    ))
    chains: dict[tuple[int, int, int], Chain] = {}
    rows = db.session.execute(
        select(StatusUpdate.item_id, StatusUpdate.unit_id, StatusUpdate.period_id, StatusUpdate.version,
               StatusUpdate.state, StatusUpdate.submitted_at)
        .where(StatusUpdate.period_id.in_([p.id for p in periods]))
    )
    for item_id, unit_id, period_id, version, state, submitted_at in rows:
        chains.setdefault((item_id, unit_id, period_id), Chain()).add(version, state, submitted_at)
    result = {}
    for period in periods:
        tally = Tally()
        per_unit: dict[int, Tally] = {}
        for item in items:
            if item.tenant_id != period.tenant_id or not item_owes_in(item, period):
                continue
            for unit in owner_units(item, period.submission_deadline):
                found = chains.get((item.id, unit.id, period.id))
                state = found.state if found else "not_started"
                late = found is not None and found.late(period, unit.id)
                unit_tally = per_unit.setdefault(unit.id, Tally())
                for t in (tally, unit_tally):
                    t.states[state] += 1
                    if late:
                        t.late += 1
        done = sum(1 for t in per_unit.values() if t.sent == t.owed)
        result[period.id] = (tally, len(per_unit), done)
    return result


def unit_grid(period: ReportingPeriod, today: date) -> tuple[list[UnitRow], Tally]:
    """One row per unit owing reports in the period, with its counts per state; and the totals."""
    rows: dict[int, UnitRow] = {}
    total = Tally()
    exceptions = {e.unit_id: e for e in period.exceptions}
    for obligation in obligations_for_period(period):
        row = rows.get(obligation.unit.id)
        if row is None:
            row = rows[obligation.unit.id] = UnitRow(obligation.unit, Tally(), exceptions.get(obligation.unit.id))
        state = obligation.state
        for t in (row.tally, total):
            t.states[state] += 1
            if obligation.submitted_on_time is False:
                t.late += 1
    ordered = sorted(rows.values(), key=lambda r: (-(r.tally.owed - r.tally.sent), vietnamese_sort_key(r.unit.name)))
    return ordered, total


# --- Per unit and period, for the dashboard and the unit pages (formerly tracker.main.completeness):
# the same rules applied to several periods at once, reading only the columns needed, so a page costs
# the same few queries whatever the number of items and updates.

COMPLETENESS_LABELS = {
    "submitted": "Đã gửi đủ",
    "submitted_late": "Gửi đủ, có báo cáo muộn",
    "overdue": "Quá hạn, chưa gửi đủ",
    "in_progress": "Đang thực hiện",
    "not_started": "Chưa bắt đầu",
    "none": "Không có nghĩa vụ",
}
SUBMITTED_STATES = (UpdateState.SUBMITTED.value, UpdateState.ACCEPTED.value)


@dataclass
class Completeness:
    unit: Unit
    period: ReportingPeriod
    today: date
    owed: int = 0
    submitted: int = 0  # submitted or accepted
    late: int = 0  # of which submitted after the deadline
    started: int = 0  # a draft or a returned update, not (re)submitted yet

    @property
    def not_started(self) -> int:
        return self.owed - self.submitted - self.started

    @property
    def state(self) -> str:
        if self.owed == 0:
            return "none"
        if self.submitted >= self.owed:
            return "submitted_late" if self.late else "submitted"
        if self.today > self.period.submission_deadline:
            return "overdue"
        if self.submitted or self.started:
            return "in_progress"
        return "not_started"

    @property
    def label(self) -> str:
        return COMPLETENESS_LABELS[self.state]


UpdateKey = tuple[int, int, int]  # item id, unit id, period id


def latest_update_states(
    period_ids: list[int], *, plan_id: int | None = None, unit_ids: set[int] | None = None
) -> dict[UpdateKey, tuple[str, datetime | None]]:
    """(item, unit, period) -> (state, submitted_at) of each report, in one query, by the rule of
    `tracker.periods.obligations` (a correction under way leaves an accepted report accepted; the
    submission time is the chain's first one)."""
    if not period_ids:
        return {}
    query = select(
        StatusUpdate.item_id, StatusUpdate.unit_id, StatusUpdate.period_id, StatusUpdate.version,
        StatusUpdate.state, StatusUpdate.submitted_at,
    ).where(StatusUpdate.period_id.in_(period_ids))
    if plan_id is not None:
        query = query.join(PlanItem, PlanItem.id == StatusUpdate.item_id).where(PlanItem.plan_id == plan_id)
    if unit_ids is not None:
        query = query.where(StatusUpdate.unit_id.in_(sorted(unit_ids)))
    chains: dict[UpdateKey, Chain] = {}
    for item_id, unit_id, period_id, version, state, submitted_at in db.session.execute(query):
        chains.setdefault((item_id, unit_id, period_id), Chain()).add(version, state, submitted_at)
    return {key: (chain.state, chain.submitted_at) for key, chain in chains.items()}


def completeness(
    items: list[PlanItem],
    periods: list[ReportingPeriod],
    states: dict[UpdateKey, tuple[str, datetime | None]],
    today: date,
    *,
    unit_ids: set[int] | None = None,
) -> dict[tuple[int, int], Completeness]:
    """(unit id, period id) -> Completeness, for the units owing any of `items` in `periods`.

    `items` must have their assignments, groups and successors loaded (see listing.assignment_options).
    """
    result: dict[tuple[int, int], Completeness] = {}
    for period in periods:
        on = period.submission_deadline
        for item in items:
            if not item_owes_in(item, period):
                continue
            for unit in owner_units(item, on):
                if unit_ids is not None and unit.id not in unit_ids:
                    continue
                entry = result.get((unit.id, period.id))
                if entry is None:
                    entry = result[(unit.id, period.id)] = Completeness(unit, period, today)
                entry.owed += 1
                state, submitted_at = states.get((item.id, unit.id, period.id), ("not_started", None))
                if state in SUBMITTED_STATES:
                    entry.submitted += 1
                    if is_late(submitted_at, period, unit.id):
                        entry.late += 1
                elif state in (UpdateState.DRAFT.value, UpdateState.RETURNED.value):
                    entry.started += 1
    return result
