"""The 2025 reorganisation as the seeds record it: Huế a centrally-run city from 01/01/2025, the
department mergers of 01/03/2025 (Nghị định 45/2025/NĐ-CP), the district level ended on 30/06/2025.
Every change carries its legal basis; the documents' owner wording stays as printed."""
from datetime import date

from sqlalchemy import select

from tracker.periods.obligations import owner_units
from tracker.plans.models import PlanItem
from tracker.units.models import Area, Unit

MERGERS = {
    "Sở Thông tin và Truyền thông": "Sở Khoa học và Công nghệ",
    "Sở Kế hoạch và Đầu tư": "Sở Tài chính",
    "Sở Giao thông vận tải": "Sở Xây dựng",
    "Sở Tài nguyên và Môi trường": "Sở Nông nghiệp và Môi trường",
    "Sở Nông nghiệp và Phát triển nông thôn": "Sở Nông nghiệp và Môi trường",
    "Sở Lao động - Thương binh và Xã hội": "Sở Nội vụ",
}


def units_of(db, code):
    area = db.session.scalar(select(Area).where(Area.code == code))
    return area, {u.name: u for u in db.session.scalars(select(Unit).where(Unit.area_id == area.id))}


def test_hue_became_a_centrally_run_city(seeded, db):
    hue, _ = units_of(db, "thua-thien-hue")
    assert hue.name_on(date(2024, 12, 31)) == "Tỉnh Thừa Thiên Huế" and hue.level_on(date(2024, 12, 31)) == "province"
    assert hue.name_on(date(2025, 1, 1)) == "Thành phố Huế" and hue.level_on(date(2025, 1, 1)) == "city"
    assert "175/2024/QH15" in hue.names[0].basis


def test_the_department_mergers_of_1_march_2025(seeded, db):
    _, units = units_of(db, "thua-thien-hue")
    for source, target in MERGERS.items():
        unit = units[source]
        assert unit.successor is not None and unit.successor.name == target, source
        assert unit.succeeded_on == date(2025, 3, 1) and unit.succession_type == "merged"
        assert "45/2025/NĐ-CP" in unit.succession_note
    _, thanh_hoa = units_of(db, "thanh-hoa")
    assert "45/2025/NĐ-CP" in thanh_hoa["Sở Thông tin và Truyền thông"].succession_note


def test_the_owner_stays_as_printed_and_the_merged_department_carries_it(seeded, db):
    items = db.session.scalars(select(PlanItem).where(PlanItem.owner_text == "Sở Kế hoạch và Đầu tư")).all()
    assert items
    for item in items:
        assert [a.name_as_written for a in item.owners] == ["Sở Kế hoạch và Đầu tư"]
        assert [u.name for u in owner_units(item, date(2025, 9, 18))] == ["Sở Tài chính"]
        assert [u.name for u in owner_units(item, date(2024, 12, 18))] == ["Sở Kế hoạch và Đầu tư"]


def test_the_district_level_ends_on_30_june_2025(seeded, db):
    _, hue = units_of(db, "thua-thien-hue")
    committees = [u for u in hue.values() if u.kind == "people_committee" and u.name != "Ủy ban nhân dân tỉnh Thừa Thiên Huế"]
    assert len(committees) == 9
    for unit in committees:
        assert unit.ended_on is not None and unit.end_note, unit.name
    ended = {u.name: u.ended_on for u in committees}
    # The district-level city of Huế was reorganised into two urban districts on 01/01/2025.
    assert ended.pop("Ủy ban nhân dân thành phố Huế") == date(2024, 12, 31)
    assert set(ended.values()) == {date(2025, 6, 30)}
    _, trieu_son = units_of(db, "trieu-son")
    for name, unit in trieu_son.items():
        if name == "Bưu điện huyện":  # a branch of the postal company, not a district office
            assert unit.ended_on is None
        else:
            assert unit.ended_on == date(2025, 6, 30) and unit.end_note, name
    assert "203/2025/QH15" in trieu_son["Ủy ban nhân dân huyện Triệu Sơn"].end_note


def test_after_the_end_the_district_plans_items_have_no_carrier(seeded, db):
    from tracker.items.orphans import orphaned_for_tenant

    thanh_hoa, _ = units_of(db, "thanh-hoa")
    before = orphaned_for_tenant(thanh_hoa.id, date(2025, 6, 18))
    after = orphaned_for_tenant(thanh_hoa.id, date(2025, 9, 18))
    assert before == [] and len(after) > 40
    # Bưu điện huyện still exists: its items keep their carrier.
    assert all("Bưu điện huyện" not in o.ended_text for o in after)
