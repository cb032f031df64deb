"""Background work of the campaigns area (run by tracker.queue): rendering the filled form."""
from __future__ import annotations

from datetime import date

from tracker.campaigns.models import Campaign
from tracker.campaigns.renders import FORM_RENDER_KIND, FORMATS, form_of, store_form
from tracker.extensions import db
from tracker.queue.services import PermanentJobError, handles


def form_payload(campaign: Campaign, fmt: str, stamp: str, today: date) -> dict:
    return {"campaign_id": campaign.id, "fmt": fmt, "stamp": stamp, "today": today.isoformat()}


@handles(FORM_RENDER_KIND)
def render_form(payload: dict, job) -> dict:
    campaign = db.session.get(Campaign, payload["campaign_id"])
    fmt = payload["fmt"]
    if campaign is None or fmt not in FORMATS:
        raise PermanentJobError("Đợt tự đánh giá không còn tồn tại.")
    data = form_of(campaign, date.fromisoformat(payload["today"]))
    row, rendered = store_form(campaign, fmt, data, payload["stamp"])
    return {"render_id": row.id, "fingerprint": row.fingerprint, "rendered": rendered}
