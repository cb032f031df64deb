"""Reading plans: loading an appendix's items, classifying them, filtering and searching.

Plan and dashboard pages load a plan's items once (a fixed number of queries whatever their
number) and filter in Python: the same objects then give every tab's count.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import selectinload

from tracker.core.text import fold_search
from tracker.plans.models import ItemAssignment, ItemKind, ItemStatus, Plan, PlanItem, Section
from tracker.units.models import Unit, UnitGroup, UnitGroupMember

# Budget lines carry no status of their own: they are reported through the project they fund.
STATUS_KINDS = (ItemKind.TARGET.value, ItemKind.DOCUMENT.value, ItemKind.PROJECT.value, ItemKind.TASK.value)

TIMELINESS_ORDER = ("done_on_time", "done_late", "in_progress", "not_due", "overdue", "cancelled")
TIMELINESS_LABELS = {
    "done_on_time": "Hoàn thành đúng hạn",
    "done_late": "Hoàn thành trễ hạn",
    "in_progress": "Đang triển khai, chưa đến hạn",
    "not_due": "Chưa triển khai, chưa đến hạn",
    "overdue": "Quá hạn",
    "cancelled": "Hủy bỏ",
}
STATUS_ORDER = ("not_started", "in_progress", "done", "late", "stalled", "cancelled")
ACTIVE_STATUSES = (ItemStatus.IN_PROGRESS.value, ItemStatus.LATE.value, ItemStatus.STALLED.value)


def timeliness(item: PlanItem, today: date) -> str:
    """done_on_time | done_late | in_progress | not_due | overdue | cancelled.

    An item done without a known completion date or due date counts as on time: nothing says it
    was late. An unfinished item past its due date is overdue whatever its reported status.
    """
    if item.status == ItemStatus.CANCELLED:
        return "cancelled"
    due = item.due_date
    if item.status == ItemStatus.DONE:
        if due is not None and item.completed_on is not None and item.completed_on > due:
            return "done_late"
        return "done_on_time"
    if due is not None and due < today:
        return "overdue"
    if item.status in ACTIVE_STATUSES:
        return "in_progress"
    return "not_due"


def days_overdue(item: PlanItem, today: date) -> int:
    due = item.due_date
    return (today - due).days if due is not None else 0


def item_years(item: PlanItem) -> set[int]:
    """The years an item is active in, for the year filter (a budget line: its project's years)."""
    if item.kind == ItemKind.BUDGET and item.funded_project_id and item.funded_project is not None:
        if item.funded_project is not item:
            return item_years(item.funded_project)
    if item.start_year or item.end_year:
        start = item.start_year or item.end_year
        end = item.end_year or item.start_year
        return set(range(start, end + 1))
    if item.target_year:
        return {item.target_year}
    if item.deadline:
        return {item.deadline.year}
    plan = item.plan
    if plan is not None and plan.period_start and plan.period_end:
        return set(range(plan.period_start, plan.period_end + 1))
    return set()


def item_search_text(item: PlanItem) -> str:
    """The folded code and wording (PlanItem.search_text, computed here when the loader left it empty)."""
    return item.search_text or fold_search(f"{item.code} {item.text}")


def matches_search(item: PlanItem, query: str) -> bool:
    folded = fold_search(query)
    if not folded:
        return True
    text = item_search_text(item)
    if folded in text:
        return True
    # Every word somewhere in the text, as a whole word: "so ky chu" still finds "chữ ký số", but
    # "chu ky so" does not find "chương trình ... kỹ năng số" ("chu" is only part of "chuong").
    return all(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) for word in folded.split())


def assignment_options():
    """Loader options for an item's owners and coordinators, units, groups and successors."""
    from tracker.items.models import ItemReassignment

    return (
        selectinload(PlanItem.assignments).selectinload(ItemAssignment.unit).selectinload(Unit.successor),
        selectinload(PlanItem.assignments)
        .selectinload(ItemAssignment.group)
        .selectinload(UnitGroup.members)
        .selectinload(UnitGroupMember.unit)
        .selectinload(Unit.successor),
        selectinload(PlanItem.reassignments).selectinload(ItemReassignment.to_unit).selectinload(Unit.successor),
    )


def assignment_unit_ids(item: PlanItem, role: str | None, today: date) -> set[int]:
    """Units named by an item's assignments (groups expanded) and the units carrying them today."""
    ids: set[int] = set()
    for assignment in item.assignments:
        if role is not None and assignment.role != role:
            continue
        for unit in assignment.units:
            ids.add(unit.id)
            ids.add(unit.carrier_on(today).id)
    return ids


@dataclass
class ItemFilter:
    """Filters of the item lists. `role` limits the unit filter to owners ("owner") when set."""

    unit_id: int | None = None
    role: str | None = None
    status: str | None = None
    timeliness: str | None = None
    section_id: int | None = None
    year: int | None = None
    indicator_id: int | None = None
    query: str = ""
    indicator_item_ids: set[int] = field(default_factory=set)
    section_ids: set[int] = field(default_factory=set)

    @property
    def active(self) -> bool:
        return any(
            (self.unit_id, self.status, self.timeliness, self.section_id, self.year, self.indicator_id,
             self.query.strip())
        )

    def matches(self, item: PlanItem, today: date) -> bool:
        if self.status and (item.kind not in STATUS_KINDS or item.status != self.status):
            return False
        if self.timeliness:
            if item.kind not in STATUS_KINDS or timeliness(item, today) != self.timeliness:
                return False
        if self.section_id and item.section_id not in self.section_ids:
            return False
        if self.year and self.year not in item_years(item):
            return False
        if self.indicator_id and item.id not in self.indicator_item_ids:
            return False
        if self.unit_id and self.unit_id not in assignment_unit_ids(item, self.role, today):
            return False
        if self.query.strip() and not matches_search(item, self.query):
            return False
        return True


def section_descendants(sections: list[Section], section_id: int) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for section in sections:
        children.setdefault(section.parent_id, []).append(section.id)
    found, stack = set(), [section_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    return found


@dataclass
class Node:
    """A section heading with its items and subsections, in the document's order."""

    section: Section | None
    items: list[PlanItem] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items) + sum(child.count for child in self.children)


def build_tree(sections: list[Section], items: list[PlanItem]) -> list[tuple[Section | None, list[PlanItem]]]:
    """Flatten an appendix into (heading, items) rows in document order, skipping empty headings.

    A heading is kept when it or one of its subsections has an item to show.
    """
    nodes: dict[int, Node] = {s.id: Node(s) for s in sorted(sections, key=lambda s: (s.position, s.id))}
    root = Node(None)
    for section in sorted(sections, key=lambda s: (s.position, s.id)):
        parent = nodes.get(section.parent_id) if section.parent_id else None
        (parent or root).children.append(nodes[section.id])
    for item in items:
        target = nodes.get(item.section_id, root) if item.section_id else root
        target.items.append(item)

    rows: list[tuple[Section | None, list[PlanItem]]] = []

    def walk(node: Node) -> None:
        if node.count == 0:
            return
        if node.section is not None or node.items:
            rows.append((node.section, node.items))
        for child in node.children:
            walk(child)

    walk(root)
    return rows


def plan_years(plan: Plan, items: list[PlanItem]) -> list[int]:
    years: set[int] = set()
    if plan.period_start and plan.period_end:
        years.update(range(plan.period_start, plan.period_end + 1))
    for item in items:
        years.update(item_years(item))
    return sorted(years)
