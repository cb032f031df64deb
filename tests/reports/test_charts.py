"""The consolidated report's charts page: the dashboard's chart code (pygal SVG) in the PDF and in the
report page's preview alike, each chart's numbers equal to its table and to the report's figures."""
from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter

import pytest

from tests.dashboard.test_charts import _figures, _table_values
from tests.reports.conftest import pdftotext
from tests.reports.test_pdf import OPTIONS
from tracker.charts.svg import svg_values
from tracker.reports.builders import build_pdf, render_document
from tracker.reports.charts import report_charts
from tracker.reports.services import gather_report_data


@pytest.fixture
def data(scenario):
    return gather_report_data(scenario.plan, scenario.q3, options=OPTIONS)


def test_the_charts_numbers_equal_their_tables_and_the_report(data):
    html = render_document(data, pdf=True)
    figures = _figures(html)
    assert list(figures) == ["bc-tien-do", "bc-kinh-phi-nguon", "bc-kinh-phi-don-vi", "bc-dti", "bc-bao-cao-don-vi"]
    for key, (svg, table) in figures.items():
        assert "<script" not in svg, key
        values = _table_values(table)
        if key == "bc-bao-cao-don-vi":  # stacked: a zero has no segment to label, the table shows it
            values = [v for v in values if v != "0"]
        assert Counter(svg_values(svg)) == Counter(values), key
    # The agencies' chart is section III's table, drawn.
    _svg, table = figures["bc-bao-cao-don-vi"]
    drawn = [_table_values(row) for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", table, re.S)]
    assert sum(int(v) for row in drawn for v in row) == sum(a.obligations for a in data.agencies)
    # The DTI chart adds up to the points at risk of section II.5.
    _svg, table = figures["bc-dti"]
    assert sum(int(v) for v in _table_values(table)) == data.points_at_risk
    # The preview on the report page shows the same SVG as the PDF.
    assert _figures(render_document(data, pdf=False)) == figures


def test_a_unit_report_has_no_charts_page(scenario):
    data = gather_report_data(scenario.plan, scenario.q3, unit=scenario.units["khcn"], options=OPTIONS)
    assert report_charts(data) == []
    assert "<figure" not in render_document(data, pdf=True)


def test_the_pdf_charts_page_prints_and_is_saved_as_an_artefact(data, tmp_path, artifacts_dir):
    pdf = build_pdf(data)
    text = pdftotext(pdf, tmp_path)
    pages = text.split("\f")
    number = next(i for i, page in enumerate(pages, 1) if "Tiến độ bình quân theo phụ lục qua các quý" in page)
    assert "Số liệu của biểu đồ" in pages[number - 1]
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) chưa được cài")
    target = artifacts_dir / "bao-cao-trang-bieu-do"
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", str(number), "-l", str(number),
                    str(tmp_path / "report.pdf"), str(target)], check=True, capture_output=True)
    assert (artifacts_dir / "bao-cao-trang-bieu-do.png").stat().st_size > 10_000
