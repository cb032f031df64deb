"""What a coordinator needs beside a submitted report: the unit's previously accepted figures on the
item ("55 % → 70 %"), and the earlier returns of this report with their reasons. A fixed number of
queries for the whole review queue, whatever its length."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_
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
    or the earlier version a correction replaces).

    The candidates are read as column tuples for the queue's (item, unit) pairs only, and only the
    chosen ones loaded as objects: a queue of 300 reports in a province with five years of history
    would otherwise build ~3,000 objects (the cross product of its items and units) per request."""
    if not updates:
        return {}
    pairs = sorted({(u.item_id, u.unit_id) for u in updates})
    rows = db.session.execute(
        select(StatusUpdate.id, StatusUpdate.item_id, StatusUpdate.unit_id, StatusUpdate.period_id,
               StatusUpdate.version, StatusUpdate.state, ReportingPeriod.year, ReportingPeriod.quarter)
        .join(ReportingPeriod, ReportingPeriod.id == StatusUpdate.period_id)
        .where(tuple_(StatusUpdate.item_id, StatusUpdate.unit_id).in_(pairs),
               StatusUpdate.state.in_((UpdateState.ACCEPTED.value, UpdateState.SUPERSEDED.value)))
    ).all()
    by_pair: dict[tuple[int, int], list] = defaultdict(list)
    for row in rows:
        by_pair[(row.item_id, row.unit_id)].append(row)
    chosen: dict[int, int] = {}
    for update in updates:
        rank = _rank(update)
        best = None
        for c in by_pair.get((update.item_id, update.unit_id), ()):
            c_rank = (c.year, c.quarter, c.version)
            if (c.id != update.id and c_rank < rank
                    and (c.state == UpdateState.ACCEPTED or c.period_id != update.period_id)
                    and (best is None or c_rank > best[0])):
                best = (c_rank, c.id)
        if best is not None:
            chosen[update.id] = best[1]
    if not chosen:
        return {}
    loaded = {u.id: u for u in db.session.scalars(
        select(StatusUpdate).where(StatusUpdate.id.in_(set(chosen.values())))
        .options(selectinload(StatusUpdate.period)))}
    return {update_id: loaded[candidate] for update_id, candidate in chosen.items() if candidate in loaded}


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
