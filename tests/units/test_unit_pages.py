"""Unit pages: the units of an area, and what one unit owns, coordinates and has reported."""
import re
from datetime import timedelta

import pytest

from tests.browsing import recent_quarters, update
from tracker.core.time import today_local


@pytest.fixture
def units(db, factory):
    today = today_local()
    area = factory.area(name="Tỉnh Thử")
    current, previous = recent_quarters(factory, today, 2, tenant=area)
    noivu = factory.unit("Sở Nội vụ", area=area, short_name="SNV")
    taichinh = factory.unit("Sở Tài chính", area=area)
    yte = factory.unit("Sở Y tế", area=area)
    group = factory.group("Các Sở, ban, ngành", [noivu, taichinh], area=area)
    plan = factory.plan(area=area, period_end=today.year + 1)
    own = factory.item(plan, owner=noivu, text="Hệ thống quản lý văn bản", end_year=today.year + 1)
    via_group = factory.item(plan, owner=group, text="Số hóa hồ sơ các sở", end_year=today.year + 1)
    coordinated = factory.item(plan, owner=yte, coordinators=[noivu], text="Bệnh án điện tử", end_year=today.year + 1)
    update(db, own, previous, noivu, state="accepted", submitted_on=previous.submission_deadline + timedelta(days=1))
    update(db, via_group, previous, noivu, state="accepted")
    update(db, own, current, noivu, state="draft")
    db.session.commit()
    return dict(area=area, noivu=noivu, taichinh=taichinh, yte=yte, own=own, via_group=via_group,
                coordinated=coordinated, current=current, previous=previous, group=group)


@pytest.fixture
def reader(factory, login, units):
    user = factory.user(role="reporter", unit=units["yte"])  # a reporter of the same province
    login(user)
    return user


def test_unit_index_lists_the_area_with_counts_and_groups(client, reader, units):
    html = client.get(f"/don-vi?khu-vuc={units['area'].id}").get_data(as_text=True)
    flat = " ".join(html.split())
    for name in ("Sở Nội vụ", "Sở Tài chính", "Sở Y tế", "Các Sở, ban, ngành"):
        assert name in html
    row = flat[flat.index(f'/don-vi/{units["noivu"].id}"'):]
    row = row[: row.index("</tr>")]
    # Owns one directly and one through its group (the unit page's rule), coordinates one.
    assert '<td class="num">2</td><td class="num">1</td>' in row
    searched = client.get(f"/don-vi?khu-vuc={units['area'].id}&q=so+y+te").get_data(as_text=True)
    table = searched[: searched.index("Nhóm đơn vị")]
    assert "Sở Y tế" in table and f'/don-vi/{units["taichinh"].id}"' not in table


def test_unit_index_sorts_names_the_vietnamese_way(client, factory, reader, units):
    # Code-point order put "Đài ..." and "Ủy ban ..." after "Văn phòng ...", at the end of the list.
    for name in ("Ủy ban nhân dân tỉnh Thử", "Đài Phát thanh và Truyền hình", "Văn phòng Ủy ban nhân dân tỉnh",
                 "Ban Dân tộc", "Đại học Thử"):
        factory.unit(name, area=units["area"])
    html = client.get(f"/don-vi?khu-vuc={units['area'].id}").get_data(as_text=True)
    table = html[: html.index("Nhóm đơn vị")]
    names = re.findall(r'<a href="/don-vi/\d+">([^<]+)</a>', table)
    assert names == ["Ban Dân tộc", "Đại học Thử", "Đài Phát thanh và Truyền hình", "Sở Nội vụ", "Sở Tài chính",
                     "Sở Y tế", "Ủy ban nhân dân tỉnh Thử", "Văn phòng Ủy ban nhân dân tỉnh"], names


def test_unit_page_lists_owned_coordinated_and_group_items(client, reader, units):
    html = " ".join(client.get(f"/don-vi/{units['noivu'].id}").get_data(as_text=True).split())
    owned = html[html.index('id="chu-tri"'): html.index('id="phoi-hop"')]
    coordinated = html[html.index('id="phoi-hop"'):]
    assert "Hệ thống quản lý văn bản" in owned and "Số hóa hồ sơ các sở" in owned
    assert "qua nhóm Các Sở, ban, ngành" in owned
    assert "Bệnh án điện tử" in coordinated and "Bệnh án điện tử" not in owned
    assert "Thành viên của nhóm: Các Sở, ban, ngành" in html


def test_unit_page_shows_submissions_per_period(client, reader, units):
    html = re.sub(r">\s+<", "><", client.get(f"/don-vi/{units['noivu'].id}").get_data(as_text=True))
    current_row = html[html.index(f'id="ky-{units["current"].code}"'):]
    current_row = current_row[: current_row.index("</tr>")]
    previous_row = html[html.index(f'id="ky-{units["previous"].code}"'):]
    previous_row = previous_row[: previous_row.index("</tr>")]
    # Current period: two items owed, one draft, nothing submitted yet.
    assert '<td class="num">2</td><td class="num">0</td><td class="num">0</td><td class="num">1</td><td class="num">1</td>' in current_row
    assert "Đang thực hiện" in current_row
    # Previous period: both submitted, one after the deadline.
    assert '<td class="num">2</td><td class="num">2</td><td class="num">1</td>' in previous_row
    assert "Gửi đủ, có báo cáo muộn" in previous_row


def test_unknown_unit_is_404(client, reader):
    assert client.get("/don-vi/999999").status_code == 404
