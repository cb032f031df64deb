"""The indicator pages: frameworks, their tree, and the plan items linked to each indicator."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.indicators.models import Framework, Indicator, IndicatorInput, IndicatorProvider, ItemIndicatorLink
from tracker.indicators.rules import describe_rule
from tracker.plans.listing import STATUS_KINDS, timeliness
from tracker.plans.models import Plan, PlanItem
from tracker.plans.snapshot import load_items
from tracker.units.models import Area


def framework_list() -> list[dict]:
    frameworks = db.session.scalars(
        select(Framework).options(selectinload(Framework.tenant).selectinload(Area.names)).order_by(Framework.year.desc(), Framework.name)
    ).all()
    indicator_counts = dict(
        db.session.execute(select(Indicator.framework_id, func.count()).group_by(Indicator.framework_id)).all()
    )
    link_counts = dict(
        db.session.execute(
            select(Indicator.framework_id, func.count(func.distinct(ItemIndicatorLink.item_id)))
            .join(ItemIndicatorLink, ItemIndicatorLink.indicator_id == Indicator.id)
            .group_by(Indicator.framework_id)
        ).all()
    )
    return [
        {"framework": f, "indicators": indicator_counts.get(f.id, 0), "items": link_counts.get(f.id, 0)}
        for f in frameworks
    ]


@dataclass
class LinkView:
    id: int
    indicator_id: int
    note: str | None
    item: object  # snapshot.ItemView
    doubt: str | None = None
    lock_version: int = 1  # the link's, for the removal form (tracker/core/locking.py)


@dataclass
class IndicatorNode:
    indicator: Indicator
    children: list["IndicatorNode"] = field(default_factory=list)
    links: list[LinkView] = field(default_factory=list)
    inputs: list[IndicatorInput] = field(default_factory=list)
    providers: list[IndicatorProvider] = field(default_factory=list)  # of the whole indicator
    input_providers: dict[int, list[IndicatorProvider]] = field(default_factory=dict)
    at_risk: bool = False  # a linked item is overdue
    rule_text: str = ""  # the structured scoring rule in words

    @property
    def children_points(self):
        values = [c.indicator.max_points for c in self.children if c.indicator.max_points is not None]
        return sum(values) if values else None


@dataclass
class FrameworkPage:
    framework: Framework
    roots: list[IndicatorNode]
    count: int
    linked_items: int  # in every plan
    timeliness: dict[int, str]
    plans: list[Plan]
    plan: Plan | None  # the plan whose linked items are shown; None: every plan
    plan_counts: dict[int, int]  # plan id -> items linked to this framework


def choose_plan(framework: Framework, plans: list[Plan], counts: dict[int, int], user) -> Plan | None:
    """The user's own plan when it has links to this framework, else the framework's plan, else the
    plan with the most links."""
    linked = [p for p in plans if counts.get(p.id)]
    unit = getattr(user, "unit", None)
    if unit is not None:
        mine = [p for p in linked if p.area_id == unit.area_id]
        if mine:
            return mine[0]
    for plan in linked:
        if framework.plan_number and plan.number == framework.plan_number:
            return plan
    if linked:
        return max(linked, key=lambda p: counts[p.id])
    return None


def framework_page(framework: Framework, today: date, plan_arg: str | None = None, user=None, *,
                   loaded_items: dict | None = None) -> FrameworkPage | None:
    """The framework's tree with the items of one plan linked to each indicator ("tat-ca": all plans).
    `loaded_items`: item id -> snapshot (tracker.plans.snapshot) a caller already holds, used when it
    has every linked item (the dashboard has the whole plan's) instead of loading them again."""
    indicators = db.session.scalars(
        select(Indicator)
        .where(Indicator.framework_id == framework.id)
        .options(
            selectinload(Indicator.inputs),
            selectinload(Indicator.providers).selectinload(IndicatorProvider.unit),
        )
        .order_by(Indicator.depth, Indicator.position, Indicator.id)
    ).all()
    plans = list(db.session.scalars(select(Plan).order_by(Plan.issued_on.desc(), Plan.number)))
    counts = dict(
        db.session.execute(
            select(PlanItem.plan_id, func.count(func.distinct(ItemIndicatorLink.item_id)))
            .join(ItemIndicatorLink, ItemIndicatorLink.item_id == PlanItem.id)
            .join(Indicator, Indicator.id == ItemIndicatorLink.indicator_id)
            .where(Indicator.framework_id == framework.id)
            .group_by(PlanItem.plan_id)
        ).all()
    )
    if plan_arg == "tat-ca":
        plan = None
    elif plan_arg:
        plan = next((p for p in plans if str(p.id) == plan_arg), None)
        if plan is None:
            return None
    else:
        plan = choose_plan(framework, plans, counts, user)

    link_query = (
        select(ItemIndicatorLink.id, ItemIndicatorLink.indicator_id, ItemIndicatorLink.note, ItemIndicatorLink.item_id,
               ItemIndicatorLink.doubt, ItemIndicatorLink.lock_version)
        .join(Indicator, Indicator.id == ItemIndicatorLink.indicator_id)
        .where(Indicator.framework_id == framework.id)
    )
    if plan is not None:
        link_query = link_query.join(PlanItem, PlanItem.id == ItemIndicatorLink.item_id).where(PlanItem.plan_id == plan.id)
    link_rows = db.session.execute(link_query).all()
    wanted = sorted({row.item_id for row in link_rows})
    if loaded_items is not None and all(item_id in loaded_items for item_id in wanted):
        items = {item_id: loaded_items[item_id] for item_id in wanted}
    else:
        items = {item.id: item for item in load_items(PlanItem.id.in_(wanted or [0]), plans={p.id: p for p in plans})}

    nodes = {i.id: IndicatorNode(i) for i in indicators}
    roots: list[IndicatorNode] = []
    for indicator in sorted(indicators, key=lambda i: (i.position, i.id)):
        node = nodes[indicator.id]
        node.inputs = list(indicator.inputs)
        node.rule_text = describe_rule(indicator.rule)
        for provider in indicator.providers:
            if provider.input_id is None:
                node.providers.append(provider)
            else:
                node.input_providers.setdefault(provider.input_id, []).append(provider)
        parent = nodes.get(indicator.parent_id) if indicator.parent_id else None
        (parent.children if parent is not None else roots).append(node)
    item_state: dict[int, str] = {}
    for link_id, indicator_id, note, item_id, doubt, lock_version in link_rows:
        item = items[item_id]
        if item.kind in STATUS_KINDS:
            item_state[item.id] = timeliness(item, today)
        node = nodes.get(indicator_id)
        if node is not None:
            node.links.append(LinkView(link_id, indicator_id, note, item, doubt, lock_version))
            if item_state.get(item.id) == "overdue":
                node.at_risk = True
    for node in nodes.values():
        node.links.sort(key=lambda link: (link.item.plan.number, link.item.appendix_id, link.item.position))
    linked_items = db.session.scalar(
        select(func.count(func.distinct(ItemIndicatorLink.item_id)))
        .join(Indicator, Indicator.id == ItemIndicatorLink.indicator_id)
        .where(Indicator.framework_id == framework.id)
    )
    return FrameworkPage(framework, roots, len(indicators), linked_items or 0, item_state, plans, plan, counts)


def default_plan_id(framework: Framework, plans: list[Plan]) -> int | None:
    for plan in plans:
        if framework.plan_number and plan.number == framework.plan_number:
            return plan.id
    for plan in plans:
        if framework.area_id and plan.area_id == framework.area_id:
            return plan.id
    return plans[0].id if plans else None


def indicator_options(roots: list[IndicatorNode]) -> list[tuple[int, str]]:
    options: list[tuple[int, str]] = []

    def walk(nodes: list[IndicatorNode]) -> None:
        for node in nodes:
            ind = node.indicator
            options.append((ind.id, f"{'· ' * ind.depth}{ind.code} {ind.name[:100]}"))
            walk(node.children)

    walk(roots)
    return options


def points_at_risk(roots: list[IndicatorNode]) -> dict:
    """Indicators with an overdue linked item and the points they carry (a flagged indicator's
    points are not counted again for a flagged sub-indicator)."""
    flagged, total = [], 0
    stack = [(node, False) for node in roots]
    while stack:
        node, counted_above = stack.pop()
        counted = counted_above
        if node.at_risk:
            flagged.append(node)
            if not counted_above and node.indicator.max_points is not None:
                total += node.indicator.max_points
                counted = True
        stack.extend((child, counted) for child in node.children)
    flagged.sort(key=lambda n: (n.indicator.position, n.indicator.id))
    return {"indicators": flagged, "points": total}
