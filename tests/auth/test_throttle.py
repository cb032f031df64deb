"""Sign-in throttling: counted atomically, the same for unknown accounts, by account and by client
address, with growing delays rather than a lockout anyone can renew. CSRF stays enabled."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import select

from tests.concurrency import run_together
from tests.csrf import csrf_token, sign_in
from tracker.auth import models as auth_models
from tracker.auth.models import User
from tracker.core.time import utcnow
from tracker.extensions import db as _db

pytestmark = pytest.mark.usefixtures("csrf_enabled")

WRONG = "Email hoặc mật khẩu không đúng."
THROTTLED = "Đăng nhập sai quá nhiều lần"


def from_address(client, address: str):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_concurrent_wrong_passwords_check_at_most_the_limit(concurrent_app):
    """30 parallel wrong passwords for one account, each with its own session and CSRF token: at
    most LOGIN_MAX_FAILURES are checked, the rest refused unchecked; the right password then waits."""
    limit = concurrent_app.config["LOGIN_MAX_FAILURES"]
    with concurrent_app.app_context():
        user = User(email="quantri@dongthoi.vn", role="admin", full_name="Quản trị")
        user.set_password("matkhau-dung-1")
        _db.session.add(user)
        _db.session.commit()

    clients = [concurrent_app.test_client() for _ in range(30)]
    tokens = [csrf_token(client) for client in clients]

    def attempt(client, token):
        return client.post("/dang-nhap", data={"email": "quantri@dongthoi.vn", "password": "sai-mat-khau",
                                               "csrf_token": token}).status_code

    statuses = run_together([lambda c=c, t=t: attempt(c, t) for c, t in zip(clients, tokens)])
    checked = statuses.count(401)
    assert checked <= limit, f"{checked} passwords checked, limit {limit}: {sorted(statuses)}"
    assert statuses.count(429) == 30 - checked
    late = concurrent_app.test_client()
    response = sign_in(late, "quantri@dongthoi.vn", "matkhau-dung-1")
    assert response.status_code == 429, "the right password inside the burst must wait its turn"


def test_unknown_account_answers_like_an_existing_one(client, factory, app, monkeypatch):
    # One instant for every attempt: the two accounts' attempts interleave, so on a running clock
    # their last waits can straddle a second; frozen, they differ only if the counting does.
    now = utcnow()
    monkeypatch.setattr("tracker.auth.routes.utcnow", lambda: now)
    user = factory.user(role="viewer")
    unknown = "khong-ton-tai@example.vn"
    for email in (user.email, unknown):
        response = sign_in(client, email, "sai-mat-khau")
        assert response.status_code == 401 and WRONG in response.get_data(as_text=True)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        sign_in(from_address(client, "10.0.0.2"), user.email, "sai")
        sign_in(from_address(client, "10.0.0.3"), unknown, "sai")
    known = sign_in(from_address(client, "10.0.0.2"), user.email, "sai")
    other = sign_in(from_address(client, "10.0.0.3"), unknown, "sai")
    assert known.status_code == other.status_code == 429
    assert THROTTLED in known.get_data(as_text=True) and THROTTLED in other.get_data(as_text=True)
    assert known.headers.get("Retry-After") == other.headers.get("Retry-After")


def test_unknown_account_costs_one_password_hash_like_an_existing_one(client, factory, monkeypatch):
    """The cost is equal: an unknown account verifies a dummy hash of the same kind (scrypt)."""
    user = factory.user(role="viewer")
    user.set_password("matkhau-that-1")  # scrypt, like every real account
    real = auth_models.check_password_hash
    seen: list[str] = []

    def spy(password_hash, password):
        seen.append(password_hash.split(":", 1)[0])
        return real(password_hash, password)

    monkeypatch.setattr(auth_models, "check_password_hash", spy)
    sign_in(client, user.email, "sai-mat-khau")
    sign_in(client, "khong-ton-tai@example.vn", "sai-mat-khau")
    assert seen == ["scrypt", "scrypt"]


def test_delays_grow_and_end(client, factory, app, monkeypatch):
    """After the free attempts each wrong one waits longer; once a wait is over, the right
    password signs in and the counter starts again."""
    user = factory.user(role="admin")
    clock = {"now": utcnow()}
    monkeypatch.setattr("tracker.auth.routes.utcnow", lambda: clock["now"])
    first = app.config["LOGIN_LOCKOUT_SECONDS"]
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert sign_in(client, user.email, "sai").status_code == 401
    assert sign_in(client, user.email, "matkhau123").status_code == 429
    clock["now"] += timedelta(seconds=first + 1)
    assert sign_in(client, user.email, "sai").status_code == 401  # one more try, then a longer wait
    clock["now"] += timedelta(seconds=first + 1)
    response = sign_in(client, user.email, "matkhau123")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > first - 5
    clock["now"] += timedelta(seconds=2 * first)
    assert sign_in(client, user.email, "matkhau123").status_code == 302
    g.pop("_login_user", None)
    client.post("/dang-xuat", data={"csrf_token": csrf_token(client)})
    assert sign_in(client, user.email, "sai").status_code == 401  # the count started again


def test_an_attacker_cannot_lock_the_admin_out(app, factory, db):
    """Wrong passwords from one address delay that address, not the admin signing in elsewhere."""
    admin = factory.user(role="admin")
    attacker = from_address(app.test_client(), "203.0.113.9")
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 3):
        sign_in(attacker, admin.email, "doan-mo")
    assert sign_in(attacker, admin.email, "matkhau123").status_code == 429
    office = from_address(app.test_client(), "10.1.2.3")
    assert sign_in(office, admin.email, "matkhau123").status_code == 302


def test_one_address_trying_many_accounts_is_slowed(client, factory, app):
    users = [factory.user(role="viewer") for _ in range(3)]
    limit = app.config["LOGIN_ADDRESS_MAX_FAILURES"]
    from_address(client, "198.51.100.7")
    statuses = [sign_in(client, f"thu{n}@example.vn", "sai").status_code for n in range(limit)]
    assert set(statuses) == {401}
    assert sign_in(client, users[0].email, "matkhau123").status_code == 429
    assert sign_in(from_address(app.test_client(), "198.51.100.8"), users[0].email, "matkhau123").status_code == 302


def test_a_password_reset_lifts_the_delay(client, factory, app, db):
    from tracker.admin.services import reset_password

    user = factory.user(role="viewer")
    admin = factory.user(role="admin")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        sign_in(client, user.email, "sai")
    assert sign_in(client, user.email, "matkhau123").status_code == 429
    reset_password(admin, db.session.scalar(select(User).where(User.id == user.id)), "mat-khau-moi-9")
    db.session.commit()
    assert sign_in(client, user.email, "mat-khau-moi-9").status_code == 302
