"""A long report's PDF rendered in parts (body, charts page, each annex) and joined
(tracker/reports/pdfparts.py) reads like a single render: same text page by page, same page
count, page numbers and page sizes, same headings and outline, still a tagged PDF/A-3a with its
figures attached."""
from __future__ import annotations

import io
import json
import multiprocessing
import subprocess
from datetime import datetime, timezone
from concurrent.futures import ProcessPoolExecutor

import pytest
from pypdf import PdfReader

from tests.reports.test_pdf import OPTIONS
from tracker.reports import pdfparts
from tracker.reports.builders import build_pdf, render_document
from tracker.reports.services import gather_report_data

GATHERED = datetime(2025, 10, 5, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def data(scenario):
    # gathered at a fixed moment, so that every test has the same data (and the renders below)
    return gather_report_data(scenario.plan, scenario.q3, options=OPTIONS, now=GATHERED)


_RENDERS: dict[str, tuple[bytes, bytes]] = {}


@pytest.fixture
def renders(data):
    """The single and the joined render (pure functions of the data: made once for this module)."""
    key = json.dumps(data.to_json(), sort_keys=True, default=str)
    if key not in _RENDERS:
        _RENDERS[key] = build_pdf(data, parallel=False), build_pdf(data, parallel=True)
    return _RENDERS[key]


@pytest.fixture(autouse=True)
def no_pool():
    yield
    pdfparts.configure(0)


def _pages(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _outline(pdf: bytes) -> list:
    reader = PdfReader(io.BytesIO(pdf))

    def walk(items):
        return [walk(item) if isinstance(item, list) else (item.title, reader.get_destination_page_number(item))
                for item in items]

    return walk(reader.outline)


def _struct_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfinfo", "-struct-text", str(path)], check=True, capture_output=True, text=True).stdout


def test_the_report_splits_before_each_annex(data):
    parts = pdfparts.split_parts(render_document(data, pdf=True))
    # the body, the charts page, then one part per annex
    assert len(parts) == 2 + len(data.annexes) >= 4
    assert all(part.startswith("<!doctype html>") and part.rstrip().endswith("</html>") for part in parts)
    assert all(part.count('<section class="annex') == 1 for part in parts[1:])


def test_same_text_pages_and_page_numbers_as_a_single_render(renders):
    single, joined = renders
    single_pages, joined_pages = _pages(single), _pages(joined)
    assert abs(len(single_pages) - len(joined_pages)) <= 1
    assert len(joined_pages) == len(single_pages) > 5
    assert joined_pages == single_pages
    # numbered from the second page on, the number last on the page (drawn after the content)
    assert not single_pages[0].endswith(" 1")
    for number, text in enumerate(joined_pages[1:], start=2):
        assert text.endswith(f" {number}"), (number, text[-40:])
    sizes = [[round(float(v)) for v in page.mediabox] for page in PdfReader(io.BytesIO(joined)).pages]
    assert sizes == [[round(float(v)) for v in page.mediabox] for page in PdfReader(io.BytesIO(single)).pages]
    assert [0, 0, 842, 595] in sizes and [0, 0, 595, 842] in sizes  # landscape annexes, portrait body


def test_same_headings_tables_and_outline(renders, tmp_path):
    single, joined = renders
    assert _outline(joined) == _outline(single)
    tags = lambda text: [line.strip().split(" ")[0] for line in text.splitlines()]  # noqa: E731
    assert tags(_struct_text(joined, tmp_path)) == tags(_struct_text(single, tmp_path))
    texts = lambda text: [line.strip() for line in text.splitlines() if line.strip().startswith('"')]  # noqa: E731
    assert texts(_struct_text(joined, tmp_path)) == texts(_struct_text(single, tmp_path))


def test_still_pdf_a_3a_with_the_figures_attached(data, renders):
    _, joined = renders
    reader = PdfReader(io.BytesIO(joined))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"]) and root["/Lang"] == "vi"
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    (name,) = reader.attachments
    assert json.loads(reader.attachments[name][0]) == data.to_json()
    (associated,) = root["/AF"]
    assert associated.get_object()["/AFRelationship"] == "/Data"
    # one structure tree: each page's marked content mapped under its own key, next key after them
    tree = root["/StructTreeRoot"]
    keys = [page["/StructParents"] for page in reader.pages]
    assert keys == list(range(len(reader.pages)))
    nums = tree["/ParentTree"]["/Nums"]
    assert nums[0::2] == keys and tree["/ParentTreeNextKey"] == len(keys)
    (document,) = tree["/K"]
    for kid in document.get_object()["/K"]:
        assert kid.get_object()["/P"].get_object() == document.get_object()
    # the page numbers are pagination artifacts, outside the tree
    contents = reader.pages[1].get_contents().get_data()
    assert b"/Artifact <</Type /Pagination /Subtype /Header>> BDC" in contents


def test_table_header_ids_stay_unique_across_parts(renders):
    _, joined = renders
    reader = PdfReader(io.BytesIO(joined))
    header_ids, cells = [], []

    def walk(element):
        element = element.get_object()
        if element.get("/S") == "/TH":
            header_ids.append(element["/ID"])
        elif element.get("/S") == "/TD":
            cells.append(element)
        kids = element.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict) and "/S" in kid.get_object():
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert len(header_ids) == len(set(header_ids)) > 10
    assert all(set(cell["/A"]["/Headers"]) <= set(header_ids) for cell in cells)


def test_pool_processes_give_the_same_bytes(data, renders):
    """Through real processes (forkserver, as the job runner does): the parts pickle, and the
    join does not depend on where or in which order they were rendered."""
    html = render_document(data, pdf=True)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")) as pool:
        pooled = build_pdf(data, parallel=True, executor=pool)
    assert pooled == renders[1]
    assert len(pdfparts.split_parts(html)) > 2


def test_a_short_report_renders_in_one_piece_even_with_a_pool(data, renders, monkeypatch):
    pdfparts.configure(2)
    started = []
    monkeypatch.setattr(pdfparts, "ProcessPoolExecutor", lambda *a, **k: started.append(a) or None)
    assert len(data.items) < 100
    assert build_pdf(data) == renders[0]
    assert started == []


def test_without_a_pool_a_long_report_renders_in_one_piece(data, renders, monkeypatch):
    pdfparts.configure(0)
    assert pdfparts.executor() is None
    monkeypatch.setattr("tracker.reports.builders.PARALLEL_MIN_ITEMS", 1)
    assert build_pdf(data) == renders[0]
