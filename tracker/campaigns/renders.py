"""The campaign's filled form (PDF, Excel) rendered by the background worker and kept: a form whose
inputs have not changed is served from the stored file instead of being rendered again (a PDF/A of
the DTI form takes seconds of CPU).

The same two keys as the draft reports (tracker/reports/renders.py):
- the *input stamp* (`input_stamp`): what `outputs.campaign_form` reads (the campaign, its inputs
  and evidence, the framework's indicators, the units, the area's name, the day) in a few small
  queries, hashed; a request computes it and serves the stored file it names;
- the *fingerprint* (`fingerprint`): the FormData itself hashed with the render version, computed
  by the worker; an equal form already rendered is reused under the new stamp.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from datetime import date
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select

from tracker.campaigns.models import Campaign, CampaignEvidence, CampaignFormRender, CampaignInput
from tracker.core.time import today_local
from tracker.extensions import db
from tracker.indicators.form import FormData

FORM_RENDER_KIND = "campaigns.form_render"
FORMATS = ("pdf", "xlsx")
ROOT = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=1)
def render_version() -> str:
    """Changes with the form's template and builder, and with the report builders the PDF goes through."""
    from tracker.reports.renders import render_version as reports_version

    digest = hashlib.sha256(reports_version().encode())
    for path in (ROOT / "templates" / "indicators" / "form.html", ROOT / "tracker" / "indicators" / "form.py"):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def input_stamp(campaign: Campaign, fmt: str) -> str:
    """A cheap key of what the form reads; equal stamps mean an equal form."""
    from tracker.indicators.models import Indicator, IndicatorInput, IndicatorProvider
    from tracker.units.models import Unit

    inputs = db.session.execute(
        select(CampaignInput.id, CampaignInput.lock_version, CampaignInput.state, CampaignInput.values,
               CampaignInput.note, CampaignInput.proposal, CampaignInput.proposal_used, CampaignInput.unit_id,
               CampaignInput.provider_text, CampaignInput.fields)
        .where(CampaignInput.campaign_id == campaign.id).order_by(CampaignInput.id)
    ).all()
    evidence = db.session.execute(
        select(func.count(), func.max(CampaignEvidence.id))
        .join(CampaignInput, CampaignEvidence.input_id == CampaignInput.id)
        .where(CampaignInput.campaign_id == campaign.id)
    ).one()
    indicators = db.session.execute(
        select(Indicator.id, Indicator.parent_id, Indicator.key, Indicator.code, Indicator.name, Indicator.max_points,
               Indicator.rule, Indicator.depth, Indicator.position, Indicator.scoring, Indicator.evidence,
               Indicator.note, Indicator.providers_text)
        .where(Indicator.framework_id == campaign.framework_id).order_by(Indicator.id)
    ).all()
    framework_ids = select(Indicator.id).where(Indicator.framework_id == campaign.framework_id).scalar_subquery()
    extra = [
        db.session.execute(select(func.count(), func.max(IndicatorInput.id))
                           .where(IndicatorInput.indicator_id.in_(framework_ids))).one(),
        db.session.execute(select(func.count(), func.max(IndicatorProvider.id))
                           .where(IndicatorProvider.indicator_id.in_(framework_ids))).one(),
        db.session.execute(select(func.count(), func.sum(Unit.lock_version), func.max(Unit.id))).one(),
    ]
    framework = campaign.framework
    values = [render_version(), fmt, campaign.id, campaign.lock_version, campaign.year, campaign.state,
              campaign.judgements, campaign.tenant.current_name, framework.id, framework.name, framework.level,
              framework.year, framework.max_points, framework.declared, framework.general_info, today_local(),
              [tuple(r) for r in inputs], tuple(evidence), [tuple(r) for r in indicators], [tuple(r) for r in extra]]
    return hashlib.sha256(json.dumps(values, default=str, sort_keys=True).encode()).hexdigest()


def fingerprint(data: FormData, fmt: str) -> str:
    text = json.dumps([render_version(), fmt, dataclasses.asdict(data)], default=str, ensure_ascii=False,
                      sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored_by_stamp(campaign: Campaign, stamp: str, fmt: str) -> CampaignFormRender | None:
    return db.session.scalars(
        select(CampaignFormRender).where(CampaignFormRender.campaign_id == campaign.id,
                                         CampaignFormRender.stamp == stamp, CampaignFormRender.fmt == fmt)
        .order_by(CampaignFormRender.id.desc()).limit(1)
    ).first()


def form_of(campaign: Campaign, today: date) -> FormData:
    """The filled form as it reads now (the same as the campaign page's figures)."""
    from tracker.campaigns import outputs
    from tracker.indicators.selfassessment import framework_spec

    return outputs.campaign_form(campaign, framework_spec(campaign.framework), outputs.load_inputs(campaign), today)


def builder(fmt: str):
    from tracker.indicators import form

    return {"pdf": form.build_form_pdf, "xlsx": form.build_form_xlsx}[fmt]


def store_form(campaign: Campaign, fmt: str, data: FormData, stamp: str) -> tuple[CampaignFormRender, bool]:
    """The stored render of `data` (rendered only when no equal one exists); (row, rendered?)."""
    fp = fingerprint(data, fmt)
    row = db.session.scalars(
        select(CampaignFormRender).where(CampaignFormRender.campaign_id == campaign.id,
                                         CampaignFormRender.fingerprint == fp, CampaignFormRender.fmt == fmt)
    ).first()
    if row is not None:
        row.stamp = stamp
        return row, False
    started = time.perf_counter()
    content = builder(fmt)(data)
    row = CampaignFormRender(campaign_id=campaign.id, fmt=fmt, fingerprint=fp,
                             stamp=stamp, content=content, size=len(content),
                             render_ms=int((time.perf_counter() - started) * 1000))
    db.session.add(row)
    db.session.flush()
    return row, True
