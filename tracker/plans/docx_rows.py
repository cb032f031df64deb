"""Rows of a Word appendix table -> the sections and items (or indicators) of the plan document.

Rows are read in order across every table of the appendix (a table cut by a page break may go
on in a second table): a repeated header row is skipped; a row whose STT is empty continues the
row above (its cells are joined to that row's, and the join recorded as a `split_row`
inconsistency); a row of letters or roman numerals (A, I, II, "II Phát triển hạ tầng số" in one
merged cell) opens a section; any other code is an item. Values are turned into the types of
seed_plans/README.md (money in đồng, years, "-" as no amount) only where that is certain;
anything else is passed on as printed, for the loader to name it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Callable

from tracker.plans.docx_tables import FIELD_LABELS, Grid, Header, fold_label, is_numbering_row, join_text, join_units
from tracker.plans.sources import LDict, parse_year_range

ROMAN = re.compile(r"^[IVXLC]+$")
SECTION_CODE = re.compile(r"^(?:[IVXLC]+|[A-ZĐ])\.?$")
SECTION_WITH_TITLE = re.compile(r"^(?P<code>[IVXLC]+|[A-ZĐ])[.)]?\s+(?P<title>\S.*)$", re.S)
# The whole wording of a totals row: "Tổng cộng", "Cộng", "Tổng số (A+B+C)"; not "Cộng đồng ...".
TOTAL_TEXT = re.compile(r"^(tổng\s*cộng|tổng\s*số|tổng\s*kinh\s*phí|tổng|cộng)\s*(?:[:(].*)?$", re.IGNORECASE)
MONEY_FIELDS = ("state", "other", "total")
UNIT_FIELDS = ("owner", "coordinators")
YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
TARGET_YEAR = re.compile(r"(?:đến|năm)\s+(?:năm\s+)?((?:19|20)\d{2})(?!\d)", re.IGNORECASE)
PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*%")

Report = Callable[..., None]  # report(code, message, table=, row=, column=)


@dataclass
class TablePart:
    index: int                       # the table's number in the document (1-based)
    grid: Grid
    header: Header
    columns: dict[int, str]          # grid column -> field
    multipliers: dict[int, int] = field(default_factory=dict)


@dataclass
class Row:
    """One printed row, its cells' lines by field until every continuation has been joined."""

    role: str                        # "item" | "section"
    code: str
    where: str
    lines: dict[str, list[str]]
    context: list[str]               # titles of the enclosing sections, innermost last
    table: int
    number: int
    part: TablePart | None = None
    joined: list[tuple[int, int]] = field(default_factory=list)   # (table, row) of the rows joined to it
    node: LDict = field(default_factory=LDict)
    top: LDict | None = None          # criteria: the top-level (pillar) row above this one


@dataclass
class AppendixRows:
    number: str
    kind: str
    title: str
    where: str
    parts: list[TablePart]
    framework: str | None = None


# ---------------------------------------------------------------------------------------------
# Reading the rows


def _cells(part: TablePart, r: int) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Lines by field of the row's own cells, and of cells merged down from the row above."""
    own: dict[str, list[str]] = {}
    merged: dict[str, list[str]] = {}
    for j, name in sorted(part.columns.items()):
        cell = part.grid.rows[r][j]
        if cell.horizontal or not cell.lines or name == "ignore":
            continue
        target = merged if cell.vertical else own
        target.setdefault(name, list(cell.lines))
    return own, merged


def iter_rows(app: AppendixRows):
    """(part, row index, own lines, merged lines, banner) of every data row of the appendix;
    `banner` is the text of a row that is one merged cell across the table."""
    for part in app.parts:
        for r in range(part.header.rows, len(part.grid.rows)):
            texts = part.grid.row_text(r)
            if not any(texts):
                continue
            folded = tuple(fold_label(t) for t in texts)
            if folded in part.header.folded_rows or is_numbering_row(texts):
                continue  # the header printed again after a page break
            own, merged = _cells(part, r)
            banner = part.grid.banner(r)
            if banner is not None:
                own, merged = {"code": [banner]}, {}
            yield part, r, own, merged, banner


def _where(app: AppendixRows, part: TablePart, r: int) -> str:
    return f"{app.where}, bảng {part.index}, hàng {r + 1}"


def _code(own: dict, banner: str | None, title_field: str, part: TablePart, r: int, report: Report):
    """The row's code, and its cells with "II Phát triển hạ tầng số" (code and title in one cell)
    parted; code None for a row merged across the table that is no section heading."""
    code = " ".join(own.get("code") or []).strip()
    combined = SECTION_WITH_TITLE.match(code) if code else None
    if combined and not own.get(title_field) and not SECTION_CODE.match(code):
        return combined.group("code"), {**own, "code": [combined.group("code")], title_field: [combined.group("title")]}
    if banner is not None and not SECTION_CODE.match(code):
        report("row_not_recognised", f"Dòng gộp cả bảng \"{banner[:80]}\" không phải đề mục (A, I, II...).",
               table=part.index, row=r + 1)
        return None, own
    return code, own


def _continue(last: Row | None, own: dict, part: TablePart, r: int, report: Report) -> None:
    """A row with an empty STT goes on with the row above (a page break cut it)."""
    if last is None:
        report("orphan_row", "Dòng không có STT ở đầu bảng: không biết nối vào dòng nào.", table=part.index, row=r + 1)
        return
    for name, lines in own.items():
        last.lines.setdefault(name, []).extend(lines)
    last.joined.append((part.index, r + 1))


# What the database keeps of a field, in characters (tracker/plans/models.py).
MAX_LENGTHS = {"code": 32, "years_text": 64, "measure_unit": 64, "doc_type": 120, "target_text": 255}


def _check_lengths(row: Row, node: dict, report: Report) -> None:
    for name, limit in MAX_LENGTHS.items():
        value = node.get(name)
        if isinstance(value, str) and len(value) > limit:
            column = next((j for j, f in (row.part.columns.items() if row.part else ()) if f == name), None)
            report("too_long", f"Ô '{FIELD_LABELS[name]}' dài {len(value)} ký tự (tối đa {limit}): \"{value[:60]}…\".",
                   table=row.table, row=row.number, column=column + 1 if column is not None else None)


def _split_row(row: Row) -> dict:
    places = [f"hàng {row.number}"] + [f"bảng {t}, hàng {n}" if t != row.table else f"hàng {n}" for t, n in row.joined]
    return {"kind": "split_row",
            "text": f"Dòng {row.code} bị ngắt trang (bảng {row.table}, {' và '.join(places)}): đã nối lại."}


def _section_class(code: str, open_letter: str | None) -> str:
    bare = code.rstrip(".")
    if ROMAN.match(bare) and not (len(bare) == 1 and open_letter and ord(bare) == ord(open_letter) + 1):
        return "roman"
    return "letter"


def read_plan_rows(app: AppendixRows, appendix: LDict, report: Report) -> None:
    """Fill `appendix` (target, document, project, budget) with its sections and items."""
    rows: list[Row] = []
    stack: list[tuple[str, Row, LDict]] = []  # (class, row, section node)
    last: Row | None = None
    appendix.setdefault("inconsistencies", [])
    for part, r, own, merged, banner in iter_rows(app):
        where = _where(app, part, r)
        code, own = _code(own, banner, "text", part, r, report)
        if code is None:
            continue
        if not code:
            money = {k: own[k] for k in MONEY_FIELDS if k in own}
            text = join_text(own.get("text", []))
            # Amounts alone above the first item, or under "Tổng cộng" / "Cộng", are totals; amounts
            # alone further down are the rest of a row a page break cut.
            if money and (TOTAL_TEXT.match(text) if text else not any(seen.role == "item" for seen in rows)):
                # "Cộng" closes a section; "Tổng cộng" or a bare row of amounts is the appendix's.
                section_total = stack and text.casefold().startswith("cộng")
                target = stack[-1][2] if section_total else appendix
                target["declared_totals"] = _located(where, **{k: _money(part, k, money.get(k)) for k in MONEY_FIELDS})
                continue
            _continue(last, own, part, r, report)
            continue
        if SECTION_CODE.match(code):
            open_letter = next((s[1].code.rstrip(".") for s in reversed(stack) if s[0] == "letter"), None)
            cls = _section_class(code, open_letter)
            for i, (c, _, _) in enumerate(stack):
                if c == cls:
                    del stack[i:]
                    break
            node = _located(where, code=code, title="", sections=[], items=[])
            row = Row("section", code, where, own, [], part.index, r + 1, node=node)
            money = {k: own[k] for k in MONEY_FIELDS if k in own}
            if money:
                node["declared_totals"] = _located(where, **{k: _money(part, k, money.get(k)) for k in MONEY_FIELDS})
            (stack[-1][2]["sections"] if stack else appendix["sections"]).append(node)
            stack.append((cls, row, node))
            rows.append(row)
            last = row
            continue
        lines = {**merged, **own}
        row = Row("item", code, where, lines, [join_text(s[1].lines.get("text", [])) for s in stack], part.index, r + 1,
                  part=part, node=_located(where, code=code))
        (stack[-1][2]["items"] if stack else appendix["items"]).append(row.node)
        rows.append(row)
        last = row

    for row in rows:
        node = row.node
        if row.joined:
            node.setdefault("inconsistencies", []).append(_split_row(row))
        if row.role == "section":
            node["title"] = join_text(row.lines.get("text", []))
        else:
            _fill_item(app, row, node)
        _check_lengths(row, node, report)
    _nest_numbered_sections(appendix)


def _fill_item(app: AppendixRows, row: Row, node: LDict) -> None:
    lines = row.lines
    node["text"] = join_text(lines.get("text", []))
    node["owner"] = join_units(lines.get("owner", []))
    node["coordinators"] = join_units(lines.get("coordinators", [])) or []
    if lines.get("note"):
        node["note"] = join_text(lines["note"])
    kind = app.kind
    if kind == "target":
        _fill_target(app, row, node)
    elif kind == "document":
        node["doc_type"] = join_text(lines.get("doc_type", [])) or None
        deadline = join_text(lines.get("deadline_year", []) or lines.get("years_text", []))
        if deadline:
            years = YEAR.findall(deadline)
            if deadline.strip() in years:
                node["deadline_year"] = int(years[0])
            elif years and not re.search(r"\d{3,}", YEAR.sub("", deadline)):
                node["deadline_year"] = int(years[-1])
                node.setdefault("inconsistencies", []).append({
                    "kind": "other",
                    "text": f"Thời hạn in \"{deadline}\"; định dạng kế hoạch chỉ ghi năm (deadline_year {years[-1]}).",
                })
            else:
                node["deadline_year"] = deadline
    elif kind == "project":
        years_text = join_text(lines.get("years_text", []) or lines.get("deadline_year", [])) or None
        node["years_text"] = years_text
        parsed = parse_year_range(years_text or "")
        if parsed is None and years_text:
            years = YEAR.findall(years_text)
            # Only when every number printed is a year ("Năm 2021", "Quý II/2021 - 2022" are not).
            if 1 <= len(years) <= 2 and not re.search(r"\d", YEAR.sub("", re.sub(r"(?i)quý\s+[ivx]+|tháng\s+\d{1,2}", "", years_text))):
                parsed = (int(years[0]), int(years[-1]))
        if parsed:
            node["start_year"], node["end_year"] = parsed
    elif kind == "budget":
        for name in MONEY_FIELDS:
            node[name] = _money(row.part, name, lines.get(name))


def _fill_target(app: AppendixRows, row: Row, node: LDict) -> None:
    lines = row.lines
    text = node["text"]
    value = join_text(lines.get("target_value", []))
    node["target_text"] = join_text(lines.get("target_text", [])) or None
    node["measure_unit"] = join_text(lines.get("measure_unit", [])) or None
    if value:
        node["target_value"] = _number(value)
    else:
        found = PERCENT.search(text)
        if found:
            # "100% hoạt động ..." -> 100 %; "Tỷ trọng ... đóng góp 20% tổng GDP" -> "20% tổng GDP"
            node["target_value"] = _number(found.group(1))
            node["measure_unit"] = node["measure_unit"] or "%"
            rest = text[found.start():]
            node["target_text"] = node["target_text"] or (found.group(0) if found.start() == 0 or len(rest) > 120 else rest)
            values = PERCENT.findall(text)
            if len(values) > 1:
                node.setdefault("inconsistencies", []).append({"kind": "other", "text": (
                    f"Chỉ tiêu nêu {len(values)} giá trị ({', '.join(v + '%' for v in values)}); định dạng kế hoạch "
                    f"chỉ ghi một: target_value {found.group(1)}.")})
        else:
            node["target_value"] = None
    year = join_text(lines.get("target_year", []))
    if year:
        node["target_year"] = year
    else:
        for title in [*reversed(row.context), app.title]:
            found = TARGET_YEAR.search(title or "")
            if found:
                node["target_year"] = int(found.group(1))
                break
        else:
            node["target_year"] = None


def _nest_numbered_sections(container: LDict) -> None:
    """A numbered row that names no unit, followed by rows numbered under it ("1" then "1.1",
    "1.2"), is a section heading of those rows."""
    for section in container.get("sections") or []:
        _nest_numbered_sections(section)
    items = container.get("items") or []
    result: list = []
    i = 0
    while i < len(items):
        item = items[i]
        prefix = str(item["code"]).rstrip(".") + "."
        j = i + 1
        while j < len(items) and str(items[j]["code"]).startswith(prefix):
            j += 1
        if j > i + 1 and not item.get("owner") and not item.get("coordinators"):
            section = _located(item.where, code=item["code"], title=item.get("text") or "", sections=[], items=items[i + 1:j])
            year = TARGET_YEAR.search(section["title"])
            for child in section["items"]:
                if "target_year" in child and child["target_year"] is None and year:
                    child["target_year"] = int(year.group(1))  # "1. Chính quyền số đến năm 2025" over its targets
            _nest_numbered_sections(section)
            container.setdefault("sections", []).append(section)
            i = j
            continue
        result.append(item)
        i += 1
    if items:
        container["items"] = result


# ---------------------------------------------------------------------------------------------
# Criteria with points: the plan's own indicator framework (and, with an owner column, tasks)


def read_indicator_rows(app: AppendixRows, report: Report) -> tuple[list[LDict], list[Row]]:
    """The indicator tree of a criteria table, and its rows (for the tasks of a `task` appendix)."""
    rows: list[Row] = []
    last: Row | None = None
    for part, r, own, merged, banner in iter_rows(app):
        code, own = _code(own, banner, "name", part, r, report)
        if code is None:
            continue
        if not code:
            _continue(last, own, part, r, report)
            continue
        row = Row("item", code, _where(app, part, r), {**merged, **own}, [], part.index, r + 1, part=part)
        rows.append(row)
        last = row

    roots: list[LDict] = []
    by_code: dict[str, LDict] = {}
    top: LDict | None = None
    for row in rows:
        lines = row.lines
        bare = row.code.rstrip(".")
        key = bare if bare not in by_code else _free_key(bare, by_code)
        _check_lengths(row, {"code": row.code}, report)
        node = _located(row.where, code=row.code, key=key if key != row.code else None,
                        name=join_text(lines.get("name", []) or lines.get("text", [])),
                        max_points=_number(join_text(lines.get("max_points", []))),
                        scoring=join_text(lines.get("scoring", [])) or None,
                        evidence=join_text(lines.get("evidence", [])) or None,
                        note=join_text(lines.get("note", [])) or None,
                        inconsistencies=[], children=[])
        if key != bare:
            node["inconsistencies"].append({"kind": "repeated_code", "text": f"Mã {bare} lặp lại trong bảng; dòng {row.number} ghi key {key}."})
        if row.joined:
            node["inconsistencies"].append(_split_row(row))
        parent: LDict | None
        if SECTION_CODE.match(row.code):
            parent = None
            top = node
        elif "." in bare:
            segments = bare.split(".")
            parent = next((by_code[".".join(segments[:n])] for n in range(len(segments) - 1, 0, -1)
                           if ".".join(segments[:n]) in by_code), top)
            if parent is not None and parent["code"].rstrip(".") != ".".join(segments[:-1]):
                node["inconsistencies"].append({"kind": "skipped_code", "text": f"Không có dòng {'.'.join(segments[:-1])}; {bare} ghi dưới {parent['code']}."})
        else:
            parent = top
        (parent["children"] if parent is not None else roots).append(node)
        by_code[bare] = node
        row.node = node
        row.top = top if parent is not None else None
    return roots, rows


def _free_key(code: str, taken: dict) -> str:
    n = 2
    while f"{code}#{n}" in taken:
        n += 1
    return f"{code}#{n}"


def task_items(app: AppendixRows, rows: list[Row], appendix: LDict) -> None:
    """Rows naming an owner are the plan's tasks: deliver that indicator (block)."""
    sections: dict[int, LDict] = {}
    for row in rows:
        node = row.node
        owner = join_units(row.lines.get("owner", []))
        if not owner:
            continue
        item = _located(row.where, code=row.code, text=node["name"], owner=owner,
                        coordinators=join_units(row.lines.get("coordinators", [])) or [],
                        indicator=node.get("key") or row.code.rstrip("."), framework=app.framework,
                        max_points=node["max_points"])
        if row.lines.get("note"):
            item["note"] = join_text(row.lines["note"])
        top = row.top
        if top is None:
            appendix["items"].append(item)
            continue
        if id(top) not in sections:
            sections[id(top)] = _located(top.where, code=top["code"], title=top["name"], sections=[], items=[])
            appendix["sections"].append(sections[id(top)])
        sections[id(top)]["items"].append(item)


# ---------------------------------------------------------------------------------------------
# Values


def _located(where: str, **values) -> LDict:
    node = LDict(values)
    node.where = where
    return node


def _number(text: str):
    """ "10" -> 10, "0,5" -> Decimal("0.5"), "" -> None; anything else as printed."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return text
    return int(value) if value == value.to_integral_value() else value


_GROUPED_DOTS = re.compile(r"\d{1,3}(\.\d{3})+")
_GROUPED_COMMAS = re.compile(r"\d{1,3}(,\d{3})+")
_DECIMAL_COMMA = re.compile(r"\d{1,3}(\.\d{3})*,\d+|\d+,\d+")


def _money(part: TablePart, name: str, lines: list[str] | None):
    """Whole đồng from the printed amount (in the column's unit); "-" is no amount fixed (None)."""
    if not lines:
        return None
    printed = "".join(lines).strip()
    text = printed.replace(" ", "").removesuffix("đồng").removesuffix("đ")
    if text in ("-", "–", "—", ""):
        return None
    column = next((j for j, f in part.columns.items() if f == name), None)
    factor = part.multipliers.get(column, 1) if column is not None else 1
    if text.isdigit():
        value = Decimal(text)
    elif _GROUPED_DOTS.fullmatch(text):
        value = Decimal(text.replace(".", ""))
    elif _GROUPED_COMMAS.fullmatch(text) and factor == 1:
        value = Decimal(text.replace(",", ""))
    elif _DECIMAL_COMMA.fullmatch(text) and factor > 1:
        value = Decimal(text.replace(".", "").replace(",", "."))
    elif re.fullmatch(r"\d+\.\d{1,2}", text) and factor > 1:
        value = Decimal(text)
    else:
        return printed  # the loader names it: "Số tiền '...' không hợp lệ"
    amount = value * factor
    return int(amount) if amount == amount.to_integral_value() else printed
