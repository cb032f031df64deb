"""Self-service password change, and reset by an e-mailed token: expiring, single use, stored hashed,
ending the account's other sessions; the request never reveals whether an address has an account."""
from __future__ import annotations

import re
from datetime import timedelta

from flask import g
from sqlalchemy import select

from tracker.auth.passwords import PasswordResetToken, hash_token, request_reset
from tracker.core.time import utcnow
from tracker.reminders.models import OutboxMessage


def _mails(db, user):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)))


def _token_from_mail(mail) -> str:
    return re.search(r"http://tracker\.test/dat-lai-mat-khau/(\S+)", mail.body_text).group(1)


def _other_browser(app, user):
    g.pop("_login_user", None)
    other = app.test_client()
    other.post("/dang-nhap", data={"email": user.email, "password": "matkhau123"})
    assert other.get("/tong-quan").status_code == 200
    return other


def test_the_request_reveals_nothing_and_mails_a_hashed_token(app, client, db, factory):
    user = factory.user(role="viewer")
    known = client.post("/quen-mat-khau", data={"email": user.email.upper()})
    unknown = client.post("/quen-mat-khau", data={"email": "khong-co@test.vn"})
    assert known.status_code == unknown.status_code == 200
    strip = lambda html: html.replace(user.email.upper(), "").replace("khong-co@test.vn", "")  # noqa: E731
    assert strip(known.get_data(as_text=True)) == strip(unknown.get_data(as_text=True))
    assert "Nếu địa chỉ này có tài khoản" in known.get_data(as_text=True)
    [mail] = _mails(db, user)
    assert mail.subject == "[Theo dõi CĐS] Đặt lại mật khẩu" and "Kính gửi" in mail.body_text
    raw = _token_from_mail(mail)
    stored = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    assert stored.token_hash == hash_token(raw) and raw not in stored.token_hash
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_email == "khong-co@test.vn")) is None


def test_a_reset_works_once_and_ends_other_sessions(app, client, db, factory):
    user = factory.user(role="viewer")
    other = _other_browser(app, user)
    client.post("/quen-mat-khau", data={"email": user.email})
    raw = _token_from_mail(_mails(db, user)[0])
    g.pop("_login_user", None)
    assert client.get(f"/dat-lai-mat-khau/{raw}").status_code == 200
    short = client.post(f"/dat-lai-mat-khau/{raw}", data={"new_password": "ngan", "confirm": "ngan"})
    assert short.status_code == 400 and "Mật khẩu mới phải có từ 8 đến 200 ký tự." in short.get_data(as_text=True)
    done = client.post(f"/dat-lai-mat-khau/{raw}", data={"new_password": "matkhaumoi456", "confirm": "matkhaumoi456"})
    assert done.status_code == 302 and "/dang-nhap" in done.headers["Location"]
    g.pop("_login_user", None)
    refused = other.get("/tong-quan")
    assert refused.status_code == 302 and "/dang-nhap" in refused.headers["Location"]  # the other session ended
    again = client.post(f"/dat-lai-mat-khau/{raw}", data={"new_password": "matkhaukhac789", "confirm": "matkhaukhac789"})
    assert again.status_code == 404  # single use
    db.session.expire_all()
    assert user.check_password("matkhaumoi456") and not user.check_password("matkhaukhac789")


def test_a_token_expires(app, client, db, factory):
    user = factory.user(role="viewer")
    raw = request_reset(user.email, now=utcnow() - timedelta(minutes=61))
    db.session.flush()
    page = client.get(f"/dat-lai-mat-khau/{raw}")
    assert page.status_code == 404 and "đã hết hạn" in page.get_data(as_text=True)
    assert client.post(f"/dat-lai-mat-khau/{raw}", data={"new_password": "matkhaumoi456",
                                                          "confirm": "matkhaumoi456"}).status_code == 404
    db.session.expire_all()
    assert user.check_password("matkhau123")


def test_change_own_password_keeps_this_session_and_ends_the_others(app, client, db, factory, login):
    user = factory.user(role="viewer")
    other = _other_browser(app, user)
    g.pop("_login_user", None)
    login(user)
    wrong = client.post("/ho-so/mat-khau", data={"current_password": "sai", "new_password": "matkhaumoi456",
                                                 "confirm": "matkhaumoi456"}, follow_redirects=True)
    assert "Mật khẩu hiện tại không đúng." in wrong.get_data(as_text=True)
    mismatch = client.post("/ho-so/mat-khau", data={"current_password": "matkhau123", "new_password": "matkhaumoi456",
                                                    "confirm": "khac"}, follow_redirects=True)
    assert "Hai lần nhập mật khẩu mới không trùng nhau." in mismatch.get_data(as_text=True)
    done = client.post("/ho-so/mat-khau", data={"current_password": "matkhau123", "new_password": "matkhaumoi456",
                                                "confirm": "matkhaumoi456"})
    assert done.status_code == 302
    g.pop("_login_user", None)
    assert client.get("/tong-quan").status_code == 200  # this browser stays signed in
    g.pop("_login_user", None)
    assert other.get("/tong-quan").status_code == 302
    db.session.expire_all()
    assert user.check_password("matkhaumoi456")


def test_the_sign_in_page_links_to_the_reset(client):
    assert 'href="/quen-mat-khau"' in client.get("/dang-nhap").get_data(as_text=True)
