"""The background renders (tracker/reports/jobs.py, renders.py, issuing.py) attacked through their
routes: another province's jobs and files, a reporter following another unit's job or the
consolidated report's, the preview frame of another province's plan, the framing headers, a
stored render reused by a second province, and the national viewer's read-only scope."""
from __future__ import annotations

from tests.updates.world import make_user
from tracker.areas.scope import SESSION_AREA_KEY
from tracker.queue.models import Job
from tracker.queue.services import run_jobs
from tracker.reports.models import IssuedReport
from tracker.reports.renders import RenderedReport


def _url(province, suffix=""):
    return f"/bao-cao/{province.plan.id}/{province.period.code}{suffix}"


def _jobs_of_hue(client, db, as_user, hue):
    """Hue's coordinator issues a version and asks for the draft's HTML; Hue's Sở Tài chính reporter
    asks for the unit's own report: three jobs, all done."""
    as_user(hue.coordinator)
    assert client.post(_url(hue, "/ban-hanh")).status_code == 302
    assert client.get(_url(hue, ".html")).status_code == 202
    as_user(hue.reporter)
    assert client.get(_url(hue, f"/don-vi/{hue.finance.id}.html")).status_code == 202
    issued, draft, unit = db.session.query(Job).order_by(Job.id).all()
    assert (issued.kind, draft.kind, unit.kind) == ("reports.issued_files", "reports.render", "reports.render")
    assert unit.payload["unit_id"] == hue.finance.id
    assert {state for _id, state in run_jobs()} == {"done"}
    return issued, draft, unit


def test_another_provinces_users_find_none_of_the_jobs_or_files(client, db, provinces, as_user):
    hue, thanh_hoa = provinces
    jobs = _jobs_of_hue(client, db, as_user, hue)
    report = db.session.query(IssuedReport).one()
    for user in (thanh_hoa.coordinator, thanh_hoa.admin, thanh_hoa.viewer, thanh_hoa.reporter):
        as_user(user)
        for job in jobs:
            for suffix in (".json", "/tep"):
                response = client.get(f"/bao-cao/viec/{job.id}{suffix}")
                assert response.status_code == 404, (user.role, job.kind, suffix)
                assert hue.plan.title not in response.get_data(as_text=True)
        for fmt in ("pdf", "html", "json"):
            assert client.get(f"/bao-cao/da-ban-hanh/{report.id}.{fmt}").status_code in (403, 404)
        assert client.get(_url(hue, "/xem-truoc")).status_code in (403, 404)
        assert client.get(_url(hue, f"/don-vi/{hue.finance.id}.html")).status_code in (403, 404)
    assert db.session.query(Job).count() == 3  # nothing queued for them


def test_a_reporter_follows_only_its_own_units_job(client, db, factory, provinces, as_user):
    hue, _thanh_hoa = provinces
    issued, draft, unit = _jobs_of_hue(client, db, as_user, hue)
    as_user(hue.reporter)  # Sở Tài chính: its own report's job is its to follow
    status = client.get(f"/bao-cao/viec/{unit.id}.json").get_json()
    assert status["state"] == "done" and client.get(status["file_url"]).status_code == 200
    for job in (issued, draft):  # the consolidated report and the issued files are the readers'
        assert client.get(f"/bao-cao/viec/{job.id}.json").status_code == 403
        assert client.get(f"/bao-cao/viec/{job.id}/tep").status_code == 403
    other = make_user(factory, "reporter", hue.khcn, "baocao.khcn.hue@test.vn", "Báo cáo Sở KH&CN")
    db.session.commit()
    as_user(other)
    for job in (issued, draft, unit):
        for suffix in (".json", "/tep"):
            response = client.get(f"/bao-cao/viec/{job.id}{suffix}")
            assert response.status_code == 403 and hue.finance.name not in response.get_data(as_text=True)
    assert client.get(_url(hue, f"/don-vi/{hue.finance.id}.html")).status_code == 403


def test_only_the_preview_may_be_framed_and_only_by_our_pages(client, db, provinces, as_user):
    hue, _thanh_hoa = provinces
    issued, draft, _unit = _jobs_of_hue(client, db, as_user, hue)
    as_user(hue.coordinator)
    client.get(_url(hue, "/xem-truoc"))
    run_jobs()
    framed = client.get(_url(hue, "/xem-truoc"))
    assert framed.status_code == 200 and framed.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in framed.headers["Content-Security-Policy"]
    assert "script-src 'self'" in framed.headers["Content-Security-Policy"]
    report = db.session.query(IssuedReport).one()
    for url in (_url(hue), _url(hue, ".html"), f"/bao-cao/viec/{draft.id}/tep", f"/bao-cao/viec/{draft.id}.json",
                f"/bao-cao/da-ban-hanh/{report.id}.html", "/bao-cao"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], url


def test_a_second_province_never_gets_the_first_ones_stored_render(client, db, provinces, as_user):
    """Two provinces, same unit names, same plan number: each render is its own (the stamp and the
    fingerprint name the plan), and a file is served only from its own province's store."""
    hue, thanh_hoa = provinces
    as_user(hue.coordinator)
    client.get(_url(hue, ".html"))
    run_jobs()
    hue_file = client.get(_url(hue, ".html")).get_data(as_text=True)
    assert "Thừa Thiên Huế" in hue_file

    as_user(thanh_hoa.coordinator)
    waiting = client.get(_url(thanh_hoa, ".html"))
    assert waiting.status_code == 202  # nothing of Huế's store answers it
    assert run_jobs()
    page = client.get(_url(thanh_hoa, ".html")).get_data(as_text=True)
    assert "Thanh Hóa" in page and "Thừa Thiên Huế" not in page and hue.project.text not in page
    renders = db.session.query(RenderedReport).order_by(RenderedReport.id).all()  # each province its own
    assert [(r.plan_id, r.tenant_id) for r in renders] == [(hue.plan.id, hue.area.id),
                                                           (thanh_hoa.plan.id, thanh_hoa.area.id)]
    assert renders[0].fingerprint != renders[1].fingerprint and renders[0].stamp != renders[1].stamp


def test_the_national_viewer_queues_only_inside_its_chosen_area(client, db, factory, provinces, as_user):
    hue, thanh_hoa = provinces
    national = make_user(factory, "national_viewer", None, "toanquoc@test.vn", "Cục Chuyển đổi số")
    db.session.commit()
    as_user(national)
    with client.session_transaction() as session:
        session[SESSION_AREA_KEY] = thanh_hoa.area.id
    for suffix in (".html", "/xem-truoc", f"/don-vi/{hue.finance.id}.pdf"):
        assert client.get(_url(hue, suffix)).status_code == 404
    assert db.session.query(Job).count() == 0
    # Its own area's draft: a render job in that province, nothing else written.
    assert client.get(_url(thanh_hoa, ".html")).status_code == 202
    job = db.session.query(Job).one()
    assert (job.tenant_id, job.user_id, job.payload["plan_id"]) == (thanh_hoa.area.id, national.id, thanh_hoa.plan.id)
    assert client.post(_url(thanh_hoa, "/ban-hanh")).status_code == 403  # issuing is not read-only
    assert db.session.query(IssuedReport).count() == 0
