"""What a coordinator needs beside a submitted report: the unit's previously accepted figures on the
item ("55 % → 70 %"), and the earlier returns of this report with their reasons. Two queries for
the whole review queue, whatever its length."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.periods.models import ReportingPeriod
from tracker.updates.models import StatusUpdate, UpdateState


@dataclass
class EarlierReturn:
    reason: str
    at: datetime
    by: str


def _rank(update: StatusUpdate) -> tuple[int, int, int]:
    return (update.period.year, update.period.quarter, update.version)


def previous_accepted(updates: list[StatusUpdate]) -> dict[int, StatusUpdate]:
    """Update id -> the same unit's latest accepted report on the item before it (earlier period,
    or the earlier version a correction replaces)."""
    if not updates:
        return {}
    candidates = db.session.scalars(
        select(StatusUpdate)
        .join(ReportingPeriod, ReportingPeriod.id == StatusUpdate.period_id)
        .where(StatusUpdate.item_id.in_({u.item_id for u in updates}),
               StatusUpdate.unit_id.in_({u.unit_id for u in updates}),
               StatusUpdate.state.in_((UpdateState.ACCEPTED.value, UpdateState.SUPERSEDED.value)))
        .options(selectinload(StatusUpdate.period))
    )
    by_pair: dict[tuple[int, int], list[StatusUpdate]] = defaultdict(list)
    for candidate in candidates:
        by_pair[(candidate.item_id, candidate.unit_id)].append(candidate)
    result = {}
    for update in updates:
        earlier = [c for c in by_pair.get((update.item_id, update.unit_id), [])
                   if c.id != update.id and _rank(c) < _rank(update)
                   and (c.state == UpdateState.ACCEPTED or c.period_id != update.period_id)]
        if earlier:
            result[update.id] = max(earlier, key=_rank)
    return result


def earlier_returns(updates: list[StatusUpdate]) -> dict[int, list[EarlierReturn]]:
    """Update id -> its returns, oldest first (from the audit log, which keeps every reason)."""
    ids = [u.id for u in updates]
    if not ids:
        return {}
    result: dict[int, list[EarlierReturn]] = defaultdict(list)
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "status_update", AuditEntry.entity_id.in_(ids),
                                 AuditEntry.action == "return")
        .options(selectinload(AuditEntry.actor)).order_by(AuditEntry.at, AuditEntry.id)
    )
    for entry in entries:
        reason = (entry.changes or {}).get("reason", [None, ""])[1] or ""
        result[entry.entity_id].append(EarlierReturn(reason, entry.at, entry.actor.display_name if entry.actor else ""))
    return dict(result)
