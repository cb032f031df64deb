"""/healthz: database, scheduler heartbeat, outbox backlog; no sign-in; nothing of any province."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError

from tracker.core.time import utcnow
from tracker.ops.jobs import record_heartbeat
from tracker.reminders.models import OutboxMessage


def _message(db, user, *, status="pending", created=None, next_attempt=None, attempts=0):
    row = OutboxMessage(user_id=user.id, to_email=user.email, subject=f"Nhắc báo cáo {user.unit.name}",
                        body_text="Kính gửi", body_html="<p>Kính gửi</p>", message_id=f"<{uuid.uuid4().hex}@t>",
                        run_day=utcnow().date(), status=status, attempts=attempts,
                        created_at=created or utcnow(), next_attempt_at=next_attempt)
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def provinces(factory):
    """Two provinces, a reporter in each, each with mail waiting."""
    users = []
    for code, name in (("hue", "Thành phố Huế"), ("dn", "Thành phố Đà Nẵng")):
        area = factory.area(code=f"{code}-{uuid.uuid4().hex[:4]}", name=name)
        unit = factory.unit(f"Sở Nội vụ {name}", area=area)
        users.append(factory.user(role="reporter", unit=unit, email=f"baocao.{code}@{code}.gov.vn"))
    return users


def test_healthy_without_signing_in(client, db, provinces):
    record_heartbeat(utcnow() - timedelta(seconds=30), host="sched-1", pid=4242)
    _message(db, provinces[0])
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "scheduler", "outbox"}
    assert body["checks"]["database"]["status"] == "ok"
    scheduler = body["checks"]["scheduler"]
    assert scheduler["status"] == "ok" and 25 <= scheduler["age_seconds"] <= 90
    outbox = body["checks"]["outbox"]
    assert outbox["status"] == "ok" and outbox["pending"] == 1 and outbox["failed"] == 0


def test_reveals_nothing_of_any_province(client, db, provinces):
    record_heartbeat(host="may-chu-lap-lich.hue.gov.vn", pid=4242)
    for user in provinces:
        _message(db, user, status="failed", attempts=10)
        _message(db, user, created=utcnow() - timedelta(hours=3))
    text = client.get("/healthz").get_data(as_text=True)
    for user in provinces:
        for secret in (user.email, user.unit.name, user.unit.area.name, user.unit.area.code, "Nhắc báo cáo",
                       "Kính gửi"):
            assert secret not in text
    assert "may-chu-lap-lich" not in text and "4242" not in text


def test_no_heartbeat_yet_is_unhealthy(client, db):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "fail"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["scheduler"]["status"] == "fail"
    assert "chưa ghi nhịp" in body["checks"]["scheduler"]["message"]


def test_stale_heartbeat_is_unhealthy(client, db, app):
    limit = app.config["HEALTH_HEARTBEAT_MAX_AGE_SECONDS"]
    record_heartbeat(utcnow() - timedelta(seconds=limit + 60))
    response = client.get("/healthz")
    assert response.status_code == 503
    scheduler = response.get_json()["checks"]["scheduler"]
    assert scheduler["status"] == "fail" and scheduler["age_seconds"] >= limit + 60
    assert f"giới hạn {limit} giây" in scheduler["message"]


def test_outbox_backlog_past_the_limit_is_unhealthy(client, db, provinces, app):
    record_heartbeat()
    limit = app.config["HEALTH_OUTBOX_MAX_DELAY_MINUTES"]
    _message(db, provinces[0], created=utcnow() - timedelta(minutes=limit + 5))
    response = client.get("/healthz")
    assert response.status_code == 503
    outbox = response.get_json()["checks"]["outbox"]
    assert outbox["status"] == "fail" and outbox["oldest_due_seconds"] >= (limit + 5) * 60
    assert "Thư chờ gửi quá hạn" in outbox["message"]


def test_a_retry_not_yet_due_is_not_a_backlog(client, db, provinces, app):
    record_heartbeat()
    limit = app.config["HEALTH_OUTBOX_MAX_DELAY_MINUTES"]
    old = utcnow() - timedelta(minutes=limit * 4)
    _message(db, provinces[0], created=old, attempts=3, next_attempt=utcnow() + timedelta(minutes=20))
    _message(db, provinces[1], created=old, attempts=2, next_attempt=utcnow() - timedelta(minutes=2))
    response = client.get("/healthz")
    assert response.status_code == 200
    outbox = response.get_json()["checks"]["outbox"]
    assert outbox["retrying"] == 2 and outbox["pending"] == 2
    assert 100 <= outbox["oldest_due_seconds"] <= 200  # the retry due two minutes ago


def test_database_down_is_unhealthy_and_says_nothing_more(client, db, monkeypatch):
    from tracker.ops import health

    def refuse(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection to server at 10.0.0.5 refused, user tracker"))

    monkeypatch.setattr(health.db.session, "execute", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["database"] == {"status": "fail", "message": "Không kết nối được cơ sở dữ liệu."}
    assert body["checks"]["scheduler"]["status"] == "fail" and body["checks"]["outbox"]["status"] == "fail"
    assert "10.0.0.5" not in response.get_data(as_text=True)


def test_only_the_database_for_a_load_balancer(client, db):
    response = client.get("/healthz?only=database")  # no heartbeat: the scheduler is not asked about
    assert response.status_code == 200
    assert set(response.get_json()["checks"]) == {"database"}
    response = client.get("/healthz?only=database,scheduler")
    assert response.status_code == 503
    response = client.get("/healthz?only=disk")
    assert response.status_code == 400
    assert "Không có mục kiểm tra 'disk'" in response.get_json()["message"]


def test_head_works_for_load_balancers(client, db):
    record_heartbeat()
    assert client.head("/healthz").status_code == 200
