"""The Excel workbook: same tables and numbers as the PDF, typed cells, no formula from user text."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tracker.reports.builders import build_xlsx
from tracker.reports.services import gather_report_data


@pytest.fixture
def workbook(scenario):
    data = gather_report_data(scenario.plan, scenario.q3)
    return data, load_workbook(io.BytesIO(build_xlsx(data)))


def _rows(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_one_sheet_per_section_with_vietnamese_headers(workbook):
    _, wb = workbook
    assert wb.sheetnames == ["Thông tin chung", "Tình hình chung", "Chỉ tiêu", "Dự án", "Văn bản",
                             "Kinh phí theo nguồn", "Kinh phí theo đơn vị", "Tình hình báo cáo", "Chỉ số DTI",
                             "Khó khăn, kiến nghị", "Đánh giá, đề xuất", "Danh mục"]
    assert wb["Tình hình báo cáo"]["B1"].value == "Đơn vị"


def test_money_is_integer_dong_with_thousands_format(workbook, scenario):
    data, wb = workbook
    ws = wb["Kinh phí theo nguồn"]
    total = next(row for row in ws.iter_rows() if row[0].value == "Tổng cộng")
    planned, committed, disbursed = total[1], total[2], total[3]
    e = scenario.expected
    assert (planned.value, committed.value, disbursed.value) == (e["planned_total"], e["committed"], e["disbursed"])
    assert all(isinstance(c.value, int) and c.number_format == "#,##0" for c in (planned, committed, disbursed))


def test_same_numbers_as_the_report_data(workbook, scenario):
    data, wb = workbook
    overview = _rows(wb["Tình hình chung"])[1:]
    assert [(r[0], r[2], r[3], r[8]) for r in overview] == [(s.number, s.total, s.done, s.overdue) for s in data.overview]
    agencies = {r[1]: r for r in _rows(wb["Tình hình báo cáo"])[1:] if isinstance(r[0], int)}
    for a in data.agencies:
        assert agencies[a.name][2:6] == [a.obligations, a.on_time, a.late, a.missing]
    assert any(r[0] == "Đơn vị chưa gửi báo cáo" and r[1] == "Sở Y tế" for r in _rows(wb["Tình hình báo cáo"]))
    items = _rows(wb["Danh mục"])[1:]
    assert len(items) == len(scenario.items)
    p6 = next(r for r in items if r[1] == scenario.items["p6"].ref)
    assert p6[10] == 80 and isinstance(p6[10], int)
    # columns add up: planned on budget lines, spending on projects
    assert sum(r[16] for r in items if isinstance(r[16], int)) == scenario.expected["planned_total"]
    assert sum(r[19] for r in items if isinstance(r[19], int)) == scenario.expected["disbursed"]
    b6 = next(r for r in items if r[1] == scenario.items["b6"].ref)
    assert b6[17] == scenario.items["p6"].ref and b6[15] == 1_500_000_000
    points = next(r for r in _rows(wb["Chỉ số DTI"]) if r[0] == "Tổng điểm có nguy cơ không đạt")
    assert points[3] == 35


def test_formula_looking_text_stays_text(workbook):
    _, wb = workbook
    cells = [c for row in wb["Khó khăn, kiến nghị"].iter_rows() for c in row
             if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    values = {c.value for c in cells}
    assert '=HYPERLINK("http://x")' in values
    assert "+ Đề nghị UBND tỉnh bổ sung vốn đầu tư công" in values
    for cell in cells:
        assert cell.data_type == "s", cell.value
        assert cell.quotePrefix, cell.value
    # and nowhere in the workbook is there a formula
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
