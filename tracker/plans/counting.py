"""How many items a unit chủ trì (owns) and phối hợp (coordinates): one rule for the unit list and the
unit page. An item counts once when the unit is named on it directly, through a unit whose work it
carries after a merger or renaming, or through a group it (or such a unit) belongs to."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, or_, select

from tracker.extensions import db
from tracker.plans.models import ItemAssignment
from tracker.units.models import Unit, UnitGroupMember


def carried_unit_ids(unit_ids: list[int]) -> dict[int, set[int]]:
    """unit id -> itself and every unit whose work it carries (chains of successions), one query."""
    by_successor: dict[int, list[int]] = defaultdict(list)
    for unit_id, successor_id in db.session.execute(
        select(Unit.id, Unit.successor_id).where(Unit.successor_id.is_not(None))
    ):
        by_successor[successor_id].append(unit_id)
    result = {}
    for unit_id in unit_ids:
        found, stack = {unit_id}, [unit_id]
        while stack:
            for other in by_successor.get(stack.pop(), ()):
                if other not in found:
                    found.add(other)
                    stack.append(other)
        result[unit_id] = found
    return result


def assignment_counts(unit_ids: list[int]) -> dict[int, tuple[int, int]]:
    """unit id -> (items it chủ trì, items it phối hợp), in three queries whatever the number of units."""
    carried = carried_unit_ids(unit_ids)
    every = sorted(set().union(*carried.values())) if carried else []
    groups_of: dict[int, set[int]] = defaultdict(set)
    for group_id, unit_id in db.session.execute(
        select(UnitGroupMember.group_id, UnitGroupMember.unit_id).where(UnitGroupMember.unit_id.in_(every or [0]))
    ):
        groups_of[unit_id].add(group_id)
    group_ids = sorted(set().union(*groups_of.values())) if groups_of else []
    by_unit: dict[int, list] = defaultdict(list)
    by_group: dict[int, list] = defaultdict(list)
    for item_id, role, unit_id, group_id in db.session.execute(
        select(ItemAssignment.item_id, ItemAssignment.role, ItemAssignment.unit_id, ItemAssignment.group_id)
        .where(or_(ItemAssignment.unit_id.in_(every or [0]), ItemAssignment.group_id.in_(group_ids or [0])))
    ):
        (by_unit[unit_id] if unit_id is not None else by_group[group_id]).append((item_id, role))
    result = {}
    for unit_id in unit_ids:
        ids = carried[unit_id]
        groups = set().union(*(groups_of[i] for i in ids))
        owned: set[int] = set()
        coordinated: set[int] = set()
        for entries in [by_unit[i] for i in ids] + [by_group[g] for g in groups]:
            for item_id, role in entries:
                (owned if role == "owner" else coordinated).add(item_id)
        result[unit_id] = (len(owned), len(coordinated))
    return result


def succession_impact(source: Unit, on: date) -> dict:
    """What a merger of `source` from `on` moves: its open items (named directly) and user accounts."""
    from tracker.auth.models import User
    from tracker.plans.models import ItemStatus, PlanItem

    items = db.session.scalar(
        select(func.count(func.distinct(ItemAssignment.item_id)))
        .join(PlanItem, PlanItem.id == ItemAssignment.item_id)
        .where(ItemAssignment.unit_id == source.id,
               PlanItem.status.not_in([ItemStatus.DONE.value, ItemStatus.CANCELLED.value]))
    ) or 0
    users = db.session.scalar(select(func.count()).select_from(User).where(User.unit_id == source.id)) or 0
    return {"items": items, "users": users, "on": on}
