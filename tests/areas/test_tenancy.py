"""Every owned row belongs to one province; national frameworks and national users to none."""
from sqlalchemy import func, select

from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.indicators.models import Framework
from tracker.plans.models import Plan, PlanItem
from tracker.units.models import Area, Unit, UnitGroup


def test_rows_take_the_province_of_their_area(db, factory, provinces):
    hue, thanh_hoa = provinces
    district = factory.area(code="trieu-son-thu", name="Huyện Triệu Sơn", level="district", parent=thanh_hoa.area)
    office = factory.unit("Phòng Văn hóa và Thông tin", area=district)
    group = factory.group("Các phòng, ngành", [office], area=district)
    plan = factory.plan("KH huyện", area=district)
    item = factory.item(plan, owner=office)
    reporter = factory.user("reporter", unit=office)
    assert hue.area.tenant_id == hue.area.id and thanh_hoa.area.tenant_id == thanh_hoa.area.id
    assert district.tenant_id == thanh_hoa.area.id
    assert {office.tenant_id, group.tenant_id, plan.tenant_id, item.tenant_id, reporter.tenant_id} == {thanh_hoa.area.id}
    assert plan.area_id == district.id  # the issuing area stays the district
    # Same names, same plan number in both provinces: two of each, one per tenant.
    assert hue.khcn.tenant_id == hue.area.id and thanh_hoa.khcn.tenant_id == thanh_hoa.area.id
    assert {hue.plan.tenant_id, thanh_hoa.plan.tenant_id} == {hue.area.id, thanh_hoa.area.id}
    assert hue.admin.tenant_id == hue.area.id and thanh_hoa.coordinator.tenant_id == thanh_hoa.area.id


def test_national_users_belong_to_no_province(db, factory, provinces):
    viewer = factory.user("national_viewer", tenant=provinces[0].area)
    superadmin = factory.user("superadmin")
    assert viewer.tenant_id is None and superadmin.tenant_id is None
    assert viewer.is_national and superadmin.is_national


def test_moving_a_unit_to_another_province_moves_its_tenant(db, factory, provinces):
    hue, thanh_hoa = provinces
    unit = factory.unit("Sở Du lịch", area=hue.area)
    unit.area = thanh_hoa.area
    db.session.flush()
    assert unit.tenant_id == thanh_hoa.area.id


def test_audit_entries_know_their_province(db, provinces):
    from tracker.audit.services import record

    hue, thanh_hoa = provinces
    record(actor=None, action="update", entity_type="plan_item", entity_id=thanh_hoa.project.id, summary="x")
    record(actor=hue.coordinator, action="update", entity_type="nothing_known", entity_id=None, summary="y")
    db.session.flush()
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(2)).all()
    assert [e.tenant_id for e in entries] == [hue.area.id, thanh_hoa.area.id]


def test_seeds_every_row_has_its_province(seeded, db):
    areas = {a.code: a for a in db.session.scalars(select(Area))}
    thanh_hoa, hue = areas["thanh-hoa"], areas["thua-thien-hue"]
    assert areas["trieu-son"].tenant_id == thanh_hoa.id
    for model in (Unit, UnitGroup, Plan, PlanItem):
        assert db.session.scalar(select(func.count()).select_from(model).where(model.tenant_id.is_(None))) == 0
    trieu_son_units = db.session.scalars(select(Unit).where(Unit.area_id == areas["trieu-son"].id)).all()
    assert trieu_son_units and {u.tenant_id for u in trieu_son_units} == {thanh_hoa.id}
    plans = {p.number: p for p in db.session.scalars(select(Plan))}
    assert plans["222/KH-UBND"].tenant_id == hue.id
    assert plans["KH-UBND Triệu Sơn triển khai Bộ chỉ số"].tenant_id == thanh_hoa.id
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_national_frameworks_belong_to_no_province(seeded, db, client, factory, login):
    frameworks = {f.name: f for f in db.session.scalars(select(Framework))}
    assert frameworks["DTI cấp tỉnh 2024"].tenant_id is None
    assert frameworks["DTI sở, ban, ngành 2022"].tenant_id is None
    assert frameworks["Bộ tiêu chí chính quyền số, KH 222 Thừa Thiên Huế"].tenant.code == "thua-thien-hue"
    assert frameworks["DTI cấp huyện Thanh Hóa 2021"].tenant.code == "thanh-hoa"
    # Đồng Nai's figures are the transcription's source data, not the owner: nowhere labelled "Tỉnh Đồng Nai".
    hue = db.session.scalar(select(Area).where(Area.code == "thua-thien-hue"))
    login(factory.user("viewer", tenant=hue))
    listing = client.get("/bo-chi-so").get_data(as_text=True)
    page = client.get(f"/bo-chi-so/{frameworks['DTI cấp tỉnh 2024'].id}").get_data(as_text=True)
    assert "Toàn quốc (dùng chung)" in listing and "Toàn quốc (dùng chung)" in page
    assert "Tỉnh Đồng Nai" not in listing and "Tỉnh Đồng Nai" not in page
