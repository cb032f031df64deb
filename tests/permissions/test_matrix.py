"""Every route × every role: the permission matrix declared in tests/permissions/matrix_*.py."""
from __future__ import annotations

import importlib
import uuid
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import g
from werkzeug.security import generate_password_hash

from tests.csrf import csrf_token, forget_request_state
from tests.permissions.base import MARKERS, ROLES, Route, leaked_markers
from tracker.auth.models import User
from tracker.core.time import today_local, utcnow
from tracker.indicators.models import Framework, Indicator, ItemIndicatorLink
from tracker.periods.services import quarter_of
from tracker.updates.models import Evidence, StatusUpdate

# CSRF protection stays on: every POST carries the token of the signed-in session, as a browser's would.
pytestmark = pytest.mark.usefixtures("csrf_enabled")

HERE = Path(__file__).resolve().parent
PASSWORD = "matkhau123"
# Scenario users get a cheap hash so that ~300 sign-ins stay fast; sign-in itself is unchanged.
CHEAP_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
METHODS_CHECKED = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def collect_routes() -> list[Route]:
    routes: list[Route] = []
    for path in sorted(HERE.glob("matrix_*.py")):
        module = importlib.import_module(f"tests.permissions.{path.stem}")
        routes.extend(module.ROUTES)
    return routes


ROUTES = collect_routes()


def route_id(route: Route) -> str:
    return f"{route.endpoint}-{route.method}" + (f"-{route.note}" if route.note else "")


def _user(db, role: str, unit, email: str, name: str, tenant=None) -> User:
    user = User(email=email, role=role, unit=unit, full_name=name, password_hash=CHEAP_HASH, tenant=tenant)
    db.session.add(user)
    return user


def build_scenario(db, factory, app) -> dict:
    area = factory.area(code=f"tinh-{uuid.uuid4().hex[:6]}", name="Tỉnh Ma Trận")
    unit_own = factory.unit("Sở Nội vụ", area=area, short_name="SNV")
    unit_other = factory.unit("Sở Tài chính", area=area, short_name="STC")
    khcn = factory.unit("Sở Khoa học và Công nghệ", area=area, short_name="Sở KH&CN")
    office = factory.unit("Văn phòng UBND tỉnh", area=area, short_name="VP UBND tỉnh", kind="committee_office")
    group = factory.group("Các Sở, ban, ngành", [unit_own, unit_other], area=area)
    plan = factory.plan(area=area)
    item_own = factory.item(plan, owner=unit_own, coordinators=[unit_other], text="Triển khai chữ ký số")
    item_other = factory.item(plan, owner=unit_other, text="Số hóa hồ sơ tài chính")

    framework = Framework(name=f"DTI ma trận {uuid.uuid4().hex[:6]}", level="province", year=2024)
    pillar = Indicator(framework=framework, code="1", key="1", name="Chính quyền số", max_points=100, depth=0, position=1)
    indicator = Indicator(framework=framework, parent=pillar, code="1.1", key="1.1", name="Tỷ lệ văn bản ký số",
                          max_points=10, depth=1, position=2)
    db.session.add_all([framework, pillar, indicator])
    db.session.flush()
    link = ItemIndicatorLink(item_id=item_own.id, indicator_id=indicator.id, note="Chữ ký số")
    db.session.add(link)

    year, quarter = quarter_of(today_local())
    period = factory.period(year, quarter)

    users = {
        "admin": _user(db, "admin", None, "quantri@matran.vn", "Quản trị", tenant=area),
        "coordinator": _user(db, "coordinator", khcn, "dieuphoi@matran.vn", "Điều phối"),
        "viewer": _user(db, "viewer", office, "theodoi@matran.vn", "Theo dõi"),
        "reporter_own": _user(db, "reporter", unit_own, "baocao.a@matran.vn", "Báo cáo A"),
        "reporter_other": _user(db, "reporter", unit_other, "baocao.b@matran.vn", "Báo cáo B"),
        "national_viewer": _user(db, "national_viewer", None, "quocgia@matran.vn", "Theo dõi toàn quốc"),
        "superadmin": _user(db, "superadmin", None, "superadmin@matran.vn", "Quản trị các địa bàn"),
    }
    user_other = _user(db, "reporter", unit_other, "nguoikhac@matran.vn", "Người khác")
    db.session.flush()

    upload_dir = Path(app.config["UPLOAD_DIR"])
    upload_dir.mkdir(parents=True, exist_ok=True)

    def submitted(item, unit, author):
        update = StatusUpdate(item=item, period=period, unit=unit, version=1, state="submitted",
                              status="in_progress", progress=50, done_text="Đã triển khai một phần.",
                              author_id=author.id, submitted_at=utcnow() - timedelta(hours=1),
                              submitted_by_id=author.id)
        db.session.add(update)
        db.session.flush()
        stored = uuid.uuid4().hex
        (upload_dir / stored).write_bytes(b"%PDF-1.4 minh chung\n")
        evidence = Evidence(update=update, original_name="bien-ban.pdf", stored_name=stored,
                            content_type="application/pdf", size=20, uploaded_by_id=author.id)
        db.session.add(evidence)
        db.session.flush()
        return update, evidence

    update_own, evidence_own = submitted(item_own, unit_own, users["reporter_own"])
    update_other, evidence_other = submitted(item_other, unit_other, users["reporter_other"])
    unsent = unsent_reports(db, factory, plan, period, unit_own, unit_other, users)

    objects = dict(
        area=area, plan=plan, item_own=item_own, item_other=item_other, unit_own=unit_own, unit_other=unit_other,
        group=group, framework=framework, pillar=pillar, indicator=indicator, link=link, period=period,
        update_own=update_own, update_other=update_other, evidence_own=evidence_own,
        evidence_other=evidence_other, user_other=user_other, users=users, **unsent,
    )
    scenario = {name: obj.id for name, obj in objects.items() if hasattr(obj, "id")}
    scenario.update(
        period=period.code,
        period_id=period.id,
        item_own_ref=item_own.ref,
        item_other_ref=item_other.ref,
        objects=objects,
        emails={role: user.email for role, user in users.items()},
    )
    return scenario


def unsent_reports(db, factory, plan, period, unit_own, unit_other, users) -> dict:
    """Reports nobody but their unit may read, written through the services (so that the audit
    trail holds their text too), with the marker texts of `base.MARKERS`:
    - `item_draft` (owner A, coordinator B): A's draft, never sent, with an evidence file;
    - `item_returned` (owner B, coordinator A): B's report, sent, returned by the coordinator with a
      reason, then edited again by B (not sent yet) and given another evidence file."""
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from tracker.updates import services
    from tracker.updates.validation import validate_update

    def values(item, **texts):
        raw = {"status": "in_progress", "progress": "30", "achieved_value": "", "amount_committed": "",
               "amount_disbursed": "", "done_text": "", "difficulties": "", "proposals": "", **texts}
        return validate_update(item, raw, budget=services.budget_of(item)).values

    def upload(name):
        return FileStorage(stream=BytesIO(b"%PDF-1.4 minh chung chua gui\n"), filename=name,
                           content_type="application/pdf")

    item_draft = factory.item(plan, owner=unit_own, coordinators=[unit_other], text="Số hóa kho lưu trữ")
    item_returned = factory.item(plan, owner=unit_other, coordinators=[unit_own], text="Xây dựng cổng dữ liệu mở")
    a, b = users["reporter_own"], users["reporter_other"]
    draft = services.save_draft(a, item_draft, period, values(
        item_draft, done_text=f"{MARKERS['draft']} kết quả", difficulties=f"{MARKERS['draft']} khó khăn",
        proposals=f"{MARKERS['draft']} kiến nghị"), update_id=None, lock_version=None)
    evidence_draft, _ = services.attach_evidence(a, draft, upload(f"{MARKERS['draft_file']}.pdf"))
    returned = services.save_draft(b, item_returned, period, values(item_returned, done_text="Đã gửi lần đầu."),
                                   update_id=None, lock_version=None)
    services.submit(b, returned)
    services.return_update(users["coordinator"], returned, f"{MARKERS['return_reason']} cần bổ sung")
    services.save_draft(b, item_returned, period, values(
        item_returned, done_text=f"{MARKERS['returned']} nội dung sửa", difficulties=f"{MARKERS['returned']} vướng"),
        update_id=returned.id, lock_version=returned.lock_version)
    evidence_returned, _ = services.attach_evidence(b, returned, upload(f"{MARKERS['returned_file']}.pdf"))
    db.session.flush()
    return dict(item_draft=item_draft, item_returned=item_returned, evidence_draft=evidence_draft,
                evidence_returned=evidence_returned)


def test_every_endpoint_is_declared(app):
    declared = {(route.endpoint, route.method.upper()) for route in ROUTES}
    existing = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods & METHODS_CHECKED
    }
    missing = sorted(existing - declared)
    assert not missing, "Routes without a permission declaration in tests/permissions/matrix_*.py: " + ", ".join(
        f"{endpoint} {method}" for endpoint, method in missing
    )
    stale = sorted(declared - existing)
    assert not stale, "Declared routes that do not exist: " + ", ".join(f"{e} {m}" for e, m in stale)


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_route_permissions(route, app, db, factory, client, login):
    scenario = build_scenario(db, factory, app)
    values = dict(scenario)
    if route.setup is not None:
        values.update(route.setup(scenario) or {})
    db.session.commit()
    url = route.url.format(**values)
    emails = scenario["emails"]
    connection = db.session.get_bind()

    failures = []
    for role in ROLES:
        savepoint = connection.begin_nested()
        try:
            # The test's app context outlives requests: forget the previous role's user.
            forget_request_state()
            with client.session_transaction() as session:
                session.clear()
            if role != "anonymous":
                login(SimpleNamespace(email=emails[role]), PASSWORD)
            data = route.data(values) if callable(route.data) else route.data
            if route.method != "GET":
                data = {**(data or {}), "csrf_token": csrf_token(client)}
            response = client.open(url, method=route.method, data=data)
            expected = route.expect[role]
            if response.status_code != expected:
                failures.append(f"{role}: expected {expected}, got {response.status_code}")
            elif role == "anonymous" and expected == 302:
                location = response.headers.get("Location", "")
                if "/dang-nhap" not in location:
                    failures.append(f"anonymous: redirected to {location!r}, not to the sign-in page")
            leaked = leaked_markers(role, response)
            if leaked:
                failures.append(f"{role}: the page shows what this role must not see: {', '.join(leaked)}")
        finally:
            db.session.rollback()
            db.session.expunge_all()
            if savepoint.is_active:
                savepoint.rollback()
            g.pop("_login_user", None)
    assert not failures, f"{route.method} {url}: " + "; ".join(failures)
