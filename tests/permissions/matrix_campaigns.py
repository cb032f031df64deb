"""The DTI self-assessment campaign: coordinators, admins and viewers read the campaign and its form;
only coordinators start, judge, review and reassign; an input is entered by its provider unit's
reporters only; the national users read it all and write nothing."""
import uuid
from datetime import timedelta
from pathlib import Path

from flask import current_app

from tests.permissions.base import Route, expect
from tracker.core.time import today_local


def campaign(scenario) -> dict:
    from tracker.extensions import db
    from tracker.campaigns.models import Campaign, CampaignEvidence, CampaignInput

    objects = scenario["objects"]
    started = Campaign(tenant=objects["area"], framework=objects["framework"], year=2026,
                       deadline=today_local() + timedelta(days=30), judgements={})
    owed = CampaignInput(campaign=started, indicator=objects["indicator"], key="1.1", fields=[],
                         provider_text="Sở Nội vụ", unit=objects["unit_own"], values={}, state="pending")
    db.session.add_all([started, owed])
    db.session.flush()
    stored = uuid.uuid4().hex
    (Path(current_app.config["UPLOAD_DIR"]) / stored).write_bytes(b"%PDF-1.4 tai lieu kiem chung\n")
    evidence = CampaignEvidence(input=owed, original_name="tlkc.pdf", stored_name=stored,
                                content_type="application/pdf", size=30)
    db.session.add(evidence)
    db.session.flush()
    return {"campaign": started.id, "campaign_input": owed.id, "campaign_evidence": evidence.id,
            "framework_id": objects["framework"].id}


READ = expect(200, reporter_own=403, reporter_other=403, superadmin=200)  # the national users read every area
# The form not rendered yet: the request queues its render and answers at once (202, progress page).
QUEUED = expect(202, reporter_own=403, reporter_other=403, superadmin=202)


def form_job(scenario) -> dict:
    """A finished render job of the campaign's form, with its stored file."""
    from tracker.extensions import db
    from tracker.campaigns.models import CampaignFormRender
    from tracker.queue.models import Job

    ids = campaign(scenario)
    tenant_id = scenario["objects"]["area"].id
    render = CampaignFormRender(campaign_id=ids["campaign"], fmt="xlsx", fingerprint="f" * 64,
                                stamp="s" * 64, content=b"PK test", size=7)
    db.session.add(render)
    db.session.flush()
    job = Job(kind="campaigns.form_render", key="s" * 64, state="done", result={"render_id": render.id},
              tenant_id=tenant_id, payload={"campaign_id": ids["campaign"], "fmt": "xlsx"})
    db.session.add(job)
    db.session.flush()
    return ids | {"job": job.id}
COORDINATOR_WRITE = expect(403, coordinator=302)
# Pages about one input: its provider reads and writes it; the national users read it, write nothing.
INPUT_READ = expect(200, reporter_other=403, superadmin=200)
PROVIDER_WRITE = expect(403, reporter_own=302)

ROUTES = [
    Route("campaigns.index", "GET", "/tu-danh-gia", READ, setup=campaign),
    Route("campaigns.index", "POST", "/tu-danh-gia", expect(403, coordinator=302), setup=campaign,
          data=lambda s: {"framework_id": s["framework_id"], "year": "2030",
                          "deadline": (today_local() + timedelta(days=10)).strftime("%d/%m/%Y")}),
    Route("campaigns.show", "GET", "/tu-danh-gia/{campaign}", READ, setup=campaign),
    Route("campaigns.form_xlsx", "GET", "/tu-danh-gia/{campaign}/phieu.xlsx", QUEUED, setup=campaign),
    Route("campaigns.form_pdf", "GET", "/tu-danh-gia/{campaign}/phieu.pdf", QUEUED, setup=campaign),
    Route("campaigns.form_job_status", "GET", "/tu-danh-gia/viec/{job}.json", READ, setup=form_job),
    Route("campaigns.form_job_file", "GET", "/tu-danh-gia/viec/{job}/tep", READ, setup=form_job),
    Route("campaigns.judge", "POST", "/tu-danh-gia/{campaign}/cham-diem", COORDINATOR_WRITE, setup=campaign,
          data={"key": "1.1", "points": "5", "reason": "Đã triển khai một phần", "lock_version": "1"}),
    Route("campaigns.input_page", "GET", "/tu-danh-gia/so-lieu/{campaign_input}", INPUT_READ, setup=campaign),
    Route("campaigns.save_input", "POST", "/tu-danh-gia/so-lieu/{campaign_input}", PROVIDER_WRITE, setup=campaign,
          data={"action": "save", "note": "Đã tổng hợp", "lock_version": "1"}),
    Route("campaigns.review", "POST", "/tu-danh-gia/so-lieu/{campaign_input}/duyet", COORDINATOR_WRITE,
          setup=campaign, data={"decision": "accept", "lock_version": "1"}),
    Route("campaigns.reassign", "POST", "/tu-danh-gia/so-lieu/{campaign_input}/giao", COORDINATOR_WRITE,
          setup=campaign, data=lambda s: {"unit_id": s["unit_other"], "lock_version": "1"}),
    Route("campaigns.evidence", "GET", "/tu-danh-gia/minh-chung/{campaign_evidence}", INPUT_READ, setup=campaign),
    Route("campaigns.delete_evidence", "POST", "/tu-danh-gia/minh-chung/{campaign_evidence}/xoa", PROVIDER_WRITE,
          setup=campaign),
]
