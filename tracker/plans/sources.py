"""Reading plan sources: YAML files (with line numbers) and Excel workbooks, into one shape.

Both readers return `SourceDoc`s whose `data` has the shape documented in seed_plans/README.md;
every mapping knows where it came from (`where_of`), so that errors can name the file, the
line or the sheet and row.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import yaml

# ---------------------------------------------------------------------------------------------
# Problems


@dataclass
class Problem:
    file: str
    where: str
    field: str
    message: str

    def __str__(self) -> str:
        place = ", ".join(part for part in (self.where, f"trường '{self.field}'" if self.field else "") if part)
        return f"{self.file}: {place}: {self.message}" if place else f"{self.file}: {self.message}"


class LoadError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# ---------------------------------------------------------------------------------------------
# Located values


class LDict(dict):
    """A mapping that remembers where in its source it was written."""

    where: str = ""


def where_of(value: Any, default: str = "") -> str:
    return getattr(value, "where", "") or default


class _LineLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        # An alias (*name) repeats a whole node without its text: nested ones make a few lines a
        # billion rows ("billion laughs"). Plan files write every row out, so none is accepted.
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "không dùng tham chiếu (*tên): ghi đầy đủ từng mục", mark)
        return super().compose_node(parent, index)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LDict:
    mapping = LDict(loader.construct_mapping(node, deep=True))
    mapping.where = f"dòng {node.start_mark.line + 1}"
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass
class SourceDoc:
    path: str
    kind: str
    data: LDict
    extra_problems: list[Problem] = field(default_factory=list)
    # A workbook has no place for the document's inconsistencies: loading one keeps those recorded.
    records_issues: bool = True
    # Documents read from the same file that apply before this one (a workbook's units sheet).
    companions: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return Path(self.path).name


KINDS = ("units", "framework", "plan", "links")


def read_yaml(path: Path) -> SourceDoc:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"dòng {mark.line + 1}" if mark else ""
        raise LoadError([Problem(path.name, where, "", f"YAML không hợp lệ: {getattr(error, 'problem', error)}")])
    except UnicodeDecodeError:
        raise LoadError([Problem(path.name, "", "", "Tệp không phải văn bản UTF-8.")])
    except RecursionError:
        raise LoadError([Problem(path.name, "", "", "Tệp lồng nhau quá nhiều cấp (ngoặc hoặc thụt lề); "
                                 "không phải một tệp kế hoạch theo seed_plans/README.md.")]) from None
    if not isinstance(data, dict) or data.get("kind") not in KINDS:
        raise LoadError([Problem(path.name, "dòng 1", "kind", f"Thiếu hoặc sai 'kind' (một trong: {', '.join(KINDS)}).")])
    return SourceDoc(str(path), data["kind"], data)


def collect_files(paths: list[str | Path]) -> list[Path]:
    """Files named, and the .yaml/.yml/.xlsx/.docx files under folders named, in a stable order."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.suffix.lower() in {".yaml", ".yml", ".xlsx", ".docx"} and not p.name.startswith("~$"))
            )
        else:
            files.append(path)
    return files


# ---------------------------------------------------------------------------------------------
# Excel workbooks: a "Kế hoạch" sheet with the plan's header, one sheet per appendix.

PLAN_SHEET = "Kế hoạch"
GUIDE_SHEET = "Hướng dẫn"
UNITS_SHEET = "Đơn vị"
# Units sheet: row 1 names the area, row 2 the columns, one unit a row from row 3.
UNITS_AREA_LABELS = ("Mã địa bàn", "Tên địa bàn", "Cấp")
UNITS_COLUMNS = [
    ("Tên đơn vị", "name"),
    ("Tên viết tắt", "short_name"),
    ("Loại", "kind"),
    ("Tên khác (mỗi tên một dòng)", "aliases"),
    ("Trực thuộc", "parent"),
    ("Ghi chú", "note"),
]

PLAN_FIELDS = [
    ("Số, ký hiệu", "number"),
    ("Ngày ban hành (dd/mm/yyyy)", "date"),
    ("Cơ quan ban hành", "issuing_body"),
    ("Mã địa bàn", "area"),
    ("Tên kế hoạch", "title"),
    ("Giai đoạn từ năm", "period_start"),
    ("Giai đoạn đến năm", "period_end"),
    ("Tầm nhìn đến năm", "vision"),
    ("Căn cứ", "legal_bases"),
    ("Mục tiêu", "goals"),
    ("Chức vụ người ký", "signer_title"),
    ("Người ký", "signer_name"),
    ("Nơi nhận", "recipients"),
    ("Nguồn", "source"),
]
REPEATED_PLAN_FIELDS = {"legal_bases", "recipients"}

KIND_LABELS = {
    "target": "Chỉ tiêu",
    "document": "Văn bản, chương trình",
    "project": "Dự án, nhiệm vụ",
    "budget": "Dự ước kinh phí",
    "task": "Nhiệm vụ theo bộ chỉ số",
    "framework": "Bộ tiêu chí",
}
KIND_BY_LABEL = {label.casefold(): kind for kind, label in KIND_LABELS.items()}

LEVEL_COLUMN = "Cấp mục"
CODE_COLUMN = "TT"
TOTAL_MARK = "Tổng cộng"

# (header, field) per appendix kind, after "Cấp mục" and "TT". "Chủ trì" and "Phối hợp" name
# the units (one a line, or separated by ";"); the "(nguyên văn)" columns, optional and last
# (earlier templates keep their column positions), keep the document's own wording
# ("Sở A (Trung tâm B)") when it differs from the list of units.
WORDING_COLUMNS = [("Chủ trì (nguyên văn)", "owner_text"), ("Phối hợp (nguyên văn)", "coordinators_text")]
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "target": [
        ("Nội dung chỉ tiêu", "text"),
        ("Giá trị mục tiêu", "target_value"),
        ("Đơn vị tính", "measure_unit"),
        ("Năm mục tiêu", "target_year"),
        ("Chỉ tiêu ghi theo văn bản", "target_text"),
        ("Chủ trì", "owner"),
        ("Phối hợp", "coordinators"),
        ("Ghi chú", "note"),
        ("Các giá trị mục tiêu (giá trị đơn vị phạm vi; ...)", "target_values"),
        *WORDING_COLUMNS,
    ],
    "document": [
        ("Nhiệm vụ", "text"),
        ("Chủ trì", "owner"),
        ("Phối hợp", "coordinators"),
        ("Loại hình", "doc_type"),
        ("Ghi chú", "note"),
        *WORDING_COLUMNS,
    ],
    "project": [
        ("Nhiệm vụ", "text"),
        ("Chủ trì", "owner"),
        ("Phối hợp", "coordinators"),
        ("Năm thực hiện", "years_text"),
        ("Ghi chú", "note"),
        *WORDING_COLUMNS,
    ],
    "budget": [
        ("Nhiệm vụ", "text"),
        ("Chủ trì", "owner"),
        ("Ngân sách nhà nước (đồng)", "state"),
        ("Nguồn khác (đồng)", "other"),
        ("Tổng kinh phí (đồng)", "total"),
        ("Ghi chú", "note"),
        WORDING_COLUMNS[0],
    ],
    "task": [
        ("Nhiệm vụ", "text"),
        ("Chủ trì", "owner"),
        ("Phối hợp", "coordinators"),
        ("Mã chỉ số", "indicator"),
        ("Bộ chỉ số", "framework"),
        ("Điểm tối đa", "max_points"),
        ("Ghi chú", "note"),
        *WORDING_COLUMNS,
    ],
}
# Headers of earlier templates (plan 222's own budget wording), still read.
COLUMN_ALIASES = {"trung hạn (đồng)": "state", "xã hội hóa; tài trợ; trung ương; khác (đồng)": "other"}
REQUIRED_COLUMNS = {"text", "owner"}


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    text = str(value).strip()
    return text or None


def _located(where: str, **values: Any) -> LDict:
    mapping = LDict({key: value for key, value in values.items()})
    mapping.where = where
    return mapping


def read_workbook(path: Path) -> SourceDoc:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    name = path.name
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except zipfile.BadZipFile:
        raise LoadError([Problem(name, "", "", "Không đọc được tệp Excel: tệp không phải định dạng .xlsx "
                                 "(có thể là tệp .xls cũ hoặc tệp khác được đổi đuôi).")]) from None
    except (InvalidFileException, OSError, KeyError, ValueError, zlib.error, ElementTree.ParseError) as error:
        raise LoadError([Problem(name, "", "", f"Không đọc được tệp Excel: {error}")])
    problems: list[Problem] = []
    if PLAN_SHEET not in workbook.sheetnames:
        raise LoadError([Problem(name, "", "", f"Thiếu trang tính '{PLAN_SHEET}' (thông tin kế hoạch).")])

    plan = _located(f"trang tính '{PLAN_SHEET}'", kind="plan", legal_bases=[], recipients=[], appendices=[])
    labels = {label.casefold(): key for label, key in PLAN_FIELDS}
    for row_number, row in enumerate(workbook[PLAN_SHEET].iter_rows(values_only=True), start=1):
        if not row or row[0] is None:
            continue
        key = labels.get(str(row[0]).strip().casefold())
        value = _cell_text(row[1] if len(row) > 1 else None)
        if key is None:
            if row_number > 1:
                problems.append(Problem(name, f"trang tính '{PLAN_SHEET}', hàng {row_number}", str(row[0]), "Nhãn không được hỗ trợ."))
            continue
        if key in REPEATED_PLAN_FIELDS:
            if value:
                plan[key].append(value)
        elif key == "date" and value:
            from tracker.plans.identity import PlanDateError, parse_plan_date

            try:  # dd/mm/yyyy, or "…/02/2021" when the document has no day yet
                day, precision = parse_plan_date(value)
                plan[key] = day if precision == "day" else value
            except PlanDateError:
                problems.append(Problem(name, f"trang tính '{PLAN_SHEET}', hàng {row_number}", "Ngày ban hành", f"Ngày '{value}' không đúng dạng dd/mm/yyyy (hoặc …/mm/yyyy khi chưa có ngày)."))
        elif key in {"period_start", "period_end", "vision"}:
            plan.setdefault("period", {})
            plan["period"][{"period_start": "start", "period_end": "end", "vision": "vision"}[key]] = value
        elif key in {"signer_title", "signer_name"}:
            plan.setdefault("signer", {})[key.removeprefix("signer_")] = value
        else:
            plan[key] = value

    units = None
    for sheet_name in workbook.sheetnames:
        if sheet_name == UNITS_SHEET:
            units = _read_units_sheet(name, workbook[sheet_name], problems)
            continue
        if sheet_name in (PLAN_SHEET, GUIDE_SHEET):
            continue
        appendix = _read_appendix_sheet(name, workbook[sheet_name], problems)
        if appendix is not None and not _empty_appendix(appendix):
            plan["appendices"].append(appendix)  # a template's sheet left empty is no appendix
    workbook.close()
    doc = SourceDoc(str(path), "plan", plan, records_issues=False)
    doc.extra_problems = problems
    if units is not None:
        doc.companions = [SourceDoc(str(path), "units", units, records_issues=False)]
    return doc


def _empty_appendix(appendix: LDict) -> bool:
    return (appendix["kind"] != "framework" and not appendix.get("sections") and not appendix.get("items")
            and not appendix.get("declared_totals"))


def _read_units_sheet(file_name: str, sheet, problems: list[Problem]) -> LDict | None:
    """The area's units as the workbook lists them, applied additively (`additive`): units and
    aliases missing from the database are created, nothing is removed or reset."""
    rows = list(sheet.iter_rows(values_only=True))
    where_sheet = f"trang tính '{UNITS_SHEET}'"
    if not rows:
        return None
    header = [_cell_text(c) for c in rows[0]] + [None] * 6
    area = _located(f"{where_sheet}, hàng 1", code=header[1], name=header[3], level=header[5] or "province")
    headers = [(_cell_text(c) or "").casefold() for c in (rows[1] if len(rows) > 1 else [])]
    positions = {key: headers.index(label.casefold()) for label, key in UNITS_COLUMNS if label.casefold() in headers}
    if "name" not in positions:
        problems.append(Problem(file_name, f"{where_sheet}, hàng 2", "Tên đơn vị", "Thiếu cột bắt buộc."))
        return None
    units = []
    for row_number, row in enumerate(rows[2:], start=3):
        values = {key: _cell_text(row[pos]) if pos < len(row) else None for key, pos in positions.items()}
        if not any(values.values()):
            continue
        unit = _located(f"{where_sheet}, hàng {row_number}", **{k: v for k, v in values.items() if k != "aliases"})
        unit["aliases"] = [line.strip() for line in (values.get("aliases") or "").splitlines() if line.strip()]
        units.append(unit)
    if not units and not area.get("code"):
        return None
    return _located(where_sheet, kind="units", area=area, units=units, additive=True)


def _read_appendix_sheet(file_name: str, sheet, problems: list[Problem]) -> LDict | None:
    rows = list(sheet.iter_rows(values_only=True))
    where_sheet = f"trang tính '{sheet.title}'"
    if not rows:
        return None
    header = [_cell_text(c) for c in rows[0]] + [None] * 6
    number, kind_label, title = header[1], header[3], header[5]
    kind = KIND_BY_LABEL.get((kind_label or "").casefold())
    if not number or kind is None:
        problems.append(Problem(file_name, f"{where_sheet}, hàng 1", "Loại",
                                f"Hàng 1 phải ghi 'Phụ lục số', số phụ lục, 'Loại' và một trong: {', '.join(KIND_LABELS.values())}."))
        return None
    appendix = _located(f"{where_sheet}, hàng 1", number=number, kind=kind, title=title or "", sections=[], items=[])
    if kind == "framework":
        appendix["framework"] = header[7]  # H1, after "Bộ chỉ số" in G1
        return appendix
    columns = COLUMNS[kind]
    headers = [(_cell_text(c) or "").casefold() for c in (rows[1] if len(rows) > 1 else [])]
    positions: dict[str, int] = {}
    for alias, key in COLUMN_ALIASES.items():
        if alias in headers and any(k == key for _, k in columns):
            positions[key] = headers.index(alias)
    for label, key in [(LEVEL_COLUMN, "level"), (CODE_COLUMN, "code"), *columns]:
        if label.casefold() in headers:
            positions[key] = headers.index(label.casefold())
        elif key in REQUIRED_COLUMNS | {"level", "code"}:
            problems.append(Problem(file_name, f"{where_sheet}, hàng 2", label, "Thiếu cột bắt buộc."))
    if any(key not in positions for key in REQUIRED_COLUMNS | {"level", "code"}):
        return appendix

    stack: list[tuple[int, LDict]] = []  # (level, section)
    for row_number, row in enumerate(rows[2:], start=3):
        values = {key: _cell_text(row[pos]) if pos < len(row) else None for key, pos in positions.items()}
        raw = {key: (row[pos] if pos < len(row) else None) for key, pos in positions.items()}
        if not any(values.values()):
            continue
        where = f"{where_sheet}, hàng {row_number}"
        level = values.get("level")
        if level and level.casefold() == TOTAL_MARK.casefold():
            appendix["declared_totals"] = _located(where, state=raw.get("state"), other=raw.get("other"), total=raw.get("total"))
            continue
        if level:
            if not level.isdigit() or int(level) < 1:
                problems.append(Problem(file_name, where, LEVEL_COLUMN, f"'{level}' không hợp lệ: ghi 1, 2, 3... cho dòng đề mục, để trống cho dòng nhiệm vụ."))
                continue
            depth = int(level)
            if depth > len(stack) + 1:
                problems.append(Problem(file_name, where, LEVEL_COLUMN, f"Đề mục cấp {depth} không nằm trong đề mục cấp {depth - 1}."))
                continue
            section = _located(where, code=values.get("code") or "", title=values.get("text") or "", sections=[], items=[])
            del stack[depth - 1:]
            (stack[-1][1]["sections"] if stack else appendix["sections"]).append(section)
            stack.append((depth, section))
            continue
        item = _located(where, code=values.get("code"))
        for key in positions:
            if key in ("level", "code"):
                continue
            value = raw[key] if key in {"state", "other", "total", "target_value", "max_points", "target_year"} else values[key]
            if key == "coordinators":
                value = values[key] or ""
            if key in ("owner", "coordinators") and value and "\n" in value:
                value = [line.strip() for line in value.splitlines() if line.strip()]  # one unit a line
            if key in ("owner_text", "coordinators_text", "target_values") and not value:
                continue
            item[key] = value
        if kind == "budget":
            for money_key in ("state", "other", "total"):
                if isinstance(item.get(money_key), str) and item[money_key].strip() == "-":
                    item[money_key] = None
        (stack[-1][1]["items"] if stack else appendix["items"]).append(item)
    return appendix


def parse_year_range(text: str) -> tuple[int, int] | None:
    """ "2020 - 2022", "2021 – 2025", "2021" -> (start, end); None if malformed."""
    match = re.fullmatch(r"\s*(\d{4})\s*(?:[-–—]\s*(\d{4}))?\s*", text or "")
    if not match:
        return None
    start = int(match.group(1))
    end = int(match.group(2) or start)
    if not (1900 <= start <= end <= 2100):
        return None
    return start, end
