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


def test_a_stored_draft_is_not_served_after_what_it_printed_changed(client, db, provinces, as_user):
    """The input stamp names what the report reads: an appendix or section renamed, a late-submission
    exception granted, a linked indicator's points changed make a new render, not the stored one."""
    from datetime import timedelta

    from tracker.core.time import today_local
    from tracker.periods.models import LateException

    hue, _thanh_hoa = provinces
    as_user(hue.coordinator)
    url = _url(hue, ".html")

    def served():
        response = client.get(url)
        if response.status_code == 202:
            run_jobs()
            response = client.get(url)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert "QX7" not in served()
    hue.project.appendix.title = "Danh mục dự án QX7"
    db.session.commit()
    assert client.get(url).status_code == 202  # not the stored file of the old title
    assert "QX7" in served()  # the title as the report prints it (upper case)
    db.session.add(LateException(period=hue.period, unit=hue.finance, until=today_local() + timedelta(days=7),
                                 reason="Sáp nhập", granted_by_id=hue.coordinator.id))
    db.session.commit()
    assert client.get(url).status_code == 202
