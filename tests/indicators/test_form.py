"""The filled national form (seed 003's layout) as XLSX and PDF, from the calculator's result."""
from __future__ import annotations

import io
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tracker.indicators.form import build_form_pdf, build_form_xlsx, form_data
from tracker.indicators.scoring import score

VALUES = {
    "1.1": {"answer": "có", "evidence": "Quyết định 12/QĐ-UBND ngày 05/01/2024"},
    "1.2": {"a": 5, "b": 5},
    "3.1": {"a": 45, "b": 60},
    "3.5": {"trien_khai": "chua_dat_tieu_chuan", "a": 3, "b": 5},
    "3.6": {"a": 5},
    "5.4": {"a": 2, "b": 0, "points": 10, "reason": "=Không có HTTT cấp độ 3"},
    "6.5": {"a": "2.500.000", "b": 750000, "c": "750.000,0"},
    "7.2": {"a": 1200, "b": "3.300,5", "note": "@Số liệu Cục Thuế"},
}


def build(spec, area_name: str, **extra):
    result, problems = score(spec, VALUES)
    assert problems == []
    data = form_data(spec, result, VALUES, area_name=area_name, generated_on=date(2026, 1, 15),
                     general={"1": area_name, "4": Decimal("1250.5"), "2#2/Email": "skhcn@example.gov.vn"}, **extra)
    return result, data


def rows_of(workbook, sheet: str) -> list[tuple]:
    return list(workbook[sheet].iter_rows(values_only=True))


def test_xlsx_reads_back_with_the_same_values_and_points(dti2024):
    result, data = build(dti2024, "Tỉnh Khánh Hòa")
    workbook = load_workbook(io.BytesIO(build_form_xlsx(data)))
    assert workbook.sheetnames == ["Phiếu tự đánh giá", "Kết quả tính điểm"]
    rows = rows_of(workbook, "Phiếu tự đánh giá")
    assert rows[0][0] == "PHIẾU TỰ ĐÁNH GIÁ DTI CẤP TỈNH 2024" and rows[1][0] == "Đơn vị: Tỉnh Khánh Hòa"
    header = rows.index(("STT", "Chỉ số/Chỉ số thành phần", "Cách xác định và tính điểm", "Điểm tối đa",
                         "Điểm tự đánh giá", "Số liệu", "Tài liệu kiểm chứng",
                         "Đầu mối cung cấp số liệu, tài liệu kiểm chứng", "Ghi chú"))
    general = {r[0]: r for r in rows[:header] if r[0]}
    assert general["1"][2] == "Tỉnh Khánh Hòa"
    assert general["4"][1] == "Số lượng dân số (nghìn người)" and general["4"][2] == 1250.5
    assert any(r[1] and "Email" in r[1] and r[2] == "skhcn@example.gov.vn" for r in rows[:header])
    table = rows[header + 1:]
    by_code = {r[0]: (i, r) for i, r in enumerate(table) if r[0]}
    for score_ in result.all():
        _, row = by_code[score_.code]
        points = None if score_.points is None else float(score_.points)
        assert (row[3], row[4]) == (float(score_.max_points), points), score_.code
        assert row[5] == score_.explanation
    index, row = by_code["3.1"]
    assert row[2].startswith("a=Số lượng thôn, bản được phủ sóng di động băng rộng;")  # as printed
    assert table[index + 1][1].startswith("a = Số lượng thôn") and table[index + 1][5] == 45
    assert table[index + 2][1].startswith("b = Tổng số thôn") and table[index + 2][5] == 60
    index, _ = by_code["6.5"]
    assert [table[index + k][5] for k in (1, 2, 3)] == [2500000, 750000, 750000]
    index, _ = by_code["7.2"]
    assert table[index + 2][5] == 3300.5
    index, _ = by_code["3.6"]
    assert table[index + 2][5] == 7 and table[index + 2][8] == "Cố định theo tài liệu"
    index, row = by_code["3.5"]
    assert table[index + 3][5] == "Đã triển khai nhưng chưa đạt tiêu chuẩn"
    assert "Đã nộp: Quyết định 12/QĐ-UBND ngày 05/01/2024" in by_code["1.1"][1][6]
    assert table[-1][1] == "Tổng điểm" and table[-1][4] == float(result.total)
    results = rows_of(workbook, "Kết quả tính điểm")
    assert results[0] == ("Mã", "Chỉ số", "Điểm tối đa", "Điểm", "Trạng thái", "Cách tính")
    five_four = next(r for r in results if r[0] == "5.4")
    assert five_four[3] == 10 and five_four[4] == "Chấm theo đánh giá"


def test_text_that_looks_like_a_formula_stays_text(dti2024):
    _, data = build(dti2024, "Tỉnh Khánh Hòa")
    sheet = load_workbook(io.BytesIO(build_form_xlsx(data)))["Phiếu tự đánh giá"]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)
             and (c.value.startswith("=") or c.value.startswith("@") or c.value.startswith("- "))]
    assert cells and all(c.data_type == "s" for c in cells)
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    notes = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "Cục Thuế" in c.value]
    assert notes == ["@Số liệu Cục Thuế"]


def test_each_province_gets_its_own_name_and_providers(dti2024):
    _, hue = build(dti2024, "Thành phố Huế", providers={"4.5/a": ["UBND các xã, phường"]})
    _, khanh_hoa = build(dti2024, "Tỉnh Khánh Hòa")
    hue_rows = rows_of(load_workbook(io.BytesIO(build_form_xlsx(hue))), "Phiếu tự đánh giá")
    khanh_hoa_rows = rows_of(load_workbook(io.BytesIO(build_form_xlsx(khanh_hoa))), "Phiếu tự đánh giá")
    flat_hue = " ".join(str(v) for r in hue_rows for v in r if v is not None)
    flat_kh = " ".join(str(v) for r in khanh_hoa_rows for v in r if v is not None)
    assert "Thành phố Huế" in flat_hue and "Khánh Hòa" not in flat_hue
    assert "Tỉnh Khánh Hòa" in flat_kh and "Huế" not in flat_kh
    # the figures Đồng Nai printed in its own form never reach another province's
    assert "Nguyễn Văn Trị" not in flat_hue and "dongnai.gov.vn" not in flat_hue
    assert "UBND các xã, phường" in flat_hue and "UBND các xã, phường" not in flat_kh


@pytest.fixture(scope="module")
def pdf(dti2024):
    _, data = build(dti2024, "Tỉnh Khánh Hòa")
    return build_form_pdf(data)


def test_pdf_has_the_forms_headings_with_their_diacritics(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    text = " ".join(pages)
    for heading in ("PHIẾU TỰ ĐÁNH GIÁ DTI CẤP TỈNH 2024", "Đơn vị: Tỉnh Khánh Hòa", "I. Thông tin chung",
                    "II. Chỉ số đánh giá", "Cách xác định và tính điểm", "Điểm tối đa", "Điểm tự đánh giá",
                    "Số liệu", "Tài liệu kiểm chứng", "Đầu mối cung cấp số liệu, tài liệu kiểm chứng",
                    "Người đứng đầu Tỉnh, thành phố", "a/b = 45/60 = 75 % → 0,75 × 30 = 22,5 điểm",
                    "Tổng điểm"):
        assert heading in text, heading
    assert {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages} == {(842, 595)}
    # the table header repeats on every page of the indicator table
    first = next(i for i, t in enumerate(pages) if "II. Chỉ số đánh giá" in t)
    assert all("Cách xác định và tính điểm" in t for t in pages[first:])
    assert pages[-1].endswith(f"Trang {len(pages)}/{len(pages)}") or f"Trang {len(pages)}/{len(pages)}" in pages[-1]


def test_pdf_embeds_the_reports_fonts_and_renders_for_review(pdf, artifacts_dir):
    path = artifacts_dir / "dti_form.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("+Report-Serif" in row[0] for row in rows)
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "2", "-l", "2", "-singlefile", str(path),
                    str(artifacts_dir / "dti_form_page2")], check=True)
    assert (artifacts_dir / "dti_form_page2.png").stat().st_size > 10_000


def test_a_framework_whose_general_information_is_a_list_of_names(dti2022):
    values = {"1.1": {"points": 15, "reason": "Giám đốc Sở là Tổ trưởng Tổ chuyển đổi số"}}
    result, problems = score(dti2022, values)
    assert problems == []
    data = form_data(dti2022, result, values, area_name="Sở Tài chính tỉnh Khánh Hòa", general={"1": "Sở Tài chính"})
    rows = rows_of(load_workbook(io.BytesIO(build_form_xlsx(data))), "Phiếu tự đánh giá")
    assert ("1", "Tên Sở, ban, ngành", "Sở Tài chính", None) == rows[rows.index(
        ("STT", "Thông tin", "Số liệu", "Đầu mối cung cấp số liệu", None, None, None, None, None)) + 1][:4]
    one_one = next(r for r in rows if r[0] == "1.1")
    assert one_one[4] == 15 and "Lý do: Giám đốc Sở là Tổ trưởng" in one_one[5]
    group = next(r for r in rows if r[0] == "I" and r[1] == "Nhóm chỉ số nền tảng chung")
    assert group[3] is None and group[4] == 15  # the document prints no maximum for the group
