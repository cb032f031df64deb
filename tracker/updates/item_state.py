"""An item's current state from its accepted updates (rule in `tracker.updates.services`' docstring)."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.audit.services import diff, record
from tracker.core.time import to_local, today_local
from tracker.extensions import db
from tracker.periods.obligations import owner_units
from tracker.plans.models import ItemKind, ItemStatus, PlanItem
from tracker.units.models import Unit
from tracker.updates.models import StatusUpdate, UpdateState


def _completion_day(update: StatusUpdate) -> date:
    reported = to_local(update.submitted_at).date() if update.submitted_at else update.period.data_end
    return min(reported, update.period.data_end)


def item_state(item: PlanItem, accepted: list[StatusUpdate], today: date) -> dict | None:
    """The item's state from its accepted updates (rule in the module docstring); None if none."""
    latest: dict[int, StatusUpdate] = {}
    for update in accepted:
        key = update.unit.carrier_on(today).id
        rank = (update.period.year, update.period.quarter, update.version)
        held = latest.get(key)
        if held is None or rank > (held.period.year, held.period.quarter, held.version):
            latest[key] = update
    if not latest:
        return None
    members = [unit.id for unit in owner_units(item, today)] or list(latest)
    if not any(m in latest for m in members):
        members = list(latest)
    reports = [latest.get(m) for m in members]
    statuses = [u.status if u is not None else ItemStatus.NOT_STARTED.value for u in reports]
    active = [(s, u) for s, u in zip(statuses, reports) if s != ItemStatus.CANCELLED]

    if not active:
        status = ItemStatus.CANCELLED.value
    elif all(s == ItemStatus.DONE for s, _ in active):
        status = ItemStatus.DONE.value
    elif any(s == ItemStatus.STALLED for s, _ in active):
        status = ItemStatus.STALLED.value
    elif any(s == ItemStatus.LATE for s, _ in active):
        status = ItemStatus.LATE.value
    elif any(s in (ItemStatus.IN_PROGRESS, ItemStatus.DONE) or (u is not None and u.progress) for s, u in active):
        status = ItemStatus.IN_PROGRESS.value
    else:
        status = ItemStatus.NOT_STARTED.value

    if status == ItemStatus.DONE:
        progress = 100
    elif active:
        progress = sum((u.progress if u is not None else 0) for _, u in active) // len(active)
    else:
        progress = max((u.progress for u in reports if u is not None), default=0)

    achieved = None
    if item.kind == ItemKind.TARGET:
        values = [u.achieved_value for u in reports if u is not None and u.achieved_value is not None]
        if values:
            if len(values) == 1:
                achieved = values[0]
            elif "%" in (item.measure_unit or ""):
                achieved = (sum(values) / len(values)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
            else:
                achieved = sum(values)

    def total(name: str) -> int | None:
        amounts = [getattr(u, name) for u in reports if u is not None and getattr(u, name) is not None]
        return sum(amounts) if amounts else None

    completed_on = None
    if status == ItemStatus.DONE:
        if item.status == ItemStatus.DONE and item.completed_on is not None:
            completed_on = item.completed_on
        else:
            completed_on = max(_completion_day(u) for u in reports if u is not None)
    reviewed = [u.reviewed_at for u in latest.values() if u.reviewed_at is not None]
    return {
        "status": status,
        "progress": progress,
        "achieved_value": achieved,
        "amount_committed": total("amount_committed"),
        "amount_disbursed": total("amount_disbursed"),
        "completed_on": completed_on,
        "last_update_at": max(reviewed) if reviewed else None,
    }


def recompute_item_state(item: PlanItem, *, actor=None, today: date | None = None) -> dict:
    """Set the item's current state from its accepted updates; audited. Returns the changes."""
    today = today or today_local()
    accepted = list(
        db.session.scalars(
            select(StatusUpdate)
            .where(StatusUpdate.item_id == item.id, StatusUpdate.state == UpdateState.ACCEPTED.value)
            .options(selectinload(StatusUpdate.period), selectinload(StatusUpdate.unit).selectinload(Unit.successor))
        )
    )
    state = item_state(item, accepted, today)
    if state is None:
        return {}
    before = {name: getattr(item, name) for name in state}
    changes = diff(before, state)
    for name, value in state.items():
        setattr(item, name, value)
    if changes:
        changes.pop("last_update_at", None)
        record(actor=actor, action="update_state", entity_type="plan_item", entity_id=item.id,
               summary=f"Cập nhật tình trạng hạng mục {item.ref} theo báo cáo được chấp nhận",
               changes=changes, actor_label="" if actor is not None else "hệ thống")
    db.session.flush()
    return changes
