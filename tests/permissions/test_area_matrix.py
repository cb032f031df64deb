"""The permission matrix across two areas: each role of area A against each route of area B.

The scenario of test_matrix.py is area B ("Tỉnh Ma Trận"); area A is a second province with its own
units, plan, period of the same quarter and one user per role. Every route declared in
tests/permissions/matrix_*.py whose URL names one of B's objects answers 404 to A's users (or 403
where that role is refused the route in its own area anyway), and no response A gets — pages, error
pages, files, feeds — carries B's texts (its area, unit and item names, its plan's title, its
reports' markers). National frameworks (no area) are shared: their pages are open, but must not
show B's items linked to them.
"""
from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from flask import g

from tests.csrf import csrf_token, forget_request_state
from tests.permissions.base import MARKERS
from tests.permissions.test_matrix import PASSWORD, ROUTES, _user, build_scenario, route_id
from tracker.core.time import today_local
from tracker.periods.services import quarter_of

pytestmark = pytest.mark.usefixtures("csrf_enabled")

# Placeholders naming one of B's own objects (the framework and its indicators are national; a
# period code names the same quarter in A's own calendar).
B_OBJECTS = {"plan", "item_own", "item_other", "unit_own", "unit_other", "group", "link", "period_id",
             "update_own", "update_other", "evidence_own", "evidence_other", "user_other", "item_draft",
             "item_returned", "evidence_draft", "evidence_returned", "report", "report_id", "draft", "issued",
             "profile", "profile_id", "exception", "notification", "token"}
# A's roles, and the role of B's matrix whose rights they have in their own area.
A_ROLES = {"admin": "admin", "coordinator": "coordinator", "viewer": "viewer", "reporter": "reporter_own"}
# Feeds opened by a secret token: whoever holds B's token reads B's feed (tested in tests/calendar).
TOKEN_ROUTES = {"calendar.user_feed", "calendar.unit_feed"}
TEXT_TYPES = ("text/", "application/json", "application/javascript")


def b_texts(scenario) -> list[str]:
    objects = scenario["objects"]
    texts = [objects["area"].name, objects["plan"].title, "Sở Nội vụ", "Sở Tài chính",
             objects["item_own"].text, objects["item_other"].text, objects["item_draft"].text,
             objects["item_returned"].text, "@matran.vn", "bien-ban.pdf"]
    # (B's office "Văn phòng UBND tỉnh" and group "Các Sở, ban, ngành" are named by the pages' own
    # help texts and defaults too: not B's to leak.)
    return texts + list(MARKERS.values())


def build_area_a(db, factory) -> dict:
    area = factory.area(code=f"tinh-a-{uuid.uuid4().hex[:6]}", name="Tỉnh An Bình")
    khcn = factory.unit("Sở Khoa học và Công nghệ", area=area, short_name="Sở KH&CN")
    health = factory.unit("Sở Y tế", area=area)
    office = factory.unit("Văn phòng Ủy ban An Bình", area=area, kind="committee_office")
    plan = factory.plan(area=area, title="Kế hoạch của An Bình")
    factory.item(plan, owner=health, text="Bệnh án điện tử An Bình")
    factory.period(*quarter_of(today_local()), tenant=area)
    users = {
        "admin": _user(db, "admin", None, "quantri@anbinh.vn", "Quản trị An Bình", tenant=area),
        "coordinator": _user(db, "coordinator", khcn, "dieuphoi@anbinh.vn", "Điều phối An Bình"),
        "viewer": _user(db, "viewer", office, "theodoi@anbinh.vn", "Theo dõi An Bình"),
        "reporter": _user(db, "reporter", health, "baocao@anbinh.vn", "Báo cáo An Bình"),
    }
    db.session.flush()
    return {"area": area, "users": users}


def names_b_object(route, extra: dict) -> bool:
    placeholders = {name for name in B_OBJECTS | set(extra) if "{" + name + "}" in route.url}
    return bool(placeholders & (B_OBJECTS | set(extra)))


# The read API answers tokens, not sessions (401 to a signed-in browser); its own area test is
# tests/api (another area's token gets 404 on every operation).
@pytest.mark.parametrize("route", [r for r in ROUTES if r.endpoint not in TOKEN_ROUTES and not r.endpoint.startswith("api.")],
                         ids=route_id)
def test_area_a_never_reaches_area_b(route, app, db, factory, client, login):
    scenario = build_scenario(db, factory, app)
    values = dict(scenario)
    extra = {}
    if route.setup is not None:
        extra = route.setup(scenario) or {}
        values.update(extra)
    area_a = build_area_a(db, factory)
    texts = b_texts(scenario)
    emails = {role: user.email for role, user in area_a["users"].items()}
    db.session.commit()  # last: nothing may reopen the session's transaction before the savepoints
    url = route.url.format(**values)
    b_object = names_b_object(route, {k for k in extra if isinstance(extra[k], int)})
    connection = db.session.get_bind()

    failures = []
    for role, b_role in A_ROLES.items():
        savepoint = connection.begin_nested()
        try:
            forget_request_state()
            with client.session_transaction() as session:
                session.clear()
            login(SimpleNamespace(email=emails[role]), PASSWORD)
            data = route.data(values) if callable(route.data) else route.data
            typed = str(data or "")  # what A's user typed may be shown back to it
            if route.method != "GET":
                data = {**(data or {}), "csrf_token": csrf_token(client)}
            response = client.open(url, method=route.method, data=data)
            allowed = {404} | ({403} if route.expect[b_role] == 403 else set())
            if b_object and response.status_code not in allowed:
                failures.append(f"{role}: expected {sorted(allowed)}, got {response.status_code}")
            if response.mimetype.startswith(TEXT_TYPES):
                body = response.get_data(as_text=True)
                leaked = [text for text in texts if text in body and text not in typed]
                if leaked:
                    failures.append(f"{role}: shows area B's {leaked}")
        finally:
            db.session.rollback()
            db.session.expunge_all()
            if savepoint.is_active:
                savepoint.rollback()
            g.pop("_login_user", None)
    assert not failures, f"{route.method} {url}: " + "; ".join(failures)
