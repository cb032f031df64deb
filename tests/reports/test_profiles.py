"""The report's header comes from the plan's area as it was named on the report date, and from the
profile its administrator keeps; no setting decides it, and issued versions keep what they printed."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tracker.areas.models import AreaName
from tracker.reports.builders import build_html, build_xlsx
from tracker.reports.models import ReportProfile
from tracker.reports.profiles import ProfileError, save_profile
from tracker.reports.services import ReportOptions, gather_report_data, issue_report, save_draft

HUE_BASIS = "Nghị quyết số 175/2024/QH15"


@pytest.fixture
def hue_city(db, provinces):
    """Thừa Thiên Huế becomes thành phố Huế, a centrally-run city, on 01/01/2025."""
    hue, _ = provinces
    hue.area.names.append(AreaName(valid_from=date(2025, 1, 1), name="Thành phố Huế", level="city", basis=HUE_BASIS))
    db.session.flush()
    return provinces


def header(province, day: date, unit=None):
    options = ReportOptions(number="12", report_date=day)
    return gather_report_data(province.plan, province.period, unit=unit, options=options).header


def test_the_header_follows_the_area_name_on_the_report_date(hue_city):
    hue, thanh_hoa = hue_city
    before = header(hue, date(2024, 10, 5))
    assert before.parent_body == "UBND TỈNH THỪA THIÊN HUẾ"
    assert before.place_date_line == "Thừa Thiên Huế, ngày 05 tháng 10 năm 2024"
    assert before.addressee == "Ủy ban nhân dân tỉnh Thừa Thiên Huế"
    assert "Chủ tịch, các Phó Chủ tịch UBND tỉnh;" in before.recipients
    after = header(hue, date(2026, 10, 5))
    assert after.parent_body == "UBND THÀNH PHỐ HUẾ"
    assert after.place_date_line == "Huế, ngày 05 tháng 10 năm 2026"
    assert after.addressee == "Ủy ban nhân dân thành phố Huế"
    assert "Chủ tịch, các Phó Chủ tịch UBND thành phố;" in after.recipients
    assert after.issuing_body == "SỞ KHOA HỌC VÀ CÔNG NGHỆ" and after.number_line == "Số: 12/BC-SKHCN"
    # The other province keeps its own header, whatever the date.
    other = header(thanh_hoa, date(2026, 10, 5))
    assert other.parent_body == "UBND TỈNH THANH HÓA" and other.place_date_line.startswith("Thanh Hóa, ngày")
    assert "HUẾ" not in other.parent_body and "Huế" not in other.addressee


def test_a_unit_report_is_addressed_to_the_areas_issuer(hue_city):
    hue, _ = hue_city
    h = header(hue, date(2026, 1, 10), unit=hue.finance)
    assert h.issuing_body == "SỞ TÀI CHÍNH" and h.addressee == "Sở Khoa học và Công nghệ"
    assert h.parent_body == "UBND THÀNH PHỐ HUẾ"


def test_a_district_plan_is_headed_by_its_province(db, factory, provinces):
    _, thanh_hoa = provinces
    district = factory.area(name="Huyện Triệu Sơn", level="district", parent=thanh_hoa.area)
    plan = factory.plan("Kế hoạch huyện", area=district, issuing_body="UBND huyện Triệu Sơn")
    factory.item(plan, owner=factory.unit("Phòng Nội vụ", area=district))
    h = gather_report_data(plan, thanh_hoa.period, options=ReportOptions(report_date=date(2025, 10, 5))).header
    assert h.parent_body == "UBND TỈNH THANH HÓA" and h.addressee == "Ủy ban nhân dân tỉnh Thanh Hóa"


def test_the_admins_profile_heads_the_reports_from_its_date(db, hue_city):
    hue, thanh_hoa = hue_city
    save_profile(hue.admin, None, area=hue.area, valid_from=date(2025, 1, 1), parent_body="UBND THÀNH PHỐ HUẾ",
                 issuing_body="SỞ KHOA HỌC VÀ CÔNG NGHỆ THÀNH PHỐ HUẾ", issuer_short="SKHCN-H", issuer_name="",
                 place="Thành phố Huế", addressee="", signer_title="GIÁM ĐỐC",
                 recipients="Như trên;\nThường trực Thành ủy;\nLưu: VT, CĐS.")
    h = header(hue, date(2026, 3, 1))
    assert h.issuing_body == "SỞ KHOA HỌC VÀ CÔNG NGHỆ THÀNH PHỐ HUẾ" and h.number_line == "Số: 12/BC-SKHCN-H"
    assert h.place_date_line == "Thành phố Huế, ngày 01 tháng 3 năm 2026"
    assert h.addressee == "Ủy ban nhân dân thành phố Huế"  # left empty: from the name
    assert h.signer_title_lines == ["GIÁM ĐỐC"] and "Thường trực Thành ủy;" in h.recipients
    # Before its date the name of the time decides; the other province is untouched.
    assert header(hue, date(2024, 12, 31)).issuing_body == "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
    assert header(thanh_hoa, date(2026, 3, 1)).number_line == "Số: 12/BC-SKHCN"


def test_a_profile_of_the_old_name_stops_at_the_renaming(db, hue_city):
    hue, _ = hue_city
    save_profile(hue.admin, None, area=hue.area, valid_from=date(2021, 1, 1), parent_body="UBND TỈNH THỪA THIÊN HUẾ",
                 issuing_body="SỞ THÔNG TIN VÀ TRUYỀN THÔNG", issuer_short="STTTT")
    assert header(hue, date(2024, 6, 1)).number_line == "Số: 12/BC-STTTT"
    after = header(hue, date(2025, 6, 1))
    assert after.parent_body == "UBND THÀNH PHỐ HUẾ" and after.number_line == "Số: 12/BC-SKHCN"


def test_only_the_areas_own_admin_writes_its_profile(db, hue_city):
    hue, thanh_hoa = hue_city
    with pytest.raises(ProfileError):
        save_profile(thanh_hoa.admin, None, area=hue.area, valid_from=date(2025, 1, 1))
    with pytest.raises(ProfileError):
        save_profile(hue.coordinator, None, area=hue.area, valid_from=date(2025, 1, 1))
    with pytest.raises(ProfileError, match="SKHCN"):
        save_profile(hue.admin, None, area=hue.area, valid_from=date(2025, 1, 1), issuer_short="BC/SKHCN")
    save_profile(hue.admin, None, area=hue.area, valid_from=date(2025, 1, 1))
    with pytest.raises(ProfileError, match="đã có mẫu"):
        save_profile(hue.admin, None, area=hue.area, valid_from=date(2025, 1, 1))


def test_html_and_xlsx_carry_the_header_and_issued_versions_keep_theirs(db, hue_city):
    hue, _ = hue_city
    data = gather_report_data(hue.plan, hue.period, options=ReportOptions(report_date=date(2026, 10, 5)))
    html = build_html(data).decode("utf-8")
    assert "UBND THÀNH PHỐ HUẾ" in html and "Huế, ngày 05 tháng 10 năm 2026" in html
    from io import BytesIO

    from openpyxl import load_workbook

    cells = [c for ws in load_workbook(BytesIO(build_xlsx(data))).worksheets for row in ws.iter_rows(values_only=True)
             for c in row if isinstance(c, str)]
    assert any("UBND THÀNH PHỐ HUẾ" in c for c in cells)
    save_draft(hue.plan, hue.period, user=hue.coordinator, number="7", report_date=date(2026, 10, 5))
    issued = issue_report(hue.plan, hue.period, user=hue.coordinator)
    save_profile(hue.admin, None, area=hue.area, valid_from=date(2025, 1, 1), parent_body="UBND TP HUẾ (ĐÃ SỬA)")
    db.session.flush()
    # The worker renders the files after the profile changed: from the frozen snapshot, as issued.
    from tracker.queue.services import run_jobs

    assert [outcome for _, outcome in run_jobs()] == ["done"]
    db.session.refresh(issued)
    assert b"UBND TH\xc3\x80NH PH\xe1\xbb\x90 HU\xe1\xba\xbe" in issued.html  # "UBND THÀNH PHỐ HUẾ", as printed
    assert issued.data["header"]["parent_body"] == "UBND THÀNH PHỐ HUẾ"
    again = gather_report_data(hue.plan, hue.period, options=ReportOptions(report_date=date(2026, 10, 5)))
    assert again.header.parent_body == "UBND TP HUẾ (ĐÃ SỬA)"


def test_the_admin_edits_the_profile_in_the_web_app(client, db, hue_city, as_user):
    hue, thanh_hoa = hue_city
    db.session.commit()
    as_user(hue.admin)
    page = client.get("/quan-tri/mau-bao-cao").get_data(as_text=True)
    assert "UBND TỈNH THỪA THIÊN HUẾ" in page and "UBND THÀNH PHỐ HUẾ" in page and "từ 01/01/2025" in page
    form = client.get("/quan-tri/mau-bao-cao/moi").get_data(as_text=True)
    assert 'value="01/01/2025"' in form and 'placeholder="UBND THÀNH PHỐ HUẾ"' in form
    data = {"area_id": str(hue.area.id), "valid_from": "01/01/2025", "parent_body": "UBND THÀNH PHỐ HUẾ",
            "issuing_body": "", "issuer_short": "SKHCN", "issuer_name": "", "place": "Huế", "addressee": "",
            "signer_title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC", "recipients": "Như trên;\nLưu: VT, CĐS."}
    response = client.post("/quan-tri/mau-bao-cao/moi", data=data)
    assert response.status_code == 302
    profile = db.session.scalars(select(ReportProfile)).one()
    assert (profile.tenant_id, profile.valid_from, profile.place) == (hue.area.id, date(2025, 1, 1), "Huế")
    bad = client.post(f"/quan-tri/mau-bao-cao/{profile.id}", data={**data, "valid_from": "31/02/2025"})
    assert bad.status_code == 400 and 'value="Huế"' in bad.get_data(as_text=True)
    # The other province's administrator neither sees nor opens it.
    as_user(thanh_hoa.admin)
    assert client.get(f"/quan-tri/mau-bao-cao/{profile.id}").status_code == 404
    other = client.get("/quan-tri/mau-bao-cao").get_data(as_text=True)
    assert "UBND TỈNH THANH HÓA" in other and "THỪA THIÊN HUẾ" not in other and "THÀNH PHỐ HUẾ" not in other
    assert client.post("/quan-tri/mau-bao-cao/moi", data=data).status_code == 400  # not one of its areas


def test_seeded_plan_222_is_headed_by_thanh_pho_hue_in_2026(seeded, db):
    from tracker.periods.services import ensure_period
    from tracker.plans.models import Plan

    plan = db.session.scalar(select(Plan).where(Plan.number == "222/KH-UBND"))
    q3_2026 = ensure_period(2026, 3, plan.tenant_id)
    h = gather_report_data(plan, q3_2026, options=ReportOptions(report_date=date(2026, 10, 5))).header
    assert h.parent_body == "UBND THÀNH PHỐ HUẾ" and h.addressee == "Ủy ban nhân dân thành phố Huế"
    q3_2024 = ensure_period(2024, 3, plan.tenant_id)
    h = gather_report_data(plan, q3_2024, options=ReportOptions(report_date=date(2024, 10, 5))).header
    assert h.parent_body == "UBND TỈNH THỪA THIÊN HUẾ" and h.place_date_line.startswith("Thừa Thiên Huế, ngày")
