"""A unit that ends without one successor (the district level, 30/06/2025): no obligation and no
reminder after that day; its open items are listed as "không còn đơn vị thực hiện" until a
coordinator reassigns them; the reassignment is dated, audited, and past reports keep the old unit."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tracker.audit.models import AuditEntry
from tracker.items.models import ItemReassignment
from tracker.items.orphans import orphaned_for_tenant, orphaned_in_period
from tracker.items.reassignment import ReassignmentError, reassign
from tracker.periods.obligations import obligations_for_period, owner_units
from tracker.reminders.services import plan_digests
from tracker.reports.services import ReportOptions, gather_report_data

END = date(2025, 6, 30)


@pytest.fixture
def district(db, factory, provinces):
    """Thanh Hóa's Triệu Sơn district with one office that ends on 30/06/2025, a reporter of it, and the
    Q2 and Q3 2025 periods of both provinces."""
    hue, thanh_hoa = provinces
    area = factory.area(code="huyen-thu", name="Huyện Triệu Sơn", level="district", parent=thanh_hoa.area)
    office = factory.unit("Phòng Văn hóa và Thông tin", area=area, short_name="Phòng VH&TT", ended_on=END,
                          end_note="Nghị quyết số 203/2025/QH15: cấp huyện kết thúc hoạt động từ 01/7/2025.")
    plan = factory.plan("KH huyện", area=area, issuing_body="UBND huyện Triệu Sơn")
    items = [factory.item(plan, kind="project", owner=office, text=f"Triển khai khối chỉ số {n}", end_year=2030)
             for n in range(3)]
    reporter = factory.user("reporter", unit=office, email="baocao.vhtt@trieuson.vn")
    periods = {}
    for province in provinces:
        for quarter in (2, 3):
            periods[(province.area.code, quarter)] = factory.period(2025, quarter, tenant=province.area)
    db.session.commit()
    return dict(area=area, office=office, plan=plan, items=items, reporter=reporter,
                q2=periods[("thanh-hoa", 2)], q3=periods[("thanh-hoa", 3)], hue=hue, thanh_hoa=thanh_hoa)


def test_no_obligation_after_the_end(district):
    office = district["office"]
    assert {o.unit.id for o in obligations_for_period(district["q2"]) if o.item.plan_id == district["plan"].id} == {office.id}
    assert not [o for o in obligations_for_period(district["q3"]) if o.item.plan_id == district["plan"].id]
    assert owner_units(district["items"][0], date(2025, 7, 1)) == []


def test_no_reminder_names_an_ended_unit(district):
    # Q2's overdue notices after 30/06 and Q3's reminders: nothing for the ended office.
    q3_deadline = district["q3"].submission_deadline
    for day in (date(2025, 7, 3), q3_deadline - timedelta(days=3), q3_deadline + timedelta(days=8)):
        for digest in plan_digests(day):
            for notice in digest.notices:
                assert notice.unit is None or notice.unit.id != district["office"].id, (day, notice.headline)
                assert all(u.unit.id != district["office"].id for u in notice.units)
    # Until its last day it was reminded like any unit (Q2's overdue notice of 27/06).
    before = plan_digests(date(2025, 6, 27))
    assert any(d.user.id == district["reporter"].id for d in before)


def test_its_open_items_are_listed_without_a_carrier(district, client, as_user, db):
    thanh_hoa = district["thanh_hoa"]
    listed = orphaned_for_tenant(thanh_hoa.area.id, date(2025, 7, 1))
    assert {o.item.id for o in listed} == {i.id for i in district["items"]}
    assert "Phòng Văn hóa và Thông tin (kết thúc 30/06/2025)" in listed[0].ended_text
    assert orphaned_for_tenant(district["hue"].area.id, date(2025, 7, 1)) == []
    assert {o.item.id for o in orphaned_in_period(district["q3"])} == {i.id for i in district["items"]}
    assert orphaned_in_period(district["q2"]) == []
    as_user(thanh_hoa.coordinator)
    board = client.get(f"/tong-quan?ke-hoach={district['plan'].id}").get_data(as_text=True)
    assert "Hạng mục không còn đơn vị thực hiện" in board and "Triển khai khối chỉ số 0" in board
    item_page = client.get(f"/hang-muc/{district['items'][0].id}").get_data(as_text=True)
    assert "Không còn đơn vị thực hiện" in item_page and "Giao lại cho đơn vị khác" in item_page


def test_the_coordinators_digest_lists_them(district):
    thanh_hoa, hue = district["thanh_hoa"], district["hue"]
    day = district["q3"].submission_deadline + timedelta(days=8)
    digests = {d.user.email: d for d in plan_digests(day)}
    escalation = next(n for n in digests[thanh_hoa.coordinator.email].notices if n.rule.value == "escalation")
    assert {o.item.id for o in escalation.orphans} == {i.id for i in district["items"]}
    assert all("không còn đơn vị thực hiện" in o.reason for o in escalation.orphans)
    hue_escalation = next(n for n in digests[hue.coordinator.email].notices if n.rule.value == "escalation")
    assert hue_escalation.orphans == []
    from tracker.reminders.services import compose

    text = compose(digests[thanh_hoa.coordinator.email]).text
    assert "Hạng mục không còn đơn vị thực hiện" in text and "Triển khai khối chỉ số 1" in text


def test_the_coordinator_reassigns_with_history(district, client, as_user, db):
    thanh_hoa = district["thanh_hoa"]
    item = district["items"][0]
    as_user(thanh_hoa.coordinator)
    form = client.get(f"/hang-muc/{item.id}/giao-lai").get_data(as_text=True)
    assert 'value="01/07/2025"' in form and "Sở Khoa học và Công nghệ" in form
    assert "Phòng Văn hóa và Thông tin" not in form.split('name="to_unit_id"')[1].split("</select>")[0]
    refused = client.post(f"/hang-muc/{item.id}/giao-lai", data={
        "to_unit_id": str(thanh_hoa.khcn.id), "effective_on": "15/06/2025", "note": "Giao sớm"})
    assert refused.status_code == 400 and "vẫn có đơn vị thực hiện" in refused.get_data(as_text=True)
    response = client.post(f"/hang-muc/{item.id}/giao-lai", data={
        "to_unit_id": str(thanh_hoa.khcn.id), "effective_on": "01/07/2025",
        "note": "Quyết định của UBND tỉnh giao Sở KH&CN theo dõi Bộ chỉ số."})
    assert response.status_code == 302
    row = db.session.scalars(select(ItemReassignment)).one()
    assert (row.from_unit_id, row.to_unit_id, row.effective_on) == (district["office"].id, thanh_hoa.khcn.id, date(2025, 7, 1))
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "item.reassign")).one()
    assert entry.actor_id == thanh_hoa.coordinator.id and entry.tenant_id == thanh_hoa.area.id
    assert entry.changes["owners"] == ["Phòng Văn hóa và Thông tin", "Sở Khoa học và Công nghệ"]
    # Q3 is now owed by Sở KH&CN; Q2 stays the office's; the item is no longer listed.
    assert {o.unit.id for o in obligations_for_period(district["q3"]) if o.item.id == item.id} == {thanh_hoa.khcn.id}
    assert {o.unit.id for o in obligations_for_period(district["q2"]) if o.item.id == item.id} == {district["office"].id}
    assert item.id not in {o.item.id for o in orphaned_in_period(district["q3"])}
    page = client.get(f"/hang-muc/{item.id}").get_data(as_text=True)
    assert "Từ 01/07/2025: Phòng Văn hóa và Thông tin" in page and "Quyết định của UBND tỉnh" in page
    assert item.owner_text == "Phòng Văn hóa và Thông tin"  # the document's wording stays


def test_past_reports_keep_the_old_unit(district, db):
    from tests.reports.conftest import Updates

    updates = Updates(db)
    thanh_hoa, item = district["thanh_hoa"], district["items"][1]
    updates.add(item, district["q2"], district["office"], "in_progress", 40, done_text="Đã triển khai một phần")
    reassign(thanh_hoa.coordinator, item, thanh_hoa.khcn, date(2025, 7, 1), "Giao Sở KH&CN")
    q2 = gather_report_data(district["plan"], district["q2"], options=ReportOptions(report_date=date(2025, 7, 5)))
    assert [a.name for a in q2.agencies] == ["Phòng Văn hóa và Thông tin"]
    q3 = gather_report_data(district["plan"], district["q3"], options=ReportOptions(report_date=date(2025, 10, 5)))
    assert [a.name for a in q3.agencies] == ["Sở Khoa học và Công nghệ"]


def test_reassignment_rules(district):
    hue, thanh_hoa, item = district["hue"], district["thanh_hoa"], district["items"][2]
    with pytest.raises(ReassignmentError, match="điều phối viên"):
        reassign(hue.coordinator, item, thanh_hoa.khcn, date(2025, 7, 1), "x")
    with pytest.raises(ReassignmentError, match="tỉnh, thành phố có hạng mục"):
        reassign(thanh_hoa.coordinator, item, hue.khcn, date(2025, 7, 1), "x")
    with pytest.raises(ReassignmentError, match="lý do"):
        reassign(thanh_hoa.coordinator, item, thanh_hoa.khcn, date(2025, 7, 1), " ")
    with pytest.raises(ReassignmentError, match="kết thúc hoạt động"):
        reassign(thanh_hoa.coordinator, item, district["office"], date(2025, 7, 1), "x")
