"""The campaign's filled form is rendered by the background worker: the request returns at once,
the job's file equals a direct render, a changed input changes the keys, and an unchanged form is
served from the stored file without rendering again."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.campaigns.test_campaign import input_of, start
from tracker.campaigns.models import CampaignFormRender
from tracker.campaigns.renders import fingerprint, form_of, input_stamp
from tracker.core.time import today_local
from tracker.indicators import form
from tracker.queue.models import Job
from tracker.queue.services import run_jobs


@pytest.fixture
def form_renders(monkeypatch):
    """Counts the form builders' calls; `refuse[0] = True` makes them raise (nothing may render)."""
    calls, refuse = [], [False]
    for name in ("build_form_pdf", "build_form_xlsx"):
        real = getattr(form, name)

        def counted(data, _real=real, _name=name):
            if refuse[0]:
                raise AssertionError("rendered inside the request")
            calls.append(_name)
            return _real(data)

        monkeypatch.setattr(form, name, counted)
    return calls, refuse


def _cells(content: bytes):
    book = load_workbook(io.BytesIO(content))
    return [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]


def test_the_form_is_rendered_in_the_background_and_kept(client, as_user, db, provinces, dti_framework,
                                                          form_renders):
    calls, refuse = form_renders
    hue, _ = provinces
    campaign = start(client, as_user, hue, dti_framework)
    url = f"/tu-danh-gia/{campaign.id}/phieu.xlsx"
    refuse[0] = True
    response = client.get(url)
    assert response.status_code == 202 and calls == []  # nothing rendered inside the request
    job = db.session.query(Job).one()
    assert (job.kind, job.state, job.tenant_id) == ("campaigns.form_render", "queued", hue.area.id)
    page = response.get_data(as_text=True)
    assert f'data-job-status="/tu-danh-gia/viec/{job.id}.json"' in page and "Đang chờ" in page
    assert client.get(url).status_code == 202 and db.session.query(Job).count() == 1  # the same job

    refuse[0] = False
    assert run_jobs() == [(job.id, "done")] and calls == ["build_form_xlsx"]
    status = client.get(f"/tu-danh-gia/viec/{job.id}.json").get_json()
    assert status["state"] == "done" and status["file_url"] == f"/tu-danh-gia/viec/{job.id}/tep"
    stored = client.get(status["file_url"]).data
    assert _cells(stored) == _cells(form.build_form_xlsx(form_of(campaign, today_local())))  # = a direct render
    calls.clear()

    # Unchanged inputs: served from the stored file, no render, no job.
    again = client.get(url)
    assert again.status_code == 200 and again.data == stored and "attachment" in again.headers["Content-Disposition"]
    assert client.get(url, headers={"If-None-Match": again.headers["ETag"]}).status_code == 304
    assert calls == [] and db.session.query(Job).count() == 1

    # A changed input: a new stamp, a new fingerprint, a new render.
    before_stamp, before_fp = input_stamp(campaign, "xlsx"), fingerprint(form_of(campaign, today_local()), "xlsx")
    item = input_of(campaign, "1.1")
    item.values, item.state = {"answer": "có"}, "accepted"
    db.session.commit()
    assert input_stamp(campaign, "xlsx") != before_stamp
    assert fingerprint(form_of(campaign, today_local()), "xlsx") != before_fp
    assert client.get(url).status_code == 202
    run_jobs()
    assert calls == ["build_form_xlsx"] and db.session.query(CampaignFormRender).count() == 2
    assert client.get(url).data != stored


def test_a_changed_stamp_with_the_same_form_reuses_the_render(client, as_user, db, provinces, dti_framework,
                                                             form_renders):
    calls, _ = form_renders
    hue, _ = provinces
    campaign = start(client, as_user, hue, dti_framework)
    url = f"/tu-danh-gia/{campaign.id}/phieu.xlsx"
    client.get(url)
    run_jobs()
    item = input_of(campaign, "1.1")
    item.note = "Ghi chú của bản nháp"  # read by the stamp; a pending input is not on the form
    db.session.commit()
    assert client.get(url).status_code == 202
    run_jobs()
    assert calls == ["build_form_xlsx"] and db.session.query(CampaignFormRender).count() == 1
    assert client.get(url).status_code == 200


def test_another_provinces_users_find_no_form_job(client, as_user, db, provinces, dti_framework):
    hue, thanh_hoa = provinces
    campaign = start(client, as_user, hue, dti_framework)
    client.get(f"/tu-danh-gia/{campaign.id}/phieu.xlsx")
    job = db.session.query(Job).one()
    run_jobs()
    assert client.get(f"/tu-danh-gia/viec/{job.id}/tep").status_code == 200
    for user in (thanh_hoa.coordinator, thanh_hoa.viewer):
        as_user(user)
        assert client.get(f"/tu-danh-gia/viec/{job.id}.json").status_code == 404
        assert client.get(f"/tu-danh-gia/viec/{job.id}/tep").status_code == 404
    as_user(hue.reporter)
    assert client.get(f"/tu-danh-gia/viec/{job.id}.json").status_code == 403
