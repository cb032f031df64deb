"""The in-app notices: /thong-bao, mark as read, the unread count in the nav, the opt-out."""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import render_template_string
from flask_login import login_user

from tracker.reminders.models import Notification


def notify(db, user, title="Nhắc nộp báo cáo Quý 3/2025: còn 7 ngày", **kwargs):
    notification = Notification(user_id=user.id, title=title, body=kwargs.pop("body", "Sở Nội vụ còn 2 hạng mục"),
                                link="http://tracker.test/viec-cua-toi",
                                created_at=kwargs.pop("created_at", datetime(2025, 9, 11, 0, tzinfo=timezone.utc)),
                                **kwargs)
    db.session.add(notification)
    db.session.flush()
    return notification


def test_page_lists_my_notices_and_counts_the_unread(client, login, factory, db):
    me, other = factory.user(role="reporter"), factory.user(role="reporter")
    notify(db, me)
    notify(db, me, title="Quá hạn nộp báo cáo Quý 2/2025 3 ngày", read_at=datetime(2025, 9, 12, tzinfo=timezone.utc))
    notify(db, other, title="Thông báo của người khác")
    db.session.commit()
    login(me)
    page = client.get("/thong-bao").get_data(as_text=True)
    assert "Nhắc nộp báo cáo Quý 3/2025: còn 7 ngày" in page
    assert "Quá hạn nộp báo cáo Quý 2/2025 3 ngày" in page
    assert "Thông báo của người khác" not in page
    assert "1 chưa đọc" in page
    assert "07:00 11/09/2025" in page  # Asia/Ho_Chi_Minh


def test_mark_one_and_all_as_read(client, login, factory, db):
    me = factory.user(role="coordinator")
    first, second = notify(db, me), notify(db, me)
    db.session.commit()
    login(me)
    assert client.post(f"/thong-bao/{first.id}/da-doc").status_code == 302
    db.session.refresh(first)
    assert first.read_at is not None and second.read_at is None
    assert client.post("/thong-bao/da-doc-tat-ca").status_code == 302
    db.session.refresh(second)
    assert second.read_at is not None
    assert "chưa đọc" not in client.get("/thong-bao").get_data(as_text=True).split("<h1>")[1].split("</h1>")[0]


def test_someone_elses_notice_cannot_be_touched(client, login, factory, db):
    me, other = factory.user(role="reporter"), factory.user(role="reporter")
    theirs = notify(db, other)
    db.session.commit()
    login(me)
    assert client.post(f"/thong-bao/{theirs.id}/da-doc").status_code == 404
    db.session.refresh(theirs)
    assert theirs.read_at is None


def test_unread_count_context_value(app, db, factory):
    me = factory.user(role="viewer")
    notify(db, me)
    notify(db, me)
    db.session.commit()
    with app.test_request_context("/"):
        assert render_template_string("{{ unread_notifications }}") == "0"  # signed out
        login_user(me)
        app.preprocess_request()  # as a request does: the signed-in user's scope (tracker/areas/scope.py)
        assert render_template_string("{{ unread_notifications }}") == "2"


def test_nav_shows_the_badge(client, login, factory, db):
    me = factory.user(role="viewer")
    notify(db, me)
    db.session.commit()
    login(me)
    page = client.get("/thong-bao").get_data(as_text=True)
    # Both places: the menu's badge and the page heading's count.
    assert '<span class="nav-badge" title="1 chưa đọc">1</span>' in page
    assert '<span class="badge badge-overdue">1 chưa đọc</span>' in page


def test_opt_out_of_optional_notices(client, login, factory, db):
    me = factory.user(role="reporter")
    db.session.commit()
    login(me)
    response = client.post("/thong-bao/tuy-chon", data={})  # unchecked box
    assert response.status_code == 302
    db.session.refresh(me)
    assert me.notify_optional is False
    assert "Thông báo quá hạn vẫn được gửi" in client.get("/thong-bao").get_data(as_text=True)
    client.post("/thong-bao/tuy-chon", data={"notify_optional": "y", "next": "profile"})
    db.session.refresh(me)
    assert me.notify_optional is True


def test_claimed_digest_appears_in_the_app(db, scenario, client, login):
    from tests.reminders.conftest import at_local
    from tracker.reminders.outbox import claim_digests
    from tracker.reminders.services import plan_digests

    claim_digests(plan_digests(date(2025, 9, 11)), now=at_local(date(2025, 9, 11)))
    login(scenario.reporters["Sở Y tế"])
    page = client.get("/thong-bao").get_data(as_text=True)
    assert "Nhắc nộp báo cáo Quý 3/2025: còn 7 ngày (hạn 18/09/2025)" in page
    assert "Sở Y tế" in page


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/thong-bao")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]
