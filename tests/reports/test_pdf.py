"""The PDF: Decree 30 layout, embedded fonts, A4 pages, figures and diacritics intact."""
from __future__ import annotations

import io
import re
import subprocess
from datetime import date

import pytest
from pypdf import PdfReader

from tests.reports.conftest import overlapping_words, pdftotext
from tracker.core.formatting import group_thousands
from tracker.reports.builders import build_html, build_pdf, restricted_url_fetcher
from tracker.reports.services import ReportOptions, gather_report_data

OPTIONS = ReportOptions(number="125", report_date=date(2025, 10, 5), signer_name="Nguyễn Thị Hằng",
                        recipients=["Như trên;", "Văn phòng UBND tỉnh;", "Lưu: VT, CĐS."],
                        summary="Tiến độ chung đạt khá; một số dự án hạ tầng chậm do vướng thủ tục đầu tư.",
                        proposals="Đề nghị UBND tỉnh chỉ đạo Sở Y tế gửi báo cáo đúng hạn.")


@pytest.fixture
def report(scenario):
    data = gather_report_data(scenario.plan, scenario.q3, options=OPTIONS)
    return data, build_pdf(data)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_text_has_header_title_recipients_and_figures(report, scenario, tmp_path):
    data, pdf = report
    text = _flat(pdftotext(pdf, tmp_path))
    for expected in [
        "UBND TỈNH THỪA THIÊN HUẾ",
        "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 125/BC-SKHCN",
        "Thừa Thiên Huế, ngày 05 tháng 10 năm 2025",
        "BÁO CÁO",
        "Kính gửi: Ủy ban nhân dân tỉnh Thừa Thiên Huế.",
        "Nơi nhận:",
        "- Văn phòng UBND tỉnh;",
        "- Lưu: VT, CĐS.",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Thị Hằng",
        "Các đơn vị chưa gửi báo cáo (1): Sở Y tế.",
        "Tiến độ chung đạt khá; một số dự án hạ tầng chậm do vướng thủ tục đầu tư.",
        "“Vướng mắc thủ tục đấu thầu thiết bị IoT”",
    ]:
        assert expected in text, expected
    e = scenario.expected
    p = e["projects"]
    assert (f"hoàn thành đúng hạn {p['done_on_time']}; hoàn thành trễ hạn {p['done_late']}; "
            f"đang triển khai {p['in_progress']}") in text
    for amount in (e["planned_total"], e["committed"], e["disbursed"], e["planned_state"]):
        assert group_thousands(amount) in text, amount
    assert "tổng điểm tối đa có nguy cơ không đạt: 35 điểm" in text
    assert "tổng hợp từ 11 báo cáo cập nhật của 3 đơn vị (trong đó 1 báo cáo đã gửi, đang chờ thẩm định)" in text
    assert "DỰ THẢO" in text  # a draft says so


def test_fonts_are_embedded_and_bundled(report, tmp_path):
    _, pdf = report
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert rows
    for row in rows:
        assert "+Report-Serif" in row[0], row  # the bundled @font-face family, never a system font
        emb = row[-5]  # columns: name type [encoding...] emb sub uni object-id
        assert emb == "yes", row


def test_pages_are_a4_with_landscape_annexes(report, tmp_path):
    _, pdf = report
    reader = PdfReader(io.BytesIO(pdf))
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages]
    assert sizes[0] == (595, 842)
    assert (842, 595) in sizes
    first_annex = sizes.index((842, 595))
    assert all(s == (595, 842) for s in sizes[:first_annex])
    assert all(s == (842, 595) for s in sizes[first_annex:])
    # page numbers: none on page 1, centred at the top from page 2
    assert not pdftotext(pdf, tmp_path, 1, 1).strip().startswith("1")
    assert pdftotext(pdf, tmp_path, 2, 2).strip().splitlines()[0].strip() == "2"
    # The charts page opens the landscape pages, then the annexes.
    charts_text = _flat(pdftotext(pdf, tmp_path, first_annex + 1, first_annex + 1))
    assert charts_text.startswith(f"{first_annex + 1} Biểu đồ TÌNH HÌNH THỰC HIỆN KẾ HOẠCH QUÝ III NĂM 2025")
    annex_page = next(n for n in range(first_annex + 1, len(sizes) + 1)
                      if "Phụ lục I " in _flat(pdftotext(pdf, tmp_path, n, n)))
    annex_text = _flat(pdftotext(pdf, tmp_path, annex_page, annex_page))
    assert "Phụ lục I" in annex_text and "(Kèm theo Báo cáo số 125/BC-SKHCN ngày 05/10/2025" in annex_text


def test_renders_to_png_for_review(report, artifacts_dir, tmp_path):
    _, pdf = report
    path = artifacts_dir / "report.pdf"
    path.write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    annex_page = next(i for i, p in enumerate(reader.pages, start=1) if float(p.mediabox.width) > 800)
    for page, name in [(1, "report_page1"), (annex_page, "report_annex")]:
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(page), "-l", str(page), "-singlefile", str(path),
                        str(artifacts_dir / name)], check=True)
        png = (artifacts_dir / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        # A4 at 70 dpi is about 579 × 819: the first page portrait, the annex landscape.
        portrait = name == "report_page1"
        assert sorted((width, height)) == [pytest.approx(579, abs=3), pytest.approx(819, abs=3)]
        assert (height > width) is portrait


def test_report_with_no_submission_at_all_still_builds(factory, tmp_path):
    area = factory.area(name="Tỉnh Thừa Thiên Huế")
    plan = factory.plan(area=area)
    unit = factory.unit("Sở Tài chính", area=area)
    factory.item(plan, "project", owner=unit, text="Dự án chưa ai báo cáo")
    period = factory.period(2025, 3)
    pdf = build_pdf(gather_report_data(plan, period))
    text = _flat(pdftotext(pdf, tmp_path))
    assert "Các đơn vị chưa gửi báo cáo (1): Sở Tài chính." in text


def test_url_fetcher_refuses_everything_but_the_bundled_files():
    from tracker.reports.builders import FONTS_DIR

    ok = restricted_url_fetcher((FONTS_DIR / "LiberationSerif-Regular.ttf").as_uri())
    assert ok["string"][:4] == b"\x00\x01\x00\x00"
    for url in ["http://example.com/x.css", "https://example.com/font.ttf", "file:///etc/passwd",
                (FONTS_DIR / ".." / "services.py").as_uri(), "data:text/css,body{}"]:
        with pytest.raises(ValueError):
            restricted_url_fetcher(url)


def test_a_section_heading_travels_with_its_first_item(scenario):
    """WeasyPrint ignores break-after: avoid on a row followed by an unsplittable one, so each run of
    section headings shares a row group kept whole with the item under it: no heading ends a page."""
    html = build_html(gather_report_data(scenario.plan, scenario.q3, options=OPTIONS)).decode()
    annexes = html[html.index('class="annex"'):]
    groups = [g.split("</tbody>")[0] for g in annexes.split("<tbody")[1:]]
    kept = [g for g in groups if g.startswith(' class="keep"')]
    assert kept and all('class="section"' not in g for g in groups if g not in kept)
    for group in kept:
        rows = re.findall(r"<tr( class=\"section\")?>", group)
        assert rows[0] and rows[-1] == "" and rows.count("") == 1, group


def test_a_long_agency_name_wraps_in_the_header(factory, tmp_path):
    """An agency's own report: its name wraps in the left column instead of running over the motto."""
    area = factory.area(name="Tỉnh Thừa Thiên Huế")
    plan = factory.plan(area=area)
    unit = factory.unit("Ngân hàng Nhà nước Chi nhánh tỉnh Thừa Thiên Huế", area=area)
    factory.item(plan, "project", owner=unit, text="Phát triển hạ tầng số phục vụ thanh toán không dùng tiền mặt")
    pdf = build_pdf(gather_report_data(plan, factory.period(2025, 3), unit=unit))
    assert not overlapping_words(pdf, tmp_path)
    text = _flat(pdftotext(pdf, tmp_path, 1, 1))
    assert "Độc lập - Tự do - Hạnh phúc" in text and "CHI NHÁNH" in text
