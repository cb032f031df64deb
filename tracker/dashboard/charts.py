"""The dashboard's charts: their figures (`ChartSpec`s) from the plan's data, in a constant number of
queries. Drawing is tracker.charts; the page shows each chart with the table of its numbers."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select

from tracker.charts.svg import ChartSpec, Series
from tracker.extensions import db
from tracker.periods.models import ReportingPeriod
from tracker.plans.listing import STATUS_KINDS
from tracker.plans.models import ItemStatus, PlanItem
from tracker.updates.models import StatusUpdate, UpdateState

COUNTED = (UpdateState.ACCEPTED.value, UpdateState.SUBMITTED.value, UpdateState.SUPERSEDED.value)
BILLION = Decimal(1_000_000_000)


@dataclass
class DtiSummary:
    """Points at risk of one framework linked to the plan (the framework page's rule)."""

    framework: object
    points: Decimal
    indicators: int
    pillars: list[tuple[object, Decimal]] = field(default_factory=list)  # (root indicator, points)


def billions(amount: int | None) -> Decimal:
    return (Decimal(amount or 0) / BILLION).quantize(Decimal("0.1"))


def progress_history(plan, appendices, items, periods: list[ReportingPeriod], plan_url) -> ChartSpec:
    """Average progress (%) of each appendix's items at the end of each period, from the reports
    counted up to that period (accepted, or submitted awaiting review); an item never reported
    counts 0, a cancelled one is left out."""
    spec = ChartSpec(
        key="tien-do-theo-ky", title="Tiến độ bình quân theo phụ lục, qua các kỳ báo cáo (%)",
        categories=[], series=[], value_format="percent", max_value=100,
        caption="Bình quân tiến độ các hạng mục theo báo cáo đã gửi đến hết mỗi kỳ (chưa báo cáo: 0 %).",
    )
    tracked = [a for a in appendices if a.kind in STATUS_KINDS]
    if not periods or not tracked:
        return spec
    first, last = periods[0], periods[-1]
    # Only what the chart shows: the reports of the periods drawn, and for each item the one report
    # that counts as of the period before them (the latest period, then accepted before submitted,
    # then the highest version and value: the order in which the latest entry wins below), picked by
    # the database instead of reading five years of reports per request.
    value = case((StatusUpdate.status == ItemStatus.DONE.value, 100), else_=func.coalesce(StatusUpdate.progress, 0))
    accepted = case((StatusUpdate.state == UpdateState.ACCEPTED.value, 1), else_=0)
    counted = (
        select(StatusUpdate.item_id.label("item_id"), StatusUpdate.version.label("version"),
               StatusUpdate.state.label("state"), value.label("value"),
               ReportingPeriod.year.label("year"), ReportingPeriod.quarter.label("quarter"))
        .join(ReportingPeriod, StatusUpdate.period_id == ReportingPeriod.id)
        .join(PlanItem, PlanItem.id == StatusUpdate.item_id)
        .where(PlanItem.plan_id == plan.id, StatusUpdate.state.in_(COUNTED))
    )
    shown = counted.where(
        or_(ReportingPeriod.year < last.year, and_(ReportingPeriod.year == last.year, ReportingPeriod.quarter <= last.quarter)),
        or_(ReportingPeriod.year > first.year, and_(ReportingPeriod.year == first.year, ReportingPeriod.quarter >= first.quarter)))
    earlier = counted.where(
        or_(ReportingPeriod.year < first.year, and_(ReportingPeriod.year == first.year, ReportingPeriod.quarter < first.quarter))
    ).add_columns(func.row_number().over(
        partition_by=StatusUpdate.item_id,
        order_by=(ReportingPeriod.year.desc(), ReportingPeriod.quarter.desc(), accepted.desc(),
                  StatusUpdate.version.desc(), value.desc())).label("rank")).subquery()
    latest_before = select(earlier.c.item_id, earlier.c.version, earlier.c.state, earlier.c.value, earlier.c.year,
                           earlier.c.quarter).where(earlier.c.rank == 1)
    # item -> [(period key, rank, progress)], the latest counted report first wins per period
    reports: dict[int, list[tuple[tuple[int, int], tuple, int]]] = {}
    for item_id, version, state, progress, year, quarter in [*db.session.execute(latest_before),
                                                             *db.session.execute(shown)]:
        reports.setdefault(item_id, []).append(((year, quarter), (state == UpdateState.ACCEPTED, version), progress))
    for entries in reports.values():
        entries.sort()
    by_appendix: dict[int, list] = {a.id: [] for a in tracked}
    for item in items:
        if item.appendix_id in by_appendix and item.kind in STATUS_KINDS and item.status != ItemStatus.CANCELLED:
            by_appendix[item.appendix_id].append(item.id)
    spec.categories = [a.label for a in tracked]
    spec.category_links = [plan_url(**{"phu-luc": a.number}) for a in tracked]
    for period in periods:
        key = (period.year, period.quarter)
        values = []
        for appendix in tracked:
            ids = by_appendix[appendix.id]
            total = 0
            for item_id in ids:
                latest = 0
                for entry_key, _rank, value in reports.get(item_id, ()):
                    if entry_key <= key:
                        latest = value
                total += latest
            values.append(round(Decimal(total) / len(ids)) if ids else None)
        spec.series.append(Series(period.label, values, [plan_url(**{"phu-luc": a.number}) for a in tracked]))
    return spec


def _budget_sources(items, today: date) -> tuple[dict, dict]:
    """Planned, committed and disbursed per source and per carrier unit, counting each project's
    money once (the dashboard's rule: money is reported on the project a line funds)."""
    by_id = {item.id: item for item in items}
    sources = {key: [0, 0, 0] for key in ("state", "other", "mixed")}
    owners: dict[int, list] = {}
    counted: set[int] = set()
    for item in items:
        if item.kind != "budget":
            continue
        s, o = item.budget_state or 0, item.budget_other or 0
        planned = item.budget_total if item.budget_total is not None else s + o
        key = "state" if s > 0 and not o else "other" if o > 0 and not s else "mixed"
        source = item
        if item.amount_disbursed is None and item.amount_committed is None and item.funded_project_id:
            source = by_id.get(item.funded_project_id, item)
        money = (0, 0)
        if source.id not in counted:
            counted.add(source.id)
            money = (source.amount_committed or 0, source.amount_disbursed or 0)
        carriers = []
        for assignment in item.owners:  # a group counts for each of its members
            for unit in assignment.units:
                carrier = unit.carrier_on(today)
                if carrier not in carriers:
                    carriers.append(carrier)
        for target in [sources[key]] + [owners.setdefault(c.id, [c, 0, 0, 0]) for c in carriers]:
            offset = 0 if len(target) == 3 else 1
            target[offset] += planned
            target[offset + 1] += money[0]
            target[offset + 2] += money[1]
    return sources, owners


SOURCE_LABELS = {"state": "Ngân sách nhà nước (trung hạn)", "other": "Nguồn khác",
                 "mixed": "Nhiều nguồn / chưa tách nguồn"}


def budget_charts(budget_appendix, items, today: date, plan_url) -> list[ChartSpec]:
    if budget_appendix is None:
        return []
    sources, owners = _budget_sources(items, today)
    link = plan_url(**{"phu-luc": budget_appendix.number})
    names = ("Dự toán", "Đã cam kết", "Đã giải ngân")
    by_source = ChartSpec(
        key="kinh-phi-nguon", title="Kinh phí theo nguồn: dự toán, đã cam kết, đã giải ngân (tỷ đồng)",
        categories=[SOURCE_LABELS[k] for k in sources], series=[], value_format="billions", horizontal=True,
        caption="Tỷ đồng. Cam kết và giải ngân do đơn vị báo cáo trên dự án mà dòng kinh phí cấp vốn.",
        category_links=[link] * len(sources),
    )
    for index, name in enumerate(names):
        by_source.series.append(Series(name, [billions(v[index]) for v in sources.values()], [link] * len(sources)))
    rows = sorted(owners.values(), key=lambda r: (-r[1], r[0].name))
    owner_links = [plan_url(**{"phu-luc": budget_appendix.number, "don-vi": r[0].id, "vai-tro": "chu-tri"})
                   for r in rows]
    by_owner = ChartSpec(
        key="kinh-phi-don-vi", title="Kinh phí theo đơn vị chủ trì (tỷ đồng)",
        categories=[r[0].display_name for r in rows], series=[], value_format="billions", horizontal=True,
        caption="Tỷ đồng, theo đơn vị đang thực hiện nhiệm vụ (sau sắp xếp, hợp nhất). Dòng có nhiều đơn vị "
                "chủ trì được tính cho từng đơn vị.",
        category_links=owner_links,
    )
    for index, name in enumerate(names):
        by_owner.series.append(Series(name, [billions(r[index + 1]) for r in rows], owner_links))
    return [by_source, by_owner]


def timeliness_chart(unit_rows, periods: list[ReportingPeriod], unit_url) -> ChartSpec:
    """Per agency and period: the share of owed reports sent on time."""
    spec = ChartSpec(
        key="dung-han-don-vi", title="Tỷ lệ báo cáo gửi đúng hạn theo đơn vị, qua các kỳ (%)",
        categories=[row.unit.display_name for row in unit_rows], series=[], value_format="percent",
        horizontal=True, max_value=100,
        caption="Số hạng mục gửi báo cáo đúng hạn trên số hạng mục phải báo cáo của đơn vị trong kỳ; "
                "ô trống: đơn vị không phải báo cáo kỳ đó.",
        category_links=[unit_url(row.unit, None) for row in unit_rows],
    )
    for period in periods:
        values, links = [], []
        for row in unit_rows:
            cell = row.cells.get(period.id)
            if cell is None or not cell.owed:
                values.append(None)
            else:
                values.append(round(Decimal(cell.submitted - cell.late) * 100 / cell.owed))
            links.append(unit_url(row.unit, period))
        spec.series.append(Series(period.label, values, links))
    return spec


def dti_summaries(plan, today: date, items=()) -> list[DtiSummary]:
    """Every framework with items of the plan linked, its points at risk in all and per pillar
    (`items`: the plan's items the dashboard has loaded, not loaded again)."""
    from tracker.indicators.models import Framework, Indicator, ItemIndicatorLink
    from tracker.indicators.services import framework_page, points_at_risk

    frameworks = db.session.scalars(
        select(Framework).where(Framework.id.in_(
            select(Indicator.framework_id).join(ItemIndicatorLink, ItemIndicatorLink.indicator_id == Indicator.id)
            .join(PlanItem, PlanItem.id == ItemIndicatorLink.item_id).where(PlanItem.plan_id == plan.id)
        )).order_by(Framework.name)
    ).all()
    result = []
    for framework in frameworks:
        page = framework_page(framework, today, str(plan.id), loaded_items={item.id: item for item in items})
        if page is None:
            continue
        risk = points_at_risk(page.roots)
        summary = DtiSummary(framework, Decimal(risk["points"] or 0), len(risk["indicators"]))
        for root in page.roots:
            summary.pillars.append((root.indicator, Decimal(points_at_risk([root])["points"] or 0)))
        result.append(summary)
    return result


def dti_chart(summary: DtiSummary, framework_url) -> ChartSpec:
    roots = [indicator for indicator, _points in summary.pillars]
    links = [framework_url(summary.framework, indicator) for indicator in roots]
    return ChartSpec(
        key=f"dti-{summary.framework.id}", title=f"Điểm có nguy cơ theo trụ cột: {summary.framework.name}",
        categories=[f"{i.code}. {i.name}" for i in roots], value_format="number", horizontal=True,
        series=[Series("Điểm có nguy cơ", [points for _i, points in summary.pillars], links)],
        caption="Điểm tối đa của các chỉ số có hạng mục liên kết đang quá hạn (theo trang bộ chỉ số).",
        category_links=links,
    )


@dataclass
class DashboardCharts:
    progress: ChartSpec
    budget: list[ChartSpec]
    timeliness: ChartSpec | None
    dti: list[tuple[DtiSummary, ChartSpec]]

    @property
    def all(self) -> list[ChartSpec]:
        specs = [self.progress, *self.budget]
        if self.timeliness is not None:
            specs.append(self.timeliness)
        return specs + [spec for _summary, spec in self.dti]


def build_charts(board, today: date, *, plan_url, unit_url, framework_url) -> DashboardCharts:
    """The dashboard's charts from its board (tracker.dashboard.services.Dashboard); the URL
    builders come from the route (links to the items behind each bar)."""
    appendices = [s.appendix for s in board.appendices]
    budget_appendix = next((a for a in appendices if a.kind == "budget"), None)
    dti = [(summary, dti_chart(summary, framework_url)) for summary in dti_summaries(board.plan, today, board.items)]
    return DashboardCharts(
        progress=progress_history(board.plan, appendices, board.items, board.periods, plan_url),
        budget=budget_charts(budget_appendix, board.items, today, plan_url),
        timeliness=timeliness_chart(board.unit_rows, board.periods, unit_url) if board.unit_rows else None,
        dti=dti,
    )
