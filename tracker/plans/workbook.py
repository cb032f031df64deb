"""The Excel form of a plan: an empty template with Vietnamese headers, or a loaded plan.

A coordinator pastes the tables of the Word document into the template (one sheet per appendix)
and loads it with `load-plans`; `build_plan_workbook` writes a loaded plan in the same layout,
so that a workbook round-trips to the same items.
"""
from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from tracker.core.spreadsheet import keep_text, printable
from tracker.extensions import db
from tracker.plans.importing.values import target_values_text
from tracker.plans.models import Plan, PlanItem, Section
from tracker.plans.sources import (
    CODE_COLUMN,
    COLUMNS,
    GUIDE_SHEET,
    KIND_LABELS,
    LEVEL_COLUMN,
    PLAN_FIELDS,
    PLAN_SHEET,
    TOTAL_MARK,
    UNITS_AREA_LABELS,
    UNITS_COLUMNS,
    UNITS_SHEET,
)
from tracker.units.models import Unit

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
WRAP = Alignment(wrap_text=True, vertical="top")
# A sheet is named after its appendix's own number: "PL" + number + the kind's short name.
SHEET_KINDS = {"target": "Chỉ tiêu", "document": "Văn bản", "project": "Dự án",
               "budget": "Kinh phí", "task": "Nhiệm vụ", "framework": "Bộ tiêu chí"}
TEMPLATE_APPENDICES = (("1", "target"), ("2", "document"), ("3", "project"), ("4", "budget"))


def sheet_title(number: str, kind: str) -> str:
    return f"PL{number} {SHEET_KINDS[kind]}"[:31]

GUIDE = [
    "Cách điền mẫu kế hoạch",
    "1. Trang 'Kế hoạch': điền thông tin chung (số, ký hiệu; ngày dd/mm/yyyy; mã địa bàn như trong seed_plans/units).",
    "   'Căn cứ' và 'Nơi nhận' có thể lặp lại nhiều hàng.",
    "2. Mỗi phụ lục một trang tính. Hàng 1: 'Phụ lục số' | số | 'Loại' | loại phụ lục | 'Tên phụ lục' | tên.",
    f"   Loại phụ lục là một trong: {', '.join(KIND_LABELS.values())}.",
    "3. Hàng 2 là tiêu đề cột, giữ nguyên. Từ hàng 3: dán các dòng của bảng trong văn bản.",
    f"4. Dòng đề mục (A, I, II...): ghi cấp 1, 2, 3... ở cột '{LEVEL_COLUMN}'. Dòng nhiệm vụ: để trống cột này.",
    "5. Chủ trì, phối hợp: tên đơn vị (trang 'Đơn vị'), mỗi đơn vị một dòng hoặc cách nhau bằng ';'.",
    "   Cột '(nguyên văn)' ghi đúng lời văn bản khi khác danh sách đơn vị, ví dụ 'Sở A (Trung tâm B)'.",
    "   Phụ lục nào không dùng thì để trống hoặc xóa trang tính đó; số phụ lục ghi như văn bản (I, II... hoặc 1, 2...).",
    "   Nhiều giá trị mục tiêu: '100 % cấp tỉnh, cấp huyện; 90 % cấp xã'. Ngày chưa có: '…/02/2021'.",
    f"   Trang '{UNITS_SHEET}': các đơn vị của địa bàn (thêm mới, không xóa đơn vị nào đã có).",
    "6. Số tiền ghi bằng đồng (5.000.000.000 hoặc 5000000000); '-' là chưa xác định kinh phí (khác 0).",
    f"7. Dòng tổng của phụ lục kinh phí: ghi '{TOTAL_MARK}' ở cột '{LEVEL_COLUMN}' và các tổng khai báo.",
    "8. Năm thực hiện dạng '2021 - 2025'.",
]


def _style_header(row) -> None:
    for cell in row:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = WRAP


def _new_workbook() -> Workbook:
    workbook = Workbook()
    guide = workbook.active
    guide.title = GUIDE_SHEET
    for line in GUIDE:
        guide.append([line])
    guide.column_dimensions["A"].width = 120
    guide["A1"].font = Font(bold=True, size=13)
    return workbook


def _appendix_sheet(workbook: Workbook, kind: str, number: str, title: str, name: str | None = None,
                    framework_name: str | None = None):
    sheet = workbook.create_sheet(name or sheet_title(number, kind))
    first_row = ["Phụ lục số", number, "Loại", KIND_LABELS[kind], "Tên phụ lục", title]
    if kind == "framework":
        first_row += ["Bộ chỉ số", framework_name]
    sheet.append(first_row)
    if kind != "framework":
        sheet.append([LEVEL_COLUMN, CODE_COLUMN, *[label for label, _ in COLUMNS[kind]]])
        _style_header(sheet[2])
        widths = [10, 8] + [60 if key == "text" else 24 for _, key in COLUMNS[kind]]
        for index, width in enumerate(widths):
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
    return sheet


def _bytes(workbook: Workbook) -> bytes:
    keep_text(workbook)  # the document's text, never a formula (core/spreadsheet.py)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_template() -> bytes:
    """The empty workbook: plan header sheet and one sheet per appendix kind."""
    workbook = _new_workbook()
    plan_sheet = workbook.create_sheet(PLAN_SHEET)
    for label, _ in PLAN_FIELDS:
        plan_sheet.append([label, None])
    plan_sheet.column_dimensions["A"].width = 30
    plan_sheet.column_dimensions["B"].width = 90
    for number, kind in TEMPLATE_APPENDICES:
        _appendix_sheet(workbook, kind, number, "")
    _units_sheet(workbook, None)
    return _bytes(workbook)


def _units_sheet(workbook: Workbook, area) -> None:
    """The area's units (name, short name, kind, aliases, parent): what the plan's owners name."""
    sheet = workbook.create_sheet(UNITS_SHEET)
    code, name, level = UNITS_AREA_LABELS
    sheet.append([code, area.code if area else None, name, area.name if area else None, level,
                  area.level if area else "province"])
    sheet.append([label for label, _ in UNITS_COLUMNS])
    _style_header(sheet[2])
    for index, width in enumerate((50, 20, 18, 40, 40, 30)):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    if area is None:
        return
    units = db.session.scalars(select(Unit).where(Unit.area_id == area.id).order_by(Unit.name)).all()
    for unit in units:
        sheet.append(printable([unit.name, unit.short_name, unit.kind, "\n".join(a.alias for a in unit.aliases),
                                unit.parent.name if unit.parent else None, unit.note]))
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = WRAP


def _names(item: PlanItem, role: str, wording: str) -> str:
    """The units of a role, one a line, as the document named them (what resolves again)."""
    written = [a.name_as_written for a in sorted(item.assignments, key=lambda a: a.position) if a.role == role]
    return "\n".join(written) if written else (wording or "")


def _item_row(item: PlanItem, kind: str) -> list:
    owners = _names(item, "owner", item.owner_text)
    coordinators = _names(item, "coordinator", item.coordinators_text)
    values = {
        "text": item.text,
        "owner": owners,
        "owner_text": item.owner_text if item.owner_text != owners.replace("\n", "; ") else None,
        "coordinators": coordinators,
        "coordinators_text": (item.coordinators_text
                              if (item.coordinators_text or "") != coordinators.replace("\n", "; ") else None),
        "target_values": target_values_text(item.target_values) or None,
        "note": item.note,
        "target_value": float(item.target_value) if item.target_value is not None else None,
        "measure_unit": item.measure_unit,
        "target_year": item.target_year,
        "target_text": item.target_text,
        "doc_type": item.doc_type,
        "years_text": item.years_text,
        "state": "-" if item.budget_state is None else item.budget_state,
        "other": "-" if item.budget_other is None else item.budget_other,
        "total": "-" if item.budget_total is None else item.budget_total,
        "indicator": item.indicator_code,
        "framework": item.task_framework,
        "max_points": float(item.max_points) if item.max_points is not None else None,
    }
    return [None, item.code, *[values[key] for _, key in COLUMNS[kind]]]


def build_plan_workbook(plan: Plan) -> bytes:
    """A loaded plan in the template's layout (the document's wording in the owner columns)."""
    workbook = _new_workbook()
    plan_sheet = workbook.create_sheet(PLAN_SHEET)
    scalar = {
        "number": plan.number,
        "date": plan.date_label or None,  # "…/02/2021" when the document has no day
        "issuing_body": plan.issuing_body,
        "area": plan.area.code,
        "title": plan.title,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "vision": plan.vision_year,
        "goals": plan.goals,
        "signer_title": plan.signer_title,
        "signer_name": plan.signer_name,
        "source": plan.source,
    }
    for label, key in PLAN_FIELDS:
        if key == "legal_bases" or key == "recipients":
            for value in getattr(plan, key) or []:
                plan_sheet.append(printable([label, value]))
        else:
            plan_sheet.append(printable([label, scalar[key]]))
    plan_sheet.column_dimensions["A"].width = 30
    plan_sheet.column_dimensions["B"].width = 90

    items = db.session.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id).order_by(PlanItem.position)).all()
    sections = db.session.scalars(select(Section).where(Section.appendix_id.in_([a.id for a in plan.appendices]))).all()
    used_titles: set[str] = set()
    for appendix in plan.appendices:
        title = sheet_title(appendix.number, appendix.kind)
        if title in used_titles:
            title = f"{title} ({appendix.number})"[:31]
        used_titles.add(title)
        if appendix.kind == "framework":
            from tracker.indicators.models import Framework

            framework = db.session.get(Framework, appendix.framework_id) if appendix.framework_id else None
            _appendix_sheet(workbook, "framework", appendix.number, appendix.title, title,
                            framework.name if framework else None)
            continue
        sheet = _appendix_sheet(workbook, appendix.kind, appendix.number, appendix.title, title)
        if appendix.kind == "budget" and appendix.declared_total is not None:
            totals = {"state": appendix.declared_state, "other": appendix.declared_other, "total": appendix.declared_total}
            sheet.append([TOTAL_MARK, None, *[totals.get(key) for _, key in COLUMNS["budget"]]])
        rows: list[tuple[int, list]] = []
        for section in sections:
            if section.appendix_id == appendix.id:
                row = [section.depth + 1, section.code, section.title] + [None] * (len(COLUMNS[appendix.kind]) - 1)
                rows.append((section.position, row))
        for item in items:
            if item.appendix_id == appendix.id:
                rows.append((item.position, _item_row(item, appendix.kind)))
        for _, row in sorted(rows, key=lambda pair: pair[0]):
            sheet.append(printable(row))
        for row in sheet.iter_rows(min_row=3):
            for cell in row:
                cell.alignment = WRAP
    _units_sheet(workbook, plan.area)
    return _bytes(workbook)
