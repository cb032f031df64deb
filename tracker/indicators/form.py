"""The filled national DTI self-assessment form (seed 003's layout), as XLSX and PDF.

`form_data` lays the form out from a framework spec, the inputs and the calculator's result;
`build_form_xlsx` and `build_form_pdf` are pure functions of that layout returning bytes. The
area's name and the general information come from the caller (a campaign, the CLI), never from
the framework file, whose `general_info` values are the figures Đồng Nai printed.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from tracker.indicators.figures import parse_amount, parse_answer
from tracker.indicators.scoring import STATUS_LABELS, FrameworkScore
from tracker.indicators.spec import FrameworkSpec, IndicatorSpec, InputSpec

COLUMNS = (
    ("STT", 7),
    ("Chỉ số/Chỉ số thành phần", 34),
    ("Cách xác định và tính điểm", 46),
    ("Điểm tối đa", 9),
    ("Điểm tự đánh giá", 10),
    ("Số liệu", 34),
    ("Tài liệu kiểm chứng", 34),
    ("Đầu mối cung cấp số liệu, tài liệu kiểm chứng", 24),
    ("Ghi chú", 20),
)
GENERAL_COLUMNS = (("STT", 7), ("Thông tin", 60), ("Số liệu", 40), ("Đầu mối cung cấp số liệu", 40))


@dataclass
class FormRow:
    kind: str  # pillar | indicator | input
    stt: str
    name: str
    scoring: str = ""
    max_points: Decimal | None = None
    points: Decimal | None = None
    figures: Any = None  # a number for an input, the calculation for an indicator
    evidence: str = ""
    providers: str = ""
    note: str = ""
    status: str = ""


@dataclass
class GeneralRow:
    stt: str
    name: str
    value: Any
    providers: str
    child: bool = False


@dataclass
class FormData:
    framework: str
    year: int | None
    area_name: str
    total: Decimal
    max_points: Decimal | None
    total_text: str
    counts: dict[str, int]
    general: list[GeneralRow]
    rows: list[FormRow]
    generated_on: date | None = None
    results: list[tuple[str, str, Decimal | None, Decimal | None, str, str, int]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"PHIẾU TỰ ĐÁNH GIÁ {self.framework.upper()}"


def _providers(names: list[str], text: str | None = None) -> str:
    if text:
        return text
    return "\n".join(f"- {n}" for n in names) if len(names) > 1 else (names[0] if names else "")


def _figure(spec: InputSpec, raw) -> Any:
    """What the provider gave, as the form shows it: a number, Có/Không, the chosen option."""
    if raw is None or raw == "":
        return None
    if spec.kind == "yes_no":
        answer = parse_answer(raw)
        return raw if answer is None else ("Có" if answer else "Không")
    if spec.kind == "choice":
        option = next((o for o in spec.options if o["key"] == str(raw).strip()), None)
        return option["text"] if option else raw
    value = parse_amount(raw)
    if value is None:
        return raw
    number = Decimal(value.numerator) / Decimal(value.denominator)
    return int(number) if number == number.to_integral_value() else number.normalize()


def _lines(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


def _evidence_given(entry: Mapping) -> str:
    given = entry.get("evidence")
    if not given:
        return ""
    items = given if isinstance(given, list) else [given]
    return "Đã nộp: " + "; ".join(str(i) for i in items)


def _general_rows(entries: list, values: Mapping[str, Any]) -> list[GeneralRow]:
    rows: list[GeneralRow] = []
    for index, entry in enumerate(entries, start=1):
        if isinstance(entry, str):
            entry = {"code": str(index), "name": entry}
        key = str(entry.get("key") or entry.get("code") or index)
        unit = f" ({entry['measure_unit']})" if entry.get("measure_unit") else ""
        rows.append(GeneralRow(str(entry.get("code") or ""), f"{entry.get('name', '')}{unit}", values.get(key),
                               _providers(list(entry.get("providers") or []))))
        for child in entry.get("children") or []:
            name = child.get("name", "")
            rows.append(GeneralRow("", name, values.get(f"{key}/{name}"), "", child=True))
    return rows


def form_data(spec: FrameworkSpec, result: FrameworkScore, values: Mapping[str, Mapping], *, area_name: str,
              general: Mapping[str, Any] | None = None, providers: Mapping[str, list[str]] | None = None,
              generated_on: date | None = None) -> FormData:
    """The form's rows: each pillar, each indicator with its inputs beneath it, as seed 003 prints.

    `general` maps a general-information key ("1", "4", "2#2/Email") to its figure; `providers`
    ("3.1", "3.1/a" -> unit names) replaces the framework's providers with those the area assigned.
    """
    rows: list[FormRow] = []
    assigned = providers or {}

    def entry_of(node: IndicatorSpec) -> Mapping:
        return values.get(node.key) or values.get(node.code) or {}

    def walk(node: IndicatorSpec) -> None:
        score = result.get(node.key)
        entry = entry_of(node)
        if node.children:
            rows.append(FormRow("pillar", node.code, node.name, max_points=node.max_points,
                                points=score.points if score else None, figures=score.explanation if score else None,
                                status=STATUS_LABELS.get(score.status, "") if score else ""))
            for child in node.children:
                walk(child)
            return
        rows.append(FormRow(
            "indicator", node.code, node.name, scoring=node.scoring or "", max_points=node.max_points,
            points=score.points if score else None, figures=score.explanation if score else None,
            evidence=_lines(node.evidence, _evidence_given(entry)),
            providers=_providers(assigned[node.key]) if node.key in assigned
            else _providers(node.providers, node.providers_text),
            note=_lines(node.note, str(entry.get("note") or "") or None),
            status=STATUS_LABELS.get(score.status, "") if score else "",
        ))
        asked = node.asked()
        fixed = _fixed(node.rule or {})
        documented = [i for i in node.inputs if i in asked or i.key in fixed]
        for item in documented + [i for i in asked if i not in node.inputs]:
            label = f"{item.key} = {item.text}" if item in node.inputs else item.text
            figure = fixed[item.key] if item.key in fixed else _figure(item, entry.get(item.key))
            names = assigned.get(f"{node.key}/{item.key}", item.providers)
            rows.append(FormRow("input", "", label, figures=figure, providers=_providers(names),
                                note="Cố định theo tài liệu" if item.key in fixed else ""))

    for root in spec.roots:
        walk(root)
    results = [(s.code, s.spec.name, s.max_points, s.points, STATUS_LABELS[s.status], s.explanation, s.spec.depth)
               for s in result.all()]
    return FormData(
        framework=spec.name, year=spec.year, area_name=area_name, total=result.total, max_points=result.max_points,
        total_text=result.explanation, counts=result.counts(), general=_general_rows(spec.general_info, general or {}),
        rows=rows, generated_on=generated_on, results=results,
    )


def _fixed(rule: dict) -> dict[str, Any]:
    fixed: dict[str, Any] = {}
    for part in [rule] + list(rule.get("parts") or []):
        for symbol, value in ((part.get("ratio") or {}).get("fixed") or {}).items():
            fixed[symbol] = _figure(InputSpec(symbol, ""), value)
    return fixed


# --------------------------------------------------------------------------- XLSX


def build_form_xlsx(data: FormData) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    from tracker.reports.builders import _Sheet

    workbook = Workbook()
    workbook.remove(workbook.active)
    sheet = _Sheet(workbook, "Phiếu tự đánh giá")
    ws = sheet.ws
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    last = get_column_letter(len(COLUMNS))

    for text, size in ((data.title, 14), (f"Đơn vị: {data.area_name}", 12),
                       (f"Năm đánh giá: {data.year}" if data.year else "", 12), (data.total_text, 12)):
        if text:
            cell = sheet.put(1, text, bold=True)
            cell.font = Font(bold=True, size=size)
            cell.alignment = center
            ws.merge_cells(f"A{sheet.row}:{last}{sheet.row}")
            sheet.row += 1
    sheet.blank()

    def boxed(row_cells):
        for cell in row_cells:
            cell.border = box

    def section(number: str, title: str, columns) -> int:
        """The section's title row, then its boxed header row; returns the header's row number."""
        sheet.put(1, number, bold=True)
        sheet.put(2, title, bold=True)
        sheet.row += 1
        head = [sheet.put(i, name, bold=True) for i, (name, _) in enumerate(columns, start=1)]
        for cell in head:
            cell.alignment = center
        boxed(head)
        sheet.row += 1
        return sheet.row - 1

    section("I", "Thông tin chung", GENERAL_COLUMNS)
    for row in data.general:
        cells = [sheet.put(1, row.stt), sheet.put(2, ("    " if row.child else "") + row.name), sheet.put(3, row.value),
                 sheet.put(4, row.providers)]
        boxed(cells)
        sheet.row += 1
    sheet.blank()

    header_row = section("II", "Chỉ số đánh giá", COLUMNS)
    for row in data.rows:
        bold = row.kind == "pillar"
        cells = [sheet.put(column, value, bold=bold) for column, value in enumerate(
            (row.stt, row.name, row.scoring, row.max_points, row.points, row.figures, row.evidence, row.providers,
             row.note), start=1)]
        boxed(cells)
        sheet.row += 1
    total = [sheet.put(2, "Tổng điểm", bold=True), sheet.put(4, data.max_points, bold=True),
             sheet.put(5, data.total, bold=True)]
    boxed(total)
    for column, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.freeze_panes = f"C{header_row + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    results = _Sheet(workbook, "Kết quả tính điểm")
    results.header("Mã", "Chỉ số", "Điểm tối đa", "Điểm", "Trạng thái", "Cách tính", widths=(8, 60, 11, 11, 18, 90))
    for code, name, maximum, points, status, explanation, depth in data.results:
        results.line(code, ("    " * depth) + name, maximum, points, status, explanation)
    results.line("", "Tổng điểm", data.max_points, data.total, "", data.total_text, bold=True)

    workbook.properties.title = f"{data.title} – {data.area_name}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- PDF


def render_form_html(data: FormData) -> str:
    from tracker.reports.builders import _environment

    return _environment().get_template("indicators/form.html").render(d=data)


def form_attachment(data: FormData):
    """The form's scores as JSON, embedded in the PDF/A (as the consolidated report carries its figures)."""
    import json
    from datetime import datetime, time, timezone

    from tracker.reports.archival import DataAttachment

    def plain(value):
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        if isinstance(value, date):
            return value.isoformat()
        return str(value)

    content = {
        "framework": data.framework, "year": data.year, "area_name": data.area_name,
        "total": data.total, "max_points": data.max_points, "total_text": data.total_text, "counts": data.counts,
        "general": [{"stt": g.stt, "name": g.name, "value": g.value, "providers": g.providers} for g in data.general],
        "results": [{"code": code, "name": name, "max_points": maximum, "points": points, "status": status,
                     "explanation": explanation, "depth": depth}
                    for code, name, maximum, points, status, explanation, depth in data.results],
    }
    day = data.generated_on
    created = datetime.combine(day, time(0, 0), tzinfo=timezone.utc) if day else datetime.now(timezone.utc)
    from tracker.core.text import fold_search

    # An ASCII file name: PDF readers show /F and /UF alike (no second, mis-decoded name).
    name = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in fold_search(f"phieu-tu-danh-gia-{data.framework}"))
    return DataAttachment(name=f"{name}.json", created=created,
                          content=json.dumps(content, ensure_ascii=False, indent=1, default=plain).encode("utf-8"),
                          description=f"Kết quả tự đánh giá {data.framework} – {data.area_name} (JSON)")


def build_form_pdf(data: FormData) -> bytes:
    """The form as a tagged PDF/A-3a (tracker.reports.archival), its scores attached as JSON."""
    from tracker.reports.builders import html_to_pdf

    return html_to_pdf(render_form_html(data), attachments=(form_attachment(data),))
