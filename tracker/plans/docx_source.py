"""Reading a plan from its issued Word file (.docx) into the plan document of seed_plans/README.md.

`read_docx(path, mapping=None)` returns the same `SourceDoc` the YAML reader gives for a plan
file, so validation and apply are the loader's. From the document it takes:
- the header table (issuing body | national motto; "Số: 222/KH-UBND" | "..., ngày 21 tháng 10
  năm 2020"): number, date, issuing body and area; then the title after "KẾ HOẠCH", the legal
  bases ("Căn cứ ..."), the goals (section "I. MỤC TIÊU ...") and the signature table (recipients,
  signer);
- every appendix: a "Phụ lục N" heading, its title, and its table (or tables, when a page break
  cut it in two), read by docx_tables/docx_rows. The kind of each appendix comes from its columns
  and title; a criteria table with points becomes the plan's own indicator framework, returned
  as a second document in `doc.frameworks` (the loader loads it before the plan).

What cannot be recognised is reported as `DocxProblem`s (naming table, row and column) in
`doc.extra_problems`, so the load stops with every problem listed. A `mapping` says what the
reader could not guess, and is what a preview saves to apply on the next import of the plan:

    {"plan": {"number": "15/KH-UBND", "date": "2021-02-15", "area": "dong-nai",
              "issuing_body": "UBND tỉnh Đồng Nai", "title": "..."},
     "appendices": {
        "2": {"kind": "document", "columns": {"Đơn vị thực hiện": "owner", "cột 6": "ignore"}},
        "4": {"kind": "framework", "framework": "Bộ tiêu chí ... (an existing framework)"},
        "bảng 7": {"ignore": true}}}

Appendices are keyed by their printed number ("I", "5"), or "bảng N" for a table with no
"Phụ lục" heading; columns by their printed label (as in `doc.mapping`) or "cột N". `doc.mapping`
is the complete mapping in effect (recognised and given): saving it and passing it back reads the
same document the same way.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from tracker.plans.docx_front import ROMAN_HEADING, is_front_table, plan_level, read_front_matter
from tracker.plans.docx_numbering import Numbering
from tracker.plans.docx_rows import AppendixRows, TablePart, read_indicator_rows, read_plan_rows, task_items
from tracker.plans.docx_tables import (
    ALL_FIELDS,
    FIELD_LABELS,
    FIELDS_BY_KIND,
    Grid,
    Header,
    element_lines,
    fold_label,
    grid_of,
    guess_kind,
    money_multiplier,
    read_header,
    recognise_columns,
)
from tracker.plans.sources import KIND_LABELS, LDict, LoadError, Problem, SourceDoc

APPENDIX_KINDS = tuple(FIELDS_BY_KIND)
PLAN_OVERRIDES = ("number", "date", "issuing_body", "area", "title")
APPENDIX_OPTIONS = ("kind", "number", "title", "framework", "ignore", "columns", "header_rows")
# A field of one kind printed under another's label: "Thời gian thực hiện" of a document is its deadline.
KIND_ALIASES = {"document": {"years_text": "deadline_year"}, "project": {"deadline_year": "years_text"},
                "task": {"name": "text"}, "framework": {"text": "name"}}
REQUIRED = {"framework": ("code", "name"), "task": ("code", "text", "owner", "max_points")}

APPENDIX_HEADING = re.compile(r"^ph[ụu]\s*l[ụu]c(?:\s+s[ốo])?\s+(?P<number>\d+|[IVXLC]+)\b\s*[:.\-–]?\s*(?P<rest>.*)$", re.IGNORECASE)
ATTACHED_TO = re.compile(r"^\(?\s*(ban hành )?kèm theo", re.IGNORECASE)


@dataclass
class DocxProblem(Problem):
    """A problem of the Word file, with its place as data for a preview to offer a mapping."""

    code: str = ""                 # unknown_column | unused_column | missing_column | unknown_kind |
                                   # no_header | orphan_row | row_not_recognised | too_long | bad_mapping |
                                   # no_tables
    appendix: str | None = None    # the mapping key of the appendix ("2", "bảng 7")
    table: int | None = None       # the table's number in the document, 1-based
    row: int | None = None         # the row in that table, 1-based
    column: int | None = None      # the grid column, 1-based
    column_label: str | None = None
    choices: tuple[str, ...] = ()  # what the mapping may say here (fields or kinds)
    missing: str | None = None     # the field a missing_column problem lacks

    def __str__(self) -> str:
        text = super().__str__()
        if self.code in ("unknown_column", "unused_column"):
            text += " Có thể ghi: " + ", ".join(f"{c} ({FIELD_LABELS[c]})" for c in self.choices) + "."
        elif self.code == "unknown_kind":
            text += " Có thể ghi: " + ", ".join(f"{c} ({KIND_LABELS[c]})" for c in self.choices) + "."
        return text


@dataclass
class DocxSourceDoc(SourceDoc):
    frameworks: list[SourceDoc] = field(default_factory=list)
    mapping: dict = field(default_factory=dict)       # the mapping in effect, JSON-ready
    printed: dict = field(default_factory=dict)       # the header as printed (number, date, issuing body)
    skipped_tables: list[int] = field(default_factory=list)


def read_docx(path: Path, mapping: dict | None = None) -> DocxSourceDoc:
    """The plan document of a .docx file. Raises LoadError when the file is not a Word document."""
    import docx
    from docx.opc.exceptions import OpcError
    from lxml.etree import XMLSyntaxError

    path = Path(path)
    try:
        document = docx.Document(str(path))
    except (OpcError, KeyError, ValueError, zipfile.BadZipFile, XMLSyntaxError, OSError) as error:
        raise LoadError([Problem(path.name, "", "", f"Không đọc được tệp Word (.docx): {_reason(error)}")])
    return _Reader(path, document, mapping).read()


def _reason(error: Exception) -> str:
    from docx.opc.exceptions import PackageNotFoundError

    if isinstance(error, (PackageNotFoundError, zipfile.BadZipFile)):
        return "tệp không phải Word .docx (một tệp .doc cũ cần lưu lại dưới dạng .docx)."
    if isinstance(error, ValueError) and "not a Word file" in str(error):
        return "tệp là một loại Office khác, không phải văn bản Word."
    return f"tệp hỏng hoặc không đúng cấu trúc ({type(error).__name__})."


# ---------------------------------------------------------------------------------------------


@dataclass
class _Heading:
    number: str
    index: int
    title: list[str] = field(default_factory=list)
    closed: bool = False           # the "(Ban hành kèm theo ...)" line has come
    open: bool = False             # ... and its parenthesis goes on in the next paragraph


@dataclass
class _Appendix:
    key: str
    number: str
    title: str
    tables: list[tuple[int, Table, Grid, Header]]
    numbered: bool                 # printed with a "Phụ lục" heading
    notes: list[str] = field(default_factory=list)


class _Reader:
    def __init__(self, path: Path, document, mapping: dict | None):
        self.path = path
        self.name = path.name
        self.document = document
        self.numbering = Numbering(document)
        self.problems: list[Problem] = []
        self.given = self._check_mapping(mapping)
        self.effective: dict[str, Any] = {"plan": dict(self.given["plan"]), "appendices": {}}

    def report(self, code: str, message: str, *, appendix: str | None = None, table: int | None = None,
               row: int | None = None, column: int | None = None, label: str | None = None,
               choices: tuple[str, ...] = (), where: str | None = None, missing: str | None = None) -> None:
        if where is None:
            parts = [f"Phụ lục {appendix}" if appendix and not appendix.startswith("bảng") else None,
                     f"bảng {table}" if table else None, f"hàng {row}" if row else None,
                     (f"cột {column}" + (f" '{label}'" if label else "")) if column else None]
            where = ", ".join(p for p in parts if p)
        self.problems.append(DocxProblem(self.name, where, "", message, code=code, appendix=appendix, table=table,
                                         row=row, column=column, column_label=label, choices=choices,
                                         missing=missing))

    # -- mapping ---------------------------------------------------------------------------

    def _check_mapping(self, mapping) -> dict:
        checked: dict[str, Any] = {"plan": {}, "appendices": {}}
        if mapping is None:
            return checked
        if not isinstance(mapping, dict) or set(mapping) - {"plan", "appendices"}:
            self.report("bad_mapping", "Ánh xạ phải có dạng {\"plan\": {...}, \"appendices\": {...}}.", where="ánh xạ")
            return checked
        plan = mapping.get("plan") or {}
        for key, value in plan.items() if isinstance(plan, dict) else []:
            if key not in PLAN_OVERRIDES:
                self.report("bad_mapping", f"Ánh xạ kế hoạch: không có trường '{key}' ({', '.join(PLAN_OVERRIDES)}).", where="ánh xạ")
            elif key == "date" and value is not None and not isinstance(value, date):
                try:
                    checked["plan"][key] = date.fromisoformat(str(value))
                except ValueError:
                    self.report("bad_mapping", f"Ánh xạ kế hoạch: ngày '{value}' không đúng dạng YYYY-MM-DD.", where="ánh xạ")
            else:
                checked["plan"][key] = value
        for key, entry in (mapping.get("appendices") or {}).items():
            where = f"ánh xạ, phụ lục '{key}'"
            if not isinstance(entry, dict) or set(entry) - set(APPENDIX_OPTIONS):
                self.report("bad_mapping", f"Mỗi phụ lục chỉ ghi: {', '.join(APPENDIX_OPTIONS)}.", where=where)
                continue
            if entry.get("kind") is not None and entry["kind"] not in APPENDIX_KINDS:
                self.report("bad_mapping", f"Loại '{entry['kind']}' không có (một trong: {', '.join(APPENDIX_KINDS)}).",
                            where=where, choices=APPENDIX_KINDS)
                continue
            columns = entry.get("columns") or {}
            bad = [f for f in columns.values() if f is not None and f not in ALL_FIELDS] if isinstance(columns, dict) else ["?"]
            if bad:
                self.report("bad_mapping", f"Trường '{bad[0]}' không có (một trong: {', '.join(ALL_FIELDS)}).",
                            where=where, choices=ALL_FIELDS)
                continue
            checked["appendices"][str(key)] = {**entry, "columns": {str(k): (v or "ignore") for k, v in columns.items()}}
        return checked

    # -- the document ----------------------------------------------------------------------

    def read(self) -> DocxSourceDoc:
        blocks = list(_blocks(self.document.element.body, self.document._body))
        front, appendices, skipped = self._split(blocks)
        plan = LDict(kind="plan")
        plan.where = "phần đầu văn bản"
        printed = read_front_matter(front, plan, self.numbering)
        self._overrides(plan)
        plan["source"] = self.name
        plan["appendices"] = []
        frameworks: list[SourceDoc] = []
        for appendix in appendices:
            node, framework = self._appendix(appendix, plan)
            if node is not None:
                plan["appendices"].append(node)
            if framework is not None:
                frameworks.append(framework)
        if not appendices:
            self.report("no_tables", "Không tìm thấy bảng phụ lục nào (bảng có cột STT/TT) trong văn bản.",
                        where="toàn văn bản")
        doc = DocxSourceDoc(str(self.path), "plan", plan, frameworks=frameworks, mapping=self.effective,
                            printed=printed, skipped_tables=skipped)
        doc.extra_problems = self.problems
        return doc

    def _split(self, blocks) -> tuple[list, list[_Appendix], list[int]]:
        """The front matter (blocks before the first appendix), the appendices, and the tables
        after the front matter that belong to no appendix."""
        appendices: list[_Appendix] = []
        skipped: list[int] = []
        heading: _Heading | None = None
        first_block: int | None = None
        recent: list[str] = []          # paragraphs since the last table (an unnumbered table's title)
        after_table = False             # only blank paragraphs since the current appendix's last table
        notes: _Appendix | None = None  # the appendix whose "Ghi chú:" lines are being read
        table_number = 0
        for i, block in enumerate(blocks):
            if isinstance(block, Paragraph):
                lines = element_lines(block._p, self.numbering)
                text = " ".join(lines)
                if not text:
                    continue
                found = APPENDIX_HEADING.match(text)
                if found:
                    heading = _Heading(found.group("number").upper(), i, [found.group("rest")] if found.group("rest") else [])
                    after_table, notes = False, None
                    continue
                if heading is not None:
                    if ATTACHED_TO.match(text) or heading.open:
                        heading.closed = True
                        heading.open = not text.endswith(")")
                        continue
                    if not heading.closed and (text.isupper() or not heading.title):
                        heading.title.append(text)
                        continue
                    heading = None  # a mention in the body ("Phụ lục 1: ..."), not a heading
                if after_table and appendices and text.casefold().startswith("ghi chú"):
                    notes = appendices[-1]
                if notes is not None:
                    notes.notes.append(text)
                after_table = False
                recent.append(text)
                continue
            table_number += 1
            grid = grid_of(block, self.numbering)
            header = read_header(grid)
            if is_front_table(grid, table_number):
                recent = []
                continue
            entry = (table_number, block, grid, header)
            if heading is not None and appendices and heading.number == appendices[-1].number:
                appendices[-1].tables.append(entry)   # the heading printed again over a continued table
            elif heading is not None:
                appendices.append(_Appendix(heading.number, heading.number, " ".join(heading.title), [entry], True))
                first_block = heading.index if first_block is None else first_block
            elif appendices and after_table and _continues(appendices[-1], grid, header):
                appendices[-1].tables.append(entry)
            elif header.rows and ("code" in recognise_columns(header)[0].values()
                                  or f"bảng {table_number}" in self.given["appendices"]):
                lines = [t for t in recent if not ATTACHED_TO.match(t)]
                start = len(lines)
                while start and lines[start - 1].isupper() and not ROMAN_HEADING.match(lines[start - 1]):
                    start -= 1
                title = " ".join(lines[start:])
                appendices.append(_Appendix(f"bảng {table_number}", "", title, [entry], False))
                first_block = i if first_block is None else first_block
            elif first_block is not None:
                skipped.append(table_number)
            heading, notes = None, None
            recent = []
            after_table = True
        front = blocks if first_block is None else blocks[:first_block]
        # The signature table may come after a table in the body that reads as an appendix.
        front += [b for b in blocks[len(front):] if isinstance(b, Table) and "nơi nhận" in _text_of(b).casefold()][:1]
        return front, appendices, skipped

    # -- front matter ----------------------------------------------------------------------

    def _overrides(self, plan: LDict) -> None:
        given = self.given["plan"]
        for key in PLAN_OVERRIDES:
            if key in given:
                plan[key] = given[key]
        self.effective["plan"] = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in given.items()}

    # -- appendices ------------------------------------------------------------------------

    def _appendix(self, appendix: _Appendix, plan: LDict) -> tuple[LDict | None, SourceDoc | None]:
        entry = self.given["appendices"].get(appendix.key, {})
        if entry.get("ignore"):
            self.effective["appendices"][appendix.key] = {"ignore": True}
            return None, None
        number = str(entry.get("number") or appendix.number or "")
        title = entry.get("title") or appendix.title
        table_number, _, grid, header = appendix.tables[0]
        if entry.get("header_rows") is not None:
            header = _forced_header(grid, int(entry["header_rows"]))
        if not header.rows and not entry.get("columns"):
            self.report("no_header", "Không nhận ra hàng tiêu đề của bảng (không có cột STT/TT): ghi ánh xạ các cột.",
                        appendix=appendix.key, table=table_number, row=1, choices=ALL_FIELDS)
            return None, None
        columns, unknown, effective_columns = self._columns(header, entry.get("columns") or {})
        kind = entry.get("kind") or guess_kind(title, set(columns.values()), header.labels)
        if kind is None:
            self.report("unknown_kind", "Không nhận ra loại phụ lục từ tiêu đề và các cột: chọn loại trong ánh xạ.",
                        appendix=appendix.key, table=table_number, choices=APPENDIX_KINDS)
            return None, None
        aliases = KIND_ALIASES.get(kind, {})
        columns = {j: aliases.get(f, f) for j, f in columns.items()}
        allowed = set(FIELDS_BY_KIND[kind]) | {"ignore"}
        field_choices = tuple(FIELDS_BY_KIND[kind]) + ("ignore",)
        for j in unknown:
            self.report("unknown_column", f"Không nhận ra cột này ghi gì trong phụ lục {KIND_LABELS[kind].lower()}: "
                        "chọn một trường trong ánh xạ.",
                        appendix=appendix.key, table=table_number, row=1, column=j + 1, label=header.labels[j],
                        choices=field_choices)
        for j, name in sorted(columns.items()):
            if name not in allowed and j not in header.covered:
                self.report("unused_column",
                            f"Cột là '{FIELD_LABELS.get(name, name)}', không dùng cho {KIND_LABELS[kind].lower()}: "
                            "ghi 'ignore' trong ánh xạ để bỏ qua hoặc chọn trường khác.",
                            appendix=appendix.key, table=table_number, row=1, column=j + 1, label=header.labels[j],
                            choices=field_choices)
        for required in REQUIRED.get(kind, ("code", "text", "owner")):
            if required not in columns.values():
                self.report("missing_column", f"Thiếu cột '{FIELD_LABELS[required]}': chỉ ra cột đó trong ánh xạ.",
                            appendix=appendix.key, table=table_number, row=1, choices=tuple(header.labels),
                            missing=required)
        number = number or self._free_number(plan)
        appendix_issue = None if appendix.numbered else {
            "kind": "other", "text": f"Bảng {table_number} không có tiêu đề \"Phụ lục\"; ghi số phụ lục \"{number}\"."}
        framework_name = entry.get("framework")
        self.effective["appendices"][appendix.key] = {
            "kind": kind, **({"number": entry["number"]} if entry.get("number") else {}),
            **({"framework": framework_name} if framework_name else {}),
            **({"header_rows": entry["header_rows"]} if entry.get("header_rows") is not None else {}),
            **({"title": entry["title"]} if entry.get("title") else {}),
            "columns": effective_columns,
        }
        node = LDict(number=number, kind=kind, title=title, declared_totals=None, sections=[], items=[],
                     inconsistencies=[appendix_issue] if appendix_issue else [])
        node.where = f"Phụ lục {number}, bảng {table_number}"
        if appendix.notes:
            node["note"] = "\n".join(appendix.notes) + "\n"
        parts = [self._part(number_, grid_, header if k == 0 else own_header, columns if k == 0 or grid_.columns == grid.columns
                            else None, entry, kind, node)
                 for k, (number_, _, grid_, own_header) in enumerate(appendix.tables)]
        rows = AppendixRows(number, kind, title, f"Phụ lục {number}", parts)

        def report(code, message, *, table=None, row=None, column=None):
            self.report(code, message, appendix=appendix.key, table=table, row=row, column=column)

        if kind not in ("framework", "task"):
            read_plan_rows(rows, node, report)
            return node, None
        own_framework = not framework_name
        rows.framework = framework_name or f"{title} ({plan.get('number') or number})"
        indicators, criteria = read_indicator_rows(rows, report)
        if kind == "framework":
            node = LDict(number=number, kind="framework", title=title, framework=rows.framework,
                         inconsistencies=node["inconsistencies"])
            node.where = f"Phụ lục {number}, bảng {table_number}"
        else:
            task_items(rows, criteria, node)
        if not own_framework:
            return node, None
        data = LDict(kind="framework", name=rows.framework, level=plan_level(plan), year=_year(plan.get("date")),
                     area=plan.get("area"), plan=plan.get("number"), source=self.name, declared={"max_points": None},
                     inconsistencies=[], indicators=indicators)
        data.where = f"Phụ lục {number}"
        return node, SourceDoc(str(self.path), "framework", data)

    def _part(self, table_number: int, grid: Grid, header: Header, columns: dict[int, str] | None, entry: dict,
              kind: str, node: LDict) -> TablePart:
        if columns is None:  # a continuation laid out on another grid: its own header says which column is which
            own_columns, _, _ = self._columns(header, entry.get("columns") or {})
            aliases = KIND_ALIASES.get(kind, {})
            columns = {j: aliases.get(f, f) for j, f in own_columns.items()}
        multipliers: dict[int, int] = {}
        for j, name in columns.items():
            if name in ("state", "other", "total") and j < len(header.labels):
                factor, unit = money_multiplier(header.labels[j])
                multipliers[j] = factor
                if factor > 1 and not any("quy ra đồng" in i["text"] for i in node["inconsistencies"]):
                    node["inconsistencies"].append({"kind": "other", "text": f"Số tiền in theo {unit}; đã quy ra đồng."})
        return TablePart(table_number, grid, header, columns, multipliers)

    def _columns(self, header: Header, given: dict[str, str]) -> tuple[dict[int, str], list[int], dict[str, str]]:
        """column -> field (recognised, then as the mapping says), the columns left unrecognised,
        and the column mapping in effect keyed by label (or "cột N" when two columns share one)."""
        columns, unknown = recognise_columns(header)
        labels = header.labels
        for key, name in given.items():
            found = re.fullmatch(r"(?:cột\s*)?(\d+)", key.strip(), re.IGNORECASE)
            if found:
                targets = [int(found.group(1)) - 1]
            else:
                folded = fold_label(key)
                targets = [j for j, label in enumerate(labels)
                           if label and folded in (fold_label(label), fold_label(label.split(" / ")[-1]))]
            for j in targets:
                if 0 <= j < len(labels):
                    columns[j] = name
                    if j in unknown:
                        unknown.remove(j)
        for j in sorted(header.covered):
            if j - 1 in columns:
                columns[j] = columns[j - 1]
        effective: dict[str, str] = {}
        for j, name in sorted(columns.items()):
            if j in header.covered:
                continue
            label = labels[j] if j < len(labels) else ""
            key = label if label and labels.count(label) == 1 else f"cột {j + 1}"
            effective[key] = name
        return columns, unknown, effective

    def _free_number(self, plan: LDict) -> str:
        taken = {a["number"] for a in plan["appendices"]}
        n = 1
        while str(n) in taken:
            n += 1
        return str(n)


def _text_of(table: Table) -> str:
    return " ".join(t.text for t in table._tbl.iter(qn("w:t")))


def _blocks(element, parent):
    """Paragraphs and tables in document order, inside content controls (w:sdt) too."""
    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent)
        elif child.tag == qn("w:tbl"):
            yield Table(child, parent)
        elif child.tag in (qn("w:sdt"), qn("w:customXml")):
            content = child.find(qn("w:sdtContent"))
            yield from _blocks(content if content is not None else child, parent)


def _forced_header(grid: Grid, rows: int) -> Header:
    labels = [" / ".join(dict.fromkeys(grid.rows[r][j].text for r in range(rows) if grid.rows[r][j].text))
              for j in range(grid.columns)]
    return Header(rows, labels, folded_rows=[tuple(fold_label(t) for t in grid.row_text(r)) for r in range(rows)])


def _continues(previous: _Appendix, grid: Grid, header: Header) -> bool:
    """A table right after an appendix's table, with the same columns and no heading, goes on with it."""
    _, _, last_grid, last_header = previous.tables[0]
    if header.rows:
        return [l for l in header.labels if l] == [l for l in last_header.labels if l]
    return grid.columns == last_grid.columns


def _year(value) -> int | None:
    return value.year if isinstance(value, date) else None
