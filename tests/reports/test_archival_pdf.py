"""The report PDF is PDF/A-3a: tagged for screen readers, its figures attached as JSON, its text unchanged.

The stored expectations in tests/reports/expected/ are pypdf's text of the PDFs the builder made
before it wrote PDF/A (WeasyPrint 66, untagged). To regenerate them after a deliberate change of the
report's wording, write `"\\n\\f\\n".join(page.extract_text() for page in PdfReader(...).pages)` of the
same report to the file, and review the diff.
"""
from __future__ import annotations

import io
import json
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.reports.test_pdf import OPTIONS
from tests.reports.test_plan222 import plan222  # noqa: F401 (fixture)
from tracker.reports.builders import build_html, build_pdf
from tracker.reports.services import ReportOptions, gather_report_data

EXPECTED = Path(__file__).resolve().parent / "expected"


@pytest.fixture
def report(scenario):
    data = gather_report_data(scenario.plan, scenario.q3, options=OPTIONS)
    return data, build_pdf(data)


def _text(pdf: bytes) -> str:
    return "\n\f\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _structure(pdf: bytes, tmp_path) -> list[tuple[int, str]]:
    """poppler's reading of the structure tree: (depth, line) for each element and text run, in order."""
    path = tmp_path / "tagged.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", "-struct-text", str(path)], check=True, capture_output=True, text=True).stdout
    return [((len(line) - len(line.lstrip(" "))) // 2, line.strip()) for line in out.splitlines() if line.strip()]


def _elements(structure, tag: str) -> list[str]:
    """The text of every structure element `tag`, in reading order."""
    found = []
    for index, (depth, line) in enumerate(structure):
        if line.split(" ")[0] == tag:
            texts = []
            for inner_depth, inner in structure[index + 1:]:
                if inner_depth <= depth:
                    break
                if inner.startswith('"'):
                    texts.append(inner.strip('"'))
            found.append(" ".join(texts))
    return found


def test_pdf_a_3a_identification_structure_tree_and_language(report):
    _, pdf = report
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "vi"
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp
    intent = root["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1" and "sRGB" in intent["/OutputConditionIdentifier"]
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])


def test_the_figures_are_attached_as_json_matching_the_report_data(report):
    data, pdf = report
    reader = PdfReader(io.BytesIO(pdf))
    assert list(reader.attachments) == ["so-lieu-901-kh-ubnd-2025-q3.json"]
    (content,) = reader.attachments["so-lieu-901-kh-ubnd-2025-q3.json"]
    figures = json.loads(content.decode("utf-8"))
    assert figures == data.to_json()
    assert figures["budget"]["total"]["planned"] == 11_500_000_000
    assert figures["not_reported"] == ["Sở Y tế"]
    # declared as the data the pages were drawn from (PDF/A-3 associated file), once
    (associated,) = reader.trailer["/Root"]["/AF"]
    associated = associated.get_object()
    assert associated["/AFRelationship"] == "/Data"
    assert associated["/EF"]["/F"].get_object()["/Subtype"] == "/application/json"


def test_headings_tables_and_reading_order_for_screen_readers(report, tmp_path):
    data, pdf = report
    structure = _structure(pdf, tmp_path)
    assert _elements(structure, "H1") == [
        "BÁO CÁO Kết quả thực hiện Kế hoạch số 901/KH-UBND ngày 21/10/2020 của UBND tỉnh Thừa Thiên Huế "
        "trong quý III năm 2025"]
    # the sections, then the annexes, in the order they are printed
    assert _elements(structure, "H2") == [
        "I. TÌNH HÌNH CHUNG", "II. KẾT QUẢ THỰC HIỆN", "III. TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ",
        "IV. KHÓ KHĂN, VƯỚNG MẮC VÀ KIẾN NGHỊ CỦA CÁC ĐƠN VỊ", "V. ĐÁNH GIÁ CHUNG VÀ ĐỀ XUẤT, KIẾN NGHỊ",
        "Biểu đồ TÌNH HÌNH THỰC HIỆN KẾ HOẠCH QUÝ III NĂM 2025",  # the charts page (tracker/reports/charts.py)
        *[f"Phụ lục {a.roman} TÌNH HÌNH THỰC HIỆN {a.title.upper()}" for a in data.annexes]]
    assert _elements(structure, "H3")[:2] == ["1. Các chỉ tiêu", "2. Các dự án, nhiệm vụ"]
    # the letterhead and the signature block are text, not tables; every table has header cells
    tables = [i for i, (_, line) in enumerate(structure) if line.split(" ")[0] == "Table"]
    assert tables
    texts = [line for _, line in structure if line.startswith('"')]
    assert texts[:3] == ['"DỰ THẢO"', '"UBND TỈNH THỪA THIÊN HUẾ"', '"SỞ KHOA HỌC VÀ CÔNG NGHỆ"']
    for start in tables:
        depth = structure[start][0]
        inside = []
        for inner_depth, line in structure[start + 1:]:
            if inner_depth <= depth:
                break
            inside.append(line.split(" ")[0])
        assert "TH" in inside, structure[start:start + 5]
    first_table = _elements(structure, "Table")[0]
    assert first_table.startswith("Phụ lục Nội dung Tổng số Hoàn thành")
    assert "Nơi nhận:" not in " ".join(_elements(structure, "Table"))


def test_every_data_cell_names_its_column_headers(report):
    _, pdf = report
    reader = PdfReader(io.BytesIO(pdf))
    header_ids, cells = set(), []

    def walk(element):
        element = element.get_object()
        tag = element.get("/S")
        if tag == "/TH":
            header_ids.add(element["/ID"])
        elif tag == "/TD":
            cells.append(element)
        kids = element.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict) and "/S" in kid.get_object():
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert header_ids and cells
    for cell in cells:
        headers = cell["/A"]["/Headers"]
        assert headers and set(headers) <= header_ids


def test_text_is_unchanged_from_the_untagged_builder(report):
    _, pdf = report
    assert _text(pdf) == (EXPECTED / "report_text_scenario.txt").read_text(encoding="utf-8")


def test_plan_222_text_is_unchanged_from_the_untagged_builder(plan222):  # noqa: F811
    plan, period, _ = plan222
    pdf = build_pdf(gather_report_data(plan, period, options=ReportOptions(report_date=date(2025, 10, 5))))
    assert _text(pdf) == (EXPECTED / "report_text_plan222.txt").read_text(encoding="utf-8")


def test_same_data_same_bytes(scenario):
    """A pure function of the data: an issued version's checksum can be recomputed."""
    data = gather_report_data(scenario.plan, scenario.q3, options=OPTIONS)
    assert build_pdf(data) == build_pdf(data)


def test_html_download_keeps_headings_and_plain_letterhead(scenario):
    html = build_html(gather_report_data(scenario.plan, scenario.q3, options=OPTIONS)).decode()
    assert re.search(r"<h1><span class=\"doc-title\">BÁO CÁO</span> <span class=\"doc-summary\">", html)
    assert '<div class="doc-header">' in html and '<div class="closing">' in html
    assert html.count("<table") == html.count('<table class="data')
