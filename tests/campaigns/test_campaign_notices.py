"""A DTI campaign's review steps tell people through the same notifications as quarterly updates."""
from __future__ import annotations

from sqlalchemy import select

from tests.campaigns.test_campaign import PDF, input_of, post_input, start
from tracker.extensions import db as _db
from tracker.reminders.models import Notification


def notices(user) -> list[Notification]:
    return list(_db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def test_submit_return_accept_of_an_input_notify_once_and_only_in_its_province(
        client, as_user, db, provinces, dti_framework, tmp_path, app):
    hue, thanh_hoa = provinces
    app.config["UPLOAD_DIR"] = str(tmp_path)
    campaign = start(client, as_user, hue, dti_framework)
    two_four = input_of(campaign, "2.4")

    as_user(hue.reporter)
    assert post_input(client, two_four, "submit", files=[("Nghị quyết.pdf", PDF)],
                      giam_phi="có", giam_thoi_gian="không").status_code == 302
    told = notices(hue.coordinator)
    assert len(told) == 1 and "2.4" in told[0].title
    assert notices(thanh_hoa.coordinator) == []

    as_user(hue.coordinator)
    client.post(f"/tu-danh-gia/so-lieu/{two_four.id}/duyet",
                data={"decision": "return", "reason": "Thiếu văn bản giảm thời gian", "lock_version": two_four.lock_version})
    returned = notices(hue.reporter)
    assert len(returned) == 1 and "bị trả lại" in returned[0].title
    assert "Thiếu văn bản giảm thời gian" in returned[0].body
    assert notices(thanh_hoa.reporter) == []

    as_user(hue.reporter)
    post_input(client, two_four, "submit", files=[("QĐ.pdf", PDF)], giam_phi="có", giam_thoi_gian="có")
    as_user(hue.coordinator)
    client.post(f"/tu-danh-gia/so-lieu/{two_four.id}/duyet", data={"decision": "accept", "lock_version": two_four.lock_version})
    titles = [n.title for n in notices(hue.reporter)]
    assert len(titles) == 2 and sum("đã được chấp nhận" in t for t in titles) == 1
    assert len(notices(hue.coordinator)) == 2  # the first submission and the resubmission
