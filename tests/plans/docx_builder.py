"""Writes realistic Word plans with python-docx, for the .docx import tests and bench.

`PlanDocx` lays a plan out as a Vietnamese administrative document does (Decree 30/2020/NĐ-CP):
the header table (issuing body | national motto; number | place and date), "KẾ HOẠCH" and the
title, the body, the signature table (Nơi nhận | signer), then each appendix on a landscape page:
"Phụ lục N", its title, "(Ban hành kèm theo ...)", and its table. Tables are given as printed:
header rows in which an empty cell under a label (or to the right of one) is merged into it,
data rows in which a string row is one cell across the table, "\n" in a cell is a line break
and "\n\n" a new paragraph, "<i>…</i>" italic.

`plan_222(path)` writes plan 222/KH-UBND from the seed document's own tables
(004_a6405fc1add7022a.txt, tab-separated, copied into tests/plans/data/): the rows a page break cut in two stay
two rows with an empty STT, the header printed again after a page break stays in the table,
Phụ lục 3 goes on in a second table after a page break, and a few cells carry line breaks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

# A copy of /work/shared/seeds/004_a6405fc1add7022a.txt, so that the suite runs on a fresh clone.
SEED = Path(__file__).resolve().parent / "data" / "004_a6405fc1add7022a.txt"


@dataclass
class TableSpec:
    header: list[list[str]]
    rows: list[list[str] | str]
    repeat_header_before: set[int] = field(default_factory=set)   # data row indexes
    merge_down: dict[tuple[int, int], int] = field(default_factory=dict)  # (row, col) -> rows merged below
    widths: list[float] | None = None                                # cm
    # A Word list numbering the cells written "#0", "#1" (its level): [(numFmt, lvlText), ...]
    auto_numbers: list[tuple[str, str]] | None = None
    in_content_control: bool = False                                 # the table inside a w:sdt


class PlanDocx:
    def __init__(self) -> None:
        self.document = docx.Document()
        style = self.document.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(13)
        section = self.document.sections[0]
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin, section.right_margin = Cm(3), Cm(2)

    # -- front matter ----------------------------------------------------------------------

    def national_header(self, issuer: list[str], number: str, place_date: str) -> None:
        table = self.document.add_table(rows=2, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        left, right = table.cell(0, 0), table.cell(0, 1)
        self._lines(left, issuer, bold_from=len(issuer) - 1, center=True)
        self._lines(left, ["_______"], center=True, first=False)
        self._lines(right, ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], bold_from=0, center=True)
        self._lines(right, ["Độc lập - Tự do - Hạnh phúc", "_______________________"], bold_from=0, center=True, first=False)
        self._lines(table.cell(1, 0), [number], center=True)
        self._lines(table.cell(1, 1), [place_date], italic=True, center=True)

    def paragraph(self, text: str, *, bold: bool = False, italic: bool = False, center: bool = False) -> None:
        paragraph = self.document.add_paragraph()
        self._runs(paragraph, text, bold=bold, italic=italic)
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def signature(self, recipients: list[str], signer: list[str]) -> None:
        table = self.document.add_table(rows=1, cols=2)
        cell = table.cell(0, 0)
        self._lines(cell, ["Nơi nhận:"], bold_from=0)
        self._lines(cell, [f"- {r}" for r in recipients], first=False)
        self._lines(table.cell(0, 1), signer, bold_from=0, center=True)

    # -- appendices ------------------------------------------------------------------------

    def appendix(self, heading: str, title: str, attached: str | None, tables: list[TableSpec],
                 notes: list[str] = ()) -> None:
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
        self.paragraph(heading, bold=True, center=True)
        self.paragraph(title, bold=True, center=True)
        if attached:
            self.paragraph(attached, italic=True, center=True)
        for k, spec in enumerate(tables):
            if k:
                self.document.add_paragraph().add_run().add_break(docx.enum.text.WD_BREAK.PAGE)
            self.table(spec)
        for note in notes:
            self.paragraph(note)

    def table(self, spec: TableSpec):
        columns = max(len(r) for r in spec.header)
        rows: list[tuple[str, list[str] | str]] = []
        for k, row in enumerate(spec.rows):
            if k in spec.repeat_header_before:
                rows.extend(("header", h) for h in spec.header)
            rows.append(("data", row))
        table = self.document.add_table(rows=len(spec.header) + len(rows), cols=columns)
        table.style = "Table Grid"
        num_id = self.add_list(spec.auto_numbers) if spec.auto_numbers else None
        self._header_rows(table, spec.header, 0, mark=True)
        r = len(spec.header)
        k = 0
        while k < len(rows):
            role, row = rows[k]
            if role == "header":
                self._header_rows(table, spec.header, r, mark=False)
                r += len(spec.header)
                k += len(spec.header)
                continue
            cells = table.rows[r].cells  # table.cell() lays the whole table out again on each call
            if isinstance(row, str):
                self._fill(cells[0].merge(cells[columns - 1]), row, bold=True)
            else:
                for j, text in enumerate(row[:columns]):
                    if num_id and re.fullmatch(r"#\d", text):
                        self._number(cells[j].paragraphs[0], num_id, int(text[1]))
                        continue
                    self._fill(cells[j], text, bold=bool(re.fullmatch(r"[A-ZĐ]|[IVX]+\.?", row[0] or "")))
            r += 1
            k += 1
        for (row_index, col), count in spec.merge_down.items():
            top = table.rows[len(spec.header) + row_index].cells[col]
            text = top.text
            merged = top.merge(table.rows[len(spec.header) + row_index + count].cells[col])
            self._fill(merged, text)
        if spec.widths:
            for row in table.rows:
                for j, width in enumerate(spec.widths):
                    row.cells[j].width = Cm(width)
        if spec.in_content_control:
            sdt = OxmlElement("w:sdt")
            content = OxmlElement("w:sdtContent")
            table._tbl.addprevious(sdt)
            sdt.append(OxmlElement("w:sdtPr"))
            sdt.append(content)
            content.append(table._tbl)
        return table

    def add_list(self, levels: list[tuple[str, str]]) -> str:
        """A multilevel list in numbering.xml (as Word's numbering button makes one); its numId."""
        numbering = self.document.part.numbering_part.element
        ids = [int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum"))]
        num_ids = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))]
        abstract_id, num_id = str(max(ids) + 1), str(max(num_ids) + 1)
        abstract = OxmlElement("w:abstractNum")
        abstract.set(qn("w:abstractNumId"), abstract_id)
        for level, (fmt, text) in enumerate(levels):
            lvl = OxmlElement("w:lvl")
            lvl.set(qn("w:ilvl"), str(level))
            for tag, value in (("w:start", "1"), ("w:numFmt", fmt), ("w:lvlText", text)):
                child = OxmlElement(tag)
                child.set(qn("w:val"), value)
                lvl.append(child)
            abstract.append(lvl)
        numbering.findall(qn("w:num"))[0].addprevious(abstract)  # abstractNums come before nums
        num = OxmlElement("w:num")
        num.set(qn("w:numId"), num_id)
        ref = OxmlElement("w:abstractNumId")
        ref.set(qn("w:val"), abstract_id)
        num.append(ref)
        numbering.append(num)
        return num_id

    @staticmethod
    def _number(paragraph, num_id: str, level: int) -> None:
        num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = level
        num_pr.get_or_add_numId().val = int(num_id)

    def save(self, path: Path) -> Path:
        self.document.save(str(path))
        return path

    # -- helpers ---------------------------------------------------------------------------

    def _header_rows(self, table, header: list[list[str]], top: int, *, mark: bool) -> None:
        columns = max(len(r) for r in header)
        grid = [row + [""] * (columns - len(row)) for row in header]
        done: set[tuple[int, int]] = set()
        for i, row in enumerate(grid):
            tr = table.rows[top + i]._tr
            if mark:
                tr_pr = tr.get_or_add_trPr()
                flag = OxmlElement("w:tblHeader")
                tr_pr.append(flag)
            for j, text in enumerate(row):
                if (i, j) in done or not text:
                    continue
                right = j
                while right + 1 < columns and not grid[i][right + 1] and i + 1 < len(grid) and grid[i + 1][right + 1]:
                    right += 1
                down = i
                while right == j and down + 1 < len(grid) and not grid[down + 1][j]:
                    down += 1
                cell = table.rows[top + i].cells[j]
                if right > j or down > i:
                    cell = cell.merge(table.rows[top + down].cells[right])
                for a in range(i, down + 1):
                    for b in range(j, right + 1):
                        done.add((a, b))
                self._fill(cell, text, bold=True, center=True)

    def _fill(self, cell, text: str, *, bold: bool = False, center: bool = False) -> None:
        for extra in cell.paragraphs[1:]:
            extra._p.getparent().remove(extra._p)
        first = cell.paragraphs[0]
        for run in list(first.runs):
            run._r.getparent().remove(run._r)
        for k, part in enumerate(text.split("\n\n")):
            paragraph = first if k == 0 else cell.add_paragraph()
            for n, line in enumerate(part.split("\n")):
                if n:
                    paragraph.runs[-1].add_break() if paragraph.runs else paragraph.add_run().add_break()
                self._runs(paragraph, line, bold=bold)
            if center:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def _lines(self, cell, lines: list[str], *, bold_from: int | None = None, italic: bool = False,
               center: bool = False, first: bool = True) -> None:
        for k, line in enumerate(lines):
            paragraph = cell.paragraphs[0] if first and k == 0 else cell.add_paragraph()
            self._runs(paragraph, line, bold=bold_from is not None and k >= bold_from, italic=italic)
            if center:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    @staticmethod
    def _runs(paragraph, text: str, *, bold: bool = False, italic: bool = False) -> None:
        for k, piece in enumerate(re.split(r"</?i>", text)):
            if piece:
                run = paragraph.add_run(piece)
                run.bold = bold or None
                run.italic = italic or (k % 2 == 1) or None


# ---------------------------------------------------------------------------------------------
# Plan 222/KH-UBND from the seed


def _seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")


def _plain(text: str) -> str:
    """The seed's conversion artefacts (LaTeX, HTML lists) as Word would print them."""
    text = re.sub(r'<ul style="[^"]*">\s*', "", text)
    text = re.sub(r"\\frac\{(.*?)\}\{(.*?)\}", r"\1/\2", text)
    text = re.sub(r"\\text\{(.*?)\}", r"\1", text)
    text = text.replace("\\geq", "≥").replace("\\leq", "≤").replace("\\%", "%").replace("$", "")
    text = re.sub(r"\s*<p>\s*", "\n\n", text).replace("</p>", "")
    # Bullets the converter ran together ("- a - b") are paragraphs of the cell in the document.
    text = re.sub(r"(?<!Tài chính) (?=[-+] [A-ZĐÀ-Ỹa-zđà-ỹ]{2})", "\n\n", text)
    return re.sub(r"[ ]{2,}", " ", text).strip()


def _rows(lines: list[str], *, columns: int, header_lines: int) -> tuple[list[list[str]], list[list[str] | str], set[int]]:
    """Header rows, data rows and where the header is printed again, from the seed's table lines."""
    header = [line.split("\t") for line in lines[:header_lines]]
    labels = lines[0]
    rows: list[list[str] | str] = []
    repeats: set[int] = set()
    for line in lines[header_lines:]:
        if not line.strip():
            continue
        if line == labels:
            repeats.add(len(rows))
            continue
        cells = [_plain(c) for c in line.split("\t")]
        cells += [""] * (columns - len(cells))
        if "\t" not in line or (cells[0] and " " in cells[0] and not any(cells[1:])):
            rows.append(cells[0])       # a section heading printed across the table
        else:
            rows.append(cells[:columns])
    return header, rows, repeats


def _break(text: str, at: str) -> str:
    return text.replace(at, at.rstrip() + "\n", 1) if at in text else text


def _appendix_blocks(lines: list[str]) -> list[dict]:
    """Each appendix of the seed: heading, title, attached line, table lines, notes."""
    starts = [k for k, line in enumerate(lines) if re.match(r"^Phụ lục \d", line) and not line.startswith("Phụ lục 1:")
              and k > 150]
    blocks = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        chunk = lines[start:end]
        inline = re.match(r"^(Phụ lục \d+)\*\*(.+?)\*\*\*\((.+)\)\*$", chunk[0])
        if inline:
            heading, title, attached, body = inline.group(1), inline.group(2), f"({inline.group(3)})", chunk[1:]
        else:
            heading, title = chunk[0], chunk[1]
            attached_lines, k = [], 2
            while k < len(chunk) and not chunk[k].strip():
                k += 1
            while k < len(chunk) and (chunk[k].startswith("(") or (attached_lines and not attached_lines[-1].endswith(")"))):
                if chunk[k].strip():
                    attached_lines.append(chunk[k].strip())
                k += 1
            attached, body = "\n".join(attached_lines), chunk[k:]
        table_start = next(k for k, line in enumerate(body) if line.startswith(("TT\t", "STT\t")))
        notes_start = next((k for k, line in enumerate(body) if line.startswith("Ghi chú")), len(body))
        blocks.append({
            "heading": heading, "title": title, "attached": attached,
            "table": body[table_start:notes_start], "notes": [l for l in body[notes_start:] if l.strip()],
        })
    return blocks


def plan_222(path: Path) -> Path:
    lines = _seed_lines()
    plan = PlanDocx()
    plan.national_header(["ỦY BAN NHÂN DÂN", "TỈNH THỪA THIÊN HUẾ"], lines[2].strip(), lines[4].strip())
    body_end = lines.index("Nơi nhận:")
    for line in lines[6:body_end]:
        if not line.strip():
            continue
        title = line == "KẾ HOẠCH" or line.startswith("Triển khai chương trình Chuyển đổi số")
        plan.paragraph(line, bold=title or bool(re.match(r"^[IVX]+\. ", line)), center=title)
    recipients = [l[2:] for l in lines[body_end + 1:body_end + 10] if l.startswith("- ")]
    signer_at = next(k for k in range(body_end, len(lines)) if lines[k].startswith("**TM."))
    plan.signature(recipients, [lines[signer_at].strip("*"), lines[signer_at + 1].strip("*"), "", "(Đã ký)", "",
                                lines[signer_at + 3].strip()])

    for block in _appendix_blocks(lines):
        number = block["heading"].split()[-1]
        table_lines = block["table"]
        if number == "1":
            header, rows, repeats = _rows(table_lines, columns=4, header_lines=1)
            for row in rows:
                if isinstance(row, list) and row[3] == "Các sở, ban, ngành; Doanh nghiệp":
                    row[3] = "Các sở, ban, ngành;\nDoanh nghiệp"     # one unit a line
            specs = [TableSpec(header, rows, repeats, widths=[1.2, 14, 4.5, 5.5])]
        elif number == "2":
            header, rows, repeats = _rows(table_lines, columns=5, header_lines=1)
            for row in rows:
                if isinstance(row, list) and row[3] == "Văn phòng UBND tỉnh, Sở Nội vụ":
                    row[3] = "Văn phòng UBND tỉnh,\n\nSở Nội vụ"     # two paragraphs in the cell
            specs = [TableSpec(header, rows, repeats, widths=[1.2, 12, 4.5, 4.5, 3.5])]
        elif number == "3":
            page = table_lines.index("", 1)
            first_header, first_rows, _ = _rows(table_lines[:page], columns=4, header_lines=1)
            _, more_rows, _ = _rows([table_lines[0]] + table_lines[page:], columns=4, header_lines=1)
            for row in first_rows + more_rows:
                if isinstance(row, list) and row[2] == "Sở Thông tin và Truyền thông" and int(row[0]) % 2:
                    row[2] = "Sở Thông tin và\nTruyền thông"
                if isinstance(row, list) and len(row[1]) > 140:
                    row[1] = _break(row[1], row[1][:70].rsplit(" ", 1)[0] + " ")
            specs = [TableSpec(first_header, first_rows, widths=[1.2, 16, 5, 3.5]),
                     TableSpec(first_header, more_rows, widths=[1.2, 16, 5, 3.5])]
        elif number == "4":
            header, rows, repeats = _rows(table_lines, columns=6, header_lines=1)
            specs = [TableSpec(header, rows, repeats, widths=[1.5, 3.5, 6, 7, 2, 6])]
        else:
            header, rows, repeats = _rows(table_lines, columns=6, header_lines=2)
            specs = [TableSpec(header, rows, repeats, widths=[1.2, 11, 3, 3.5, 4, 3.5])]
        plan.appendix(block["heading"], block["title"], block["attached"], specs, block["notes"])
    return plan.save(path)


def small_plan(path: Path, appendices: list[tuple[str, str, list[TableSpec]]], *,
               issuer: tuple[str, ...] = ("ỦY BAN NHÂN DÂN", "TỈNH MẪU"), number: str = "Số: 9/KH-UBND",
               place_date: str = "Mẫu, ngày 05 tháng 01 năm 2021",
               title: str = "Chuyển đổi số tỉnh Mẫu năm 2021") -> Path:
    """A short plan: the header table, title, one legal basis, then (heading, title, tables) appendices.
    A heading "" leaves the table without a "Phụ lục" heading."""
    plan = PlanDocx()
    plan.national_header(list(issuer), number, place_date)
    plan.paragraph("KẾ HOẠCH", bold=True, center=True)
    plan.paragraph(title, bold=True, center=True)
    plan.paragraph("Căn cứ Quyết định số 749/QĐ-TTg ngày 03 tháng 6 năm 2020 của Thủ tướng Chính phủ;")
    plan.paragraph("I. MỤC TIÊU", bold=True)
    plan.paragraph("Hoàn thành các nhiệm vụ trong các phụ lục kèm theo.")
    plan.signature(["Như trên;", "Lưu: VT."], ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn A"])
    for heading, appendix_title, tables in appendices:
        if heading:
            plan.appendix(heading, appendix_title, "(Kèm theo Kế hoạch số 9/KH-UBND)", tables)
        else:
            plan.paragraph(appendix_title, bold=True, center=True)
            for spec in tables:
                plan.table(spec)
    return plan.save(path)
