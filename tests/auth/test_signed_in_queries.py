"""What every signed-in page shows of its user (unit, area and its current name, unread badge) costs
the request one query, the user loader's."""
from datetime import date

from flask import g

from tests.browsing import count_queries
from tracker.areas.models import AreaName
from tracker.reminders.models import Notification


def test_user_unit_area_and_unread_count_in_one_query(client, db, factory, login):
    area = factory.area(code="thua-thien-hue", name="Tỉnh Thừa Thiên Huế")
    db.session.add(AreaName(area=area, valid_from=date(2025, 1, 1), name="Thành phố Huế", level="city"))
    unit = factory.unit("Sở Khoa học và Công nghệ", area=area, short_name="Sở KH&CN")
    me = factory.user(role="viewer", unit=unit, tenant=area)
    db.session.add_all([Notification(user=me, title=f"Thông báo {n}", body="") for n in range(2)])
    db.session.commit()
    login(me)
    db.session.expire_all()  # as a new request: nothing already loaded
    g.pop("_login_user", None)  # (the tests' app context outlives the request; production's does not)
    with count_queries(db.engine) as statements:
        html = client.get("/don-vi").get_data(as_text=True)
    assert "Sở KH&amp;CN" in html and "Thành phố Huế" in html
    assert 'title="2 chưa đọc"' in html
    about_the_user = [s for s in statements if 'FROM "user"' in s or "FROM user" in s]
    assert len(about_the_user) == 1, about_the_user
    assert not [s for s in statements if "area_name" in s and s not in about_the_user]
    assert not [s for s in statements if "notification" in s and s not in about_the_user]
