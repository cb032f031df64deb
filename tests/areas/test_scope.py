"""The tenant scope: another province's objects answer 404 and never show, whatever the route."""
from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.areas.scope import NOTHING, SYSTEM, Scope, covered_models, current_scope, scope_for_user, using
from tracker.auth.models import User
from tracker.core.time import utcnow
from tracker.indicators.models import Framework, Indicator
from tracker.plans.models import Plan, PlanItem
from tracker.units.models import Unit
from tracker.updates.models import Evidence, StatusUpdate


def submitted_update(db, app, province):
    """A submitted update of the province's project, with one evidence file."""
    update = StatusUpdate(item=province.project, period=province.period, unit=province.finance, version=1,
                          state="submitted", status="in_progress", progress=40,
                          done_text=f"Kết quả riêng của {province.area.name}", author_id=province.reporter.id,
                          submitted_at=utcnow() - timedelta(hours=1), submitted_by_id=province.reporter.id)
    db.session.add(update)
    db.session.flush()
    stored = uuid.uuid4().hex
    upload_dir = Path(app.config["UPLOAD_DIR"])
    upload_dir.mkdir(parents=True, exist_ok=True)
    (upload_dir / stored).write_bytes(b"%PDF-1.4 minh chung\n")
    evidence = Evidence(update=update, original_name="bien-ban-hue.pdf", stored_name=stored,
                        content_type="application/pdf", size=20, uploaded_by_id=province.reporter.id)
    db.session.add(evidence)
    db.session.flush()
    return update, evidence


def test_every_tenant_owned_model_and_its_children_are_covered(app):
    covered = {cls.__name__: how for cls, how in covered_models().items()}
    for name in ("Plan", "PlanItem", "Unit", "UnitGroup", "User", "ReportingPeriod", "Framework", "ReportProfile",
                 "AuditEntry", "Area"):
        assert covered[name] == "tenant_id", name
    assert covered["StatusUpdate"] == "item_id → PlanItem"
    assert covered["Evidence"] == "update_id → StatusUpdate"
    assert covered["Indicator"] == "framework_id → Framework"
    assert covered["IssuedReport"] == "plan_id → Plan"
    assert covered["ReportDraft"] == "plan_id → Plan"
    assert covered["LateException"] == "period_id → ReportingPeriod"
    assert covered["UnitCalendarToken"] == "unit_id → Unit"
    assert covered["ItemIndicatorLink"] == "item_id → PlanItem"
    assert covered["CampaignFormRender"] == "campaign_id → Campaign"  # a stored form: its campaign's area
    assert covered["Job"] == covered["RenderedReport"] == "tenant_id"
    assert "LoginThrottle" not in covered and "SchedulerHeartbeat" not in covered


def test_queries_see_only_the_scope(db, app, provinces):
    hue, thanh_hoa = provinces
    national = Framework(name="DTI cấp tỉnh (thử)", level="province", year=2024)
    own = Framework(name="Bộ chỉ số riêng Thanh Hóa", level="province", year=2024, tenant_id=thanh_hoa.area.id)
    db.session.add_all([national, own, Indicator(framework=own, code="1", key="1", name="Chỉ số riêng",
                                                 max_points=1, depth=0, position=1)])
    update, evidence = submitted_update(db, app, hue)
    with using(Scope.of(thanh_hoa.area.id)):
        assert {p.id for p in db.session.scalars(select(Plan))} == {thanh_hoa.plan.id}
        assert db.session.scalar(select(func.count()).select_from(PlanItem)) == 2
        assert db.session.scalar(select(func.count(Unit.id))) == 2
        assert db.session.scalars(select(StatusUpdate)).all() == []
        assert db.session.scalars(select(Evidence)).all() == []
        assert {f.id for f in db.session.scalars(select(Framework))} == {national.id, own.id}
        assert len(db.session.scalars(select(Indicator)).all()) == 1
        # Joins and subqueries are filtered too.
        joined = db.session.scalars(select(PlanItem).join(Plan).where(Plan.number == "222/KH-UBND")).all()
        assert {i.plan_id for i in joined} == {thanh_hoa.plan.id}
    with using(Scope.of(hue.area.id)):
        assert db.session.scalars(select(Evidence)).all() == [evidence]
        assert {f.id for f in db.session.scalars(select(Framework))} == {national.id}
    with using(NOTHING):
        assert db.session.scalars(select(Plan)).all() == []
        assert db.session.scalars(select(User)).all() == []
        assert {f.id for f in db.session.scalars(select(Framework))} == {national.id}  # national: shared
    with using(SYSTEM):
        assert db.session.scalar(select(func.count(Plan.id))) == 2


def test_identity_map_objects_are_rechecked(db, provinces):
    hue, thanh_hoa = provinces
    with using(Scope.of(thanh_hoa.area.id)):
        assert db.session.get(Plan, hue.plan.id) is hue.plan  # Session.get answers from the identity map...
        scope = current_scope()
        assert not scope.allows(hue.plan) and scope.allows(thanh_hoa.plan)  # ...so allows() re-checks
        assert not scope.allows(hue.project) and not scope.allows(hue.admin)
        from tracker.areas.scope import get_in_scope

        assert get_in_scope(Plan, hue.plan.id) is None and get_in_scope(Plan, thanh_hoa.plan.id) is thanh_hoa.plan


def test_scopes_of_users(db, factory, provinces):
    hue, _ = provinces
    assert scope_for_user(hue.coordinator) == Scope.of(hue.area.id)
    assert scope_for_user(hue.admin) == Scope.of(hue.area.id)
    assert scope_for_user(factory.user("superadmin")) == SYSTEM
    viewer = factory.user("national_viewer")
    assert scope_for_user(viewer) == Scope(None, True)
    assert scope_for_user(viewer, chosen_tenant_id=hue.area.id) == Scope.of(hue.area.id, read_only=True)
    assert scope_for_user(None) == NOTHING


def test_a_request_without_a_user_sees_nothing(app, db, provinces):
    with app.test_request_context("/"):
        from tracker.areas.scope import resolve_request_scope

        resolve_request_scope()
        assert current_scope() == NOTHING
        assert db.session.scalars(select(Plan)).all() == []


@pytest.fixture
def holes(db, app, provinces, factory):
    hue, thanh_hoa = provinces
    superadmin = factory.user("superadmin", email="sieuquantri@test.vn")
    group = factory.group("Các sở của Huế", [hue.khcn, hue.finance], area=hue.area)
    update, evidence = submitted_update(db, app, hue)
    db.session.commit()
    return dict(hue=hue, thanh_hoa=thanh_hoa, superadmin=superadmin, group=group, update=update, evidence=evidence)


def _no_hue_text(response, hue):
    body = response.get_data(as_text=True)
    for text in (hue.plan.title, hue.project.text, hue.target.text, "Kết quả riêng của", "bien-ban-hue",
                 hue.admin.email, hue.coordinator.email):
        assert text not in body, text


def test_an_admin_of_thanh_hoa_cannot_reach_hue_or_the_superadmin(client, as_user, holes):
    hue, thanh_hoa, superadmin, group = holes["hue"], holes["thanh_hoa"], holes["superadmin"], holes["group"]
    as_user(thanh_hoa.admin)
    password = {"password": "mat-khau-moi-dai", "confirm": "mat-khau-moi-dai"}
    for user in (superadmin, hue.admin, hue.reporter):
        for method in ("get", "post"):
            response = getattr(client, method)(f"/quan-tri/nguoi-dung/{user.id}/mat-khau", data=password)
            assert response.status_code == 404, (user.email, method)
        response = client.post(f"/quan-tri/nguoi-dung/{user.id}", data={"email": "x@x.vn", "role": "viewer"})
        assert response.status_code == 404
    assert superadmin.check_password("matkhau123") and hue.admin.check_password("matkhau123")
    for url in (f"/quan-tri/don-vi/{hue.finance.id}", f"/quan-tri/nhom-don-vi/{group.id}"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, data={"name": "Đổi tên"}).status_code == 404, url
    for url in ("/quan-tri/nguoi-dung", "/quan-tri/don-vi", "/quan-tri/nhom-don-vi", "/quan-tri/nhat-ky", "/quan-tri"):
        response = client.get(url)
        assert response.status_code == 200, url
        _no_hue_text(response, hue)
        assert superadmin.email not in response.get_data(as_text=True)
        assert "Các sở của Huế" not in response.get_data(as_text=True)


def test_a_coordinator_of_thanh_hoa_cannot_reach_hue_items_updates_reports(client, as_user, holes):
    hue, thanh_hoa, update, evidence = holes["hue"], holes["thanh_hoa"], holes["update"], holes["evidence"]
    as_user(thanh_hoa.coordinator)
    item = hue.project
    for method, url in (
        ("get", f"/hang-muc/{item.id}"), ("get", f"/hang-muc/{item.id}/sua"), ("post", f"/hang-muc/{item.id}/sua"),
        ("get", f"/hang-muc/{item.id}/giao-lai"), ("post", f"/hang-muc/{item.id}/giao-lai"),
        ("post", f"/cap-nhat/{update.id}/duyet"), ("post", f"/cap-nhat/{update.id}/dinh-chinh"),
        ("get", f"/minh-chung/{evidence.id}"), ("post", f"/minh-chung/{evidence.id}/xoa"),
        ("get", f"/ke-hoach/{hue.plan.id}"), ("get", f"/don-vi/{hue.finance.id}"),
        ("get", f"/bao-cao/{hue.plan.id}/{hue.period.code}"),
        ("get", f"/bao-cao/{hue.plan.id}/{hue.period.code}.xlsx"),
        ("post", f"/bao-cao/{hue.plan.id}/{hue.period.code}/ban-hanh"),
        ("post", f"/bao-cao/{hue.plan.id}/{hue.period.code}/du-thao"),
        ("get", f"/lich/han/hang-muc/{item.id}.ics"),
    ):
        response = getattr(client, method)(url, data={"decision": "accept", "text": "x"})
        assert response.status_code == 404, (method, url, response.status_code)
    assert update.state == "submitted"
    for url in ("/ke-hoach", "/don-vi", "/ky-bao-cao", "/cho-duyet", "/bao-cao", "/tong-quan", "/bo-chi-so"):
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        _no_hue_text(response, hue)


def test_calendar_feeds_of_thanh_hoa_hold_no_hue_deadline(client, as_user, db, holes):
    from tracker.calendar import services

    hue, thanh_hoa = holes["hue"], holes["thanh_hoa"]
    services.regenerate_user_token(thanh_hoa.coordinator, actor=thanh_hoa.coordinator)
    db.session.commit()
    response = client.get(f"/lich/{thanh_hoa.coordinator.calendar_token}.ics")
    assert response.status_code == 200
    _no_hue_text(response, hue)


def test_the_national_viewer_reads_every_area_and_writes_nothing(client, as_user, factory, db, holes):
    hue, thanh_hoa, update = holes["hue"], holes["thanh_hoa"], holes["update"]
    viewer = factory.user("national_viewer", email="quocgia@test.vn")
    db.session.commit()
    as_user(viewer)
    for plan in (hue.plan, thanh_hoa.plan):
        assert client.get(f"/ke-hoach/{plan.id}").status_code == 200
    assert client.post(f"/cap-nhat/{update.id}/duyet", data={"decision": "accept"}).status_code == 403
    assert client.post(f"/hang-muc/{hue.project.id}/sua", data={"text": "x"}).status_code == 403
    assert update.state == "submitted"
