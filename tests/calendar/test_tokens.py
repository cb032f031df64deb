"""Feed tokens end when the access they stood for ends: a unit's feed can be revoked by its
reporters and the admin, and is rotated when one of its reporters leaves (deactivated, moved to
another unit, no longer a reporter); a personal feed is rotated by a password reset."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.csrf import csrf_token
from tracker.admin.services import reset_password, save_user
from tracker.auth.models import User
from tracker.calendar import services
from tracker.units.services import merge_unit

pytestmark = pytest.mark.usefixtures("csrf_enabled")


@pytest.fixture
def people(factory, db):
    area = factory.area()
    unit = factory.unit(name="Sở Nội vụ", area=area)
    other = factory.unit(name="Sở Y tế", area=area)
    reporter = factory.user(role="reporter", unit=unit)
    colleague = factory.user(role="reporter", unit=unit)
    admin = factory.user(role="admin")
    coordinator = factory.user(role="coordinator")
    db.session.commit()
    return dict(unit=unit, other=other, reporter=reporter, colleague=colleague, admin=admin, coordinator=coordinator)


def unit_feed(app, token):
    return app.test_client().get(f"/lich/don-vi/{token}.ics").status_code


def personal_feed(app, token):
    return app.test_client().get(f"/lich/{token}.ics").status_code


def fresh(db, user):
    return db.session.scalar(select(User).where(User.id == user.id))


def test_the_units_reporter_revokes_the_unit_feed(app, client, login, db, people):
    token = services.regenerate_unit_token(people["unit"], actor=people["admin"])
    db.session.commit()
    login(people["reporter"])
    assert "Thu hồi" in client.get("/ho-so").get_data(as_text=True)
    response = client.post(f"/ho-so/lich-don-vi/{people['unit'].id}/thu-hoi", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert unit_feed(app, token) == 404
    assert services.unit_token(people["unit"]) is None
    assert "Đơn vị chưa có đường dẫn đăng ký lịch." in client.get("/ho-so").get_data(as_text=True)


def test_the_admin_rotates_and_revokes_a_unit_feed_from_the_unit_page(app, client, login, db, people):
    token = services.regenerate_unit_token(people["unit"], actor=people["reporter"])
    db.session.commit()
    login(people["admin"])
    page = client.get(f"/quan-tri/don-vi/{people['unit'].id}").get_data(as_text=True)
    assert "Lịch của đơn vị" in page
    client.post(f"/ho-so/lich-don-vi/{people['unit'].id}/tao-lai", data={"csrf_token": csrf_token(client)})
    assert unit_feed(app, token) == 404
    rotated = services.unit_token(people["unit"]).token
    assert unit_feed(app, rotated) == 200
    client.post(f"/ho-so/lich-don-vi/{people['unit'].id}/thu-hoi", data={"csrf_token": csrf_token(client)})
    assert unit_feed(app, rotated) == 404


@pytest.mark.parametrize("role", ["coordinator", "other_reporter"])
def test_nobody_else_manages_a_unit_feed(app, client, login, db, factory, people, role):
    token = services.regenerate_unit_token(people["unit"], actor=people["admin"])
    user = people["coordinator"] if role == "coordinator" else factory.user(role="reporter", unit=people["other"])
    db.session.commit()
    login(user)
    for action in ("tao-lai", "thu-hoi"):
        response = client.post(f"/ho-so/lich-don-vi/{people['unit'].id}/{action}", data={"csrf_token": csrf_token(client)})
        assert response.status_code == 403
    assert unit_feed(app, token) == 200


def test_deactivating_a_reporter_rotates_the_unit_feed_and_ends_the_personal_one(app, db, people):
    token = services.regenerate_unit_token(people["unit"], actor=people["admin"])
    personal = people["reporter"].regenerate_calendar_token()
    db.session.commit()
    reporter = people["reporter"]
    save_user(people["admin"], reporter, email=reporter.email, full_name=reporter.full_name, role="reporter",
              unit=people["unit"], active=False)
    db.session.commit()
    assert unit_feed(app, token) == 404
    assert unit_feed(app, services.unit_token(people["unit"]).token) == 200  # the colleagues get a new URL
    save_user(people["admin"], reporter, email=reporter.email, full_name=reporter.full_name, role="reporter",
              unit=people["unit"], active=True)
    db.session.commit()
    assert personal_feed(app, personal) == 404, "the old personal URL stays dead after reactivation"


@pytest.mark.parametrize("change", ["moved", "no_longer_reporter"])
def test_a_reporter_leaving_the_unit_rotates_its_feed(app, db, people, change):
    token = services.regenerate_unit_token(people["unit"], actor=people["admin"])
    db.session.commit()
    reporter = people["reporter"]
    role, unit = ("reporter", people["other"]) if change == "moved" else ("viewer", None)
    save_user(people["admin"], reporter, email=reporter.email, full_name=reporter.full_name, role=role, unit=unit,
              active=True)
    db.session.commit()
    assert unit_feed(app, token) == 404


def test_an_unrelated_change_keeps_the_unit_feed(app, db, people):
    token = services.regenerate_unit_token(people["unit"], actor=people["admin"])
    db.session.commit()
    reporter = people["reporter"]
    save_user(people["admin"], reporter, email=reporter.email, full_name="Tên mới", role="reporter",
              unit=people["unit"], active=True)
    db.session.commit()
    assert unit_feed(app, token) == 200


def test_a_password_reset_rotates_the_personal_feed(app, db, people):
    reporter = people["reporter"]
    personal = reporter.regenerate_calendar_token()
    db.session.commit()
    reset_password(people["admin"], fresh(db, reporter), "mat-khau-moi-123")
    db.session.commit()
    assert personal_feed(app, personal) == 404
    assert personal_feed(app, fresh(db, reporter).calendar_token) == 200


def test_users_moved_by_a_merger_rotate_the_old_units_feed(app, db, people):
    token = services.regenerate_unit_token(people["unit"], actor=people["admin"])
    db.session.commit()
    merge_unit(people["admin"], people["unit"], people["other"], date(2025, 3, 1), move_users=True)
    db.session.commit()
    assert unit_feed(app, token) == 404
