"""What the plan pages show, assembled in a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from tracker.core.security import optional_id
from tracker.core.text import vietnamese_sort_key
from tracker.extensions import db
from tracker.indicators.models import Framework, Indicator, ItemIndicatorLink
from tracker.main.services import plan_summaries
from tracker.plans.listing import STATUS_KINDS, ItemFilter, build_tree, plan_years, section_descendants, timeliness
from tracker.plans.snapshot import load_plan_items, today_carriers
from tracker.plans.models import Appendix, Plan, PlanItem, Section

ROLE_ARGS = {"chu-tri": "owner", "phoi-hop": "coordinator"}


def _int(value: str | None) -> int | None:
    return optional_id(value)  # beyond any id: ignored like any other unreadable value


def filter_from_args(args) -> ItemFilter:
    """Read the filters from the query string; an unreadable value is ignored, never an error."""
    return ItemFilter(
        unit_id=_int(args.get("don-vi")),
        role=ROLE_ARGS.get(args.get("vai-tro", "")),
        status=args.get("trang-thai") or None,
        timeliness=args.get("tien-do") or None,
        section_id=_int(args.get("muc")),
        year=_int(args.get("nam")),
        indicator_id=_int(args.get("chi-so")),
        query=(args.get("q") or "")[:200],
    )


def plan_list(today: date) -> list[dict]:
    rows = plan_summaries()
    statuses: dict[int, dict[str, int]] = {}
    for plan_id, status, count in db.session.execute(
        select(PlanItem.plan_id, PlanItem.status, func.count())
        .where(PlanItem.kind.in_(STATUS_KINDS))
        .group_by(PlanItem.plan_id, PlanItem.status)
    ):
        statuses.setdefault(plan_id, {})[status] = count
    for row in rows:
        row["statuses"] = statuses.get(row["plan"].id, {})
        row["tracked"] = sum(row["statuses"].values())
    return rows


@dataclass
class PlanPage:
    appendices: list[Appendix]
    current: Appendix | None  # None: the "all appendices" tab
    counts: dict[int, int]
    total_matches: int
    rows: list  # (section | None, items) in document order
    matched: list  # ItemView
    units: list  # UnitView
    years: list[int]
    indicators: list[tuple[int, str]]
    sections: list[Section]
    frameworks: dict[int, Framework] = field(default_factory=dict)
    budget_sums: dict[str, int | None] = field(default_factory=dict)
    timeliness: dict[int, str] = field(default_factory=dict)
    sample_items: set[int] = field(default_factory=set)  # state from demo data: labelled "Dữ liệu mẫu"


def sample_item_ids(*, plan_id: int) -> set[int]:
    from tracker.updates.services import sample_item_ids as samples

    return samples(plan_id=plan_id)


def plan_page(plan: Plan, item_filter: ItemFilter, tab: str, today: date) -> PlanPage | None:
    appendices = list(plan.appendices)
    sections = list(
        db.session.scalars(
            select(Section).join(Appendix).where(Appendix.plan_id == plan.id).order_by(Section.position, Section.id)
        )
    )
    items = load_plan_items(plan)

    link_rows = db.session.execute(
        select(ItemIndicatorLink.item_id, Indicator.id, Indicator.code, Indicator.name, Framework.name)
        .join(Indicator, Indicator.id == ItemIndicatorLink.indicator_id)
        .join(Framework, Framework.id == Indicator.framework_id)
        .join(PlanItem, PlanItem.id == ItemIndicatorLink.item_id)
        .where(PlanItem.plan_id == plan.id)
        .order_by(Framework.name, Indicator.position)
    ).all()
    indicators: dict[int, str] = {}
    for item_id, indicator_id, code, name, framework_name in link_rows:
        indicators.setdefault(indicator_id, f"{framework_name} · {code} {name}")
        if indicator_id == item_filter.indicator_id:
            item_filter.indicator_item_ids.add(item_id)
    if item_filter.section_id:
        item_filter.section_ids = section_descendants(sections, item_filter.section_id)

    matched = [item for item in items if item_filter.matches(item, today)]
    counts: dict[int, int] = {a.id: 0 for a in appendices}
    for item in matched:
        counts[item.appendix_id] = counts.get(item.appendix_id, 0) + 1

    current: Appendix | None
    if tab == "tat-ca":
        current = None
    elif tab:
        current = next((a for a in appendices if a.number == tab), None)
        if current is None:
            return None
    else:
        current = appendices[0] if appendices else None
        if item_filter.active and current is not None and not counts.get(current.id):
            current = next((a for a in appendices if counts.get(a.id)), current)

    if current is None:
        shown = matched
        rows = [(None, shown)] if shown else []
    else:
        shown = [item for item in matched if item.appendix_id == current.id]
        rows = build_tree([s for s in sections if s.appendix_id == current.id], shown)

    units = today_carriers(items, today)

    frameworks: dict[int, Framework] = {}
    framework_ids = {a.framework_id for a in appendices if a.framework_id}
    if framework_ids:
        frameworks = {f.id: f for f in db.session.scalars(select(Framework).where(Framework.id.in_(framework_ids)))}

    budget_sums: dict[str, int | None] = {}
    if current is not None and current.kind == "budget":
        for key in ("budget_state", "budget_other", "budget_total"):
            values = [getattr(item, key) for item in shown if getattr(item, key) is not None]
            budget_sums[key] = sum(values) if values else None
        budget_sums["unfixed"] = sum(1 for item in shown if item.budget_total is None)
        # The dashboard's rule: money is reported on the project a line funds, each project once.
        counted: set[int] = set()
        disbursed = 0
        for item in shown:
            source = item
            if item.amount_disbursed is None and item.amount_committed is None and item.funded_project is not None:
                source = item.funded_project
            if source.id not in counted:
                counted.add(source.id)
                disbursed += source.amount_disbursed or 0
        budget_sums["disbursed"] = disbursed

    return PlanPage(
        appendices=appendices,
        current=current,
        counts=counts,
        total_matches=len(matched),
        rows=rows,
        matched=matched,
        units=sorted(units.values(), key=lambda u: vietnamese_sort_key(u.name)),
        years=plan_years(plan, items),
        indicators=sorted(indicators.items(), key=lambda pair: pair[1]),
        sections=sections,
        frameworks=frameworks,
        budget_sums=budget_sums,
        timeliness={item.id: timeliness(item, today) for item in shown if item.kind in STATUS_KINDS},
        sample_items=sample_item_ids(plan_id=plan.id),
    )
