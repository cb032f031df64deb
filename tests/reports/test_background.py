"""Report files rendered by the background worker and served again while their data is unchanged."""
from __future__ import annotations

from datetime import datetime

import pytest

from tracker.queue.models import Job
from tracker.queue.services import run_jobs
from tracker.reports import builders
from tracker.reports.renders import RenderedReport, fingerprint
from tracker.reports.services import gather_report_data, get_draft, options_from_draft


def _url(scenario, suffix=""):
    return f"/bao-cao/{scenario.plan.id}/{scenario.q3.code}{suffix}"


@pytest.fixture
def renders(monkeypatch):
    """Counts the builders' calls (the worker imports them when it runs)."""
    calls = []
    for name in ("build_pdf", "build_html", "build_xlsx"):
        real = getattr(builders, name)

        def counted(data, _real=real, _name=name):
            calls.append(_name)
            return _real(data)

        monkeypatch.setattr(builders, name, counted)
    return calls


def test_the_request_queues_the_render_and_answers_at_once(scenario, factory, client, login, db, renders):
    login(factory.user("coordinator"))
    response = client.get(_url(scenario, ".pdf"))
    assert response.status_code == 202 and renders == []  # nothing rendered inside the request
    page = response.get_data(as_text=True)
    job = db.session.query(Job).one()
    assert job.state == "queued" and job.kind == "reports.render" and job.tenant_id == scenario.plan.tenant_id
    assert f'data-job-status="/bao-cao/viec/{job.id}.json"' in page and "Đang chờ" in page
    assert "<script>" not in page and "<script " not in page.split("app.js")[1]  # no inline script (CSP)
    status = client.get(f"/bao-cao/viec/{job.id}.json").get_json()
    assert status["state"] == "queued" and "file_url" not in status
    # Asking again while it waits reuses the job.
    assert client.get(_url(scenario, ".pdf")).status_code == 202 and db.session.query(Job).count() == 1

    assert run_jobs() == [(job.id, "done")] and renders == ["build_pdf"]
    status = client.get(f"/bao-cao/viec/{job.id}.json").get_json()
    assert status == {"state": "done", "label": "Đã xong", "attempts": 1, "file_url": f"/bao-cao/viec/{job.id}/tep"}
    pdf = client.get(status["file_url"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


@pytest.mark.parametrize("fmt", ["html", "xlsx", "pdf"])
def test_the_jobs_file_equals_a_direct_render(scenario, factory, client, login, db, fmt):
    login(factory.user("coordinator"))
    client.get(_url(scenario, f".{fmt}"))
    job = db.session.query(Job).one()
    run_jobs()
    stored = client.get(f"/bao-cao/viec/{job.id}/tep").data
    now = datetime.fromisoformat(job.payload["now"])
    data = gather_report_data(scenario.plan, scenario.q3, now=now,
                              options=options_from_draft(get_draft(scenario.plan, scenario.q3)))
    direct = {"html": builders.build_html, "xlsx": builders.build_xlsx, "pdf": builders.build_pdf}[fmt](data)
    if fmt == "pdf":
        # The PDF carries a random document id; everything else is the same.
        from pypdf import PdfReader
        import io

        a, b = PdfReader(io.BytesIO(stored)), PdfReader(io.BytesIO(direct))
        assert len(a.pages) == len(b.pages)
        assert [p.extract_text() for p in a.pages] == [p.extract_text() for p in b.pages]
    elif fmt == "xlsx":
        from openpyxl import load_workbook
        import io

        def cells(content):
            book = load_workbook(io.BytesIO(content))
            return [[row for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets]

        assert cells(stored) == cells(direct)
    else:
        assert stored == direct


def test_a_changed_update_changes_the_fingerprint(scenario, updates, db):
    before = gather_report_data(scenario.plan, scenario.q3)
    again = gather_report_data(scenario.plan, scenario.q3)  # another moment, the same data
    assert fingerprint(before, "pdf") == fingerprint(again, "pdf") != fingerprint(before, "xlsx")
    updates.add(scenario.items["p5"], scenario.q3, scenario.units["yte"], "in_progress", 35, version=2,
                state="accepted", committed=7_000_000)
    after = gather_report_data(scenario.plan, scenario.q3)
    assert fingerprint(after, "pdf") != fingerprint(before, "pdf")


def test_unchanged_data_is_served_from_the_stored_file_without_rendering(scenario, factory, updates, client, login,
                                                                         db, renders):
    login(factory.user("viewer"))
    client.get(_url(scenario, ".html"))
    run_jobs()
    assert renders == ["build_html"]
    first = client.get(_url(scenario, ".html"))
    assert first.status_code == 200 and "Kính gửi" in first.get_data(as_text=True)
    assert client.get(_url(scenario, ".html"), headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert renders == ["build_html"] and db.session.query(Job).count() == 1  # no second render, no second job

    # New data: a new render, and its file shows it.
    updates.add(scenario.items["d2"], scenario.q3, scenario.units["yte"], "done", 100, state="accepted")
    db.session.commit()
    assert client.get(_url(scenario, ".html")).status_code == 202
    run_jobs()
    assert renders == ["build_html", "build_html"]
    assert db.session.query(RenderedReport).count() == 2
    assert client.get(_url(scenario, ".html")).data != first.data


def test_a_job_is_followed_only_by_who_may_read_the_report(scenario, factory, client, login, db, as_user):
    yte = scenario.units["yte"]
    as_user(factory.user("coordinator"))
    client.get(_url(scenario, ".html"))
    job = db.session.query(Job).one()
    as_user(factory.user("reporter", unit=yte))
    assert client.get(f"/bao-cao/viec/{job.id}.json").status_code == 403
    assert client.get(f"/bao-cao/viec/{job.id}/tep").status_code == 403
    client.get(_url(scenario, f"/don-vi/{yte.id}.html"))
    own = db.session.query(Job).order_by(Job.id.desc()).first()
    assert own.payload["unit_id"] == yte.id and client.get(f"/bao-cao/viec/{own.id}.json").status_code == 200
    assert client.get(f"/bao-cao/viec/{own.id}/tep").status_code == 404  # not rendered yet
    assert client.get("/bao-cao/viec/999999.json").status_code == 404
