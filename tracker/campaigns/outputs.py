"""What a campaign yields: the calculator's values from the accepted inputs, the score, the
completeness by provider unit, the points at stake, the comparison with the previous year, and
the filled national form (tracker/indicators/form.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.indicators.form import FormData, form_data
from tracker.indicators.models import Framework
from tracker.indicators.scoring import MISSING, FrameworkScore, score
from tracker.indicators.spec import FrameworkSpec
from tracker.campaigns.models import Campaign, CampaignInput
from tracker.units.models import Unit

UNASSIGNED = "Chưa giao đơn vị"


def load_inputs(campaign: Campaign) -> list[CampaignInput]:
    return list(db.session.scalars(
        select(CampaignInput).where(CampaignInput.campaign_id == campaign.id)
        .options(selectinload(CampaignInput.evidence), selectinload(CampaignInput.indicator),
                 selectinload(CampaignInput.unit).selectinload(Unit.successor))
        .order_by(CampaignInput.position, CampaignInput.id)))


def values_of(campaign: Campaign, inputs: list[CampaignInput]) -> tuple[dict, dict]:
    """The calculator's mapping (indicator key -> inputs, evidence, note, judgement) from the accepted
    inputs, and the general information (key -> figure)."""
    values: dict[str, dict] = {}
    general: dict[str, str] = {}
    for item in inputs:
        if item.state != "accepted":
            continue
        if item.is_general:
            general.update({k: v for k, v in (item.values or {}).items() if v})
            continue
        entry = values.setdefault(item.key, {})
        entry.update({k: v for k, v in (item.values or {}).items() if k in item.fields and v})
        files = [e.original_name for e in item.evidence]
        if files:
            entry["evidence"] = list(entry.get("evidence", [])) + files
        notes = [n for n in (entry.get("note"), item.note, (item.proposal or {}).get("source") if item.proposal_used
                             else None) if n]
        if notes:
            entry["note"] = "\n".join(notes)
    for key, judgement in (campaign.judgements or {}).items():
        values.setdefault(key, {}).update(judgement)
    return values, general


def campaign_score(campaign: Campaign, spec: FrameworkSpec, inputs: list[CampaignInput]) -> FrameworkScore:
    values, _ = values_of(campaign, inputs)
    result, _problems = score(spec, values)  # values were checked on entry; a judgement left invalid counts missing
    return result


@dataclass
class UnitProgress:
    name: str
    unit: Unit | None
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0

    @property
    def accepted_share(self) -> float:
        return self.counts.get("accepted", 0) / self.total if self.total else 0.0


def completeness(inputs: list[CampaignInput], today: date) -> list[UnitProgress]:
    by_unit: dict[int | None, UnitProgress] = {}
    for item in inputs:
        unit = item.unit.carrier_on(today) if item.unit is not None else None
        progress = by_unit.setdefault(unit.id if unit else None, UnitProgress(unit.name if unit else UNASSIGNED, unit))
        progress.counts[item.state] = progress.counts.get(item.state, 0) + 1
        progress.total += 1
    return sorted(by_unit.values(), key=lambda p: (p.unit is None, -(p.total - p.counts.get("accepted", 0)), p.name))


@dataclass
class Stake:
    code: str
    name: str
    max_points: Decimal
    points: Decimal
    lost: Decimal
    status: str
    explanation: str
    owing: list[str]


def points_at_stake(result: FrameworkScore, inputs: list[CampaignInput], today: date) -> list[Stake]:
    """Indicators that miss points, missing inputs or below the maximum, the costliest first."""
    owing: dict[str, list[str]] = {}
    for item in inputs:
        if item.state != "accepted" and not item.is_general:
            unit = item.unit.carrier_on(today).name if item.unit is not None else UNASSIGNED
            owing.setdefault(item.key, [])
            if unit not in owing[item.key]:
                owing[item.key].append(unit)
    stakes = []
    for s in result.indicators():
        if s.max_points is None:
            continue
        points = s.points or Decimal(0)
        lost = s.max_points - points
        if lost > 0:
            stakes.append(Stake(s.code, s.spec.name, s.max_points, points, lost, s.status, s.explanation,
                                owing.get(s.spec.key, [])))
    return sorted(stakes, key=lambda st: (-st.lost, st.status != MISSING, st.code))


def previous_campaign(campaign: Campaign) -> Campaign | None:
    """The area's campaign of the year before, on a framework of the same level."""
    return db.session.scalar(
        select(Campaign).join(Framework, Framework.id == Campaign.framework_id)
        .where(Campaign.tenant_id == campaign.tenant_id, Campaign.year == campaign.year - 1,
               Framework.level == campaign.framework.level)
        .order_by(Campaign.id.desc()).limit(1))


@dataclass
class Comparison:
    previous: Campaign
    total: Decimal
    pillars: dict[str, Decimal | None]  # pillar code -> last year's points (None: not in last year's framework)


def compare(campaign: Campaign) -> Comparison | None:
    previous = previous_campaign(campaign)
    if previous is None:
        return None
    from tracker.indicators.selfassessment import framework_spec

    result = campaign_score(previous, framework_spec(previous.framework), load_inputs(previous))
    return Comparison(previous, result.total, {p.code: p.points for p in result.pillars()})


def providers_of(inputs: list[CampaignInput], today: date) -> dict[str, list[str]]:
    """The units the area assigned, for the form's "Đầu mối" column: "3.1" and "3.1/a" -> names."""
    names: dict[str, list[str]] = {}
    for item in inputs:
        if item.is_general:
            continue
        unit = item.unit.carrier_on(today).name if item.unit is not None else (item.provider_text or UNASSIGNED)
        for key in [item.key] + [f"{item.key}/{f}" for f in item.fields]:
            if unit not in names.setdefault(key, []):
                names[key].append(unit)
    return names


def campaign_form(campaign: Campaign, spec: FrameworkSpec, inputs: list[CampaignInput], today: date) -> FormData:
    values, general = values_of(campaign, inputs)
    result, _ = score(spec, values)
    area = campaign.tenant.current_name
    if campaign.framework.level == "province":
        general.setdefault("1", area)  # "Tên Tỉnh, thành phố"
    spec.year = campaign.year
    return form_data(spec, result, values, area_name=area, general=general,
                     providers=providers_of(inputs, today), generated_on=today)
