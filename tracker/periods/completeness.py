"""How far the units are with each period's reports: counts per period and the units × state grid.

Who owes what follows `tracker.periods.obligations`. A correction under way (a new version of an
accepted update, not accepted yet) counts as accepted: the accepted report stands until replaced.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.core.text import vietnamese_sort_key
from tracker.core.time import to_local
from tracker.extensions import db
from tracker.periods.models import ReportingPeriod
from tracker.periods.obligations import REPORTING_KINDS, item_owes_in, obligations_for_period, owner_units
from tracker.plans.models import ItemAssignment, Plan, PlanItem
from tracker.units.models import Unit, UnitGroup, UnitGroupMember
from tracker.updates.models import StatusUpdate

STATES = ("not_started", "draft", "returned", "submitted", "accepted")
STATE_LABELS = {
    "not_started": "Chưa báo cáo",
    "draft": "Đang soạn",
    "returned": "Bị trả lại",
    "submitted": "Chờ duyệt",
    "accepted": "Đã chấp nhận",
}


def effective_state(state: str, supersedes_id: int | None) -> str:
    if supersedes_id is not None and state in ("draft", "returned", "submitted", "superseded"):
        return "accepted"
    if state == "superseded":
        return "accepted"
    return state


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


def _late(submitted_at, period: ReportingPeriod) -> bool:
    return submitted_at is not None and to_local(submitted_at).date() > period.submission_deadline


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
        )
    ))
    latest: dict[tuple[int, int, int], tuple[int, str, object, int | None]] = {}
    rows = db.session.execute(
        select(StatusUpdate.item_id, StatusUpdate.unit_id, StatusUpdate.period_id, StatusUpdate.version,
               StatusUpdate.state, StatusUpdate.submitted_at, StatusUpdate.supersedes_id)
        .where(StatusUpdate.period_id.in_([p.id for p in periods]))
    )
    for item_id, unit_id, period_id, version, state, submitted_at, supersedes_id in rows:
        key = (item_id, unit_id, period_id)
        if key not in latest or version > latest[key][0]:
            latest[key] = (version, state, submitted_at, supersedes_id)
    result = {}
    for period in periods:
        tally = Tally()
        per_unit: dict[int, Tally] = {}
        for item in items:
            if not item_owes_in(item, period):
                continue
            for unit in owner_units(item, period.submission_deadline):
                found = latest.get((item.id, unit.id, period.id))
                state = effective_state(found[1], found[3]) if found else "not_started"
                unit_tally = per_unit.setdefault(unit.id, Tally())
                for t in (tally, unit_tally):
                    t.states[state] += 1
                    if state in ("submitted", "accepted") and found and _late(found[2], period):
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
        update = obligation.update
        state = effective_state(update.state, update.supersedes_id) if update is not None else "not_started"
        for t in (row.tally, total):
            t.states[state] += 1
            if state in ("submitted", "accepted") and update is not None and _late(update.submitted_at, period):
                t.late += 1
    ordered = sorted(rows.values(), key=lambda r: (-(r.tally.owed - r.tally.sent), vietnamese_sort_key(r.unit.name)))
    return ordered, total
