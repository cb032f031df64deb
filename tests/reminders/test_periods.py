"""The daily pass considers every period whose reminder schedule covers the day, creating the
missing ones: 2025-Q3's deadline (18/09/2025) falls in 2025-Q4's data window (from 15/09), so a
fresh install or a scheduler started after 14/09 must still create 2025-Q3 and remind about it.
`remind --dry-run` plans exactly what the real pass does, without writing the period."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from tracker.periods.models import ReportingPeriod
from tracker.reminders.models import Notice


@pytest.fixture
def owing(factory, db):
    """One agency owing its quarterly reports, one reporter; no reporting period stored yet."""
    area = factory.area(name="Tỉnh Lắp Mới")
    plan = factory.plan(area=area)
    unit = factory.unit(name="Sở Nội vụ", area=area)
    factory.item(plan=plan, owner=unit, kind="project", start_year=2024, end_year=2027, text="Kho dữ liệu cán bộ")
    reporter = factory.user(role="reporter", unit=unit, email="bcv@snv.gov.vn")
    db.session.commit()
    return reporter


def stored_periods(db) -> list[str]:
    return sorted(db.session.scalars(select(ReportingPeriod.code)))


@pytest.mark.parametrize("day, rule", [("2025-09-15", "before_deadline"), ("2025-09-18", "due_today"),
                                       ("2025-10-01", "overdue")])
def test_a_pass_after_the_data_window_creates_and_reminds_the_period_still_due(runner, db, owing, day, rule):
    result = runner.invoke(args=["tracker", "remind", "--at", day, "--json"])
    assert result.exit_code == 0, result.output
    notices = json.loads(result.output)
    assert "2025-Q3" in stored_periods(db)
    assert any(n["period"] == "2025-Q3" and n["rule"] == rule and n["to"] == owing.email for n in notices), notices


def test_the_dry_run_plans_what_the_real_pass_does_and_writes_nothing(runner, db, owing):
    dry = runner.invoke(args=["tracker", "remind", "--at", "2025-09-15", "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    planned = json.loads(dry.output)
    assert planned, "the dry run includes the period the real pass would create"
    assert stored_periods(db) == [] and db.session.scalar(select(func.count()).select_from(Notice)) == 0
    real = runner.invoke(args=["tracker", "remind", "--at", "2025-09-15", "--json"])
    assert json.loads(real.output) == planned


def test_the_scheduler_job_creates_them_too(app, db, owing, monkeypatch):
    from tracker.reminders import jobs

    monkeypatch.setattr(jobs, "today_local", lambda: date(2025, 9, 16))
    jobs.daily_reminders()
    assert {"2025-Q3", "2025-Q4"} <= set(stored_periods(db))
    assert db.session.scalar(select(func.count()).select_from(Notice).where(Notice.user_id == owing.id)) >= 1


def test_a_period_already_stored_keeps_its_dates(runner, db, owing, factory):
    """An admin's deadline is not replaced by the default one."""
    factory.period(2025, 3, submission_deadline=date(2025, 9, 25))
    db.session.commit()
    result = runner.invoke(args=["tracker", "remind", "--at", "2025-09-18", "--json"])
    notices = [n for n in json.loads(result.output) if n["period"] == "2025-Q3"]
    assert notices and notices[0]["deadline"] == "2025-09-25" and notices[0]["rule"] == "before_deadline"
