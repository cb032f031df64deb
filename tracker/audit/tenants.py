"""Which tenant an audited entity belongs to, so that the audit log can be scoped to one area."""
from __future__ import annotations

from functools import cache


@cache
def _entities() -> dict:
    from tracker.api.models import ApiToken
    from tracker.auth.models import User
    from tracker.campaigns.models import Campaign, CampaignEvidence, CampaignInput
    from tracker.indicators.models import Framework, ItemIndicatorLink
    from tracker.items.models import ItemReassignment
    from tracker.periods.models import LateException, ReportingPeriod
    from tracker.plans.models import Plan, PlanItem
    from tracker.reports.models import IssuedReport, ReportDraft, ReportProfile
    from tracker.units.models import Area, Unit, UnitGroup
    from tracker.updates.models import ContributionNote, Evidence, StatusUpdate

    return {
        "api_token": (ApiToken, lambda o: o.tenant_id),
        "area": (Area, lambda o: o.tenant_id or o.id),
        "unit": (Unit, lambda o: o.tenant_id),
        "unit_group": (UnitGroup, lambda o: o.tenant_id),
        "user": (User, lambda o: o.tenant_id),
        "plan": (Plan, lambda o: o.tenant_id),
        "plan_item": (PlanItem, lambda o: o.tenant_id),
        "framework": (Framework, lambda o: o.tenant_id),
        "reporting_period": (ReportingPeriod, lambda o: o.tenant_id),
        "late_exception": (LateException, lambda o: o.period.tenant_id),
        "report_profile": (ReportProfile, lambda o: o.tenant_id),
        "report_draft": (ReportDraft, lambda o: o.plan.tenant_id),
        "issued_report": (IssuedReport, lambda o: o.plan.tenant_id),
        "status_update": (StatusUpdate, lambda o: o.item.tenant_id),
        "contribution_note": (ContributionNote, lambda o: o.item.tenant_id),
        "evidence": (Evidence, lambda o: o.update.item.tenant_id),
        "item_indicator_link": (ItemIndicatorLink, lambda o: o.item.tenant_id),
        "item_reassignment": (ItemReassignment, lambda o: o.item.tenant_id),
        "campaign": (Campaign, lambda o: o.tenant_id),
        "campaign_input": (CampaignInput, lambda o: o.campaign.tenant_id),
        "campaign_evidence": (CampaignEvidence, lambda o: o.input.campaign.tenant_id),
    }


def entity_tenant_id(session, entity_type: str, entity_id: int | None) -> int | None:
    if entity_id is None:
        return None
    known = _entities().get(entity_type)
    if known is None:
        return None
    model, tenant_of = known
    entity = session.get(model, entity_id)
    return tenant_of(entity) if entity is not None else None
