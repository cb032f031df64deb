"""Signing out ends the session on the server: cookies captured before sign-out open nothing after it."""
from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import select

from tests.csrf import csrf_token, sign_in, sign_out
from tracker.auth.models import User

pytestmark = pytest.mark.usefixtures("csrf_enabled")


def cookie(client, name: str) -> str | None:
    found = client.get_cookie(name, domain="tracker.test")
    return found.value if found is not None else None


def replay(app, **cookies):
    """A fresh browser carrying only the captured cookies."""
    g.pop("_login_user", None)  # the test's app context outlives requests; a server's does not
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value, domain="tracker.test")
    return other.get("/tong-quan")


def test_captured_session_and_remember_cookies_die_with_sign_out(app, client, factory):
    user = factory.user(role="viewer")
    assert sign_in(client, user.email, "matkhau123", remember="y").status_code == 302
    captured = {"session": cookie(client, "session"), "remember_token": cookie(client, "remember_token")}
    assert captured["remember_token"], "remember me sets the cookie"
    assert replay(app, **captured).status_code == 200  # the captured cookies work while signed in

    response = sign_out(client)
    assert response.status_code == 302
    cleared = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]
    assert cleared and ("Max-Age=0" in cleared[0] or "1970" in cleared[0]), "the remember cookie is cleared"

    for name, value in captured.items():
        refused = replay(app, **{name: value})
        assert refused.status_code == 302 and "/dang-nhap" in refused.headers["Location"], name
    refused = replay(app, **captured)
    assert refused.status_code == 302 and "/dang-nhap" in refused.headers["Location"]


def test_signing_in_again_after_sign_out_works(client, factory):
    user = factory.user(role="viewer")
    sign_in(client, user.email, "matkhau123")
    sign_out(client)
    g.pop("_login_user", None)
    assert sign_in(client, user.email, "matkhau123").status_code == 302
    assert client.get("/tong-quan").status_code == 200


def test_a_password_reset_ends_every_session(app, client, factory, db):
    from tracker.admin.services import reset_password

    user = factory.user(role="viewer")
    admin = factory.user(role="admin")
    sign_in(client, user.email, "matkhau123", remember="y")
    captured = {"session": cookie(client, "session"), "remember_token": cookie(client, "remember_token")}
    version = user.session_version
    reset_password(admin, db.session.scalar(select(User).where(User.id == user.id)), "mat-khau-moi-123")
    db.session.commit()
    assert user.session_version == version + 1
    for name, value in captured.items():
        assert replay(app, **{name: value}).status_code == 302, name


def test_deactivating_a_user_ends_their_sessions(app, client, factory, db, login):
    from tracker.admin.services import save_user

    user = factory.user(role="viewer")
    admin = factory.user(role="admin")
    sign_in(client, user.email, "matkhau123")
    captured = cookie(client, "session")
    save_user(admin, user, email=user.email, full_name=user.full_name, role=user.role, unit=None, active=False)
    db.session.commit()
    assert replay(app, session=captured).status_code == 302


def test_sign_out_needs_the_csrf_token(client, factory):
    """A forged cross-site sign-out is refused (and does not sign the user out)."""
    user = factory.user(role="viewer")
    sign_in(client, user.email, "matkhau123")
    client.post("/dang-xuat", data={"csrf_token": "gia-mao"})
    g.pop("_login_user", None)
    assert client.get("/tong-quan").status_code == 200
    assert csrf_token(client)  # still signed in: the profile page opens
