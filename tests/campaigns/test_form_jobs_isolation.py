"""A job of one kind is not reached through the other kind's routes: a campaign form's job through
the reports' job routes, a report's render through the campaign's."""
from __future__ import annotations

from tests.campaigns.test_campaign import start
from tracker.queue.models import Job
from tracker.queue.services import run_jobs


def test_a_job_is_only_reached_through_its_own_kinds_routes(client, as_user, db, provinces, dti_framework):
    hue, _thanh_hoa = provinces
    campaign = start(client, as_user, hue, dti_framework)
    assert client.get(f"/tu-danh-gia/{campaign.id}/phieu.xlsx").status_code == 202
    assert client.get(f"/bao-cao/{hue.plan.id}/{hue.period.code}.html").status_code == 202
    form_job = db.session.query(Job).filter_by(kind="campaigns.form_render").one()
    report_job = db.session.query(Job).filter_by(kind="reports.render").one()
    assert {state for _id, state in run_jobs()} == {"done"}
    assert client.get(f"/tu-danh-gia/viec/{form_job.id}/tep").status_code == 200
    assert client.get(f"/bao-cao/viec/{report_job.id}/tep").status_code == 200
    for url in (f"/bao-cao/viec/{form_job.id}.json", f"/bao-cao/viec/{form_job.id}/tep",
                f"/tu-danh-gia/viec/{report_job.id}.json", f"/tu-danh-gia/viec/{report_job.id}/tep"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "file_url" not in response.get_data(as_text=True)
