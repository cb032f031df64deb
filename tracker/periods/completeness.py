"""How far the units are with each period's reports: counts per period and the units × state grid.

Who owes what, a report's state and its timeliness all follow `tracker.periods.obligations`: a
correction under way (a draft or returned version after an accepted one) counts as accepted, and a
report is late only when its FIRST submission was after the deadline.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.core.text import vietnamese_sort_key
from tracker.extensions import db
from tracker.items.models import ItemReassignment
from tracker.periods.models import ReportingPeriod
from tracker.periods.obligations import REPORTING_KINDS, Chain, item_owes_in, obligations_for_period, owner_units
from tracker.plans.models import ItemAssignment, Plan, PlanItem
from tracker.units.models import Unit, UnitGroup, UnitGroupMember
from tracker.updates.models import StatusUpdate

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
