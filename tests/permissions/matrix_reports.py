"""Reports: coordinators edit and issue; admins, coordinators and viewers read and download everything;
a reporter downloads only its own unit's report; anonymous users are sent to sign in."""
from __future__ import annotations

from datetime import date

from tests.permissions.base import Route

# The national viewer reads every report and writes none; the superadmin reads none.
ABOVE = {"national_viewer": 200, "superadmin": 403}
READ = {"anonymous": 302, "admin": 200, "coordinator": 200, "viewer": 200, "reporter_own": 403, "reporter_other": 403,
        **ABOVE}
EDIT_POST = {"anonymous": 302, "admin": 403, "coordinator": 302, "viewer": 403, "reporter_own": 403,
             "reporter_other": 403, "national_viewer": 403, "superadmin": 403}
OWN_UNIT = {"anonymous": 302, "admin": 200, "coordinator": 200, "viewer": 200, "reporter_own": 200,
            "reporter_other": 403, **ABOVE}


def issued_report(scenario: dict) -> dict:
    """An issued version to download (small stand-in files: only access is under test here)."""
    from tracker.extensions import db
    from tracker.reports.models import IssuedReport

    report = IssuedReport(plan_id=scenario["plan"], period_id=scenario["period_id"], version=1, number="1",
                          report_date=date(2025, 10, 5), data={"kind": "consolidated"}, pdf=b"%PDF-1.7 test",
                          xlsx=b"PK test", html=b"<!doctype html><p>test</p>", pdf_sha256="0" * 64)
    db.session.add(report)
    db.session.flush()
    return {"issued": report.id}


def issued_pending(scenario: dict) -> dict:
    """A version just issued: its files not rendered yet, their job waiting for the worker."""
    from tracker.extensions import db
    from tracker.plans.models import Plan
    from tracker.queue.models import Job
    from tracker.reports.models import IssuedReport

    report = IssuedReport(plan_id=scenario["plan"], period_id=scenario["period_id"], version=1, number="1",
                          report_date=date(2025, 10, 5), data={"kind": "consolidated"}, pdf=b"", xlsx=b"", html=b"")
    db.session.add(report)
    db.session.flush()
    job = Job(kind="reports.issued_files", key=f"issued:{report.id}", payload={"report_id": report.id},
              tenant_id=db.session.get(Plan, scenario["plan"]).tenant_id)
    db.session.add(job)
    db.session.flush()
    return {"issued": report.id, "job": job.id}


# A draft file not rendered yet: the request queues its render and answers at once (202, progress page).
QUEUED = {role: 202 if code == 200 else code for role, code in READ.items()}
QUEUED_OWN_UNIT = {role: 202 if code == 200 else code for role, code in OWN_UNIT.items()}


def rendered_job(scenario: dict) -> dict:
    """A finished render job of the consolidated draft, with its stored file."""
    from tracker.extensions import db
    from tracker.queue.models import Job
    from tracker.reports.renders import RenderedReport

    from tracker.plans.models import Plan

    tenant_id = db.session.get(Plan, scenario["plan"]).tenant_id  # as the worker and the queuing route record
    render = RenderedReport(plan_id=scenario["plan"], period_id=scenario["period_id"], tenant_id=tenant_id, fmt="html",
                            fingerprint="f" * 64,
                            stamp="s" * 64, content=b"<!doctype html><p>test</p>", size=26)
    db.session.add(render)
    db.session.flush()
    job = Job(kind="reports.render", key="s" * 64, state="done", result={"render_id": render.id}, tenant_id=tenant_id,
              payload={"plan_id": scenario["plan"], "period_id": scenario["period_id"], "unit_id": None, "fmt": "html",
                       "stem": "bao-cao"})
    db.session.add(job)
    db.session.flush()
    return {"job": job.id}


DRAFT = {"number": "15", "report_date": "2025-10-05", "signer_title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
         "signer_name": "Nguyễn Văn A", "recipients": "Như trên;\nLưu: VT, CĐS.", "summary": "Đánh giá chung.",
         "proposals": "Kiến nghị."}

ROUTES = [
    Route("reports.index", "GET", "/bao-cao",
          {"anonymous": 302, "admin": 200, "coordinator": 200, "viewer": 200, "reporter_own": 200,
           "reporter_other": 200, **ABOVE},
          note="reporters see only the links to their own unit's report"),
    Route("reports.show", "GET", "/bao-cao/{plan}/{period}", READ),
    Route("reports.preview", "GET", "/bao-cao/{plan}/{period}/xem-truoc", QUEUED,
          note="the draft's HTML, queued for the worker when not stored (202, a page reloading itself)"),
    Route("reports.download", "GET", "/bao-cao/{plan}/{period}.pdf", QUEUED),
    Route("reports.job_status", "GET", "/bao-cao/viec/{job}.json", READ, setup=rendered_job),
    Route("reports.job_file", "GET", "/bao-cao/viec/{job}/tep", READ, setup=rendered_job),
    Route("reports.save", "POST", "/bao-cao/{plan}/{period}/du-thao", EDIT_POST, data=DRAFT),
    Route("reports.issue", "POST", "/bao-cao/{plan}/{period}/ban-hanh", EDIT_POST, data=DRAFT),
    Route("reports.issued_file", "GET", "/bao-cao/da-ban-hanh/{issued}.pdf", READ, setup=issued_report),
    Route("reports.issued_file", "GET", "/bao-cao/da-ban-hanh/{issued}.xlsx", QUEUED, setup=issued_pending,
          note="files not rendered yet: the waiting page"),
    Route("reports.job_status", "GET", "/bao-cao/viec/{job}.json?fmt=pdf", READ, setup=issued_pending,
          note="an issued version's files: for those who read every report"),
    Route("reports.unit_report", "GET", "/bao-cao/{plan}/{period}/don-vi/{unit_own}.pdf", QUEUED_OWN_UNIT,
          note="reporter_other asks for unit A's report: 403"),
]
