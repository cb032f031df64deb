"""merge_unit: from a date the successor carries the merged unit's work; history keeps the old name."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.browsing import update
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.periods.obligations import obligations_for_period
from tracker.units.services import UnitError, merge_unit


@pytest.fixture
def merger(db, factory):
    area = factory.area(name="Tỉnh Thừa Thiên Huế")
    tttt = factory.unit("Sở Thông tin và Truyền thông", area=area, short_name="Sở TT&TT")
    khcn = factory.unit("Sở Khoa học và Công nghệ", area=area, short_name="Sở KH&CN")
    plan = factory.plan(area=area, number="222/KH-UBND")
    item = factory.item(plan, kind="project", owner=tttt, text="Xây dựng Trung tâm giám sát an toàn thông tin",
                        start_year=2021, end_year=2030)
    q4_2024 = factory.period(2024, 4)
    q3_2025 = factory.period(2025, 3)
    old_reporter = factory.user(role="reporter", unit=tttt, full_name="Lê Văn Cũ")
    update(db, item, q4_2024, tttt, state="accepted", progress=30, author=old_reporter, done_text="Báo cáo năm 2024")
    admin = factory.user(role="admin")
    db.session.commit()
    return dict(area=area, tttt=tttt, khcn=khcn, item=item, q4_2024=q4_2024, q3_2025=q3_2025,
                old_reporter=old_reporter, admin=admin)


def test_after_the_merger_the_item_shows_the_written_owner_and_the_carrier(client, db, factory, login, merger):
    merge_unit(merger["admin"], merger["tttt"], merger["khcn"], date(2025, 3, 1))
    db.session.commit()
    login(factory.user(role="viewer"))
    html = client.get(f"/hang-muc/{merger['item'].id}").get_data(as_text=True)
    flat = " ".join(html.split())
    assert "Sở Thông tin và Truyền thông" in flat
    assert "Đơn vị đảm nhận hiện nay: " in flat and "Sở Khoa học và Công nghệ</a> (Sở KH&amp;CN)" in flat
    # The 2024 update still names the unit that wrote it.
    history = flat[flat.index("Quý 4/2024"):]
    assert "<strong>Sở Thông tin và Truyền thông</strong>" in history
    assert "Báo cáo năm 2024" in history


def test_merger_moves_future_obligations_and_keeps_past_ones(db, merger):
    merge_unit(merger["admin"], merger["tttt"], merger["khcn"], date(2025, 3, 1))
    db.session.flush()
    past = obligations_for_period(merger["q4_2024"], plan_id=merger["item"].plan_id)
    future = obligations_for_period(merger["q3_2025"], plan_id=merger["item"].plan_id)
    assert [o.unit.name for o in past] == ["Sở Thông tin và Truyền thông"]
    assert past[0].state == "accepted"
    assert [o.unit.name for o in future] == ["Sở Khoa học và Công nghệ"]
    # Past updates are not rewritten.
    assert merger["item"].owners[0].unit_id == merger["tttt"].id


def test_merger_is_audited_on_both_units(db, merger):
    merge_unit(merger["admin"], merger["tttt"], merger["khcn"], date(2025, 3, 1), note="Nghị quyết sáp nhập")
    db.session.flush()
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "unit").order_by(AuditEntry.id)).all()
    assert [(e.action, e.entity_id) for e in entries] == [("merge", merger["tttt"].id), ("receive", merger["khcn"].id)]
    assert entries[0].changes["successor"] == [None, "Sở Khoa học và Công nghệ"]
    assert entries[0].changes["succeeded_on"] == [None, "2025-03-01"]
    assert entries[0].actor_id == merger["admin"].id
    assert merger["tttt"].succession_type == "merged" and merger["tttt"].succession_note == "Nghị quyết sáp nhập"


def test_merger_can_move_user_accounts(db, merger):
    merge_unit(merger["admin"], merger["tttt"], merger["khcn"], date(2025, 3, 1), move_users=True)
    db.session.flush()
    assert db.session.get(User, merger["old_reporter"].id).unit_id == merger["khcn"].id


def test_merger_refuses_self_and_cycles(db, merger):
    with pytest.raises(UnitError, match="chính nó"):
        merge_unit(merger["admin"], merger["tttt"], merger["tttt"], date(2025, 3, 1))
    merge_unit(merger["admin"], merger["tttt"], merger["khcn"], date(2025, 3, 1))
    with pytest.raises(UnitError, match="không thể kế thừa ngược lại"):
        merge_unit(merger["admin"], merger["khcn"], merger["tttt"], date(2025, 6, 1))


def test_unit_pages_show_the_succession_both_ways(client, db, factory, login, merger):
    merge_unit(merger["admin"], merger["tttt"], merger["khcn"], date(2025, 3, 1))
    db.session.commit()
    login(factory.user(role="viewer"))
    old = " ".join(client.get(f"/don-vi/{merger['tttt'].id}").get_data(as_text=True).split())
    new = " ".join(client.get(f"/don-vi/{merger['khcn'].id}").get_data(as_text=True).split())
    assert "hợp nhất vào" in old and f'/don-vi/{merger["khcn"].id}' in old
    assert "từ ngày 01/03/2025" in old
    assert "Tiếp nhận nhiệm vụ của:" in new and f'/don-vi/{merger["tttt"].id}' in new
    # The successor lists the item it now carries, and says where it comes from.
    assert "Xây dựng Trung tâm giám sát an toàn thông tin" in new
    assert "tiếp nhận từ Sở Thông tin và Truyền thông" in new
    # Reports per period: 2024 owed by the old unit, 2025 by the successor.
    assert merger["q4_2024"].label in old and "Do Sở KH&amp;CN báo cáo" in old


def test_succession_through_the_admin_form(client, db, factory, login, merger):
    login(merger["admin"])
    response = client.post("/quan-tri/ke-thua", data={
        "source_id": merger["tttt"].id, "target_id": merger["khcn"].id, "on": "01/03/2025", "kind": "merged",
        "note": "Theo Nghị quyết", "move_users": "y"})
    # First the consequences, nothing changed; then the confirmation applies it.
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Xác nhận ghi nhận" in html and 'name="confirm" value="1"' in html
    db.session.expire_all()
    assert merger["tttt"].successor_id is None
    response = client.post("/quan-tri/ke-thua", data={
        "source_id": merger["tttt"].id, "target_id": merger["khcn"].id, "on": "01/03/2025", "kind": "merged",
        "note": "Theo Nghị quyết", "move_users": "y", "confirm": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert merger["tttt"].successor_id == merger["khcn"].id
    assert merger["tttt"].succeeded_on == date(2025, 3, 1)
    assert db.session.get(User, merger["old_reporter"].id).unit_id == merger["khcn"].id
    # Bad input: same unit, impossible date.
    response = client.post("/quan-tri/ke-thua", data={
        "source_id": merger["khcn"].id, "target_id": merger["khcn"].id, "on": "31/02/2025", "kind": "merged"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Đơn vị kế thừa phải khác đơn vị cũ." in html
    assert "Ngày không hợp lệ (dd/mm/yyyy)." in html and 'value="31/02/2025"' in html


def test_a_merger_is_confirmed_first_and_can_be_undone_with_its_history(client, db, factory, login, merger):
    login(merger["admin"])
    form = client.get("/quan-tri/ke-thua").get_data(as_text=True)
    # No unit chosen in advance: both lists open on "— Chọn đơn vị —".
    for name in ("source_id", "target_id"):
        select = form.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        options = re.findall(r"<option[^>]*>[^<]*</option>", select)
        assert options[0] == '<option value="0">— Chọn đơn vị —</option>', options[:2]
        assert "selected" not in select
    missing = client.post("/quan-tri/ke-thua", data={"source_id": "0", "target_id": "0", "on": "01/03/2025",
                                                     "kind": "merged"})
    assert missing.status_code == 400 and "Vui lòng chọn đơn vị cũ." in missing.get_data(as_text=True)

    data = {"source_id": merger["tttt"].id, "target_id": merger["khcn"].id, "on": "01/03/2025", "kind": "merged",
            "note": "Theo Nghị quyết", "confirm": "1"}
    assert client.post("/quan-tri/ke-thua", data=data).status_code == 302
    db.session.expire_all()
    assert merger["tttt"].successor_id == merger["khcn"].id
    response = client.post(f"/quan-tri/ke-thua/{merger['tttt'].id}/hoan-tac")
    assert response.status_code == 302
    db.session.expire_all()
    assert merger["tttt"].successor_id is None and merger["tttt"].succeeded_on is None
    page = client.get("/quan-tri/ke-thua").get_data(as_text=True)
    assert "Hoàn tác ngày" in page and "(đã ghi từ ngày 01/03/2025)" in page
    assert "Sở Thông tin và Truyền thông hợp nhất vào Sở Khoa học và Công nghệ từ ngày 01/03/2025" in page
    assert client.post(f"/quan-tri/ke-thua/{merger['tttt'].id}/hoan-tac").status_code == 404  # nothing left to undo
