"""The preview's mapping step: a Word plan with an appendix whose kind cannot be inferred and
columns the reader does not know; the coordinator says what they are in the preview, the same
stored file is read again, confirmed, and the mapping is kept for the next import of that plan
(same area and number), never seen by another province."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.plans.docx_builder import TableSpec, small_plan
from tests.plans.test_import_web import token_of, two_areas, upload  # noqa: F401 (fixture)
from tracker.areas.scope import tenant_scope, using
from tracker.plans.import_mapping import saved_mapping
from tracker.plans.models import Plan, PlanImportMapping, PlanItem

NUMBER = "31/KH-UBND"
LIST = TableSpec([["STT", "Nội dung", "Cơ quan được giao"]],
                 [["1", "Rà soát thủ tục hành chính trên môi trường số", "Sở Nội vụ"],
                  ["2", "Số hóa hồ sơ lưu trữ", "Sở Tài chính"]])
DOCUMENTS = TableSpec([["TT", "Nhiệm vụ", "Chủ trì", "Phối hợp", "Loại hình", "Sản phẩm"]],
                      [["1", "Kế hoạch chuyển đổi số năm 2027", "Sở Thông tin và Truyền thông", "Sở Nội vụ", "Kế hoạch",
                        "Kế hoạch được phê duyệt"]])


def hue_plan(path: Path) -> Path:
    return small_plan(path, [("Phụ lục I", "DANH MỤC", [LIST]), ("Phụ lục 2", "HỆ THỐNG CÁC VĂN BẢN", [DOCUMENTS])],
                      issuer=("ỦY BAN NHÂN DÂN", "TỈNH THỪA THIÊN HUẾ"), number=f"Số: {NUMBER}",
                      place_date="Thừa Thiên Huế, ngày 05 tháng 01 năm 2027", title="Chuyển đổi số năm 2027")


@pytest.fixture
def docx_31(tmp_path) -> Path:
    return hue_plan(tmp_path / "31-KH-UBND.docx")


def selects(html: str) -> list[str]:
    return re.findall(r'<select name="(anh-xa\|[^"]+)"', html)


def preview(client, token: str) -> str:
    page = client.get(f"/ke-hoach/nhap/{token}")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_the_coordinator_maps_kind_and_columns_confirms_and_the_mapping_is_kept(client, db, login, two_areas, docx_31):
    hue, _, users = two_areas
    login(users["hue"])
    token = token_of(upload(client, docx_31))
    html = preview(client, token)
    assert "Bảng và cột chưa nhận ra" in html and "Xác nhận nạp" not in html
    assert selects(html) == ["anh-xa|loai|I", "anh-xa|cot|2|6"]
    assert "<strong>Sản phẩm</strong>" in html  # the column as printed
    assert "<td>Tỉnh Thừa Thiên Huế (thua-thien-hue)</td>" in html
    assert '<option value="document">Văn bản, chương trình</option>' in html
    assert '<option value="note">Ghi chú</option>' in html

    response = client.post(f"/ke-hoach/nhap/{token}/anh-xa", data={"anh-xa|loai|I": "document", "anh-xa|cot|2|6": "note"})
    assert response.status_code == 302
    html = preview(client, token)
    assert "Đã ghi 2 lựa chọn ánh xạ" in html
    assert "Phụ lục I: loại Văn bản, chương trình" in html and "Phụ lục 2: cột &#39;Sản phẩm&#39; là Ghi chú" in html
    # Now a document list, the reader asks which field "Cơ quan được giao" is, and where the owner is.
    assert selects(html) == ["anh-xa|cot|I|3", "anh-xa|thieu|I|owner"]
    assert "<strong>Cơ quan được giao</strong>" in html
    # Both rows lack an owner until then: one line of the error list names both places.
    assert html.count("Thiếu đơn vị chủ trì.") == 1 and "<strong>2 chỗ:</strong> Phụ lục I, bảng 3, hàng 2; Phụ lục I" in html

    client.post(f"/ke-hoach/nhap/{token}/anh-xa", data={"anh-xa|cot|I|3": "owner"})
    html = preview(client, token)
    assert selects(html) == [] and "Xác nhận nạp" in html
    assert '<strong data-action="created">3</strong>' in html
    assert db.session.scalar(select(Plan).where(Plan.number == NUMBER)) is None  # the preview wrote nothing

    assert client.post(f"/ke-hoach/nhap/{token}/xac-nhan").status_code == 302
    plan = db.session.scalar(select(Plan).where(Plan.number == NUMBER, Plan.area_id == hue.id))
    items = db.session.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id).order_by(PlanItem.position)).all()
    assert [(i.ref, i.kind, i.code, i.owner_text, [a.unit.name for a in i.assignments if a.role == "owner"], i.note)
            for i in items] == [
        ("I/1", "document", "1", "Sở Nội vụ", ["Sở Nội vụ"], None),
        ("I/2", "document", "2", "Sở Tài chính", ["Sở Tài chính"], None),
        ("2/1", "document", "1", "Sở Thông tin và Truyền thông", ["Sở Thông tin và Truyền thông"], "Kế hoạch được phê duyệt"),
    ]
    kept = db.session.scalar(select(PlanImportMapping).where(PlanImportMapping.area_id == hue.id))
    assert kept.number == NUMBER and kept.tenant_id == hue.id and kept.source_name == "31-KH-UBND.docx"
    assert kept.mapping == {"appendices": {"I": {"kind": "document", "columns": {"Cơ quan được giao": "owner"}},
                                           "2": {"columns": {"Sản phẩm": "note"}}}}

    # The next upload of the same plan reads with the kept mapping at once.
    again = token_of(upload(client, docx_31))
    html = preview(client, again)
    assert "Đã áp dụng ánh xạ đã lưu từ lần nhập trước (tệp 31-KH-UBND.docx" in html
    assert selects(html) == [] and '<strong data-action="unchanged">3</strong>' in html

    # ... with a way to clear it: the file is read as uploaded, the kept mapping is gone.
    assert client.post(f"/ke-hoach/nhap/{again}/anh-xa/bo").status_code == 302
    html = preview(client, again)
    assert "Đã bỏ ánh xạ đã lưu từ lần nhập trước" in html
    assert "Đã áp dụng ánh xạ đã lưu" not in html and selects(html) == ["anh-xa|loai|I", "anh-xa|cot|2|6"]
    assert db.session.scalar(select(PlanImportMapping)) is None


def test_an_invalid_choice_is_refused_in_vietnamese_and_changes_nothing(client, db, login, two_areas, docx_31):
    _, _, users = two_areas
    login(users["hue"])
    token = token_of(upload(client, docx_31))
    response = client.post(f"/ke-hoach/nhap/{token}/anh-xa", data={"anh-xa|cot|2|6": "note", "anh-xa|loai|I": "khong-co"})
    assert response.status_code == 302
    html = preview(client, token)
    assert "&#39;khong-co&#39; không phải lựa chọn hợp lệ cho Phụ lục I (chọn một trong: Chỉ tiêu," in html
    assert "Chưa có gì thay đổi." in html
    assert selects(html) == ["anh-xa|loai|I", "anh-xa|cot|2|6"]  # the valid choice beside it is not kept either
    assert "Ánh xạ đang dùng" not in html
    # A column the file does not have, a field the column may not take.
    client.post(f"/ke-hoach/nhap/{token}/anh-xa", data={"anh-xa|cot|2|9": "note"})
    assert "Lựa chọn ánh xạ không còn áp dụng cho tệp này" in preview(client, token)
    client.post(f"/ke-hoach/nhap/{token}/anh-xa", data={"anh-xa|cot|2|6": "years_text"})
    html = preview(client, token)
    assert "&#39;years_text&#39; không phải lựa chọn hợp lệ cho Phụ lục 2, cột &#39;Sản phẩm&#39;" in html
    assert "Ánh xạ đang dùng" not in html


def test_another_province_sees_neither_the_import_nor_its_mapping(client, db, login, as_user, two_areas, docx_31):
    hue, thanh_hoa, users = two_areas
    as_user(users["hue"])
    token = token_of(upload(client, docx_31))
    client.post(f"/ke-hoach/nhap/{token}/anh-xa", data={"anh-xa|loai|I": "document", "anh-xa|cot|2|6": "note"})
    client.post(f"/ke-hoach/nhap/{token}/anh-xa", data={"anh-xa|cot|I|3": "owner"})
    assert client.post(f"/ke-hoach/nhap/{token}/xac-nhan").status_code == 302
    assert db.session.scalar(select(PlanImportMapping)) is not None

    as_user(users["thanh_hoa"])
    assert client.get(f"/ke-hoach/nhap/{token}").status_code == 404
    assert client.post(f"/ke-hoach/nhap/{token}/anh-xa", data={"anh-xa|loai|I": "target"}).status_code == 404
    assert client.post(f"/ke-hoach/nhap/{token}/anh-xa/bo").status_code == 404
    # Its own upload of the same file is refused (another province's plan) and uses no kept mapping.
    theirs = token_of(upload(client, docx_31))
    html = preview(client, theirs)
    assert "không thuộc Tỉnh Thanh Hóa" in html and "Đã áp dụng ánh xạ đã lưu" not in html
    assert selects(html) == ["anh-xa|loai|I", "anh-xa|cot|2|6"]
    with using(tenant_scope(thanh_hoa.id)):
        assert saved_mapping("thua-thien-hue", NUMBER) is None
    with using(tenant_scope(hue.id)):
        assert saved_mapping("thua-thien-hue", NUMBER) is not None
    assert db.session.scalar(select(PlanImportMapping)).mapping["appendices"]["I"]["kind"] == "document"  # unchanged


def test_a_reporter_may_not_map(client, db, login, as_user, two_areas, docx_31):
    _, _, users = two_areas
    as_user(users["hue"])
    token = token_of(upload(client, docx_31))
    as_user(users["reporter"])
    assert client.post(f"/ke-hoach/nhap/{token}/anh-xa", data={"anh-xa|loai|I": "document"}).status_code == 403
    assert client.post(f"/ke-hoach/nhap/{token}/anh-xa/bo").status_code == 403


def test_clearing_drops_the_choices_of_this_upload(client, db, login, two_areas, docx_31):
    _, _, users = two_areas
    login(users["hue"])
    token = token_of(upload(client, docx_31))
    client.post(f"/ke-hoach/nhap/{token}/anh-xa", data={"anh-xa|loai|I": "document"})
    assert "Phụ lục I: loại Văn bản, chương trình" in preview(client, token)
    assert client.post(f"/ke-hoach/nhap/{token}/anh-xa/bo").status_code == 302
    html = preview(client, token)
    assert "Đã bỏ ánh xạ: tệp được đọc lại như lúc tải lên." in html and "Ánh xạ đang dùng" not in html
    assert selects(html) == ["anh-xa|loai|I", "anh-xa|cot|2|6"]
