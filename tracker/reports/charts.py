"""The consolidated report's charts, pure functions of a ReportData (tracker.charts draws them).

The same builders and the same SVG serve the PDF and the report page's preview; the dashboard
draws its live figures with the same tracker.charts code.
"""
from __future__ import annotations

from decimal import Decimal

from tracker.charts.svg import ChartSpec, Series
from tracker.reports.data import ReportData

BILLION = Decimal(1_000_000_000)


def _billions(amount: int | None) -> Decimal | None:
    return None if amount is None else (Decimal(amount) / BILLION).quantize(Decimal("0.1"))


def progress_chart(data: ReportData) -> ChartSpec | None:
    if not data.progress_history:
        return None
    appendices = list(dict.fromkeys(p.appendix_number for p in data.progress_history))
    periods = list(dict.fromkeys(p.period_label for p in data.progress_history))
    values = {(p.appendix_number, p.period_label): p.average_progress for p in data.progress_history}
    return ChartSpec(
        key="bc-tien-do", title="Tiến độ bình quân theo phụ lục qua các quý (%)",
        categories=[f"Phụ lục {number}" for number in appendices], value_format="percent", max_value=100,
        series=[Series(label, [values.get((number, label)) for number in appendices]) for label in periods],
        caption="Bình quân tiến độ các mục theo báo cáo đã gửi đến hết mỗi quý (mục chưa báo cáo: 0 %).",
    )


def budget_charts(data: ReportData) -> list[ChartSpec]:
    b = data.budget
    if not (b.total.lines or b.total.committed or b.total.disbursed):
        return []
    names = ("Dự toán", "Đã cam kết", "Đã giải ngân")

    def series(rows):
        return [Series(names[0], [_billions(r.planned) for r in rows]),
                Series(names[1], [_billions(r.committed) for r in rows]),
                Series(names[2], [_billions(r.disbursed) for r in rows])]

    return [
        ChartSpec(key="bc-kinh-phi-nguon", title="Kinh phí theo nguồn (tỷ đồng)", horizontal=True,
                  categories=[r.label for r in b.by_source], series=series(b.by_source), value_format="billions",
                  caption="Tỷ đồng; số liệu mục I.4 của Báo cáo."),
        ChartSpec(key="bc-kinh-phi-don-vi", title="Kinh phí theo đơn vị chủ trì (tỷ đồng)", horizontal=True,
                  categories=[r.label for r in b.by_owner], series=series(b.by_owner), value_format="billions",
                  caption="Tỷ đồng; số liệu bảng theo đơn vị chủ trì của mục II.4."),
    ]


def agencies_chart(data: ReportData) -> ChartSpec | None:
    if not data.agencies:
        return None
    rows = data.agencies
    return ChartSpec(
        key="bc-bao-cao-don-vi", title=f"Tình hình báo cáo của các đơn vị, {data.period_label} (số mục)",
        categories=[r.name for r in rows], horizontal=True, stacked=True,
        series=[Series("Đúng hạn", [r.on_time for r in rows]), Series("Trễ hạn", [r.late for r in rows]),
                Series("Chưa gửi", [r.missing for r in rows])],
        caption="Số mục phải báo cáo của từng đơn vị: gửi đúng hạn, trễ hạn, chưa gửi (mục III).",
    )


def dti_chart(data: ReportData) -> ChartSpec | None:
    points: dict[str, Decimal] = {}
    for risk in data.indicators:
        key = f"{risk.framework}: {risk.pillar}" if risk.pillar else risk.framework
        points[key] = points.get(key, Decimal(0)) + (risk.max_points or 0)
    if not points:
        return None
    return ChartSpec(
        key="bc-dti", title="Điểm chỉ số có nguy cơ không đạt, theo trụ cột", horizontal=True,
        categories=list(points), series=[Series("Điểm có nguy cơ", list(points.values()))],
        caption="Tổng điểm tối đa của các chỉ số có mục liên quan chậm, đình trệ hoặc quá hạn (mục II.5).",
    )


def report_charts(data: ReportData) -> list[ChartSpec]:
    """The charts of the consolidated report's chart page, in the order of its sections."""
    if data.kind != "consolidated":
        return []
    specs = [progress_chart(data), *budget_charts(data), dti_chart(data), agencies_chart(data)]
    return [spec for spec in specs if spec is not None]
