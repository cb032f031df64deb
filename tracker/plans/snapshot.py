"""A read-only snapshot of many plan items with their owners, coordinators, groups and units.

The list pages (dashboard, plan tabs, unit and indicator pages) read hundreds of items at once.
Building ORM objects for them and their assignments costs ~0.1 ms a row; these plain objects
are filled from column tuples in a fixed number of queries instead (six, whatever the number of
items), and answer the same attributes the pages and the obligation rules use (`item.owners`,
`assignment.units`, `unit.carrier_on(day)`, `item.due_date`, `item.plan`...). Nothing here is
written back: edits go through the ORM models.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.plans.models import ItemAssignment, Plan, PlanItem
from tracker.units.models import Unit, UnitGroup, UnitGroupMember

ITEM_COLUMNS = [column for column in PlanItem.__table__.c if column.key not in ("created_at", "updated_at")]
UNIT_COLUMNS = [Unit.id, Unit.area_id, Unit.name, Unit.short_name, Unit.kind, Unit.successor_id, Unit.succeeded_on,
                Unit.succession_type, Unit.tenant_id, Unit.ended_on]


class UnitView:
    __slots__ = ("id", "area_id", "name", "short_name", "kind", "successor_id", "succeeded_on", "succession_type",
                 "tenant_id", "ended_on", "successor")

    def __init__(self, row):
        (self.id, self.area_id, self.name, self.short_name, self.kind, self.successor_id, self.succeeded_on,
         self.succession_type, self.tenant_id, self.ended_on) = row
        self.successor: UnitView | None = None

    display_name = Unit.display_name
    carrier_on = Unit.carrier_on
    ended_by = Unit.ended_by


class ReassignmentView:
    __slots__ = ("id", "item_id", "from_unit_id", "to_unit_id", "effective_on", "to_unit")

    def __init__(self, row, to_unit):
        self.id, self.item_id, self.from_unit_id, self.to_unit_id, self.effective_on = row
        self.to_unit = to_unit


class GroupView:
    __slots__ = ("id", "name", "members")

    def __init__(self, group_id: int, name: str):
        self.id, self.name = group_id, name
        self.members: list[MemberView] = []

    @property
    def member_units(self) -> list[UnitView]:
        return [member.unit for member in self.members]


class MemberView:
    __slots__ = ("unit", "unit_id", "position")

    def __init__(self, unit: UnitView, position: int):
        self.unit, self.unit_id, self.position = unit, unit.id, position


class AssignmentView:
    __slots__ = ("id", "item_id", "role", "unit_id", "group_id", "name_as_written", "position", "unit", "group")

    def __init__(self, row, unit: UnitView | None, group: GroupView | None):
        self.id, self.item_id, self.role, self.unit_id, self.group_id, self.name_as_written, self.position = row
        self.unit, self.group = unit, group

    units = ItemAssignment.units
    label = ItemAssignment.label


class ItemView:
    """A plan item's columns as attributes, with `plan`, `assignments` and `funded_project`."""

    def __init__(self, row, plan: Plan):
        self.__dict__.update(row._mapping)
        self.plan = plan
        self.assignments: list[AssignmentView] = []
        self.reassignments: list[ReassignmentView] = []
        self.funded_project: ItemView | None = None

    owners = PlanItem.owners
    coordinators = PlanItem.coordinators
    due_date = PlanItem.due_date
    display_code = PlanItem.display_code

    def __repr__(self) -> str:
        return f"<ItemView {self.ref}>"


def load_items(where, plans: dict[int, Plan] | None = None, order_by=None) -> list[ItemView]:
    """Items matching the `where` clause (on PlanItem), with owners, reassignments and units, in six or seven
    queries."""
    query = select(*ITEM_COLUMNS).where(where)
    query = query.order_by(*(order_by or (PlanItem.plan_id, PlanItem.appendix_id, PlanItem.position, PlanItem.id)))
    rows = db.session.execute(query).all()
    if plans is None:
        plan_ids = sorted({row.plan_id for row in rows})
        plans = {p.id: p for p in db.session.scalars(select(Plan).where(Plan.id.in_(plan_ids or [0])))}
    items = [ItemView(row, plans[row.plan_id]) for row in rows]
    by_id = {item.id: item for item in items}
    if not items:
        return items

    item_ids = list(by_id)
    assignment_rows = db.session.execute(
        select(ItemAssignment.id, ItemAssignment.item_id, ItemAssignment.role, ItemAssignment.unit_id,
               ItemAssignment.group_id, ItemAssignment.name_as_written, ItemAssignment.position)
        .where(ItemAssignment.item_id.in_(item_ids))
        .order_by(ItemAssignment.item_id, ItemAssignment.position, ItemAssignment.id)
    ).all()
    group_ids = sorted({row.group_id for row in assignment_rows if row.group_id is not None})
    member_rows = db.session.execute(
        select(UnitGroup.id, UnitGroup.name, UnitGroupMember.unit_id, UnitGroupMember.position)
        .join(UnitGroupMember, UnitGroupMember.group_id == UnitGroup.id, isouter=True)
        .where(UnitGroup.id.in_(group_ids or [0]))
        .order_by(UnitGroup.id, UnitGroupMember.position, UnitGroupMember.id)
    ).all()
    from tracker.items.models import ItemReassignment

    reassignment_rows = db.session.execute(
        select(ItemReassignment.id, ItemReassignment.item_id, ItemReassignment.from_unit_id,
               ItemReassignment.to_unit_id, ItemReassignment.effective_on)
        .where(ItemReassignment.item_id.in_(item_ids))
        .order_by(ItemReassignment.effective_on, ItemReassignment.id)
    ).all()
    unit_ids = {row.unit_id for row in assignment_rows if row.unit_id is not None}
    unit_ids |= {row.unit_id for row in member_rows if row.unit_id is not None}
    unit_ids |= {row.to_unit_id for row in reassignment_rows}
    units = load_units(unit_ids)
    for row in reassignment_rows:
        by_id[row.item_id].reassignments.append(ReassignmentView(tuple(row), units.get(row.to_unit_id)))

    groups: dict[int, GroupView] = {}
    for group_id, name, unit_id, position in member_rows:
        group = groups.setdefault(group_id, GroupView(group_id, name))
        if unit_id is not None:
            group.members.append(MemberView(units[unit_id], position))
    for row in assignment_rows:
        item = by_id[row.item_id]
        item.assignments.append(AssignmentView(
            tuple(row), units.get(row.unit_id) if row.unit_id else None,
            groups.get(row.group_id) if row.group_id else None))
    for item in items:
        if item.funded_project_id:
            item.funded_project = by_id.get(item.funded_project_id)
    return items


def load_units(unit_ids: set[int]) -> dict[int, UnitView]:
    """Units by id with their successors (chains followed), in two queries for the usual one-step chain."""
    units: dict[int, UnitView] = {}
    wanted = set(unit_ids)
    first = True
    while wanted or first:
        rows = db.session.execute(select(*UNIT_COLUMNS).where(Unit.id.in_(sorted(wanted) or [0]))).all()
        for row in rows:
            units[row[0]] = UnitView(row)
        wanted = {u.successor_id for u in units.values() if u.successor_id and u.successor_id not in units}
        first = False
        if not wanted:
            break
    for unit in units.values():
        if unit.successor_id:
            unit.successor = units.get(unit.successor_id)
    return units


def load_plan_items(plan: Plan) -> list[ItemView]:
    return load_items(PlanItem.plan_id == plan.id, plans={plan.id: plan})


def today_carriers(items: list[ItemView], today: date) -> dict[int, UnitView]:
    """Every unit named by the items (groups expanded) and the unit carrying it today."""
    units: dict[int, UnitView] = {}
    for item in items:
        for assignment in item.assignments:
            for unit in assignment.units:
                units.setdefault(unit.id, unit)
                carrier = unit.carrier_on(today)
                units.setdefault(carrier.id, carrier)
    return units
