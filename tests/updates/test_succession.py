"""Sở TT&TT merged into Sở KH&CN on 01/3/2025: today's work goes to Sở KH&CN, the 2024 history keeps
naming Sở TT&TT."""
from datetime import date

import pytest
from sqlalchemy import select

from tests.updates.world import build_world, edit_url, form
from tracker.periods.services import ensure_period
from tracker.units.services import merge_unit
from tracker.updates import services
from tracker.updates.models import StatusUpdate
from tracker.updates.validation import validate_update


@pytest.fixture
def before_merger(factory):
    return build_world(factory, merged=False)


def test_successor_reports_on_a_former_tttt_project(client, db, before_merger, as_user):
    world = before_merger
    item = world.project_tttt
    q4 = ensure_period(2024, 4, world.area)
    in_2024 = date(2024, 12, 10)
    values = validate_update(item, form(progress="30", done_text="Đã ký hợp đồng triển khai chữ ký số.",
                                        difficulties="Nhà cung cấp chậm bàn giao."),
                             budget=services.budget_of(item)).values
    update = services.save_draft(world.reporter_tttt, item, q4, values, update_id=None, lock_version=None,
                                 today=in_2024)
    services.submit(world.reporter_tttt, update, today=in_2024)
    services.accept(world.coordinator, update, today=in_2024)
    assert update.unit_id == world.tttt.id
    db.session.commit()

    merge_unit(world.admin, world.tttt, world.khcn, date(2025, 3, 1))
    db.session.commit()

    url = edit_url(item, world.period)
    as_user(world.reporter_tttt)  # the merged unit's account writes nothing any more
    assert client.get(url).status_code == 403
    assert client.post(url, data=form()).status_code == 403

    as_user(world.reporter)  # Sở KH&CN
    page = client.get(url).get_data(as_text=True)
    assert "Báo cáo của Sở Khoa học và Công nghệ" in page
    assert 'value="30"' in page  # starts from the item's last accepted state
    my_work = client.get("/viec-cua-toi").get_data(as_text=True)
    assert "Triển khai nền tảng chữ ký số" in my_work
    response = client.post(url, data=form(progress="70", action="submit", done_text="Đã triển khai cho 20 sở."))
    assert response.status_code == 302
    current = db.session.scalars(
        select(StatusUpdate).where(StatusUpdate.item_id == item.id, StatusUpdate.period_id == world.period.id)).one()
    assert current.unit_id == world.khcn.id and current.author_id == world.reporter.id

    as_user(world.coordinator)
    client.post(f"/cap-nhat/{current.id}/duyet", data={"decision": "accept"})
    db.session.expire_all()
    assert db.session.get(StatusUpdate, current.id).item.progress == 70

    # The history names each unit as it was.
    page = client.get(url).get_data(as_text=True)
    history = page.split("Lịch sử báo cáo các kỳ khác", 1)[1]
    assert "Quý 4/2024" in history and "Sở Thông tin và Truyền thông" in history
    old = client.get(edit_url(item, q4)).get_data(as_text=True)
    assert "Sở Thông tin và Truyền thông" in old and "Nhà cung cấp chậm bàn giao." in old
    db.session.expire_all()
    assert db.session.get(StatusUpdate, update.id).unit.name == "Sở Thông tin và Truyền thông"

    # A late correction of the 2024 report is written by Sở KH&CN but stays Sở TT&TT's report.
    as_user(world.reporter)
    assert client.post(f"/cap-nhat/{update.id}/dinh-chinh").status_code == 302
    correction = db.session.scalars(
        select(StatusUpdate).where(StatusUpdate.item_id == item.id, StatusUpdate.period_id == q4.id,
                                   StatusUpdate.version == 2)).one()
    assert correction.unit_id == world.tttt.id and correction.author_id == world.reporter.id
    page = client.get(edit_url(item, q4)).get_data(as_text=True)
    assert "Báo cáo thay cho Sở Thông tin và Truyền thông" in page
