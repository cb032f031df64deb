"""What used to render inside a request, now done by the background worker: an issued version's
files (from its frozen snapshot) and the report page's preview. The request returns at once and
renders nothing; the worker's file equals a direct render; unchanged data is not rendered again."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.reports.test_background import renders  # noqa: F401 - the fixture counting builder calls
from tests.reports.test_routes import DRAFT
from tracker.core.time import utcnow
from tracker.queue.models import Job
from tracker.queue.services import run_jobs
from tracker.reports import builders
from tracker.reports.data import report_data_from_json
from tracker.reports.models import IssuedReport
from tracker.reports.services import gather_report_data


def _url(scenario, suffix=""):
    return f"/bao-cao/{scenario.plan.id}/{scenario.q3.code}{suffix}"


@pytest.fixture
def no_render_in_request(monkeypatch):
    """Every builder raises: a request that still renders fails loudly. `allow()` puts them back."""
    saved = {name: getattr(builders, name) for name in ("build_pdf", "build_html", "build_xlsx")}

    def refuse(data):
        raise AssertionError("rendered inside the request")

    for name in saved:
        monkeypatch.setattr(builders, name, refuse)

    def allow():
        for name, real in saved.items():
            monkeypatch.setattr(builders, name, real)
    return allow


def test_the_snapshot_survives_its_json(scenario, updates):
    """An issued version is rendered from its stored JSON: the same data, the same document."""
    updates.add(scenario.items["p5"], scenario.q3, scenario.units["yte"], "in_progress", 35, version=2,
                state="accepted", committed=7_000_000)
    data = gather_report_data(scenario.plan, scenario.q3)
    revived = report_data_from_json(data.to_json())
    assert revived == data
    assert builders.build_html(revived) == builders.build_html(data)


def test_issuing_freezes_at_once_and_renders_in_the_background(scenario, factory, client, login, db,
                                                                no_render_in_request):
    coordinator = factory.user("coordinator")
    login(coordinator)
    response = client.post(_url(scenario, "/ban-hanh"), data=DRAFT)
    assert response.status_code == 302  # no builder ran: they all raise
    report = db.session.query(IssuedReport).one()
    assert (report.version, report.number) == (1, "125") and report.data["header"]["is_draft"] is False
    assert not report.files_ready
    job = db.session.query(Job).one()
    assert (job.kind, job.state, job.tenant_id, job.payload) == (
        "reports.issued_files", "queued", scenario.plan.tenant_id, {"report_id": report.id})
    from tracker.audit.models import AuditEntry

    assert db.session.query(AuditEntry).filter_by(action="report.issued", entity_id=report.id).count() == 1

    # The report page says the files are being made; a download waits on the job's page.
    page = client.get(_url(scenario)).get_data(as_text=True)
    assert "đang tạo tệp" in page and f'data-job-status="/bao-cao/viec/{job.id}.json"' in page
    waiting = client.get(f"/bao-cao/da-ban-hanh/{report.id}.xlsx")
    assert waiting.status_code == 202 and f"/bao-cao/viec/{job.id}.json?fmt=xlsx" in waiting.get_data(as_text=True)
    assert db.session.query(Job).filter_by(kind="reports.issued_files").count() == 1  # the same job, not a second
    assert client.get(f"/bao-cao/viec/{job.id}.json?fmt=xlsx").get_json()["state"] == "queued"

    no_render_in_request()
    # The profile changes before the worker runs: the files still print what was issued.
    scenario.plan.title = "Tên kế hoạch đổi sau khi ban hành"
    db.session.commit()
    assert (job.id, "done") in run_jobs()  # with the page's preview
    db.session.refresh(report)
    assert report.files_ready and report.pdf.startswith(b"%PDF")
    frozen = report_data_from_json(report.data)
    assert report.html == builders.build_html(frozen)  # the job's file equals a direct render of the snapshot
    assert "Tên kế hoạch đổi sau khi ban hành" not in report.html.decode("utf-8")
    status = client.get(f"/bao-cao/viec/{job.id}.json?fmt=xlsx").get_json()
    assert status["state"] == "done" and status["file_url"] == f"/bao-cao/da-ban-hanh/{report.id}.xlsx"
    assert client.get(status["file_url"]).data == report.xlsx
    assert "đang tạo tệp</span>" not in client.get(_url(scenario)).get_data(as_text=True)
    # A job run again renders nothing more: an issued version's files are made once.
    from tracker.reports.issuing import render_issued_files

    assert render_issued_files(report) is False


def test_a_failed_render_is_shown_and_asked_again(scenario, factory, client, login, db, monkeypatch):
    login(factory.user("coordinator"))
    client.post(_url(scenario, "/ban-hanh"), data=DRAFT)
    report = db.session.query(IssuedReport).one()
    real = builders.build_pdf

    def broken(data):
        raise RuntimeError("WeasyPrint hết bộ nhớ")

    monkeypatch.setattr(builders, "build_pdf", broken)
    later = utcnow()
    for _ in range(3):  # the queue's own attempts, backed off
        later += timedelta(hours=1)
        run_jobs(now=later)
    job = db.session.query(Job).filter_by(kind="reports.issued_files").one()
    assert job.state == "failed" and "hết bộ nhớ" in job.error
    assert not db.session.get(IssuedReport, report.id).files_ready  # nothing half-stored

    page = client.get(_url(scenario)).get_data(as_text=True)
    assert "Không tạo được tệp" in page and "Thử lại" in page
    status = client.get(f"/bao-cao/viec/{job.id}.json").get_json()
    assert status["state"] == "failed" and "thử lại" in status["error"]

    # Asking for the file again queues a new job; this time it works.
    monkeypatch.setattr(builders, "build_pdf", real)
    assert client.get(f"/bao-cao/da-ban-hanh/{report.id}.pdf").status_code == 202
    again = db.session.query(Job).filter_by(kind="reports.issued_files").order_by(Job.id.desc()).first()
    assert again.id != job.id and again.state == "queued"
    assert (again.id, "done") in run_jobs()
    pdf = client.get(f"/bao-cao/da-ban-hanh/{report.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_the_report_page_renders_no_report(scenario, factory, client, login, db, no_render_in_request, renders):
    login(factory.user("coordinator"))
    page = client.get(_url(scenario))
    assert page.status_code == 200 and 'name="summary"' in page.get_data(as_text=True)  # the form stays
    assert client.get(_url(scenario, "/xem-truoc")).status_code == 202
    job = db.session.query(Job).one()
    assert (job.kind, job.payload["fmt"], job.tenant_id) == ("reports.render", "html", scenario.plan.tenant_id)

    no_render_in_request()
    assert run_jobs() == [(job.id, "done")]
    first = client.get(_url(scenario, "/xem-truoc"))
    assert first.status_code == 200 and "Kính gửi" in first.get_data(as_text=True)
    # Unchanged data: the page and its frame are served from the stored render, nothing rendered again.
    assert client.get(_url(scenario)).status_code == 200
    assert client.get(_url(scenario, "/xem-truoc")).data == first.data
    assert db.session.query(Job).count() == 1


def test_the_page_waiting_for_its_preview_is_not_answered_304_once_it_is_ready(scenario, factory, client, login, db):
    # The waiting page polls the job and reloads; a stored render bumps no data version, so a tagged
    # waiting page would be answered 304 with itself, and the browser would reload it for ever.
    login(factory.user("coordinator"))
    waiting = client.get(_url(scenario))
    assert "data-job-status" in waiting.get_data(as_text=True) and "ETag" not in waiting.headers
    run_jobs()
    ready = client.get(_url(scenario), headers={"If-None-Match": '"any"'})
    assert ready.status_code == 200 and "data-job-status" not in ready.get_data(as_text=True)
    assert "ETag" in ready.headers  # finished, the page takes part in conditional GET again
    assert client.get(_url(scenario), headers={"If-None-Match": ready.headers["ETag"]}).status_code == 304


def test_a_failed_preview_is_shown_and_asked_again(scenario, factory, client, login, db, monkeypatch):
    login(factory.user("viewer"))
    client.get(_url(scenario, "/xem-truoc"))
    job = db.session.query(Job).one()
    job.state, job.error = "failed", "RuntimeError: hỏng"
    db.session.commit()
    page = client.get(_url(scenario, "/xem-truoc"))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Không tạo được bản xem trước" in text and 'http-equiv="refresh"' not in text
    assert db.session.query(Job).count() == 1  # not asked again by itself (the frame would loop)
    assert client.get(_url(scenario, "/xem-truoc?thu-lai=1")).status_code == 202
    assert db.session.query(Job).count() == 2


def test_another_provinces_user_finds_no_job(scenario, factory, client, login, db, as_user):
    as_user(factory.user("coordinator"))
    client.post(_url(scenario, "/ban-hanh"), data=DRAFT)
    client.get(_url(scenario, ".html"))
    issued_job, render_job = db.session.query(Job).order_by(Job.id).all()
    assert (issued_job.kind, render_job.kind) == ("reports.issued_files", "reports.render")
    other = factory.area(code="tinh-khac", name="Tỉnh Khác")
    for role in ("coordinator", "viewer"):
        as_user(factory.user(role, tenant=other))
        for job in (issued_job, render_job):
            assert client.get(f"/bao-cao/viec/{job.id}.json").status_code == 404
            assert client.get(f"/bao-cao/viec/{job.id}/tep").status_code == 404
