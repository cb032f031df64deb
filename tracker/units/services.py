"""Finding units by name or alias, following and recording their succession, editing units and groups."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.audit.services import diff, record
from tracker.core.locking import UNCHECKED, claim
from tracker.core.text import fold_name
from tracker.extensions import db
from tracker.units.models import Area, Unit, UnitAlias, UnitGroup, UnitGroupMember, UnitKind


def unit_names(unit: Unit) -> set[str]:
    """Every folded name a unit answers to: full name, short name, aliases."""
    names = {fold_name(unit.name)}
    if unit.short_name:
        names.add(fold_name(unit.short_name))
    names.update(alias.folded for alias in unit.aliases)
    return names


def find_units(name: str, area_id: int | None = None) -> list[Unit]:
    """Units whose name, short name or alias matches `name` (case and spacing ignored).

    Matching is done in Python: SQLite's lower() does not fold Vietnamese capitals (Ở, Đ).
    """
    folded = fold_name(name)
    query = select(Unit).options(selectinload(Unit.aliases), selectinload(Unit.area)).order_by(Unit.id)
    if area_id is not None:
        query = query.where(Unit.area_id == area_id)
    return [unit for unit in db.session.scalars(query) if folded in unit_names(unit)]


# --- Succession, and the administrator's changes to units and groups. The caller commits. ------

SUCCESSION_TYPES = {"merged": "Hợp nhất", "renamed": "Đổi tên"}


class UnitError(ValueError):
    """A change refused for a reason the user can act on (message in Vietnamese)."""


def _succession_values(unit: Unit) -> dict:
    return {
        "successor": unit.successor.name if unit.successor is not None else None,
        "succeeded_on": unit.succeeded_on,
        "succession_type": unit.succession_type,
        "succession_note": unit.succession_note,
    }


def merge_unit(
    actor, source: Unit, target: Unit, on: date, *, kind: str = "merged", note: str | None = None,
    move_users: bool = False,
) -> dict:
    """From `on`, `source`'s work is carried by `target` (a merger, or a renaming).

    Nothing else is rewritten: open items and future obligations follow through Unit.carrier_on,
    and past status updates keep `unit_id = source`, so earlier reports still name the unit as it
    was. With `move_users`, the source's user accounts move to the target. Returns the changes.
    """
    if kind not in SUCCESSION_TYPES:
        raise UnitError("Hình thức kế thừa không hợp lệ.")
    if source.id == target.id:
        raise UnitError("Không thể hợp nhất một đơn vị vào chính nó.")
    unit, seen = target, set()
    while unit is not None and unit.id not in seen:
        if unit.id == source.id:
            raise UnitError(f"{target.name} đã được kế thừa bởi {source.name}; không thể kế thừa ngược lại.")
        seen.add(unit.id)
        unit = unit.successor
    before = _succession_values(source)
    source.successor = target
    source.succeeded_on = on
    source.succession_type = kind
    source.succession_note = (note or "").strip() or None
    changes = diff(before, _succession_values(source))
    if move_users:
        from tracker.auth.models import User

        users = db.session.scalars(select(User).where(User.unit_id == source.id).order_by(User.email)).all()
        for user in users:
            user.unit_id = target.id
        if users:
            changes["users"] = [[u.email for u in users], target.name]
            from tracker.calendar.services import rotate_unit_token

            rotate_unit_token(source, actor=actor)  # its reporters have moved on: the old URL ends
    verb = "đổi tên thành" if kind == "renamed" else "hợp nhất vào"
    summary = f"{source.name} {verb} {target.name} từ ngày {on:%d/%m/%Y}"
    record(actor=actor, action="merge" if kind == "merged" else "rename", entity_type="unit",
           entity_id=source.id, summary=summary, changes=changes)
    record(actor=actor, action="receive", entity_type="unit", entity_id=target.id, summary=summary,
           changes={"predecessor": [None, source.name]})
    db.session.flush()
    return changes


def predecessors_of(unit: Unit) -> list[Unit]:
    """Units whose work `unit` carries (directly or through a chain of successions)."""
    succeeded = db.session.scalars(select(Unit).where(Unit.successor_id.is_not(None))).all()
    by_successor: dict[int, list[Unit]] = {}
    for other in succeeded:
        by_successor.setdefault(other.successor_id, []).append(other)
    found: list[Unit] = []
    stack, seen = [unit.id], {unit.id}
    while stack:
        for other in by_successor.get(stack.pop(), []):
            if other.id not in seen:
                seen.add(other.id)
                found.append(other)
                stack.append(other.id)
    return found


# --- The naming rules of an area's units, for the administrator's form and the plan loader alike. --

SELF_PARENT = "Một đơn vị không thể là cấp trên của chính nó."


def name_taken_message(value: str, other: Unit) -> str:
    return f"'{value}' đã là tên của đơn vị {other.name} trong địa bàn này."


def other_units_named(value: str | None, units, unit: Unit | None = None) -> list[Unit]:
    """The units among `units` (those of one area), `unit` itself aside, answering to `value`.

    A short name or alias that already names another unit of the area would make that name
    ambiguous (plan loading and user creation could no longer tell the two apart): refused."""
    value = " ".join((value or "").split())
    if not value:
        return []
    folded = fold_name(value)
    return [u for u in units if folded in unit_names(u) and not _same_unit(u, unit)]


def _same_unit(a: Unit, b: Unit | None) -> bool:
    return b is not None and (a is b or (b.id is not None and a.id == b.id))


def resolve_parent(name: str | None, area_id: int | None, unit: Unit | None = None) -> Unit | None:
    """The parent unit named `name` in the area (None when no name is given). UnitError when no
    unit or several answer to the name, or when the name is the unit's own."""
    name = (name or "").strip()
    if not name:
        return None
    matches = find_units(name, area_id)
    if len(matches) != 1:
        raise UnitError(f"Không tìm thấy đơn vị '{name}' trong địa bàn đã chọn." if not matches
                        else f"Tên '{name}' trùng với nhiều đơn vị; hãy ghi tên đầy đủ.")
    check_parent(matches[0], unit)
    return matches[0]


def check_parent(parent: Unit | None, unit: Unit | None) -> None:
    """A unit is never its own parent (UnitError)."""
    if parent is not None and _same_unit(parent, unit):
        raise UnitError(SELF_PARENT)


def _parse_aliases(text: str | None) -> list[str]:
    seen, result = set(), []
    for line in (text or "").splitlines():
        alias = " ".join(line.split())
        if alias and fold_name(alias) not in seen:
            seen.add(fold_name(alias))
            result.append(alias)
    return result


def _check_unit_name(area: Area, name: str, unit: Unit | None = None) -> None:
    folded = fold_name(name)
    for other in db.session.scalars(select(Unit).where(Unit.area_id == area.id)):
        if other is not unit and fold_name(other.name) == folded:
            raise UnitError(f"{area.name} đã có đơn vị tên '{other.name}'.")


def unit_values(unit: Unit) -> dict:
    return {
        "name": unit.name, "short_name": unit.short_name, "kind": unit.kind,
        "parent": unit.parent.name if unit.parent is not None else None, "note": unit.note,
        "aliases": [a.alias for a in unit.aliases], "area": unit.area.name if unit.area else None,
    }


def save_unit(
    actor, unit: Unit | None, *, area: Area, name: str, short_name: str | None, kind: str,
    parent: Unit | None, note: str | None, aliases_text: str | None, lock_version=UNCHECKED,
) -> Unit:
    """Create (unit None) or change a unit, its aliases included; audited. `lock_version`: the
    version the form was built from (StaleEdit when the unit changed since)."""
    if unit is not None:
        claim(unit, lock_version)
    name = " ".join(name.split())
    if kind not in {k.value for k in UnitKind}:
        raise UnitError("Loại đơn vị không hợp lệ.")
    _check_unit_name(area, name, unit)
    created = unit is None
    before = {} if created else unit_values(unit)
    if created:
        unit = Unit(area=area, name=name)
        db.session.add(unit)
    check_parent(parent, unit)
    unit.area = area
    unit.name = name
    unit.short_name = (short_name or "").strip() or None
    unit.kind = kind
    unit.parent = parent
    unit.note = (note or "").strip() or None
    wanted = _parse_aliases(aliases_text)
    current = {a.folded: a for a in unit.aliases}
    keep = {fold_name(a) for a in wanted}
    for folded, alias in list(current.items()):
        if folded not in keep:
            unit.aliases.remove(alias)
    for alias in wanted:
        if fold_name(alias) not in current:
            unit.aliases.append(UnitAlias(alias=alias, folded=fold_name(alias)))
    db.session.flush()
    changes = diff(before, unit_values(unit))
    if changes:
        record(actor=actor, action="create" if created else "update", entity_type="unit", entity_id=unit.id,
               summary=f"{'Tạo' if created else 'Sửa'} đơn vị {unit.name}", changes=changes)
    return unit


def group_values(group: UnitGroup) -> dict:
    return {
        "name": group.name, "aliases": group.aliases, "note": group.note,
        "members": [m.unit.name for m in group.members],
    }


def save_group(
    actor, group: UnitGroup | None, *, area: Area, name: str, aliases_text: str | None, note: str | None,
    members: list[Unit] | None = None, lock_version=UNCHECKED,
) -> UnitGroup:
    """Create (group None) or change a unit group and its members; audited (`lock_version` as for
    `save_unit`)."""
    if group is not None:
        claim(group, lock_version)
    name = " ".join(name.split())
    for other in db.session.scalars(select(UnitGroup).where(UnitGroup.area_id == area.id)):
        if other is not group and fold_name(other.name) == fold_name(name):
            raise UnitError(f"{area.name} đã có nhóm tên '{other.name}'.")
    created = group is None
    before = {} if created else group_values(group)
    if created:
        group = UnitGroup(area=area, name=name)
        db.session.add(group)
    group.name = name
    group.aliases_text = "\n".join(_parse_aliases(aliases_text)) or None
    group.note = (note or "").strip() or None
    if members is not None:
        current = {m.unit_id: m for m in group.members}
        wanted = list(dict.fromkeys(u.id for u in members))
        by_id = {u.id: u for u in members}
        for unit_id, member in list(current.items()):
            if unit_id not in wanted:
                group.members.remove(member)
        for position, unit_id in enumerate(wanted):
            member = current.get(unit_id)
            if member is None:
                member = UnitGroupMember(unit=by_id[unit_id])
                group.members.append(member)
            member.position = position
        group.members.sort(key=lambda m: m.position)
    db.session.flush()
    changes = diff(before, group_values(group))
    if changes:
        record(actor=actor, action="create" if created else "update", entity_type="unit_group",
               entity_id=group.id, summary=f"{'Tạo' if created else 'Sửa'} nhóm đơn vị {group.name}",
               changes=changes)
    return group


def reverse_succession(actor, unit: Unit, on: date) -> dict:
    """Cancel `unit`'s succession (a merger or renaming recorded by mistake), recorded on `on` with
    what it was, so the history shows the merger and its reversal."""
    before = _succession_values(unit)
    former = unit.successor
    unit.successor = None
    unit.succeeded_on = None
    unit.succession_type = None
    unit.succession_note = None
    changes = diff(before, _succession_values(unit))
    summary = (f"Hoàn tác ngày {on:%d/%m/%Y}: {unit.name} không còn kế thừa bởi {former.name}"
               f" (đã ghi từ ngày {before['succeeded_on']:%d/%m/%Y})" if before["succeeded_on"] else
               f"Hoàn tác ngày {on:%d/%m/%Y}: {unit.name} không còn kế thừa bởi {former.name}")
    record(actor=actor, action="unmerge", entity_type="unit", entity_id=unit.id, summary=summary, changes=changes)
    record(actor=actor, action="unmerge", entity_type="unit", entity_id=former.id, summary=summary,
           changes={"predecessor": [unit.name, None]})
    db.session.flush()
    return changes
