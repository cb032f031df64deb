"""The inputs a reporter's unit owes in open campaigns, for "Việc của tôi"."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.campaigns.models import Campaign, CampaignInput
from tracker.core.time import today_local
from tracker.extensions import db
from tracker.units.models import Unit


def owed_by(user, today: date | None = None) -> list[CampaignInput]:
    """Open campaigns' inputs owed by the user's unit (after successions), still to enter or returned first."""
    if getattr(user, "role", None) != "reporter" or user.unit_id is None or user.tenant_id is None:
        return []
    today = today or today_local()
    rows = db.session.scalars(
        select(CampaignInput).join(Campaign, Campaign.id == CampaignInput.campaign_id)
        .where(Campaign.tenant_id == user.tenant_id, Campaign.state == "open", CampaignInput.unit_id.is_not(None))
        .options(selectinload(CampaignInput.campaign).selectinload(Campaign.framework),
                 selectinload(CampaignInput.indicator), selectinload(CampaignInput.unit).selectinload(Unit.successor))
        .order_by(CampaignInput.campaign_id, CampaignInput.position)
    ).all()
    mine = [r for r in rows if r.unit.carrier_on(today).id == user.unit_id]
    order = {"returned": 0, "pending": 1, "draft": 1, "submitted": 2, "accepted": 3}
    return sorted(mine, key=lambda r: order.get(r.state, 9))
