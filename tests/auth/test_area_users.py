"""Users belong to an area (`create-user --area CODE` for every role); a national viewer and a
superadmin belong to none. The superadmin creates areas and their administrators, nothing else."""
import pytest
from sqlalchemy import select

from tracker.auth.models import User
from tracker.units.models import Area


def create(runner, *args):
    return runner.invoke(args=["tracker", "create-user", "--password", "mat-khau-dai", *args])


@pytest.fixture
def two_areas(db, factory, provinces):
    """The two provinces, and a district of Thanh Hóa with its Phòng Nội vụ; committed for the CLI."""
    district = factory.area(code="trieu-son", name="Huyện Triệu Sơn", level="district", parent=provinces[1].area)
    factory.unit("Phòng Nội vụ", area=district)
    db.session.commit()
    return provinces


@pytest.mark.parametrize("role", ["admin", "coordinator", "viewer", "reporter"])
def test_every_area_role_takes_area(two_areas, runner, db, role):
    email = f"{role}@thanhhoa.gov.vn"
    args = ["--email", email, "--role", role, "--area", "thanh-hoa"]
    if role == "reporter":
        args += ["--unit", "Phòng Nội vụ"]  # a unit of Triệu Sơn, a district of Thanh Hóa
    result = create(runner, *args)
    assert result.exit_code == 0, result.output
    assert "Phạm vi: địa bàn Tỉnh Thanh Hóa." in result.output
    user = db.session.scalar(select(User).where(User.email == email))
    assert user.tenant.code == "thanh-hoa"


def test_an_area_role_needs_its_area(two_areas, runner, db):
    result = create(runner, "--email", "a@b.vn", "--role", "coordinator")
    assert result.exit_code == 1 and "--area" in result.output and "thua-thien-hue" in result.output
    result = create(runner, "--email", "a@b.vn", "--role", "viewer", "--area", "khong-co")
    assert result.exit_code == 1 and "khong-co" in result.output
    # A unit of another province than --area is not found there.
    result = create(runner, "--email", "a@b.vn", "--role", "reporter", "--unit", "Phòng Nội vụ", "--area",
                    "thua-thien-hue")
    assert result.exit_code == 1 and "Không tìm thấy đơn vị 'Phòng Nội vụ' ở địa bàn 'thua-thien-hue'." in result.output
    assert db.session.scalar(select(User).where(User.email == "a@b.vn")) is None


@pytest.mark.parametrize("role", ["national_viewer", "superadmin"])
def test_national_roles_have_no_area(two_areas, runner, db, role):
    refused = create(runner, "--email", "bo@most.gov.vn", "--role", role, "--area", "thanh-hoa")
    assert refused.exit_code == 1 and "không thuộc địa bàn" in refused.output
    result = create(runner, "--email", "bo@most.gov.vn", "--role", role)
    assert result.exit_code == 0 and "Phạm vi: mọi địa bàn." in result.output
    assert db.session.scalar(select(User).where(User.email == "bo@most.gov.vn")).tenant_id is None


def test_one_province_installations_need_no_area(db, runner, factory):
    area = factory.area(code="tinh-duy-nhat", name="Tỉnh Duy Nhất")
    db.session.commit()
    result = create(runner, "--email", "x@y.vn", "--role", "coordinator")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "x@y.vn")).tenant_id == area.id


def test_the_national_viewer_reads_every_area_and_writes_nothing(client, db, factory, provinces, as_user):
    hue, thanh_hoa = provinces
    viewer = factory.user("national_viewer")
    db.session.commit()
    as_user(viewer)
    for province in provinces:
        page = client.get(f"/ke-hoach/{province.plan.id}?phu-luc=tat-ca")
        assert page.status_code == 200 and province.project.text in page.get_data(as_text=True)
        assert client.get(f"/bao-cao/{province.plan.id}/{province.period.code}").status_code == 200
    assert client.post(f"/hang-muc/{hue.project.id}/sua", data={"text": "x"}).status_code == 403
    assert client.post(f"/bao-cao/{hue.plan.id}/{hue.period.code}/du-thao", data={}).status_code == 403
    assert client.get("/quan-tri").status_code == 403 and client.get("/dia-ban").status_code == 403


def test_the_superadmin_creates_areas_and_their_admins(client, db, factory, provinces, as_user):
    hue, _ = provinces
    superadmin = factory.user("superadmin")
    db.session.commit()
    as_user(superadmin)
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/dia-ban")
    page = client.get("/dia-ban").get_data(as_text=True)
    assert "Tỉnh Thừa Thiên Huế" in page and "quantri.hue@test.vn" in page
    response = client.post("/dia-ban/moi", data={"code": "khanh-hoa", "name": "Tỉnh Khánh Hòa", "level": "province"})
    assert response.status_code == 302
    area = db.session.scalar(select(Area).where(Area.code == "khanh-hoa"))
    assert area.tenant_id == area.id
    bad = client.post("/dia-ban/moi", data={"code": "Khánh Hòa", "name": "Tỉnh Khánh Hòa", "level": "province"})
    assert bad.status_code == 400 and "chữ thường không dấu" in bad.get_data(as_text=True)
    response = client.post("/dia-ban/quan-tri", data={"area_id": str(area.id), "email": "quantri@khanhhoa.gov.vn",
                                                      "full_name": "Quản trị Khánh Hòa", "password": "mat-khau-dai"})
    assert response.status_code == 302
    admin = db.session.scalar(select(User).where(User.email == "quantri@khanhhoa.gov.vn"))
    assert admin.role == "admin" and admin.tenant_id == area.id and admin.check_password("mat-khau-dai")
    # Nothing inside an area is the superadmin's.
    for url in (f"/ke-hoach/{hue.plan.id}", "/tong-quan", "/quan-tri", f"/ky-bao-cao/{hue.period.code}"):
        assert client.get(url).status_code == 403, url


def test_an_area_admin_gives_only_the_roles_of_its_area(client, db, provinces, as_user):
    hue, thanh_hoa = provinces
    db.session.commit()
    as_user(hue.admin)
    form = client.get("/quan-tri/nguoi-dung/moi").get_data(as_text=True)
    assert 'value="national_viewer"' not in form and 'value="superadmin"' not in form
    response = client.post("/quan-tri/nguoi-dung/moi", data={
        "email": "moi@hue.vn", "full_name": "Mới", "role": "reporter", "unit_id": str(thanh_hoa.finance.id),
        "password": "mat-khau-dai", "confirm": "mat-khau-dai", "active": "y"})
    # Another province's unit is not even offered (the session sees only Huế's units): refused.
    assert f'value="{thanh_hoa.finance.id}"' not in form
    assert response.status_code == 400
    assert db.session.scalar(select(User).where(User.email == "moi@hue.vn")) is None
    response = client.post("/quan-tri/nguoi-dung/moi", data={
        "email": "moi@hue.vn", "full_name": "Mới", "role": "viewer", "unit_id": "0",
        "password": "mat-khau-dai", "confirm": "mat-khau-dai", "active": "y"})
    assert response.status_code == 302
    assert db.session.scalar(select(User).where(User.email == "moi@hue.vn")).tenant_id == hue.area.id
