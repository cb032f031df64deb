"""Tables of a Word plan: merged cells laid out on the grid, header rows, what each column holds.

A Word table is rows of `w:tc` cells, some spanning several grid columns (`w:gridSpan`) or
continuing the cell above (`w:vMerge`). `grid_of` lays every row out on the table's grid so that
column j of every row is the same column of the printed table; the header rows (often two, with
a merged "Kinh phí (đồng)" over "Trung hạn | Xã hội hóa | Tổng") give each column its label, and
the label says which field of the plan document the column fills.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from docx.oxml.ns import qn

from tracker.core.text import fold_name

# ---------------------------------------------------------------------------------------------
# Cell text


_SPACES = re.compile(r"[ \t\u00a0\u2002\u2003\u2009\u200b]+")


def clean_line(text: str) -> str:
    return _SPACES.sub(" ", text.replace("\u00ad", "")).strip()


def element_lines(element, numbering=None) -> list[str]:
    """The non-empty lines of a cell or paragraph element: one per paragraph and line break,
    a numbered paragraph's first line after the label Word prints for it ("1.", "II.", "-")."""
    lines: list[str] = []
    paragraphs = [element] if element.tag == qn("w:p") else element.iter(qn("w:p"))
    for p in paragraphs:
        label = numbering.label(p) if numbering is not None else ""
        for k, line in enumerate(p.text.replace("\r", "\n").split("\n")):
            line = clean_line(f"{label} {line}" if label and k == 0 else line)
            if line:
                lines.append(line)
    return lines


_BULLET = re.compile(r"^([-+•–*]|[a-zđ][.)]|\d+[.)])\s")


def join_text(lines: list[str]) -> str:
    """Wording cut by line breaks or page breaks is one text; a line that starts a bullet ("- ",
    "+ ", "a) ") keeps its own line, as the document lays it out."""
    out = ""
    for line in lines:
        if not out:
            out = line
        elif _BULLET.match(line) or line in "-+•":
            out += "\n" + line
        else:
            out += " " + line
    return out


# A line that starts with one of these names a new unit (a list of coordinators one per line);
# any other line continues the name above it ("Sở Thông tin và" / "Truyền thông").
_UNIT_HEADS = (
    "sở ", "văn phòng", "ubnd", "ủy ban", "uỷ ban", "ban ", "các ", "công an", "bộ chỉ huy", "trung tâm",
    "đài ", "báo ", "hội ", "liên đoàn", "đoàn ", "ngân hàng", "bưu điện", "viettel", "vnpt", "mobifone",
    "cục ", "chi cục", "kho bạc", "tỉnh đoàn", "doanh nghiệp", "phòng ", "trường ", "bệnh viện",
    "đại học", "viện ", "tổng công ty", "công ty", "tập đoàn", "mặt trận", "hội đồng", "thanh tra",
    "tòa án", "toà án", "bảo hiểm", "cảng vụ", "vườn quốc gia", "nhnn", "tỉnh ủy", "tỉnh uỷ",
)
_CONNECTORS = ("và", "&", ",", ";", "/", "-", "–", "(", "của", "tỉnh,")


_UNIT_BULLET = re.compile(r"^[-+•–*]\s+")


def join_units(lines: list[str]) -> str:
    out = ""
    for line in lines:
        bullet = _UNIT_BULLET.match(line)
        line = line[bullet.end():] if bullet else line
        if not out:
            out = line
            continue
        folded = line.casefold()
        new_name = bool(bullet) or (folded.startswith(_UNIT_HEADS) and not out.casefold().endswith(_CONNECTORS))
        out += ("; " if new_name else " ") + line
    return out


# ---------------------------------------------------------------------------------------------
# The grid


@dataclass(frozen=True)
class GridCell:
    lines: tuple[str, ...]
    origin: tuple[int, int]       # (row, column) where the merged cell starts
    vertical: bool = False        # continues the cell above (w:vMerge="continue")
    horizontal: bool = False      # a grid column covered by a cell that started to its left

    @property
    def text(self) -> str:
        return " ".join(self.lines)

    @property
    def own(self) -> bool:
        """The cell starts here: its text belongs to this row and column."""
        return not (self.vertical or self.horizontal)


EMPTY = GridCell((), (-1, -1))


@dataclass
class Grid:
    rows: list[list[GridCell]]
    repeated_header: list[bool]   # rows marked "repeat as header row" (w:tblHeader)
    columns: int

    def row_text(self, r: int) -> list[str]:
        return [cell.text if not cell.horizontal else "" for cell in self.rows[r]]

    def banner(self, r: int) -> str | None:
        """The text of a row that is one cell across the whole table (a section heading)."""
        row = self.rows[r]
        origins = {cell.origin for cell in row if cell is not EMPTY}
        if len(origins) == 1 and len(row) > 1 and row[0].own:
            return join_text(list(row[0].lines))
        return None


def _flag(element, name: str) -> bool:
    found = element.find(qn(name)) if element is not None else None
    return found is not None and found.get(qn("w:val"), "true") not in ("0", "false", "off")


def grid_of(table, numbering=None) -> Grid:
    rows: list[list[GridCell]] = []
    header_flags: list[bool] = []
    for r, tr in enumerate(table._tbl.tr_lst):
        row: list[GridCell] = [EMPTY] * (tr.grid_before or 0)
        for tc in tr.tc_lst:
            column = len(row)
            above = rows[r - 1][column] if r and column < len(rows[r - 1]) else None
            if tc.vMerge == "continue" and above is not None and above is not EMPTY:
                cell = GridCell(above.lines, above.origin, vertical=True)
            else:
                cell = GridCell(tuple(element_lines(tc, numbering)), (r, column))
            row.append(cell)
            for _ in range(max(tc.grid_span, 1) - 1):
                row.append(GridCell(cell.lines, cell.origin, vertical=cell.vertical, horizontal=True))
        rows.append(row)
        header_flags.append(_flag(tr.trPr, "w:tblHeader"))
    width = max((len(row) for row in rows), default=0)
    for row in rows:
        row.extend([EMPTY] * (width - len(row)))
    return Grid(rows, header_flags, width)


# ---------------------------------------------------------------------------------------------
# Column labels -> fields

# Fields a column can fill, by appendix kind (the item fields of seed_plans/README.md; a
# framework's columns fill indicator fields).
FIELDS_BY_KIND: dict[str, tuple[str, ...]] = {
    "target": ("code", "text", "owner", "coordinators", "target_value", "measure_unit", "target_year", "target_text", "note"),
    "document": ("code", "text", "owner", "coordinators", "doc_type", "deadline_year", "note"),
    "project": ("code", "text", "owner", "coordinators", "years_text", "note"),
    "budget": ("code", "text", "owner", "coordinators", "state", "other", "total", "note"),
    "task": ("code", "text", "owner", "coordinators", "indicator", "max_points", "scoring", "evidence", "note"),
    "framework": ("code", "name", "scoring", "max_points", "evidence", "note"),
}
ALL_FIELDS = tuple(dict.fromkeys(f for fields in FIELDS_BY_KIND.values() for f in fields)) + ("ignore",)
FIELD_LABELS = {
    "code": "STT (mã của văn bản)", "text": "Nội dung / nhiệm vụ", "owner": "Chủ trì", "coordinators": "Phối hợp",
    "target_value": "Giá trị mục tiêu", "measure_unit": "Đơn vị tính", "target_year": "Năm mục tiêu",
    "target_text": "Chỉ tiêu ghi theo văn bản", "doc_type": "Loại hình", "deadline_year": "Thời hạn (năm)",
    "years_text": "Năm thực hiện", "state": "Kinh phí trung hạn / ngân sách", "other": "Kinh phí nguồn khác",
    "total": "Tổng kinh phí", "note": "Ghi chú", "indicator": "Mã chỉ số", "max_points": "Điểm tối đa",
    "name": "Tên chỉ số / tiêu chí", "scoring": "Cách tính điểm", "evidence": "Tài liệu kiểm chứng",
    "ignore": "Bỏ qua cột này",
}

# First match wins; tried on the column's own (lowest) label, then on the whole label.
_COLUMN_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(p), f)
    for p, f in [
        (r"^(s[ốo]\s*)?t\.?t\.?$|^số thứ tự$|^mã( số)?$|^stt$", "code"),
        (r"phối hợp", "coordinators"),
        (r"chủ trì|(đơn vị|cơ quan)[, ]*(đơn vị )?(thực hiện|phụ trách|đầu mối)", "owner"),
        (r"cách (tính|xác định|chấm)|phương pháp (tính|chấm)", "scoring"),
        (r"mã chỉ số", "indicator"),
        (r"tiêu chí|chỉ số", "name"),
        (r"điểm", "max_points"),
        (r"loại hình|loại văn bản|hình thức", "doc_type"),
        (r"thời hạn|hoàn thành|(năm|thời gian) ban hành", "deadline_year"),
        (r"năm thực hiện|thời gian|giai đoạn|tiến độ", "years_text"),
        (r"trung hạn|ngân sách|nsnn", "state"),
        (r"xã hội hóa|xã hội hoá|nguồn khác|tài trợ|^khác$", "other"),
        (r"^tổng|kinh phí", "total"),
        (r"ghi chú", "note"),
        (r"tài liệu kiểm chứng|tlkc", "evidence"),
        (r"đơn vị tính|^đvt$", "measure_unit"),
        (r"^giá trị", "target_value"),
        (r"^năm( mục tiêu)?$", "target_year"),
        (r"nội dung|nhiệm vụ|^tên|danh mục|chỉ tiêu|dự án|văn bản|công việc", "text"),
    ]
]


def fold_label(label: str) -> str:
    return fold_name(label.replace("\n", " "))


def field_of_label(label: str) -> str | None:
    parts = [fold_label(p) for p in label.split(" / ") if p.strip()]
    for candidate in ([parts[-1]] if parts else []) + ([" ".join(parts)] if len(parts) > 1 else []):
        for pattern, name in _COLUMN_PATTERNS:
            if pattern.search(candidate):
                return name
    return None


_MULTIPLIERS = [(r"nghìn tỷ|ngàn tỷ", 10**12, "nghìn tỷ đồng"), (r"tỷ", 10**9, "tỷ đồng"),
                (r"triệu|tr\.?\s?đ", 10**6, "triệu đồng"), (r"nghìn|ngàn", 10**3, "nghìn đồng")]


def money_multiplier(label: str) -> tuple[int, str | None]:
    """(đồng per printed unit, the unit) from a label such as "Kinh phí (triệu đồng)"."""
    folded = fold_label(label)
    for pattern, factor, unit in _MULTIPLIERS:
        if re.search(pattern, folded):
            return factor, unit
    return 1, None


_NUMBERING = re.compile(r"^\(?(\d{1,2}|[ivx]+)\)?$")


def is_numbering_row(texts: list[str]) -> bool:
    """A row "(1) (2) (3) ..." numbering the columns under the header."""
    filled = [t.casefold() for t in texts if t]
    return len(filled) >= 2 and all(_NUMBERING.match(t) for t in filled) and len(set(filled)) == len(filled)


@dataclass
class Header:
    rows: int                                  # header rows at the top of the table (0: none)
    labels: list[str]                          # one per grid column ("Kinh phí (đồng) / Trung hạn")
    fields: dict[int, str] = field(default_factory=dict)    # column -> recognised field
    folded_rows: list[tuple[str, ...]] = field(default_factory=list)  # to spot the header repeated mid-table
    covered: set[int] = field(default_factory=set)  # columns under a header cell spanning from the left, no label of their own


def read_header(grid: Grid) -> Header:
    """The header rows and their labels. A table whose first row names no known column has none."""
    for start in range(min(3, len(grid.rows))):  # a caption row may come first, merged across the table
        recognised = {j: field_of_label(t) for j, t in enumerate(grid.row_text(start)) if t}
        if "code" in recognised.values() or sum(1 for f in recognised.values() if f) >= 2:
            break
    else:
        return Header(0, [""] * grid.columns)
    code_column = next((j for j, f in recognised.items() if f == "code"), 0)
    count = start + 1
    while count < len(grid.rows):
        row = grid.rows[count]
        texts = grid.row_text(count)
        code_cell = row[code_column]
        continued = code_cell.vertical and code_cell.origin[0] < count
        labels_only = (
            not code_cell.text
            and any(texts)
            and not any(re.search(r"\d", t) for t in texts)
            and all(field_of_label(t) for t in texts if t)
        )
        if (grid.repeated_header[count] and all(grid.repeated_header[start:count])) or continued or labels_only:
            count += 1
        elif is_numbering_row(texts):
            count += 1
        else:
            break
    labels: list[str] = []
    covered: set[int] = set()
    label_rows = [r for r in range(start, count) if not is_numbering_row(grid.row_text(r))]
    for j in range(grid.columns):
        parts: list[str] = []
        own = False
        for r in label_rows:
            cell = grid.rows[r][j]
            if cell.vertical:
                continue
            own = own or (cell.own and bool(cell.text))
            if cell.text and (not parts or parts[-1] != cell.text):
                parts.append(cell.text)
        labels.append(" / ".join(parts))
        if j and not own and labels[j] == labels[j - 1]:
            covered.add(j)
    folded_rows = [tuple(fold_label(t) for t in grid.row_text(r)) for r in range(start, count)]
    return Header(count, labels, folded_rows=folded_rows, covered=covered)


def recognise_columns(header: Header) -> tuple[dict[int, str], list[int]]:
    """column -> field for the labels recognised, and the columns with a label left unrecognised
    (or naming a field another column already fills)."""
    fields: dict[int, str] = {}
    unknown: list[int] = []
    for j, label in enumerate(header.labels):
        if not label or j in header.covered:
            continue
        found = field_of_label(label)
        if found is None or (found in fields.values() and found not in ("name", "text")):
            unknown.append(j)
        else:
            fields[j] = found
    return fields, unknown


def guess_kind(title: str, fields: set[str], labels: list[str]) -> str | None:
    """The appendix kind from its columns first (money, points, document type, years), then its title."""
    if fields & {"state", "other", "total"}:
        return "budget"
    if fields & {"max_points", "scoring"}:
        return "task" if "owner" in fields else "framework"
    folded = fold_label(title + " " + " ".join(labels))
    if "doc_type" in fields:
        return "document"
    if "years_text" in fields or ("deadline_year" in fields and ("dự án" in folded or "nhiệm vụ" in folded)):
        return "project"
    if "deadline_year" in fields:
        return "document"
    for words, kind in (
        (("chỉ tiêu", "mục tiêu"), "target"),
        (("kinh phí", "dự toán", "dự ước"), "budget"),
        (("văn bản", "chương trình", "đề án"), "document"),
        (("tiêu chí", "chỉ số"), "framework"),
        (("dự án", "nhiệm vụ"), "project"),
    ):
        if any(w in folded for w in words):
            return kind
    return None
