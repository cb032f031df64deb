"""The review queue holds the coordinator's own province's submitted reports, never another's."""
from __future__ import annotations

from tracker.core.time import utcnow
from tracker.updates.models import StatusUpdate


def _submitted(db, province, text, version=1):
    update = StatusUpdate(item=province.project, period=province.period, unit=province.finance, version=version,
                          state="submitted", status="in_progress", progress=40, done_text=text,
                          submitted_at=utcnow())
    db.session.add(update)
    db.session.flush()
    return update


def test_the_review_queue_shows_only_the_coordinators_province(provinces, db, client, as_user):
    hue, thanh_hoa = provinces
    _submitted(db, hue, "MK-HUE-CHO-DUYET")
    _submitted(db, thanh_hoa, "MK-THANHHOA-CHO-DUYET")
    db.session.commit()
    as_user(hue.coordinator)
    page = client.get("/cho-duyet").get_data(as_text=True)
    assert hue.project.text in page and thanh_hoa.project.text not in page
    as_user(thanh_hoa.coordinator)
    page = client.get("/cho-duyet").get_data(as_text=True)
    assert thanh_hoa.project.text in page and hue.project.text not in page


def test_the_review_queue_is_paged_oldest_first_and_counts_only_the_province(provinces, db, client, as_user,
                                                                           monkeypatch):
    from datetime import timedelta

    from tracker.updates.routes import review

    hue, thanh_hoa = provinces
    monkeypatch.setattr(review, "REVIEW_PAGE_SIZE", 1)
    first, second = _submitted(db, hue, "MK-HUE-1"), _submitted(db, hue, "MK-HUE-2", version=2)
    first.submitted_at = second.submitted_at - timedelta(hours=1)
    _submitted(db, thanh_hoa, "MK-THANHHOA")
    db.session.commit()
    as_user(hue.coordinator)
    page = client.get("/cho-duyet").get_data(as_text=True)
    assert "MK-HUE-1" in page and "MK-HUE-2" not in page and "Trang 1/2 · 2 báo cáo chờ duyệt" in page
    page = client.get("/cho-duyet?trang=2").get_data(as_text=True)
    assert "MK-HUE-2" in page and "MK-HUE-1" not in page and "MK-THANHHOA" not in page
    page = client.get("/cho-duyet?trang=99").get_data(as_text=True)  # beyond the last: the last page
    assert "MK-HUE-2" in page
