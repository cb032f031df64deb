"""The report page (reports.show) is answered 304 while the province's data is unchanged
(tracker/ops/freshness.py); but what it shows beside the preview comes from the stored render and
the render job, which bump no data version: a page that shows a render still being made must not
be confirmed by a 304 once the worker is done (its box reloads the page when the job ends)."""
from __future__ import annotations

from tracker.queue.models import Job
from tracker.queue.services import run_jobs


def _url(province, suffix=""):
    return f"/bao-cao/{province.plan.id}/{province.period.code}{suffix}"


def test_a_page_waiting_on_its_preview_is_not_confirmed_after_the_render(client, db, provinces, as_user):
    hue, thanh_hoa = provinces
    as_user(hue.coordinator)
    first = client.get(_url(hue))
    page = first.get_data(as_text=True)
    job = db.session.query(Job).filter_by(kind="reports.render").one()
    assert f'data-job-status="/bao-cao/viec/{job.id}.json"' in page
    etag = first.headers.get("ETag")
    assert etag is None  # the page changes when the worker is done, which no data version says
    assert (job.id, "done") in run_jobs()

    again = client.get(_url(hue), headers={"If-None-Match": etag or '"none"'})
    # Not a 304 of the page that said "being made" (the browser would reload it for ever).
    assert again.status_code == 200
    text = again.get_data(as_text=True)
    assert "data-job-status" not in text and "Các đơn vị chưa gửi báo cáo kỳ này" in text
    assert thanh_hoa.plan.title not in text and thanh_hoa.project.text not in text
    # Once shown from the stored render, the page is tagged again and confirmed while nothing changes.
    etag = again.headers["ETag"]
    assert client.get(_url(hue), headers={"If-None-Match": etag}).status_code == 304
