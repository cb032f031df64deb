"""Pre-fill from tracked data: an input whose indicator is linked to a plan item is proposed from
that item's latest accepted update, with its source; the provider confirms it (or types its own).

A proposal is made only where the tracked figure is the input itself:
- a percentage target (measure unit "%") linked to a percentage ratio a/b: a = the share, b = 100,
  said as such, so the score is the tracked share until the provider gives the real counts;
- any other achieved value, for an input asking a single figure.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.core.formatting import format_date, format_number
from tracker.core.time import to_local
from tracker.extensions import db
from tracker.indicators.models import ItemIndicatorLink
from tracker.indicators.spec import FrameworkSpec
from tracker.campaigns.models import Campaign, CampaignInput
from tracker.plans.models import PlanItem
from tracker.updates.models import StatusUpdate, UpdateState


def _text(value: Decimal) -> str:
    value = value.normalize() + Decimal(0)
    return format_number(value)


def latest_accepted(item_ids: list[int]) -> dict[int, StatusUpdate]:
    """Per item, the accepted update with an achieved value of the latest period (then the latest review)."""
    if not item_ids:
        return {}
    rows = db.session.scalars(
        select(StatusUpdate)
        .where(StatusUpdate.item_id.in_(item_ids), StatusUpdate.state == UpdateState.ACCEPTED.value,
               StatusUpdate.achieved_value.is_not(None), StatusUpdate.is_sample.is_(False))
        .options(selectinload(StatusUpdate.period), selectinload(StatusUpdate.unit))
    ).all()
    latest: dict[int, StatusUpdate] = {}
    for update in sorted(rows, key=lambda u: (u.period.data_end, u.reviewed_at, u.version)):
        latest[update.item_id] = update
    return latest


def proposal_for(node, fields: list[str], item: PlanItem, update: StatusUpdate) -> dict | None:
    rule = node.rule or {}
    ratio = rule.get("ratio") or {}
    achieved = update.achieved_value
    unit = (item.measure_unit or "").strip()
    reviewed = format_date(to_local(update.reviewed_at)) if update.reviewed_at else ""
    source = (f"Hạng mục {item.ref} của kế hoạch {item.plan.number_label}: đạt {_text(achieved)}"
              f"{' ' + unit if unit else ''} theo báo cáo {update.period.label} của {update.unit.name}"
              f"{', chấp nhận ngày ' + reviewed if reviewed else ''}")
    numerator, denominator = list(ratio.get("numerator") or []), list(ratio.get("denominator") or [])
    if (unit == "%" and ratio.get("format", "percent") == "percent" and len(numerator) == 1
            and len(denominator) == 1 and set(numerator + denominator) <= set(fields)):
        values = {numerator[0]: _text(achieved), denominator[0]: "100"}
        source += f" (tỷ lệ quy về {numerator[0]}/{denominator[0]} = {_text(achieved)}/100; thay bằng số đếm thực tế nếu có)"
    elif unit != "%" and len([f for f in fields if f in {i.key for i in node.inputs}]) == 1 and len(fields) == 1:
        values = {fields[0]: _text(achieved)}
    else:
        return None
    return {"values": values, "source": source, "item_id": item.id, "update_id": update.id}


def _tracked(indicator_ids: set[int], tenant_id: int) -> tuple[list[ItemIndicatorLink], dict[int, StatusUpdate]]:
    links = db.session.scalars(
        select(ItemIndicatorLink).where(ItemIndicatorLink.indicator_id.in_(indicator_ids))
        .options(selectinload(ItemIndicatorLink.item).selectinload(PlanItem.plan))
    ).all() if indicator_ids else []
    links = sorted((link for link in links if link.item.tenant_id == tenant_id), key=lambda l: l.item.ref)
    return links, latest_accepted([link.item_id for link in links])


def _proposal(campaign_input: CampaignInput, spec: FrameworkSpec, links, updates) -> dict | None:
    node = spec.find(campaign_input.key)
    if node is None:
        return None
    for link in links:
        update = updates.get(link.item_id)
        if link.indicator_id != campaign_input.indicator_id or update is None:
            continue
        proposal = proposal_for(node, campaign_input.fields, link.item, update)
        if proposal is not None:
            return proposal
    return None


def propose_all(campaign: Campaign, spec: FrameworkSpec) -> int:
    """Set the proposal of every input of the campaign that tracked data can fill; returns how many."""
    inputs = [i for i in campaign.inputs if i.indicator_id is not None and i.fields]
    links, updates = _tracked({i.indicator_id for i in inputs}, campaign.tenant_id)
    made = 0
    for campaign_input in inputs:
        campaign_input.proposal = _proposal(campaign_input, spec, links, updates)
        made += campaign_input.proposal is not None
    return made


def current_proposal(campaign_input: CampaignInput, spec: FrameworkSpec) -> dict | None:
    """The proposal from the tracked data as it is now (a later update may have been accepted); reads only."""
    if not campaign_input.fields or campaign_input.indicator_id is None:
        return None
    links, updates = _tracked({campaign_input.indicator_id}, campaign_input.campaign.tenant_id)
    return _proposal(campaign_input, spec, links, updates)
