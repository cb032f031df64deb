"""What the unit pages show, in a fixed number of queries whatever the number of items or updates."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from tracker.core.text import fold_search, vietnamese_sort_key
from tracker.extensions import db
from tracker.periods.completeness import Completeness, completeness, latest_update_states
from tracker.periods.obligations import preload_exceptions
from tracker.main.services import recent_periods
from tracker.periods.models import ReportingPeriod
from tracker.plans.listing import STATUS_KINDS, timeliness
from tracker.plans.snapshot import load_items
from tracker.plans.models import ItemAssignment, Plan, PlanItem
from tracker.units.models import Area, Unit, UnitGroup, UnitGroupMember
from tracker.plans.counting import assignment_counts
from tracker.units.services import predecessors_of

PERIODS_SHOWN = 8


def default_area(user) -> Area | None:
    """The signed-in user's area (its unit's, else its province), else the area with the most units."""
    if getattr(user, "unit", None) is not None:
        return user.unit.area
    if getattr(user, "tenant", None) is not None:
        return user.tenant
    row = db.session.execute(
        select(Unit.area_id, func.count()).group_by(Unit.area_id).order_by(func.count().desc(), Unit.area_id).limit(1)
    ).first()
    return db.session.get(Area, row[0]) if row else None


@dataclass
class UnitRow:
    unit: Unit
    owned: int = 0
    coordinated: int = 0


def units_index(area: Area | None, query: str = "") -> tuple[list[UnitRow], list[UnitGroup]]:
    if area is None:
        return [], []
    units = db.session.scalars(
        select(Unit)
        .where(Unit.area_id == area.id)
        .options(selectinload(Unit.successor), selectinload(Unit.aliases), selectinload(Unit.parent))
        .order_by(Unit.name)
    ).all()
    units = sorted(units, key=lambda u: vietnamese_sort_key(u.name))  # "Đ…", "Ủ…" in their places
    folded = fold_search(query)
    if folded:
        units = [
            u for u in units
            if folded in fold_search(" ".join([u.name, u.short_name or ""] + [a.alias for a in u.aliases]))
        ]
    # The unit page's rule (tracker.plans.counting): carried and group items included, each once.
    counts = assignment_counts([u.id for u in units])
    rows = {u.id: UnitRow(u, *counts[u.id]) for u in units}
    groups = db.session.scalars(
        select(UnitGroup)
        .where(UnitGroup.area_id == area.id)
        .options(selectinload(UnitGroup.members).selectinload(UnitGroupMember.unit))
        .order_by(UnitGroup.name)
    ).all()
    return list(rows.values()), list(groups)


@dataclass
class AssignedItem:
    item: object  # snapshot.ItemView
    role: str  # owner | coordinator
    via: str  # "" when named directly, else the group or predecessor it comes through
    timeliness: str | None


@dataclass
class UnitPage:
    unit: Unit
    predecessors: list[Unit]
    groups: list[UnitGroup]
    owned: list[AssignedItem]
    coordinated: list[AssignedItem]
    periods: list[ReportingPeriod]
    submissions: dict[int, Completeness] = field(default_factory=dict)  # period id -> completeness
    plans: dict[int, Plan] = field(default_factory=dict)


def unit_page(unit: Unit, today: date) -> UnitPage:
    predecessors = predecessors_of(unit)
    unit_ids = {unit.id} | {p.id for p in predecessors}
    names = {unit.id: unit.name} | {p.id: p.name for p in predecessors}
    groups = db.session.scalars(
        select(UnitGroup)
        .join(UnitGroupMember, UnitGroupMember.group_id == UnitGroup.id)
        .where(UnitGroupMember.unit_id.in_(sorted(unit_ids)))
        .options(selectinload(UnitGroup.members))
        .order_by(UnitGroup.name)
        .distinct()
    ).all()
    group_ids = {g.id for g in groups}
    member_of = {g.id: {m.unit_id for m in g.members} for g in groups}

    assignments = db.session.execute(
        select(ItemAssignment.item_id, ItemAssignment.role, ItemAssignment.unit_id, ItemAssignment.group_id)
        .where(or_(ItemAssignment.unit_id.in_(sorted(unit_ids)), ItemAssignment.group_id.in_(sorted(group_ids) or [0])))
        .order_by(ItemAssignment.item_id, ItemAssignment.id)
    ).all()
    items = {item.id: item for item in load_items(PlanItem.id.in_(sorted({a.item_id for a in assignments}) or [0]))}

    owned: dict[int, AssignedItem] = {}
    coordinated: dict[int, AssignedItem] = {}
    for assignment in assignments:
        item = items[assignment.item_id]
        if assignment.unit_id is not None:
            via = "" if assignment.unit_id == unit.id else f"tiếp nhận từ {names[assignment.unit_id]}"
        else:
            group = next(g for g in groups if g.id == assignment.group_id)
            via_unit = next(uid for uid in (unit.id, *unit_ids) if uid in member_of[group.id])
            via = f"qua nhóm {group.name}"
            if via_unit != unit.id:
                via += f" (tiếp nhận từ {names[via_unit]})"
        target = owned if assignment.role == "owner" else coordinated
        if item.id not in target or (target[item.id].via and not via):
            status_view = timeliness(item, today) if item.kind in STATUS_KINDS else None
            target[item.id] = AssignedItem(item, assignment.role, via, status_view)

    def ordered(rows: dict[int, AssignedItem]) -> list[AssignedItem]:
        return sorted(rows.values(), key=lambda r: (r.item.plan.number, r.item.appendix_id, r.item.position))

    periods = recent_periods(today, PERIODS_SHOWN, tenant=unit.tenant_id)
    preload_exceptions(periods)  # lateness of each period's submissions: one query, not one per period
    states = latest_update_states([p.id for p in periods], unit_ids={unit.id})
    grid = completeness(
        [items[i] for i in owned], periods, states, today, unit_ids={unit.id}
    )
    submissions = {period_id: entry for (unit_id, period_id), entry in grid.items()}
    return UnitPage(
        unit=unit,
        predecessors=predecessors,
        groups=list(groups),
        owned=ordered(owned),
        coordinated=ordered(coordinated),
        periods=periods,
        submissions=submissions,
        plans={item.plan_id: item.plan for item in items.values()},
    )
