"""The review queue holds the coordinator's own province's submitted reports, never another's."""
from __future__ import annotations

from tracker.core.time import utcnow
from tracker.updates.models import StatusUpdate


def _submitted(db, province, text):
    update = StatusUpdate(item=province.project, period=province.period, unit=province.finance, version=1,
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
