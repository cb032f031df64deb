"""Nhập kế hoạch attacked from another province and from other roles, on the server
(tests/provinces.py: Thừa Thiên Huế and Thanh Hóa, the same unit names, plan 222/KH-UBND each).

A Thanh Hóa coordinator or admin may not read, map, clear, confirm or download a Huế upload, nor
touch Huế's units or kept mapping through its own uploads or forged form values; the national
viewer and reporters post nothing; a refused or failed step leaves the database as it was.
"""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import func, select

from tests.updates.world import make_user
from tracker.plans import imports
from tracker.plans.models import Plan, PlanImportMapping, PlanItem
from tracker.units.models import Area, Unit, UnitAlias

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def plan_yaml(area_code: str, number: str = "77/KH-UBND", owner: str = "Sở Tài chính", text: str = "Nền tảng dữ liệu") -> bytes:
    quoted = '"' + text.replace('"', '\\"') + '"'
    return (f"kind: plan\nnumber: {number}\ndate: 2026-01-05\nissuing_body: UBND tỉnh\narea: {area_code}\n"
            "title: Chuyển đổi số 2026\nappendices:\n- number: '1'\n  kind: project\n  title: Dự án\n  items:\n"
            f"  - code: '1'\n    text: {quoted}\n    owner: {owner}\n    years_text: 2026 - 2027\n").encode()


def post_file(client, data: bytes, name: str):
    return client.post("/ke-hoach/nhap", data={"tep": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def token_of(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return re.search(r"/ke-hoach/nhap/([A-Za-z0-9_-]+)$", response.headers["Location"]).group(1)


def page(client, token: str) -> str:
    response = client.get(f"/ke-hoach/nhap/{token}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def counts(db) -> dict[str, int]:
    """What an import may write: areas, units, aliases, plans, items, kept mappings."""
    models = {"areas": Area, "units": Unit, "aliases": UnitAlias, "plans": Plan, "items": PlanItem,
              "mappings": PlanImportMapping}
    return {name: db.session.scalar(select(func.count()).select_from(m)) for name, m in models.items()}


@pytest.fixture
def two(provinces, factory, db):
    """The two provinces, a unit only Huế has, a national viewer, and a Huế upload of its own plan
    naming a unit Huế does not have yet."""
    hue, thanh = provinces
    hue_only = factory.unit("Ban Quản lý Khu kinh tế Chân Mây", area=hue.area)
    national = make_user(factory, "national_viewer", None, "quocgia@test.vn", "Theo dõi quốc gia")
    db.session.commit()
    upload = imports.store_upload(hue.coordinator, "ke-hoach-hue.yaml", plan_yaml("thua-thien-hue", owner="Sở Mới Lập"))
    return hue, thanh, hue_only, national, upload.token


def every_request(token: str, unit_id: int):
    return [
        ("get", f"/ke-hoach/nhap/{token}", None),
        ("get", f"/ke-hoach/nhap/{token}/tep", None),
        ("post", f"/ke-hoach/nhap/{token}/anh-xa", {"anh-xa|loai|1": "target"}),
        ("post", f"/ke-hoach/nhap/{token}/anh-xa/bo", {}),
        ("post", f"/ke-hoach/nhap/{token}/don-vi", {"chon-1": str(unit_id), "ten-1": "Sở Mới Lập",
                                                    "dia-ban-1": "thua-thien-hue"}),
        ("post", f"/ke-hoach/nhap/{token}/don-vi", {"chon-1": "moi", "ten-1": "Sở Mới Lập", "dia-ban-1": "thua-thien-hue"}),
        ("post", f"/ke-hoach/nhap/{token}/xac-nhan", {}),
    ]


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_staff_of_another_province_get_404_on_every_step_and_nothing_changes(client, db, as_user, two, role):
    hue, thanh, hue_only, _, token = two
    before = counts(db)
    as_user(getattr(thanh, role))
    for method, url, data in every_request(token, hue_only.id):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 404, (url, response.status_code)
        assert b"Ch\xc3\xa2n M\xc3\xa2y" not in response.data and b"ke-hoach-hue.yaml" not in response.data
    assert counts(db) == before
    # The upload is untouched: Huế's coordinator still previews and confirms it.
    meta = imports.find_upload(hue.coordinator, token).meta
    assert "confirmed_at" not in meta and "mapping" not in meta


@pytest.mark.parametrize("role", ["national", "reporter", "viewer"])
def test_read_only_and_reporting_roles_post_nothing(client, db, as_user, two, role):
    hue, thanh, hue_only, national, token = two
    user = national if role == "national" else getattr(hue, role)
    before = counts(db)
    as_user(user)
    for method, url, data in every_request(token, hue_only.id):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 403, (role, url, response.status_code)
        assert b"Ch\xc3\xa2n M\xc3\xa2y" not in response.data
    assert post_file(client, plan_yaml("thua-thien-hue"), "kh.yaml").status_code == 403
    assert counts(db) == before
    assert "confirmed_at" not in imports.find_upload(hue.coordinator, token).meta


def test_forged_unit_choices_of_another_province_are_refused_and_change_nothing(client, db, as_user, two):
    hue, thanh, hue_only, _, _ = two
    as_user(thanh.coordinator)
    token = token_of(post_file(client, plan_yaml("thanh-hoa", owner="Ban Quản lý Khu kinh tế Chân Mây"), "kh.yaml"))
    html = page(client, token)
    # Thanh Hóa's preview offers its own units only; Huế's namesake is neither a choice nor a hint.
    assert "Không tìm thấy đơn vị &#39;Ban Quản lý Khu kinh tế Chân Mây&#39; ở Tỉnh Thanh Hóa." in html
    assert f'<option value="{hue_only.id}"' not in html and f'<option value="{hue.finance.id}"' not in html
    assert f'<option value="{thanh.finance.id}">' in html
    before = counts(db)
    forged = [
        {"chon-1": str(hue_only.id), "ten-1": "Ban Quản lý Khu kinh tế Chân Mây", "dia-ban-1": "thanh-hoa"},
        {"chon-1": str(hue_only.id), "ten-1": "Ban Quản lý Khu kinh tế Chân Mây", "dia-ban-1": "thua-thien-hue"},
        {"chon-1": str(thanh.finance.id), "ten-1": "Ban Quản lý Khu kinh tế Chân Mây", "dia-ban-1": "thua-thien-hue"},
        {"chon-1": "moi", "ten-1": "Ban Quản lý Khu kinh tế Chân Mây", "dia-ban-1": "thua-thien-hue"},
        {"chon-1": "moi", "ten-1": "Sở Giả", "dia-ban-1": "khong-co"},
        # a valid choice beside a forged one is not kept either
        {"chon-1": "moi", "ten-1": "Sở Hợp Lệ", "dia-ban-1": "thanh-hoa",
         "chon-2": str(hue_only.id), "ten-2": "Sở X", "dia-ban-2": "thanh-hoa"},
    ]
    for data in forged:
        assert client.post(f"/ke-hoach/nhap/{token}/don-vi", data=data).status_code == 302
        assert "không thuộc địa bàn của bạn" in page(client, token)
        assert counts(db) == before
    assert [a.alias for a in hue_only.aliases] == []
    assert db.session.scalar(select(Unit).where(Unit.name == "Sở Hợp Lệ")) is None


def test_a_units_file_may_not_create_a_province_nor_change_the_area(client, db, as_user, two):
    """A coordinator may not do the superadmin's work through a units file: create an area (a new
    tenant), rename theirs, move it under another area, change its level or merge it."""
    _, thanh, _, _, _ = two
    as_user(thanh.coordinator)
    before = counts(db)
    files = {
        "Chưa có địa bàn mã &#39;tinh-moi&#39;": "area: {code: tinh-moi, name: Tỉnh Mới, level: province}\n",
        "Chưa có địa bàn mã &#39;huyen-moi&#39;": "area: {code: huyen-moi, name: Huyện Mới, level: district, parent: thanh-hoa}\n",
        "khác với hệ thống": "area: {code: thanh-hoa, name: Tỉnh Thanh Hoá Mới, level: province}\n",
        "khác với hệ thống ": "area: {code: thanh-hoa, name: Tỉnh Thanh Hóa, level: district, parent: thua-thien-hue}\n",
        "Hợp nhất địa bàn (merged_into)": "area: {code: thanh-hoa, name: Tỉnh Thanh Hóa, level: province,\n"
                                          "  merged_into: {area: thua-thien-hue, date: 2026-07-01}}\n",
    }
    for message, area in files.items():
        token = token_of(post_file(client, f"kind: units\n{area}units:\n- name: Sở Mới\n".encode(), "don-vi.yaml"))
        html = page(client, token)
        assert message.strip() in html and "Xác nhận nạp" not in html, area
        client.post(f"/ke-hoach/nhap/{token}/xac-nhan")
        assert counts(db) == before, area
    assert db.session.scalar(select(Area).where(Area.code == "tinh-moi")) is None
    assert thanh.area.name == "Tỉnh Thanh Hóa" and thanh.area.level == "province" and thanh.area.parent_id is None
    # The area's own units file, as the system has it, still imports.
    token = token_of(post_file(client, b"kind: units\narea: {code: thanh-hoa, name: T\xe1\xbb\x89nh Thanh H\xc3\xb3a, "
                                       b"level: province}\nunits:\n- name: S\xe1\xbb\x9f M\xe1\xbb\x9bi\n", "don-vi.yaml"))
    assert "Xác nhận nạp" in page(client, token)
    assert client.post(f"/ke-hoach/nhap/{token}/xac-nhan").status_code == 302
    assert db.session.scalar(select(Unit).where(Unit.name == "Sở Mới")).area_id == thanh.area.id


def test_the_same_plan_number_in_another_province_neither_sees_nor_clears_the_kept_mapping(client, db, as_user, two):
    hue, thanh, _, _, _ = two
    kept = PlanImportMapping(area_id=hue.area.id, tenant_id=hue.area.id, number="222/KH-UBND", source_name="222.docx",
                             mapping={"appendices": {"I": {"kind": "document"}}})
    db.session.add(kept)
    db.session.commit()
    as_user(thanh.coordinator)
    for content in (plan_yaml("thanh-hoa", number="222/KH-UBND"), plan_yaml("thua-thien-hue", number="222/KH-UBND")):
        token = token_of(post_file(client, content, "222.yaml"))
        html = page(client, token)
        assert "Đã áp dụng ánh xạ đã lưu" not in html and "Phụ lục I: loại" not in html
        assert client.post(f"/ke-hoach/nhap/{token}/anh-xa/bo").status_code == 302
        assert "Đã bỏ ánh xạ: tệp được đọc lại" in page(client, token)  # not "đã lưu từ lần nhập trước"
    db.session.expire_all()
    assert db.session.get(PlanImportMapping, kept.id).mapping == {"appendices": {"I": {"kind": "document"}}}


def test_confirm_twice_applies_once(client, db, as_user, two):
    hue, _, _, _, _ = two
    as_user(hue.coordinator)
    token = token_of(post_file(client, plan_yaml("thua-thien-hue"), "kh.yaml"))
    assert "Xác nhận nạp" in page(client, token)
    assert client.post(f"/ke-hoach/nhap/{token}/xac-nhan").status_code == 302
    after_first = counts(db)
    assert client.post(f"/ke-hoach/nhap/{token}/xac-nhan").status_code == 302
    assert counts(db) == after_first
    html = page(client, token)
    assert "(đã nhập)" in html and "Xác nhận nạp" not in html and "Tệp này đã được nhập." in html
    # A finished import takes no more mapping choices nor clearing.
    client.post(f"/ke-hoach/nhap/{token}/anh-xa/bo")
    assert "Tệp này đã được nhập: không bỏ ánh xạ được nữa." in page(client, token)
    from tracker.audit.models import AuditEntry
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "plan.import")) == 1


def test_a_failed_confirm_leaves_no_plan_unit_alias_or_mapping(client, db, as_user, two):
    hue, _, _, _, token = two
    as_user(hue.coordinator)
    before = counts(db)
    html = page(client, token)
    assert "Không tìm thấy đơn vị &#39;Sở Mới Lập&#39;" in html and "Xác nhận nạp" not in html
    assert client.post(f"/ke-hoach/nhap/{token}/xac-nhan").status_code == 302
    assert "Không nhập được: tệp có lỗi, không có gì được ghi." in page(client, token)
    assert counts(db) == before
    assert "confirmed_at" not in imports.find_upload(hue.coordinator, token).meta
    # A workbook-like file: units applied first, then the plan fails: nothing of either is kept.
    units_then_bad_plan = (b"kind: units\narea: {code: thua-thien-hue, name: T\xe1\xbb\x89nh Th\xe1\xbb\xaba Thi\xc3\xaan Hu\xe1\xba\xbf, "
                           b"level: province}\nunits:\n- name: S\xe1\xbb\x9f M\xe1\xbb\x9bi L\xe1\xba\xadp\n  aliases: [SML]\n")
    token = token_of(post_file(client, units_then_bad_plan, "don-vi.yaml"))
    client.post(f"/ke-hoach/nhap/{token}/xac-nhan")
    assert counts(db)["units"] == before["units"] + 1  # the good units file applies
    bad = token_of(post_file(client, plan_yaml("thua-thien-hue", owner="Sở Không Ai Biết"), "kh.yaml"))
    now = counts(db)
    client.post(f"/ke-hoach/nhap/{bad}/xac-nhan")
    assert counts(db) == now


@pytest.mark.parametrize("token", ["..", "..%2F..%2Fetc", "%2E%2E", "a" * 15, "a" * 65, "abc.def.ghi.jkl.mn",
                                   "....................", "%00aaaaaaaaaaaaaaaaaa"])
def test_a_token_that_is_no_token_is_404(client, db, as_user, two, token):
    hue, _, _, _, _ = two
    as_user(hue.coordinator)
    for suffix in ("", "/tep"):
        assert client.get(f"/ke-hoach/nhap/{token}{suffix}").status_code == 404
    assert client.post(f"/ke-hoach/nhap/{token}/xac-nhan").status_code == 404


def test_a_file_name_is_only_a_name(client, db, as_user, two, app):
    hue, _, _, _, _ = two
    as_user(hue.coordinator)
    token = token_of(post_file(client, plan_yaml("thua-thien-hue"), "../../../../etc/ke-hoach.yaml"))
    upload = imports.find_upload(hue.coordinator, token)
    assert upload.original_name == "ke-hoach.yaml" and upload.path.name == "tep.yaml"
    assert upload.path.parent.parent.resolve() == (imports._root()).resolve()
    response = client.get(f"/ke-hoach/nhap/{token}/tep")
    assert response.data == plan_yaml("thua-thien-hue")
    assert "ke-hoach.yaml" in response.headers["Content-Disposition"] and ".." not in response.headers["Content-Disposition"]
    assert post_file(client, b"x", "ke-hoach.exe").status_code == 400
    assert post_file(client, b"x", "ke-hoach.docx.exe").status_code == 400


@pytest.mark.parametrize("name, data", [
    ("ke-hoach.docx", b"not a zip at all"),
    ("ke-hoach.docx", b"PK\x03\x04garbage"),
    ("ke-hoach.xlsx", b"PK\x03\x04garbage"),
    ("ke-hoach.xlsx", b"%PDF-1.4 not a workbook"),
    ("ke-hoach.yaml", b"a: [1, 2\n"),
    ("ke-hoach.yaml", b"- 1\n- 2\n"),
    ("ke-hoach.yaml", b"\xff\xfe\x00bad"),
    ("ke-hoach.yaml", b"kind: plan\nappendices: {a: 1}\n"),
])
def test_garbage_is_an_error_of_the_preview_not_a_crash(client, db, as_user, two, name, data):
    hue, _, _, _, _ = two
    as_user(hue.coordinator)
    before = counts(db)
    token = token_of(post_file(client, data, name))
    html = page(client, token)
    assert "chưa nhập được, không có gì được ghi" in html and "Xác nhận nạp" not in html
    assert "Traceback" not in html
    assert client.post(f"/ke-hoach/nhap/{token}/xac-nhan").status_code == 302
    assert client.post(f"/ke-hoach/nhap/{token}/anh-xa", data={"anh-xa|loai|1": "target"}).status_code == 302
    assert client.post(f"/ke-hoach/nhap/{token}/anh-xa/bo").status_code == 302
    assert counts(db) == before


def test_a_zip_bomb_is_refused_at_upload_and_nothing_is_stored(client, db, as_user, two, monkeypatch):
    hue, _, _, _, _ = two
    as_user(hue.coordinator)
    monkeypatch.setattr(imports, "MAX_UNPACKED_BYTES", 1024 * 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b" " * (2 * 1024 * 1024) + b"</w:document>")
    bomb = buffer.getvalue()
    assert len(bomb) < 20 * 1024  # a few kB on the wire
    stored = set(imports._root().iterdir()) if imports._root().exists() else set()
    for name in ("ke-hoach.docx", "ke-hoach.xlsx"):
        response = post_file(client, bomb, name)
        assert response.status_code == 400
        assert "Tệp giải nén ra quá lớn (hơn 1 MB" in response.get_data(as_text=True)
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for n in range(imports.MAX_PARTS + 1):
            archive.writestr(f"p/{n}.xml", b"")
    assert post_file(client, many.getvalue(), "ke-hoach.docx").status_code == 400
    assert (set(imports._root().iterdir()) if imports._root().exists() else set()) == stored


def test_yaml_aliases_cannot_multiply_rows(client, db, as_user, two):
    """Nested YAML aliases (a "billion laughs") would make a few lines millions of sections."""
    hue, _, _, _, _ = two
    as_user(hue.coordinator)
    lines = ["kind: plan", "number: 78/KH-UBND", "date: 2026-01-05", "issuing_body: UBND tỉnh", "area: thua-thien-hue",
             "title: T", "s0: &s0 {title: A, items: [{code: '1', text: X, owner: Sở Tài chính}]}"]
    for level in range(1, 9):
        lines.append(f"s{level}: &s{level} {{title: A, sections: [{', '.join([f'*s{level - 1}'] * 10)}]}}")
    lines += ["appendices:", "- {number: '1', kind: project, title: D, sections: [*s8, *s8, *s8]}"]
    before = counts(db)
    token = token_of(post_file(client, "\n".join(lines).encode(), "ke-hoach.yaml"))
    html = page(client, token)
    assert "YAML không hợp lệ: không dùng tham chiếu (*tên): ghi đầy đủ từng mục" in html and "Xác nhận nạp" not in html
    client.post(f"/ke-hoach/nhap/{token}/xac-nhan")
    assert counts(db) == before


def test_a_confirm_whose_commit_fails_is_not_marked_imported(client, db, as_user, two, monkeypatch):
    hue, _, _, _, _ = two
    as_user(hue.coordinator)
    token = token_of(post_file(client, plan_yaml("thua-thien-hue"), "kh.yaml"))
    assert "Xác nhận nạp" in page(client, token)

    def refused_commit():
        raise RuntimeError("the database refused the commit")

    with monkeypatch.context() as patch:
        patch.setattr(db.session, "commit", refused_commit)
        with pytest.raises(RuntimeError):
            client.post(f"/ke-hoach/nhap/{token}/xac-nhan")
    assert "confirmed_at" not in imports.find_upload(hue.coordinator, token).meta
    assert db.session.scalar(select(Plan).where(Plan.number == "77/KH-UBND")) is None
    html = page(client, token)
    assert "(đã nhập)" not in html and "Xác nhận nạp" in html
    assert client.post(f"/ke-hoach/nhap/{token}/xac-nhan").status_code == 302
    assert db.session.scalar(select(Plan).where(Plan.number == "77/KH-UBND")) is not None
    assert imports.find_upload(hue.coordinator, token).confirmed


def test_a_confirm_from_a_preview_read_with_another_mapping_is_refused(client, db, as_user, factory, two, tmp_path):
    """Two tabs: the mapping changed in one since the other's preview; confirming the stale
    page would apply what it never showed."""
    from tests.plans.test_import_mapping_web import hue_plan

    hue, _, _, _, _ = two
    factory.unit("Sở Nội vụ", area=hue.area)
    factory.unit("Sở Thông tin và Truyền thông", area=hue.area)
    db.session.commit()
    as_user(hue.coordinator)
    token = token_of(post_file(client, hue_plan(tmp_path / "31.docx").read_bytes(), "31.docx"))
    client.post(f"/ke-hoach/nhap/{token}/anh-xa", data={"anh-xa|loai|I": "document", "anh-xa|cot|2|6": "note"})
    client.post(f"/ke-hoach/nhap/{token}/anh-xa", data={"anh-xa|cot|I|3": "owner"})
    html = page(client, token)
    stale = re.search(r'name="dau-van" value="([0-9a-f]+)"', html).group(1)
    client.post(f"/ke-hoach/nhap/{token}/anh-xa/bo")  # the other tab clears the mapping
    client.post(f"/ke-hoach/nhap/{token}/anh-xa", data={"anh-xa|loai|I": "target"})
    before = counts(db)
    assert client.post(f"/ke-hoach/nhap/{token}/xac-nhan", data={"dau-van": stale}).status_code == 302
    assert "Ánh xạ của tệp đã thay đổi sau khi trang xem trước này được mở" in page(client, token)
    assert counts(db) == before and not imports.find_upload(hue.coordinator, token).confirmed


@pytest.mark.parametrize("text", ['=HYPERLINK("http://example.invalid","Bấm")', "+1+1", "-2+3", "@SUM(A1:A2)",
                                  "Nền tảng\\u0007 dữ liệu"])
def test_formula_like_text_of_an_import_stays_text_in_the_plan_workbook(client, db, as_user, two, tmp_path, text):
    from openpyxl import load_workbook

    from tracker.plans.workbook import build_plan_workbook

    hue, _, _, _, _ = two
    as_user(hue.coordinator)
    token = token_of(post_file(client, plan_yaml("thua-thien-hue", text=text), "kh.yaml"))
    assert "Xác nhận nạp" in page(client, token)
    client.post(f"/ke-hoach/nhap/{token}/xac-nhan")
    plan = db.session.scalar(select(Plan).where(Plan.number == "77/KH-UBND"))
    stored = db.session.scalar(select(PlanItem.text).where(PlanItem.plan_id == plan.id))
    path = tmp_path / "77.xlsx"
    path.write_bytes(build_plan_workbook(plan))
    cells = [c for sheet in load_workbook(path).worksheets for row in sheet.iter_rows() for c in row
             if c.value == stored or isinstance(c.value, str) and c.value.replace("\u0007", "") == stored.replace("\u0007", "")]
    assert cells and all(c.data_type == "s" for c in cells), [(c.value, c.data_type) for c in cells]


def test_a_name_already_of_another_unit_is_neither_created_again_nor_made_an_alias(client, db, as_user, two):
    hue, _, hue_only, _, token = two
    as_user(hue.coordinator)
    before = counts(db)
    for data in ({"chon-1": "moi", "ten-1": "Sở  Tài chính", "dia-ban-1": "thua-thien-hue"},  # a second Sở Tài chính
                 {"chon-1": str(hue_only.id), "ten-1": "sở tài chính", "dia-ban-1": "thua-thien-hue"},
                 {"chon-1": "moi", "ten-1": "Sở " + "x" * 300, "dia-ban-1": "thua-thien-hue"}):
        response = client.post(f"/ke-hoach/nhap/{token}/don-vi", data=data)
        assert response.status_code == 302, data
        html = page(client, token)
        assert "đã là tên của đơn vị Sở Tài chính trong địa bàn này" in html or "dài quá 255 ký tự" in html
        assert counts(db) == before
    # The name the preview asks about still maps and creates.
    client.post(f"/ke-hoach/nhap/{token}/don-vi", data={"chon-1": str(hue.finance.id), "ten-1": "Sở Mới Lập",
                                                        "dia-ban-1": "thua-thien-hue"})
    assert counts(db)["aliases"] == before["aliases"] + 1 and "Xác nhận nạp" in page(client, token)
