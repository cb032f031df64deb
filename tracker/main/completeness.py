"""Reporting completeness: for each unit and period, how much of what it owes it has submitted.

The rules of who owes what are those of `tracker.periods.obligations` (item_owes_in, owner_units);
this module applies them to several periods at once and reads only the columns it needs, so that a
dashboard or unit page costs the same few queries whatever the number of items and updates.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.periods.models import ReportingPeriod
from tracker.periods.obligations import Chain, is_late, item_owes_in, owner_units
from tracker.plans.models import PlanItem
from tracker.units.models import Unit
from tracker.updates.models import StatusUpdate, UpdateState

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
