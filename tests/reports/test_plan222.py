"""The report on the real plan 222/KH-UBND of Thừa Thiên Huế, loaded from seed_plans/."""
from __future__ import annotations

import io
import re
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from tests.reports.conftest import overlapping_words, pdf_words, pdftotext
from tracker.plans.models import Plan, PlanItem
from tracker.reports.builders import build_pdf, build_xlsx
from tracker.reports.services import ReportOptions, gather_report_data
from tracker.units.models import Unit


@pytest.fixture
def plan222(seeded, db, factory, updates):
    plan = db.session.scalar(select(Plan).where(Plan.number == "222/KH-UBND"))
    period = factory.period(2025, 3, tenant=plan.area)
    items = {i.ref: i for i in db.session.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id))}
    khcn = db.session.scalar(select(Unit).where(Unit.name == "Sở Khoa học và Công nghệ", Unit.area_id == plan.area_id))
    # Target 1/I/2 (owned by the former Sở TT&TT, now Sở KH&CN) and project 3/A/I/1 report this quarter.
    updates.add(items["1/I/2"], period, khcn, "in_progress", 90, achieved=96.5,
                difficulties="Một số thủ tục chưa đủ điều kiện cung cấp trực tuyến toàn trình.")
    updates.add(items["3/A/I/1"], period, khcn, "done", 100, committed=24_000_000_000,
                disbursed=23_500_000_000, done_text="Đã tổ chức 12 lớp đào tạo cho 1.450 cán bộ.")
    return plan, period, items


def test_plan_222_report_has_every_appendix_and_the_documented_totals(plan222, tmp_path, artifacts_dir):
    plan, period, items = plan222
    data = gather_report_data(plan, period, options=ReportOptions(report_date=date(2025, 10, 5)))
    assert {s.number: s.total for s in data.overview} == {"1": 14, "2": 28, "3": 56}
    b = data.budget
    assert (b.by_source[0].planned, b.by_source[1].planned, b.total.planned) == (
        554_500_000_000, 2_177_500_000_000, 2_732_000_000_000)
    assert b.total.planned == b.declared_total
    assert (b.total.committed, b.total.disbursed) == (24_000_000_000, 23_500_000_000)
    target = next(t for t in data.targets if t.ref == "1/I/2")
    assert target.owner == "Sở Thông tin và Truyền thông (nay: Sở KH&CN)" and str(target.achieved_value) == "96.5"
    assert "Sở Khoa học và Công nghệ" not in data.not_reported and len(data.not_reported) > 5

    pdf = build_pdf(data)
    (artifacts_dir / "plan222.pdf").write_bytes(pdf)
    text = re.sub(r"\s+", " ", pdftotext(pdf, tmp_path))
    for expected in ["Kế hoạch số 222/KH-UBND ngày 21/10/2020 của UBND tỉnh Thừa Thiên Huế",
                     "554.500.000.000", "2.177.500.000.000", "2.732.000.000.000", "96,5 %",
                     "“Một số thủ tục chưa đủ điều kiện cung cấp trực tuyến toàn trình.”",
                     "Đã tổ chức 12 lớp đào tạo cho 1.450", "giải ngân 23.500.000.000",
                     "Các đơn vị chưa gửi báo cáo"]:
        assert expected in text, expected
    reader = PdfReader(io.BytesIO(pdf))
    landscape = [i for i, p in enumerate(reader.pages, start=1) if float(p.mediabox.width) > 800]
    assert landscape and landscape == list(range(landscape[0], len(reader.pages) + 1))
    # every annex page, continuation pages included, starts its table with the repeated header row
    texts = {page: pdftotext(pdf, tmp_path, page, page) for page in landscape}
    # The charts pages come first, then the annexes.
    first_annex = next(page for page in landscape if "TÌNH HÌNH THỰC HIỆN PHỤ LỤC" in texts[page])
    charts = [page for page in landscape if page < first_annex]
    assert charts and "Số liệu của biểu đồ" in texts[charts[0]]
    for page in landscape[len(charts):]:
        page_text = texts[page]
        assert "STT" in page_text and "Chủ trì" in page_text and "Trạng thái" in page_text, page
    path = artifacts_dir / "plan222.pdf"
    path.write_bytes(pdf)
    for page, name in [(1, "plan222_page1"), (charts[0], "plan222_charts"), (landscape[len(charts)], "plan222_annex")]:
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(page), "-l", str(page), "-singlefile", str(path),
                        str(artifacts_dir / name)], check=True)

    workbook = load_workbook(io.BytesIO(build_xlsx(data)))
    rows = {r[0].value: r for r in workbook["Kinh phí theo nguồn"].iter_rows()}
    assert rows["Tổng cộng"][1].value == 2_732_000_000_000
    assert len(list(workbook["Danh mục"].iter_rows())) == 1 + 14 + 28 + 56 + 56



def test_plan_222_amounts_fit_their_cells(plan222, tmp_path):
    """2.732.000.000.000 đ and the amounts beside it never run into the next cell (no overlapping text)."""
    plan, period, items = plan222
    pdf = build_pdf(gather_report_data(plan, period, options=ReportOptions(report_date=date(2025, 10, 5))))
    amounts = [w[4] for words in pdf_words(pdf, tmp_path) for w in words if re.fullmatch(r"[\d.]{9,}", w[4])]
    assert "2.732.000.000.000" in amounts
    assert all(re.fullmatch(r"\d{1,3}(\.\d{3})+", a) for a in amounts), [a for a in amounts if "." in a]
    assert not overlapping_words(pdf, tmp_path)
