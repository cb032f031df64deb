"""Each province has its own reporting calendar: periods are created, looked up, owed and reminded per
tenant; a coordinator's escalation digest counts only the units of its own province."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from tracker.periods.models import ReportingPeriod
from tracker.periods.obligations import obligations_for_period
from tracker.periods.services import create_period, current_period, ensure_period, get_period
from tracker.reminders.services import plan_digests


def test_the_same_quarter_is_one_period_per_province(db, provinces):
    hue, thanh_hoa = provinces
    assert hue.period.code == thanh_hoa.period.code and hue.period.id != thanh_hoa.period.id
    assert get_period(hue.period.code, hue.area) is hue.period
    assert get_period(hue.period.code, thanh_hoa.area.id) is thanh_hoa.period
    assert ensure_period(hue.period.year, hue.period.quarter, hue.area) is hue.period
    assert current_period(thanh_hoa.period.data_start, thanh_hoa.area) is thanh_hoa.period
    assert current_period(hue.period.data_start, hue.area) is hue.period
    # A district names its province's calendar.
    from tests.factories import Factory

    district = Factory(db).area(name="Huyện Thử", level="district", parent=thanh_hoa.area)
    assert ensure_period(hue.period.year, hue.period.quarter, district) is thanh_hoa.period


def test_an_admin_creates_periods_of_its_own_province(db, provinces):
    hue, thanh_hoa = provinces
    created = create_period(hue.admin, 2031, 2)
    assert created.tenant_id == hue.area.id
    assert get_period("2031-Q2", thanh_hoa.area) is None
    assert create_period(thanh_hoa.admin, 2031, 2).tenant_id == thanh_hoa.area.id


def test_obligations_are_the_periods_own_provinces(db, provinces):
    hue, thanh_hoa = provinces
    units = {o.unit.id for o in obligations_for_period(hue.period)}
    assert units == {hue.finance.id, hue.khcn.id}
    assert {o.item.plan_id for o in obligations_for_period(thanh_hoa.period)} == {thanh_hoa.plan.id}


def test_the_reminder_pass_creates_the_quarter_for_every_province(db, runner, provinces):
    hue, thanh_hoa = provinces
    db.session.commit()
    result = runner.invoke(args=["tracker", "remind", "--at", "2031-08-01"])
    assert result.exit_code == 0, result.output
    tenants = set(db.session.scalars(select(ReportingPeriod.tenant_id).where(ReportingPeriod.code == "2031-Q3")))
    assert tenants == {hue.area.id, thanh_hoa.area.id}


def test_period_pages_show_the_users_own_province(client, db, provinces, as_user):
    hue, thanh_hoa = provinces
    db.session.commit()
    as_user(hue.coordinator)
    page = client.get(f"/ky-bao-cao/{hue.period.code}").get_data(as_text=True)
    assert "Sở Tài chính" in page
    listing = client.get("/ky-bao-cao").get_data(as_text=True)
    assert "Tỉnh Thừa Thiên Huế" in listing and "Tỉnh Thanh Hóa" not in listing
    as_user(thanh_hoa.coordinator)
    assert "Tỉnh Thanh Hóa" in client.get("/ky-bao-cao").get_data(as_text=True)


def test_a_national_viewer_chooses_the_province_of_a_period(client, db, factory, provinces, as_user):
    hue, thanh_hoa = provinces
    viewer = factory.user("national_viewer")
    db.session.commit()
    as_user(viewer)
    chooser = client.get(f"/ky-bao-cao/{hue.period.code}")
    assert chooser.status_code == 200
    text = chooser.get_data(as_text=True)
    assert "dia-ban=thua-thien-hue" in text and "dia-ban=thanh-hoa" in text
    page = client.get(f"/ky-bao-cao/{hue.period.code}?dia-ban=thanh-hoa")
    assert page.status_code == 200 and "Sở Tài chính" in page.get_data(as_text=True)
    listing = client.get("/ky-bao-cao?dia-ban=thanh-hoa").get_data(as_text=True)
    assert "Tỉnh Thanh Hóa" in listing and f"{hue.period.code}?dia-ban=thanh-hoa" in listing


@pytest.fixture
def overdue(db, factory, provinces):
    """Both provinces owe the same quarter; a reporter in each; 10 days past the deadline."""
    hue, thanh_hoa = provinces
    for province in provinces:
        for n in range(2):
            factory.item(province.plan, owner=province.khcn, text=f"Việc thêm {n}", end_year=2030)
    db.session.commit()
    return hue.period.submission_deadline + timedelta(days=10)


def test_escalation_digests_count_only_the_coordinators_province(db, provinces, overdue):
    hue, thanh_hoa = provinces
    digests = {d.user.email: d for d in plan_digests(overdue)}
    for mine, other in ((hue, thanh_hoa), (thanh_hoa, hue)):
        escalation = next(n for n in digests[mine.coordinator.email].notices if n.rule.value == "escalation")
        assert escalation.period.id == mine.period.id
        assert {o.unit.id for o in escalation.units} == {mine.khcn.id, mine.finance.id}
        assert not {o.unit.id for o in escalation.units} & {other.khcn.id, other.finance.id}
    # Reporters are reminded about their own province's period only.
    reporter_notices = digests[hue.reporter.email].notices
    assert reporter_notices and {n.period.id for n in reporter_notices} == {hue.period.id}


def test_digests_under_a_provinces_scope_name_only_that_province(db, provinces, overdue):
    from tracker.areas.scope import tenant_scope, using

    hue, thanh_hoa = provinces
    with using(tenant_scope(hue.area.id)):
        digests = plan_digests(overdue)
    assert digests and {d.user.tenant_id for d in digests} == {hue.area.id}
    for digest in digests:
        for notice in digest.notices:
            assert notice.period.tenant_id == hue.area.id
            assert not {o.unit.id for o in getattr(notice, "units", [])} & {thanh_hoa.khcn.id, thanh_hoa.finance.id}


def test_the_daily_job_runs_each_province_under_its_own_scope(app, db, provinces, monkeypatch):
    from tracker.areas.scope import current_scope
    from tracker.reminders import jobs

    seen = []

    def fake_run(today, **kwargs):
        seen.append(current_scope().tenant_ids)
        from types import SimpleNamespace

        return SimpleNamespace(claimed=[], delivery=SimpleNamespace(sent=[], failed=[], given_up=[]))

    monkeypatch.setattr(jobs, "run_reminders", fake_run)
    jobs.daily_reminders()
    assert {frozenset({p.area.id}) for p in provinces} <= set(seen)
    assert None not in seen
