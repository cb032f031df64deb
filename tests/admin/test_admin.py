"""Administration: users, units and aliases, unit groups; every change in the audit trail."""
import pytest
from sqlalchemy import select

from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.units.models import Unit, UnitGroup


@pytest.fixture
def admin(factory, login, area_units):
    """The administrator of the province of `area_units`."""
    user = factory.user(role="admin", full_name="Quản Trị Viên", tenant=area_units[0])
    login(user)
    return user


@pytest.fixture
def area_units(factory):
    area = factory.area(name="Tỉnh Thử")
    return area, factory.unit("Sở Nội vụ", area=area), factory.unit("Sở Tài chính", area=area)


def audit(db, entity_type):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == entity_type).order_by(AuditEntry.id)).all()


def test_admin_creates_a_user(client, db, admin, area_units):
    _, noivu, _ = area_units
    response = client.post("/quan-tri/nguoi-dung/moi", data={
        "email": "BaoCao@NoiVu.vn", "full_name": "Phạm Báo Cáo", "role": "reporter", "unit_id": noivu.id,
        "password": "matkhau-rat-dai", "confirm": "matkhau-rat-dai", "active": "y"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "baocao@noivu.vn"))
    assert user.unit_id == noivu.id and user.role == "reporter" and user.active
    assert user.password_hash.startswith("scrypt:") and user.check_password("matkhau-rat-dai")
    entry = audit(db, "user")[-1]
    assert entry.action == "create" and entry.actor_id == admin.id
    assert "matkhau" not in str(entry.changes)
    assert entry.changes["unit"] == [None, "Sở Nội vụ"]


def test_user_form_errors_keep_typed_values(client, db, admin, area_units, factory):
    factory.user(role="viewer", email="trung@tinh.vn")
    db.session.commit()
    response = client.post("/quan-tri/nguoi-dung/moi", data={
        "email": "trung@tinh.vn", "full_name": "Người Trùng", "role": "reporter", "unit_id": "0",
        "password": "matkhau-rat-dai", "confirm": "matkhau-rat-dai"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Báo cáo viên phải thuộc một đơn vị." in html
    assert 'value="Người Trùng"' in html
    response = client.post("/quan-tri/nguoi-dung/moi", data={
        "email": "trung@tinh.vn", "full_name": "Người Trùng", "role": "viewer", "unit_id": "0",
        "password": "matkhau-rat-dai", "confirm": "matkhau-rat-dai"})
    assert "Đã có người dùng với email trung@tinh.vn." in response.get_data(as_text=True)
    response = client.post("/quan-tri/nguoi-dung/moi", data={
        "email": "sai", "role": "viewer", "unit_id": "0", "password": "ngan", "confirm": "khac"})
    html = response.get_data(as_text=True)
    for message in ("Địa chỉ email không hợp lệ.", "Mật khẩu phải có từ 8 đến 128 ký tự.", "Hai lần nhập mật khẩu không khớp."):
        assert message in html
    assert db.session.scalar(select(User).where(User.full_name == "Người Trùng")) is None


def test_admin_edits_role_unit_and_active(client, db, admin, area_units, factory):
    _, noivu, taichinh = area_units
    user = factory.user(role="reporter", unit=noivu, email="a@tinh.vn")
    response = client.post(f"/quan-tri/nguoi-dung/{user.id}", data={
        "lock_version": user.lock_version, "email": "a@tinh.vn", "full_name": "A", "role": "viewer", "unit_id": taichinh.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert user.role == "viewer" and user.unit_id == taichinh.id and not user.active
    changes = audit(db, "user")[-1].changes
    assert changes["role"] == ["reporter", "viewer"] and changes["active"] == [True, False]


def test_admin_cannot_lock_themselves_out(client, db, admin):
    response = client.post(f"/quan-tri/nguoi-dung/{admin.id}", data={
        "lock_version": admin.lock_version, "email": admin.email, "full_name": "x", "role": "viewer", "unit_id": "0", "active": "y"})
    assert response.status_code == 400
    assert "Bạn không thể tự bỏ vai trò quản trị của mình." in response.get_data(as_text=True)
    response = client.post(f"/quan-tri/nguoi-dung/{admin.id}", data={
        "lock_version": admin.lock_version, "email": admin.email, "full_name": "x", "role": "admin", "unit_id": "0"})
    assert "Bạn không thể tự khóa tài khoản của mình." in response.get_data(as_text=True)


def test_admin_resets_a_password(client, db, admin, factory):
    from tracker.auth.throttle import LoginThrottle
    from tracker.core.time import utcnow

    user = factory.user(role="viewer", email="quen@tinh.vn")
    db.session.add(LoginThrottle(scope="pair", key="quen@tinh.vn|10.0.0.1", account="quen@tinh.vn", failures=3,
                                 updated_at=utcnow()))
    db.session.commit()
    response = client.post(f"/quan-tri/nguoi-dung/{user.id}/mat-khau",
                           data={"password": "mat-khau-moi-1", "confirm": "mat-khau-moi-1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert user.check_password("mat-khau-moi-1")
    # the sign-in delays are lifted
    assert db.session.scalars(select(LoginThrottle).where(LoginThrottle.account == "quen@tinh.vn")).all() == []
    entry = audit(db, "user")[-1]
    assert entry.action == "reset_password" and "mat-khau-moi-1" not in str(entry.changes) + entry.summary
    response = client.post(f"/quan-tri/nguoi-dung/{user.id}/mat-khau", data={"password": "ngan", "confirm": "ngan"})
    assert response.status_code == 400 and "Mật khẩu phải có từ 8 đến 128 ký tự." in response.get_data(as_text=True)


def test_admin_creates_and_edits_units_with_aliases(client, db, admin, area_units):
    area, noivu, _ = area_units
    response = client.post("/quan-tri/don-vi/moi", data={
        "area_id": area.id, "name": "Trung tâm Chuyển đổi số", "short_name": "TT CĐS", "kind": "other",
        "parent_name": "Sở Nội vụ", "aliases": "Trung tâm CĐS\nTrung tâm chuyển đổi số tỉnh\nTrung tâm CĐS", "note": ""})
    assert response.status_code == 302
    unit = db.session.scalar(select(Unit).where(Unit.name == "Trung tâm Chuyển đổi số"))
    assert unit.parent_id == noivu.id
    assert [a.alias for a in unit.aliases] == ["Trung tâm CĐS", "Trung tâm chuyển đổi số tỉnh"]
    response = client.post(f"/quan-tri/don-vi/{unit.id}", data={
        "lock_version": unit.lock_version, "area_id": area.id, "name": "Trung tâm Chuyển đổi số", "short_name": "TT CĐS", "kind": "other",
        "parent_name": "", "aliases": "Trung tâm CĐS", "note": "Đổi"})
    assert response.status_code == 302
    db.session.expire_all()
    assert [a.alias for a in unit.aliases] == ["Trung tâm CĐS"] and unit.parent_id is None
    entries = audit(db, "unit")
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].changes["aliases"] == [["Trung tâm CĐS", "Trung tâm chuyển đổi số tỉnh"], ["Trung tâm CĐS"]]


def test_unit_form_errors(client, db, admin, area_units):
    area, _, _ = area_units
    response = client.post("/quan-tri/don-vi/moi", data={
        "area_id": area.id, "name": "sở nội  vụ", "kind": "department", "parent_name": "Sở Không Có"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Không tìm thấy đơn vị &#39;Sở Không Có&#39; trong địa bàn đã chọn." in html
    response = client.post("/quan-tri/don-vi/moi", data={"area_id": area.id, "name": "sở nội  vụ", "kind": "department"})
    assert "đã có đơn vị tên &#39;Sở Nội vụ&#39;" in response.get_data(as_text=True)
    assert 'value="sở nội  vụ"' in response.get_data(as_text=True)


def test_admin_manages_unit_groups(client, db, admin, area_units):
    area, noivu, taichinh = area_units
    response = client.post("/quan-tri/nhom-don-vi/moi", data={
        "area_id": area.id, "name": "Các Sở, ban, ngành", "aliases": "Sở, ban, ngành", "members": [noivu.id]})
    assert response.status_code == 302
    group = db.session.scalar(select(UnitGroup).where(UnitGroup.name == "Các Sở, ban, ngành"))
    assert [m.unit_id for m in group.members] == [noivu.id] and group.aliases == ["Sở, ban, ngành"]
    response = client.post(f"/quan-tri/nhom-don-vi/{group.id}", data={
        "lock_version": group.lock_version, "area_id": area.id, "name": "Các Sở, ban, ngành", "aliases": "", "members": [taichinh.id, noivu.id]})
    assert response.status_code == 302
    db.session.expire_all()
    assert [m.unit_id for m in group.members] == [taichinh.id, noivu.id]
    entries = audit(db, "unit_group")
    assert entries[-1].changes["members"] == [["Sở Nội vụ"], ["Sở Tài chính", "Sở Nội vụ"]]
    html = client.get("/quan-tri/nhom-don-vi").get_data(as_text=True)
    assert "Các Sở, ban, ngành" in html


def test_audit_page_lists_changes(client, db, admin, area_units):
    area, _, _ = area_units
    client.post("/quan-tri/don-vi/moi", data={"area_id": area.id, "name": "Sở Du lịch", "kind": "department"})
    html = client.get("/quan-tri/nhat-ky").get_data(as_text=True)
    assert "Tạo đơn vị Sở Du lịch" in html and "Quản Trị Viên" in html
    assert "Tạo đơn vị Sở Du lịch" not in client.get("/quan-tri/nhat-ky?loai=user").get_data(as_text=True)
    assert "Tạo đơn vị Sở Du lịch" in client.get("/quan-tri").get_data(as_text=True)


def test_a_name_of_another_unit_is_refused_as_alias_or_short_name(client, db, admin, area_units):
    """"Sở Tài chính" as an alias of Sở Nội vụ would make the name ambiguous for the loader and create-user."""
    area, noivu, _ = area_units
    response = client.post(f"/quan-tri/don-vi/{noivu.id}", data={
        "lock_version": noivu.lock_version, "area_id": area.id, "name": "Sở Nội vụ", "short_name": "", "kind": "department", "parent_name": "",
        "aliases": "SNV\nsở tài  chính", "note": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "&#39;sở tài chính&#39; đã là tên của đơn vị Sở Tài chính trong địa bàn này." in html
    assert "SNV\nsở tài  chính</textarea>" in html  # what was typed stays
    db.session.expire_all()
    assert noivu.aliases == []
    response = client.post(f"/quan-tri/don-vi/{noivu.id}", data={
        "lock_version": noivu.lock_version, "area_id": area.id, "name": "Sở Nội vụ", "kind": "department", "parent_name": "sở nội vụ"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400  # on the field it concerns, not on the name
    assert 'name="parent_name" type="text" value="sở nội vụ">' in html
    assert html.index("Một đơn vị không thể là cấp trên của chính nó.") > html.index('name="parent_name"')
    client.post(f"/quan-tri/don-vi/{noivu.id}", data={
        "lock_version": noivu.lock_version, "area_id": area.id, "name": "Sở Nội vụ", "kind": "department", "aliases": "SNV"})
    response = client.post("/quan-tri/don-vi/moi", data={
        "area_id": area.id, "name": "Sở Ngoại vụ", "short_name": "snv", "kind": "department"})
    assert response.status_code == 400
    assert "&#39;snv&#39; đã là tên của đơn vị Sở Nội vụ trong địa bàn này." in response.get_data(as_text=True)


def test_audit_entries_read_in_vietnamese(client, db, admin, area_units, factory):
    """No stored codes on the audit page: field names, roles, statuses, money and entity types in words."""
    from tracker.audit.services import record

    _, noivu, _ = area_units
    client.post("/quan-tri/nguoi-dung/moi", data={
        "email": "bc@noivu.vn", "role": "reporter", "unit_id": noivu.id, "active": "y",
        "password": "mat-khau-123", "confirm": "mat-khau-123"})
    item = factory.item(factory.plan(area=noivu.area), owner=noivu)  # an entry about the admin's own province
    record(actor=None, action="update_state", entity_type="plan_item", entity_id=item.id, actor_label="hệ thống",
           summary="Cập nhật tình trạng", changes={"status": ["not_started", "in_progress"], "progress": [0, 70],
                                                   "amount_disbursed": [None, 7_000_000_000]})
    record(actor=admin, action="report.draft_saved", entity_type="report_draft", entity_id=1,
           summary="Cập nhật dự thảo", changes={"signer_name": [None, "Nguyễn Văn A"], "number": [None, ""]})
    html = client.get("/quan-tri/nhat-ky").get_data(as_text=True)
    for expected in ["Vai trò: (trống) → Báo cáo viên đơn vị", ": Chưa triển khai → Đang triển khai",
                     "Tiến độ: 0 % → 70 %", "Kinh phí đã giải ngân: (trống) → 7.000.000.000 đ",
                     "Người ký: (trống) → Nguyễn Văn A", "Dự thảo báo cáo tổng hợp"]:
        assert expected in html, expected
    assert "(trống) → (trống)" not in html
    for code in ["reporter", "not_started", "signer_name", "report_draft #"]:
        assert code not in html.split("<main")[-1], code


def test_unit_choices_say_which_province_a_shared_name_belongs_to(client, admin, area_units, factory):
    _, noivu, _ = area_units
    district = factory.area(name="Huyện Khác", level="district", parent=noivu.area)
    factory.unit("Sở Nội vụ", area=district)
    factory.unit("Sở Nội vụ", area=factory.area(name="Tỉnh Khác"))  # another province: not offered at all
    html = client.get("/quan-tri/nguoi-dung/moi").get_data(as_text=True)
    assert "Sở Nội vụ – Tỉnh Thử</option>" in html and "Sở Nội vụ – Huyện Khác</option>" in html
    assert "Tỉnh Khác" not in html
    assert "Sở Tài chính</option>" in html


def test_users_list_shows_only_a_lockout_still_running(client, admin, factory, db):
    from datetime import timedelta

    from tracker.core.time import utcnow

    from tracker.auth.throttle import LoginThrottle

    factory.user(role="viewer", email="dang-khoa@demo.vn")
    factory.user(role="viewer", email="het-khoa@demo.vn")
    for email, until in (("dang-khoa@demo.vn", utcnow() + timedelta(minutes=4)),
                         ("het-khoa@demo.vn", utcnow() - timedelta(minutes=1))):
        db.session.add(LoginThrottle(scope="pair", key=f"{email}|10.0.0.1", account=email, failures=5,
                                     blocked_until=until, updated_at=utcnow()))
    db.session.commit()
    rows = client.get("/quan-tri/nguoi-dung").get_data(as_text=True).split("<tr")
    assert "tạm khóa do đăng nhập sai" in next(r for r in rows if "dang-khoa@demo.vn" in r)
    assert "tạm khóa do đăng nhập sai" not in next(r for r in rows if "het-khoa@demo.vn" in r)
