"""PDF, HTML and Excel builders: pure functions of a ReportData, returning bytes.

They need no application context or database: the templates are rendered by a Jinja
environment of their own, and WeasyPrint may fetch nothing but the bundled fonts.
"""
from __future__ import annotations

import io
import json
import mimetypes
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from tracker.core import formatting
from tracker.core.formatting import group_thousands
from tracker.reports.archival import DataAttachment, write_archival_pdf
from tracker.core.spreadsheet import put_text
from tracker.reports.charts import report_charts
from tracker.charts.svg import render_svg
from tracker.reports.data import ReportData

PACKAGE_DIR = Path(__file__).resolve().parent
FONTS_DIR = PACKAGE_DIR / "fonts"
STATIC_DIR = PACKAGE_DIR.parent / "static"
TEMPLATES_DIR = PACKAGE_DIR.parent.parent / "templates"
# The only places the PDF renderer may read from.
ALLOWED_ROOTS = (FONTS_DIR, STATIC_DIR)


def _dong(value: int | None) -> str:
    """Money in a table cell whose header says "(đồng)": 5.000.000.000, or "-" for no amount."""
    return "-" if value is None else group_thousands(value)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html", "css"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        money=formatting.format_money,
        number=formatting.format_number,
        percent=formatting.format_percent,
        vndate=formatting.format_date,
        vndatetime=formatting.format_datetime,
        dong=_dong,
    )
    env.globals.update(report_charts=report_charts, render_svg=render_svg, by_carrier=by_carrier)
    return env


def by_carrier(rows) -> list[tuple[str, list]]:
    """Rows grouped by the unit carrying them on the report date, one group per unit (an item two
    units carry is listed under both), in alphabetical order."""
    groups: dict[str, list] = {}
    for row in rows:
        for name in row.carriers or [row.owner]:
            groups.setdefault(name, []).append(row)
    return sorted(groups.items(), key=lambda pair: pair[0].casefold())


def render_document(data: ReportData, *, pdf: bool) -> str:
    return _environment().get_template("reports/document.html").render(d=data, pdf=pdf)


def build_html(data: ReportData) -> bytes:
    return render_document(data, pdf=False).encode("utf-8")


# --------------------------------------------------------------------------- PDF

def restricted_url_fetcher(url: str, timeout: int = 10, ssl_context=None) -> dict:
    """Serve only files under the bundled fonts and static folders: never the network or elsewhere."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = Path(unquote(parts.path)).resolve()
        if path.is_file() and any(path.is_relative_to(root) for root in ALLOWED_ROOTS):
            return {
                "string": path.read_bytes(),
                "mime_type": mimetypes.guess_type(path.name)[0] or "application/octet-stream",
                "redirected_url": path.as_uri(),
            }
    raise ValueError(f"Báo cáo không được phép tải tài nguyên: {url}")


# From this many items a report's PDF is rendered in parts on the pool's processes, when the process
# has a pool (the job runner): below it the pool's overhead is not worth it.
PARALLEL_MIN_ITEMS = 100


def build_pdf(data: ReportData, *, parallel: bool | None = None, executor=None) -> bytes:
    """The report as a tagged PDF/A-3a carrying its figures as a JSON attachment.

    A long report (PARALLEL_MIN_ITEMS) in a process with a pool (tracker/reports/pdfparts.py) is
    rendered in parts on its processes; `parallel=True` asks for the parts anyway (on `executor`,
    the pool, or in this process), `parallel=False` for one piece."""
    from tracker.reports import pdfparts

    html = render_document(data, pdf=True)
    attachments = (figures_attachment(data),)
    if parallel is None:
        executor = pdfparts.executor() if len(data.items) >= PARALLEL_MIN_ITEMS else None
        parallel = executor is not None
    elif parallel and executor is None:
        executor = pdfparts.executor()
    if parallel and len(pdfparts.split_parts(html)) > 1:
        return pdfparts.render_parallel(html, attachments, executor=executor)
    return html_to_pdf(html, attachments=attachments)


def figures_attachment(data: ReportData) -> DataAttachment:
    """`data.to_json()` (the snapshot an issued version stores), embedded in the PDF."""
    name = "".join(ch if ch.isalnum() else "-" for ch in f"so-lieu-{data.plan_number}-{data.period_code}")
    content = json.dumps(data.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
    return DataAttachment(name=f"{name.lower()}.json", content=content, created=data.generated_at,
                          description=f"Số liệu của báo cáo {data.plan_number}, {data.period_label} (JSON)")


def html_to_pdf(html: str, attachments: tuple[DataAttachment, ...] = (), **options) -> bytes:
    """WeasyPrint's rendering of the final HTML, alone (timed separately by bench/report.py)."""
    return write_archival_pdf(html, base_url=FONTS_DIR.as_uri() + "/", fetch=restricted_url_fetcher,
                              attachments=attachments, **options)


# --------------------------------------------------------------------------- Excel

MONEY_FORMAT = "#,##0"
DATE_FORMAT = "DD/MM/YYYY"


def _sheet_name(name: str) -> str:
    for ch in '[]:*?/\\':
        name = name.replace(ch, " ")
    return name[:31]


class _Sheet:
    """Writes one table per sheet: bold Vietnamese header, typed cells, text never a formula."""

    def __init__(self, workbook, title: str):
        from openpyxl.styles import Alignment, Font

        self.ws = workbook.create_sheet(_sheet_name(title))
        self.row = 1
        self.bold = Font(bold=True)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.head_align = Alignment(wrap_text=True, vertical="center", horizontal="center")

    def put(self, column: int, value, *, money: bool = False, bold: bool = False):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        cell = self.ws.cell(row=self.row, column=column)
        if isinstance(value, bool):
            value = "Có" if value else "Không"
        if isinstance(value, str):
            put_text(cell, ILLEGAL_CHARACTERS_RE.sub("", value))  # never a formula
            cell.alignment = self.wrap
        elif isinstance(value, datetime):
            cell.value = formatting.format_datetime(value)
        elif isinstance(value, date):
            cell.value = value
            cell.number_format = DATE_FORMAT
        elif isinstance(value, (int, Decimal, float)):
            cell.value = value
            if money:
                cell.number_format = MONEY_FORMAT
        elif value is not None:
            cell.value = str(value)
        if bold:
            cell.font = self.bold
        return cell

    def line(self, *values, money_columns: tuple[int, ...] = (), bold: bool = False):
        for column, value in enumerate(values, start=1):
            self.put(column, value, money=column in money_columns, bold=bold)
        self.row += 1

    def title(self, text: str):
        self.put(1, text, bold=True)
        self.row += 1

    def header(self, *names: str, widths: tuple[int, ...] = ()):
        for column, name in enumerate(names, start=1):
            cell = self.put(column, name, bold=True)
            cell.alignment = self.head_align
        for column, width in enumerate(widths, start=1):
            from openpyxl.utils import get_column_letter

            self.ws.column_dimensions[get_column_letter(column)].width = width
        if self.row == 1:
            self.ws.freeze_panes = "A2"
        self.row += 1

    def blank(self):
        self.row += 1


def _money_or_dash(value: int | None):
    return "-" if value is None else value


def build_xlsx(data: ReportData) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    h = data.header

    sheet = _Sheet(workbook, "Thông tin chung")
    sheet.header("Thông tin", "Giá trị", widths=(34, 100))
    for label, value in [
        ("Cơ quan chủ quản", h.parent_body),
        ("Cơ quan báo cáo", h.issuing_body),
        ("Số văn bản", h.number_line),
        ("Địa danh, ngày tháng", h.place_date_line),
        ("Trích yếu", h.summary_line),
        ("Kính gửi", h.addressee),
        ("Tình trạng", "Dự thảo" if h.is_draft else f"Đã ban hành, phiên bản {h.version}"),
        ("Kế hoạch", f"{data.plan_number}: {data.plan_title}"),
        ("Kỳ báo cáo", data.period_label),
        ("Chốt số liệu từ ngày", data.data_start),
        ("Chốt số liệu đến ngày", data.data_end),
        ("Hạn gửi báo cáo của đơn vị", data.submission_deadline),
        ("Số báo cáo cập nhật được tổng hợp", data.updates_used),
        ("Trong đó đang chờ thẩm định", data.updates_pending),
        ("Số đơn vị có báo cáo", data.units_reporting),
        ("Người ký", " / ".join(h.signer_title_lines + ([h.signer_name] if h.signer_name else []))),
        ("Nơi nhận", "\n".join(f"- {r}" for r in h.recipients)),
        ("Thời điểm lập", data.generated_at),
    ]:
        sheet.line(label, value)

    sheet = _Sheet(workbook, "Tình hình chung")
    sheet.header("Phụ lục", "Nội dung", "Tổng số", "Hoàn thành", "Đang triển khai", "Trong đó chậm, đình trệ",
                 "Chưa triển khai", "Hủy bỏ", "Quá hạn", "Đã có báo cáo", "Tỷ lệ hoàn thành (%)",
                 widths=(9, 26, 10, 12, 14, 14, 14, 10, 10, 12, 14))
    for s in data.overview:
        sheet.line(s.number, s.kind_label, s.total, s.done, s.in_progress, s.behind, s.not_started, s.cancelled,
                   s.overdue, s.reported, s.done_percent)

    sheet = _Sheet(workbook, "Chỉ tiêu")
    sheet.header("STT", "Mã", "Chỉ tiêu", "Chủ trì", "Mục tiêu", "Giá trị mục tiêu", "Đơn vị tính", "Năm",
                 "Giá trị ban đầu", "Giá trị đạt được", "Kỳ báo cáo", "Đánh giá", "Trạng thái",
                 widths=(6, 10, 60, 28, 12, 12, 10, 8, 12, 14, 12, 22, 16))
    for t in data.targets:
        sheet.line(t.own_code, t.ref, t.text, t.owner, t.target_text, t.target_value, t.measure_unit, t.target_year,
                   t.baseline_value, t.achieved_value, t.last_period, t.assessment_label, t.status_label)

    p = data.projects
    sheet = _Sheet(workbook, "Dự án")
    sheet.header("Chỉ số", "Số lượng", widths=(48, 12))
    for label, value in [("Tổng số dự án, nhiệm vụ", p.total), ("Hoàn thành đúng hạn", p.done_on_time),
                         ("Hoàn thành trễ hạn", p.done_late), ("Đang triển khai", p.in_progress),
                         ("Trong đó chậm tiến độ, đình trệ", p.behind), ("Chưa triển khai", p.not_started),
                         ("Hủy bỏ", p.cancelled), ("Quá hạn chưa hoàn thành", p.overdue)]:
        sheet.line(label, value)
    sheet.blank()
    sheet.title("Dự án, nhiệm vụ quá hạn, chậm tiến độ hoặc hoàn thành trễ hạn")
    sheet.line("Mã", "Dự án, nhiệm vụ", "Chủ trì", "Thời gian", "Trạng thái", "Quá hạn", "Tiến độ (%)", bold=True)
    seen = set()
    for row in p.overdue_rows + p.behind_rows + p.done_late_rows:
        if row.id not in seen:
            seen.add(row.id)
            sheet.line(row.ref, row.text, row.owner, row.due_text, row.status_label, row.overdue, row.progress)

    sheet = _Sheet(workbook, "Văn bản")
    sheet.header("Mã", "Văn bản, chương trình", "Loại", "Chủ trì", "Đã ban hành", "Trạng thái", "Quá hạn",
                 "Hoàn thành", widths=(12, 60, 14, 28, 12, 16, 10, 14))
    for row in data.documents_missing + data.documents_issued:
        sheet.line(row.ref, row.text, row.doc_type, row.owner, row.status == "done", row.status_label, row.overdue,
                   row.completed_in)

    b = data.budget
    sheet = _Sheet(workbook, "Kinh phí theo nguồn")
    sheet.header("Nguồn kinh phí", "Dự toán (đồng)", "Đã cam kết (đồng)", "Đã giải ngân (đồng)",
                 "Tỷ lệ giải ngân (%)", "Số dòng", widths=(60, 22, 22, 22, 14, 10))
    for row in b.by_source + [b.total]:
        sheet.line(row.label, _money_or_dash(row.planned), row.committed, row.disbursed, row.disbursed_percent,
                   row.lines, money_columns=(2, 3, 4), bold=row is b.total)
    sheet.blank()
    sheet.line("Tổng dự toán ghi trong Kế hoạch", _money_or_dash(b.declared_total), money_columns=(2,))
    sheet.line("Số dòng ghi \"-\" (chưa xác định kinh phí)", b.unfixed_lines)
    sheet.line("Ghi chú", b.mixed_note)

    sheet = _Sheet(workbook, "Kinh phí theo đơn vị")
    sheet.header("STT", "Đơn vị chủ trì", "Số dòng", "Dự toán (đồng)", "Đã cam kết (đồng)", "Đã giải ngân (đồng)",
                 "Tỷ lệ giải ngân (%)", widths=(6, 50, 10, 22, 22, 22, 14))
    for index, row in enumerate(b.by_owner, start=1):
        sheet.line(index, row.label, row.lines, _money_or_dash(row.planned), row.committed, row.disbursed,
                   row.disbursed_percent, money_columns=(4, 5, 6))

    sheet = _Sheet(workbook, "Tình hình báo cáo")
    sheet.header("STT", "Đơn vị", "Số mục phải báo cáo", "Đúng hạn", "Trễ hạn", "Chưa gửi", "Tình trạng", "Ghi chú",
                 "Lần gửi gần nhất", widths=(6, 50, 12, 10, 10, 10, 18, 28, 18))
    for index, a in enumerate(data.agencies, start=1):
        sheet.line(index, a.name, a.obligations, a.on_time, a.late, a.missing, a.status_label, a.note, a.last_submitted)
    sheet.blank()
    sheet.line("Đơn vị chưa gửi báo cáo", "; ".join(data.not_reported) or "Không có")
    sheet.line("Đơn vị báo cáo chưa đầy đủ", "; ".join(data.partially_reported) or "Không có")

    sheet = _Sheet(workbook, "Chỉ số DTI")
    sheet.header("Bộ chỉ số", "Mã", "Chỉ số", "Điểm tối đa", "Mục liên quan", widths=(26, 8, 60, 12, 60))
    for r in data.indicators:
        sheet.line(r.framework, r.code, r.name, r.max_points, "; ".join(r.items))
    sheet.blank()
    sheet.line("Tổng điểm có nguy cơ không đạt", "", "", data.points_at_risk, bold=True)

    sheet = _Sheet(workbook, "Khó khăn, kiến nghị")
    sheet.header("Đơn vị", "Mục", "Khó khăn, vướng mắc", "Kiến nghị, đề xuất", widths=(36, 30, 70, 70))
    for agency in data.difficulties:
        for q in agency.quotes:
            sheet.line(agency.unit, ", ".join(q.items), q.difficulties, q.proposals)

    sheet = _Sheet(workbook, "Đánh giá, đề xuất")
    sheet.header("Nội dung", "Văn bản", widths=(24, 120))
    sheet.line("Đánh giá chung", data.coordinator_summary)
    sheet.line("Đề xuất, kiến nghị", data.coordinator_proposals)

    sheet = _Sheet(workbook, "Danh mục")
    # One row per item. Planned amounts sit on the budget lines, spending on the projects (where it
    # is reported): each column adds up without counting anything twice.
    sheet.header("Phụ lục", "Mã", "STT", "Nội dung", "Loại", "Chủ trì", "Phối hợp", "Thời hạn", "Trạng thái",
                 "Quá hạn", "Tiến độ (%)", "Mục tiêu", "Giá trị đạt", "Đánh giá", "NSNN (đồng)", "Nguồn khác (đồng)",
                 "Tổng (đồng)", "Dự án được cấp kinh phí", "Đã cam kết (đồng)", "Đã giải ngân (đồng)",
                 "Kỳ báo cáo gần nhất", "Kết quả thực hiện",
                 widths=(8, 14, 6, 60, 12, 28, 28, 12, 16, 8, 10, 12, 12, 18, 18, 18, 18, 14, 18, 18, 12, 60))
    kind_labels = {"target": "Chỉ tiêu", "document": "Văn bản", "project": "Dự án", "budget": "Kinh phí",
                   "task": "Nhiệm vụ"}
    for r in data.items:
        budget_line = r.kind == "budget"
        sheet.line(r.appendix_number, r.ref, r.own_code, r.text, kind_labels.get(r.kind, r.kind), r.owner,
                   r.coordinators, r.due_text, r.status_label, r.overdue, r.progress, r.target_text,
                   r.achieved_value, r.assessment_label,
                   _money_or_dash(r.budget_state) if budget_line else None,
                   _money_or_dash(r.budget_other) if budget_line else None,
                   _money_or_dash(r.budget_total) if budget_line else None,
                   r.project_ref, None if budget_line else r.committed, None if budget_line else r.disbursed,
                   r.last_period, r.result_text, money_columns=(15, 16, 17, 19, 20))
    sheet.ws.auto_filter.ref = f"A1:V{max(sheet.row - 1, 1)}"

    workbook.properties.title = f"{h.title} {h.summary_line}"
    workbook.properties.creator = h.issuer_name
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
