"""Reporting periods: the list and grid, deadlines, closing, late-submission exceptions."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.updates.world import edit_url, form
from tracker.audit.models import AuditEntry
from tracker.core.time import today_local
from tracker.periods.models import LateException, ReportingPeriod
from tracker.periods.services import (
    PeriodError,
    grant_late_exception,
    period_dates,
    quarter_of,
    submission_refusal,
)
from tracker.updates.models import StatusUpdate


def test_decree_09_dates(app):
    with app.app_context():
        dates = period_dates(2025, 3)
        assert (dates["data_start"], dates["data_end"]) == (date(2025, 6, 15), date(2025, 9, 14))
        dates = period_dates(2025, 1)
        assert (dates["data_start"], dates["data_end"]) == (date(2024, 12, 15), date(2025, 3, 14))
    assert quarter_of(date(2024, 12, 20)) == (2025, 1)
    assert quarter_of(date(2025, 9, 14)) == (2025, 3) and quarter_of(date(2025, 9, 15)) == (2025, 4)


def test_closed_period_refuses_submissions_except_with_an_exception(client, db, world, as_user):
    period, url = world.period, edit_url(world.project, world.period)
    as_user(world.coordinator)
    assert client.post(f"/ky-bao-cao/{period.code}/khoa").status_code == 302
    assert db.session.get(ReportingPeriod, period.id).is_closed

    as_user(world.reporter)
    page = client.get(url).get_data(as_text=True)
    assert f"Kỳ báo cáo {period.label} đã khóa ngày" in page and "chưa được cho phép nộp muộn" in page
    banner = page[page.index('class="deadline'):]
    banner = banner[: banner.index("<section")]
    assert banner.count("đã khóa ngày") == 1, banner  # said once, not twice
    response = client.post(url, data=form(action="submit", done_text="Nộp sau khi khóa sổ."), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "không gửi được báo cáo" in html and "Nội dung đã được lưu nháp." in html
    update = db.session.scalars(select(StatusUpdate)).one()
    assert update.state == "draft" and update.done_text == "Nộp sau khi khóa sổ."

    # Another unit's exception does not help; an expired one does not either.
    today = today_local()
    grant_late_exception(world.coordinator, period, world.finance, today + timedelta(days=3), "Lý do khác", today)
    exception = grant_late_exception(world.coordinator, period, world.khcn, today, "Thiếu cán bộ", today)
    exception.until = today - timedelta(days=1)
    db.session.commit()
    assert "đã hết ngày" in submission_refusal(period, {world.khcn.id}, today)
    response = client.post(url, data=form(action="submit", update_id=update.id, lock_version=update.lock_version),
                           follow_redirects=True)
    assert "không gửi được báo cáo" in response.get_data(as_text=True)

    as_user(world.coordinator)
    until = (today + timedelta(days=5)).strftime("%d/%m/%Y")
    response = client.post(f"/ky-bao-cao/{period.code}/nop-muon",
                           data={"unit_id": world.khcn.id, "until": until, "reason": "Sở mới hợp nhất, thiếu cán bộ."})
    assert response.status_code == 302
    db.session.expire_all()
    exception = db.session.scalars(select(LateException).where(LateException.unit_id == world.khcn.id)).one()
    assert exception.until == today + timedelta(days=5) and exception.reason == "Sở mới hợp nhất, thiếu cán bộ."

    as_user(world.reporter)
    page = client.get(url).get_data(as_text=True)
    assert f"được phép nộp muộn đến hết ngày <strong>{until}</strong>" in page
    update = db.session.scalars(select(StatusUpdate)).one()
    response = client.post(url, data=form(action="submit", update_id=update.id, lock_version=update.lock_version))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(StatusUpdate)).one().state == "submitted"

    # Other units still cannot submit, and reopening lets everyone submit again.
    as_user(world.reporter_office)
    client.post(edit_url(world.target, period), data=form(action="submit"))
    assert db.session.scalars(select(StatusUpdate).where(StatusUpdate.item_id == world.target.id)).one().state == "draft"
    as_user(world.coordinator)
    assert client.post(f"/ky-bao-cao/{period.code}/mo-lai").status_code == 302
    as_user(world.reporter_office)
    target_update = db.session.scalars(select(StatusUpdate).where(StatusUpdate.item_id == world.target.id)).one()
    client.post(edit_url(world.target, period), data=form(action="submit", update_id=target_update.id,
                                                          lock_version=target_update.lock_version))
    db.session.expire_all()
    assert db.session.get(StatusUpdate, target_update.id).state == "submitted"
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "reporting_period")
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["close", "reopen"]


def test_exception_needs_a_reason_and_a_future_date(client, world, as_user):
    as_user(world.coordinator)
    url = f"/ky-bao-cao/{world.period.code}/nop-muon"
    response = client.post(url, data={"unit_id": world.khcn.id, "until": "", "reason": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Vui lòng ghi lý do cho phép nộp muộn." in html and "Vui lòng nhập ngày" in html
    yesterday = (today_local() - timedelta(days=1)).strftime("%d/%m/%Y")
    response = client.post(url, data={"unit_id": world.khcn.id, "until": yesterday, "reason": "Lý do"})
    assert response.status_code == 422
    assert "phải từ hôm nay trở đi" in response.get_data(as_text=True)


def test_index_and_grid(client, db, world, as_user):
    as_user(world.reporter)
    client.post(edit_url(world.project, world.period), data=form(action="submit"))
    client.post(edit_url(world.document, world.period), data=form())
    as_user(world.viewer)
    html = client.get("/ky-bao-cao").get_data(as_text=True)
    p = world.period
    assert p.label in html and f"{p.data_start:%d/%m/%Y} – {p.data_end:%d/%m/%Y}" in html
    assert f"{p.submission_deadline:%d/%m/%Y}" in html and "Đang mở" in html
    assert "Tạo kỳ báo cáo" not in html  # only the admin creates periods

    html = client.get(f"/ky-bao-cao/{p.code}").get_data(as_text=True)
    assert "Tình hình báo cáo theo đơn vị" in html
    grid = html.split("Tình hình báo cáo theo đơn vị")[1]
    khcn_row = grid.split("Sở Khoa học và Công nghệ")[1].split("</tr>")[0]
    cells = [c.split(">")[-1] for c in khcn_row.split("</td>")[:-1]]
    # owed, not started, draft, returned, submitted, accepted, on time, late
    # Sở KH&CN owes: document, project, project without budget, its part of the group project, Sở TT&TT's project
    assert cells[1:9] == ["5", "3", "1", "0", "1", "0", "1", "0"]
    assert "Khóa kỳ báo cáo" not in html and "Đổi hạn" not in html


def test_admin_creates_periods_and_overrides_deadlines(client, db, world, as_user):
    as_user(world.admin)
    assert "Tạo kỳ báo cáo" in client.get("/ky-bao-cao").get_data(as_text=True)
    response = client.post("/ky-bao-cao/tao", data={"year": "2030", "quarter": "2"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Đã tạo kỳ báo cáo Quý 2/2030" in html and "15/03/2030" in html and "14/06/2030" in html
    response = client.post("/ky-bao-cao/tao", data={"year": "2030", "quarter": "2"}, follow_redirects=True)
    assert "Đã có kỳ báo cáo Quý 2/2030" in response.get_data(as_text=True)

    url = "/ky-bao-cao/2030-Q2/han"
    version = db.session.scalars(select(ReportingPeriod.lock_version).where(ReportingPeriod.code == "2030-Q2")).one()
    response = client.post(url, data={"submission_deadline": "25/06/2030", "consolidated_deadline": "20/06/2030",
                                      "lock_version": version})
    assert response.status_code == 422
    assert "không được trước hạn các đơn vị gửi" in response.get_data(as_text=True)
    response = client.post(url, data={"submission_deadline": "25/06/2030", "consolidated_deadline": "2030-07-01",
                                      "lock_version": version})
    assert response.status_code == 302
    period = db.session.scalars(select(ReportingPeriod).where(ReportingPeriod.code == "2030-Q2")).one()
    assert (period.submission_deadline, period.consolidated_deadline) == (date(2030, 6, 25), date(2030, 7, 1))
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "update_deadlines")).one()
    assert entry.changes["submission_deadline"][1] == "2030-06-25"
    # The admin writes no updates and does not close periods.
    assert client.post(f"/ky-bao-cao/{period.code}/khoa").status_code == 403


def test_services_check_roles(world):
    with pytest.raises(PeriodError):
        grant_late_exception(world.admin, world.period, world.khcn, today_local(), "x", today_local())
