"""Giving an item whose units ended to a unit that exists: a dated reassignment, with history.

The item keeps the owners its document printed; from `effective_on` the part of each ended owner
is carried by the new unit (tracker.periods.obligations.owner_units). Periods whose deadline falls
before that day, and every report already written, keep the old unit. The caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from tracker.audit.services import record
from tracker.core.formatting import format_date
from tracker.core.text import vietnamese_sort_key
from tracker.extensions import db
from tracker.items.models import ItemReassignment
from tracker.periods.obligations import ended_owners, owner_units
from tracker.units.models import Unit


class ReassignmentError(ValueError):
    """A reassignment refused for a reason the user can act on (message in Vietnamese)."""


@dataclass
class CarrierView:
    """What the item page says about who carries an item today."""

    carriers: list  # units owing its report today
    ended: list  # named owners that ended and nobody carries
    history: list[ItemReassignment] = field(default_factory=list)

    @property
    def orphaned(self) -> bool:
        return not self.carriers and bool(self.ended)


def carrier_view(item, today: date) -> CarrierView:
    return CarrierView(owner_units(item, today), ended_owners(item, today), list(item.reassignments))


def default_effective_on(item, today: date) -> date:
    """The day after the last ended owner's end: the first day nobody carried the item."""
    ends = [u.ended_on for u in ended_owners(item, today) if u.ended_on is not None]
    return max(ends) + timedelta(days=1) if ends else today


def target_choices(item, on: date) -> list[Unit]:
    """Units of the item's province that exist on `on` and are not merged away."""
    units = db.session.scalars(select(Unit).where(Unit.tenant_id == item.tenant_id).order_by(Unit.name)).all()
    usable = [u for u in units if not u.ended_by(on) and u.carrier_on(on).id == u.id]
    return sorted(usable, key=lambda u: vietnamese_sort_key(u.name))


def reassign(actor, item, to_unit: Unit, effective_on: date, note: str, *,
             actor_label: str = "") -> list[ItemReassignment]:
    """From `effective_on`, every owner of `item` that has ended by then is carried by `to_unit`.

    `actor` is a coordinator of the item's province (None for the demo, with `actor_label`)."""
    if actor is not None and (getattr(actor, "role", None) != "coordinator" or actor.tenant_id != item.tenant_id):
        raise ReassignmentError("Chỉ điều phối viên của tỉnh, thành phố có hạng mục này mới giao lại được.")
    note = (note or "").strip()
    if not note:
        raise ReassignmentError("Vui lòng ghi lý do, căn cứ giao lại (ví dụ văn bản phân công của UBND).")
    if to_unit is None or to_unit.tenant_id != item.tenant_id:
        raise ReassignmentError("Vui lòng chọn một đơn vị của tỉnh, thành phố có hạng mục này.")
    if effective_on is None:
        raise ReassignmentError("Vui lòng nhập ngày bắt đầu giao lại (dd/mm/yyyy).")
    if to_unit.ended_by(effective_on):
        raise ReassignmentError(f"{to_unit.name} đã kết thúc hoạt động ngày {format_date(to_unit.ended_on)}.")
    if to_unit.carrier_on(effective_on).id != to_unit.id:
        carrier = to_unit.carrier_on(effective_on)
        raise ReassignmentError(f"{to_unit.name} đã hợp nhất vào {carrier.name}; chọn {carrier.name}.")
    ended = ended_owners(item, effective_on)
    if not ended:
        raise ReassignmentError(
            f"Ngày {format_date(effective_on)} hạng mục vẫn có đơn vị thực hiện: chọn ngày sau khi đơn vị chủ trì "
            "kết thúc hoạt động, hoặc sửa đơn vị chủ trì của hạng mục.")
    rows = []
    for unit in ended:
        row = ItemReassignment(item=item, from_unit_id=unit.id, to_unit_id=to_unit.id, effective_on=effective_on,
                               note=note, created_by_id=getattr(actor, "id", None))
        row.to_unit = to_unit
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    names = "; ".join(u.name for u in ended)
    record(actor=actor, actor_label=actor_label, action="item.reassign", entity_type="plan_item", entity_id=item.id,
           summary=f"Giao lại {item.ref} từ {names} cho {to_unit.name} từ ngày {format_date(effective_on)}",
           changes={"owners": [names, to_unit.name], "effective_on": [None, effective_on.isoformat()],
                    "reason": [None, note]})
    return rows
