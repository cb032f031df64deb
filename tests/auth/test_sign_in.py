"""Signing in and out, with CSRF protection on as in production."""
import pytest
from flask import g

from tests.csrf import sign_in, sign_out

pytestmark = pytest.mark.usefixtures("csrf_enabled")


def test_sign_in_and_out(client, factory, login):
    user = factory.user(role="coordinator")
    response = login(user)
    assert response.headers["Location"] == "/"
    assert sign_out(client).status_code == 302


def test_wrong_password_is_refused(client, factory):
    user = factory.user(role="viewer")
    response = sign_in(client, user.email, "sai-mat-khau")
    assert response.status_code == 401
    assert "Email hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def test_repeated_failures_lock_the_account(client, factory, app):
    user = factory.user(role="viewer")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        sign_in(client, user.email, "sai")
    response = sign_in(client, user.email, "matkhau123")
    assert response.status_code == 429
    assert "quá nhiều lần" in response.get_data(as_text=True)


def test_next_redirect_is_kept_on_site(client, factory):
    user = factory.user(role="viewer")
    for target, expected in [("/ke-hoach", "/ke-hoach"), ("//evil.example/x", "/"), ("https://evil.example/", "/"),
                             ("/\\evil.example", "/")]:
        from tests.csrf import csrf_token

        response = client.post(f"/dang-nhap?next={target}", data={"email": user.email, "password": "matkhau123",
                                                                   "csrf_token": csrf_token(client)})
        assert response.headers["Location"] == expected, target
        sign_out(client)
        g.pop("_login_user", None)


def test_password_is_hashed_with_scrypt(factory):
    user = factory.user(role="viewer")
    assert user.password_hash.startswith("scrypt:")


def test_a_new_password_ends_existing_sessions(client, factory, login, db):
    user = factory.user(role="viewer")
    login(user)
    assert client.get("/tong-quan").status_code == 200
    user.set_password("mat-khau-moi-123")
    db.session.commit()
    g.pop("_login_user", None)  # the test's app context outlives requests; a server's does not
    response = client.get("/tong-quan")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


def test_an_expired_sign_in_form_says_so_and_keeps_the_email(client, factory, app, monkeypatch):
    """A sign-in page left open after its session is gone (no CSRF token in the session): a Vietnamese
    message on the sign-in page and the email kept, not the bare "Yêu cầu không hợp lệ." page."""
    user = factory.user(role="viewer")
    response = client.post("/dang-nhap", data={"email": user.email, "password": "matkhau123",
                                               "csrf_token": "het-han"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại." in html and f'value="{user.email}"' in html
    assert 'name="csrf_token" type="hidden" value="' in html  # a fresh token: the next try goes through
    out = client.post("/dang-xuat", data={"csrf_token": "het-han"})
    assert out.status_code == 302 and out.headers["Location"].endswith("/dang-nhap")
