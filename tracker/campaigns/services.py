"""The campaign workflow: start, who owes what, entering, submitting, reviewing, reassigning.

Plain functions taking the acting user; the caller commits, and rolls back after a
`CampaignError`. Every transition goes through `_transition`, which records the audit entry and
calls `emit` (the hook for notifications of review transitions).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.core.events import Event, publish
from tracker.audit.services import diff, record
from tracker.auth.models import Role
from tracker.core.locking import StaleEdit, claim
from tracker.core.time import today_local, utcnow
from tracker.extensions import db
from tracker.indicators.figures import parse_amount, parse_answer
from tracker.indicators.models import Framework, Indicator
from tracker.indicators.scoring import score
from tracker.indicators.selfassessment import framework_spec
from tracker.indicators.spec import FrameworkSpec, InputSpec
from tracker.campaigns.models import GENERAL_PREFIX, INPUT_EDITABLE, Campaign, CampaignEvidence, CampaignInput
from tracker.units.models import Area, Unit
from tracker.units.services import unit_names
from tracker.core.text import fold_name


class CampaignError(Exception):
    """Refused, for a reason the user can act on (message in Vietnamese)."""


class NotAllowed(CampaignError):
    pass


class Invalid(CampaignError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# --- transitions -------------------------------------------------------------------------------


def emit(event: str, campaign_input: CampaignInput, actor, **details) -> None:
    """A review transition of an input happened: published as "campaign_input.<event>" on the same
    domain events as quarterly updates, so the notifications (tracker/notify) hang on it."""
    publish(Event(f"campaign_input.{event}", "campaign_input", campaign_input.id, actor=actor,
                  entity=campaign_input, data=details))


def _summary(item: CampaignInput, verb: str) -> str:
    unit = item.unit.name if item.unit is not None else "chưa giao đơn vị"
    what = f"thông tin chung {item.code}" if item.is_general else f"chỉ số {item.code}"
    return f"{verb} số liệu {what} ({unit}) – {item.campaign.title}"


def _transition(actor, item: CampaignInput, action: str, verb: str, changes: dict, **details) -> None:
    record(actor=actor, action=action, entity_type="campaign_input", entity_id=item.id,
           summary=_summary(item, verb), changes=changes)
    emit(action, item, actor, **details)


# --- who owes what -----------------------------------------------------------------------------


def resolve_unit(name: str, tenant: Area, today: date, units: list[Unit] | None = None) -> Unit | None:
    """The area's unit that the framework's provider name stands for, carried to today (successions)."""
    if not name:
        return None
    folded = fold_name(name)
    # "Sở Khoa học và Công nghệ" in a national framework: the unit of that name in this area.
    for unit in units if units is not None else _tenant_units(tenant):
        if folded in unit_names(unit):
            carrier = unit.carrier_on(today)
            if not carrier.ended_by(today):
                return carrier
    return None


def _tenant_units(tenant: Area) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.tenant_id == tenant.id)
                                   .options(selectinload(Unit.aliases), selectinload(Unit.successor))
                                   .order_by(Unit.id)))


@dataclass
class Owed:
    key: str
    indicator_id: int | None
    fields: list[str]
    provider: str


def owed_inputs(framework: Framework, spec: FrameworkSpec) -> list[Owed]:
    """Per leaf indicator, its asked inputs grouped by their first provider; then the general information."""
    ids = dict(db.session.execute(select(Indicator.key, Indicator.id).where(Indicator.framework_id == framework.id)).all())
    owed: list[Owed] = []
    for node in spec.walk():
        if node.children:
            continue
        by_provider: dict[str, list[str]] = {}
        for asked in node.asked():
            names = asked.providers or node.providers
            by_provider.setdefault(names[0] if names else "", []).append(asked.key)
        if not by_provider:  # evidence only (judgement, or nothing to compute)
            by_provider[node.providers[0] if node.providers else ""] = []
        for provider, fields in by_provider.items():
            owed.append(Owed(node.key, ids.get(node.key), fields, provider))
    for index, entry in enumerate(spec.general_info, start=1):
        if isinstance(entry, str):
            entry = {"code": str(index), "name": entry}
        key = str(entry.get("key") or entry.get("code") or index)
        fields = [key] + [f"{key}/{child.get('name', '')}" for child in entry.get("children") or []]
        providers = list(entry.get("providers") or [])
        owed.append(Owed(GENERAL_PREFIX + key, None, fields, providers[0] if providers else ""))
    return owed


def can_manage(user, campaign: Campaign | None = None) -> bool:
    return (getattr(user, "is_authenticated", False) and user.role == Role.COORDINATOR
            and (campaign is None or campaign.tenant_id == user.tenant_id))


def start_campaign(user, framework: Framework, year: int, deadline: date, *, today: date | None = None) -> Campaign:
    today = today or today_local()
    if not can_manage(user) or user.tenant is None:
        raise NotAllowed("Chỉ cán bộ điều phối của địa bàn được khởi động đợt tự đánh giá.")
    if framework.tenant_id not in (None, user.tenant_id):
        raise NotAllowed("Bộ chỉ số này thuộc địa bàn khác.")
    errors = {}
    if not 2000 <= year <= 2100:
        errors["year"] = "Năm đánh giá phải từ 2000 đến 2100."
    if deadline < today:
        errors["deadline"] = "Hạn nộp số liệu không được trước hôm nay."
    existing = db.session.scalar(select(Campaign).where(Campaign.tenant_id == user.tenant_id,
                                                        Campaign.framework_id == framework.id, Campaign.year == year))
    if existing is not None:
        errors["year"] = f"Đã có đợt tự đánh giá {framework.name} năm {year}."
    if errors:
        raise Invalid(errors)
    campaign = Campaign(tenant=user.tenant, framework=framework, year=year, deadline=deadline, state="open",
                        judgements={}, started_by=user)
    db.session.add(campaign)
    spec = framework_spec(framework)
    units = _tenant_units(user.tenant)
    for position, owed in enumerate(owed_inputs(framework, spec)):
        unit = resolve_unit(owed.provider, user.tenant, today, units)
        campaign.inputs.append(CampaignInput(
            indicator_id=owed.indicator_id, key=owed.key, position=position, fields=owed.fields,
            provider_text=owed.provider, unit=unit, values={}, state="pending"))
    db.session.flush()
    from tracker.campaigns.prefill import propose_all

    propose_all(campaign, spec)
    record(actor=user, action="start_campaign", entity_type="campaign", entity_id=campaign.id,
           summary=f"Khởi động {campaign.title}, hạn nộp {deadline.strftime('%d/%m/%Y')}",
           changes={"inputs": [None, len(campaign.inputs)]})
    return campaign


# --- permissions on one input --------------------------------------------------------------------


def owing_unit(item: CampaignInput, today: date) -> Unit | None:
    return item.unit.carrier_on(today) if item.unit is not None else None


def is_provider(user, item: CampaignInput, today: date | None = None) -> bool:
    """The user is a reporter of the unit owing the input (after a succession, its successor)."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.REPORTER or user.unit_id is None:
        return False
    unit = owing_unit(item, today or today_local())
    return unit is not None and unit.id == user.unit_id and item.campaign.tenant_id == user.tenant_id


def can_enter(user, item: CampaignInput, today: date | None = None) -> bool:
    """Providers enter their inputs; a coordinator enters those no unit owes (the area's name...)."""
    if item.campaign.state != "open":
        return False
    if item.unit_id is None:
        return can_manage(user, item.campaign)  # the coordinator's own figure, corrected at will
    return item.state in INPUT_EDITABLE and is_provider(user, item, today)


UNSENT = ("draft", "returned")


def can_see_values(user, item: CampaignInput, today: date | None = None) -> bool:
    """An unsent input (draft, returned and edited) is its provider's alone, as an unsent quarterly
    report is its unit's (tracker/updates/visibility.py); a coordinator's own entries are not unsent."""
    return item.state not in UNSENT or item.unit_id is None or is_provider(user, item, today)


def can_read(user, item: CampaignInput, today: date | None = None) -> bool:
    # The input was found in the reader's scope (its area, or every area read-only for the national
    # viewer): what is left is the role.
    if not getattr(user, "is_authenticated", False):
        return False
    return (user.role in (Role.COORDINATOR, Role.ADMIN, Role.VIEWER, Role.NATIONAL_VIEWER, Role.SUPERADMIN)
            or is_provider(user, item, today))


# --- values --------------------------------------------------------------------------------------


def field_specs(spec: FrameworkSpec, item: CampaignInput) -> list[InputSpec]:
    """What each of the input's fields asks, in the form's words."""
    if item.is_general:
        labels = {}
        for index, entry in enumerate(spec.general_info, start=1):
            if isinstance(entry, str):
                entry = {"code": str(index), "name": entry}
            key = str(entry.get("key") or entry.get("code") or index)
            unit = f" ({entry['measure_unit']})" if entry.get("measure_unit") else ""
            labels[key] = f"{entry.get('name', '')}{unit}"
            for child in entry.get("children") or []:
                labels[f"{key}/{child.get('name', '')}"] = child.get("name", "")
        return [InputSpec(f, labels.get(f, f), kind="text") for f in item.fields]
    node = spec.find(item.key)
    asked = {i.key: i for i in node.asked()} if node is not None else {}
    return [asked.get(f, InputSpec(f, f)) for f in item.fields]


def check_values(spec: FrameworkSpec, item: CampaignInput, values: dict[str, str], *, complete: bool) -> dict[str, str]:
    """Problems of the typed values, by field; `complete` (submitting): every field given, and the
    calculator finds nothing wrong with them."""
    errors: dict[str, str] = {}
    for field in field_specs(spec, item):
        raw = (values.get(field.key) or "").strip()
        label = f"{field.key} = {field.text}" if field.kind == "number" else field.text
        if not raw:
            if complete:
                errors[field.key] = f"Chưa nhập \"{label}\"."
            continue
        if field.kind == "number":
            amount = parse_amount(raw)
            if amount is None:
                errors[field.key] = (f"\"{label}\": '{raw}' không phải là số (viết 1.234 hoặc 12,5; "
                                     "không viết 1.234 cho một nghìn hai trăm ba mươi tư khi có phần lẻ).")
            elif amount < 0:
                errors[field.key] = f"\"{label}\": số liệu không được âm."
        elif field.kind == "yes_no" and parse_answer(raw) is None:
            errors[field.key] = f"\"{label}\": chọn Có hoặc Không."
        elif field.kind == "choice" and raw not in {o["key"] for o in field.options}:
            errors[field.key] = f"\"{label}\": chọn một mức trong danh sách."
    if complete and not errors and not item.is_general and item.fields:
        _, problems = score(spec, {item.key: {k: v for k, v in values.items() if k in item.fields and v}})
        for problem in problems:
            if problem.field not in ("points", "reason"):
                errors[problem.field or "_"] = problem.message
    return errors


def save_values(user, item: CampaignInput, spec: FrameworkSpec, values: dict[str, str], note: str | None, *,
                lock_version: int | None, today: date | None = None, from_proposal: bool = False) -> CampaignInput:
    today = today or today_local()
    if not can_enter(user, item, today):
        raise NotAllowed("Bạn không nhập được số liệu này (không phải đơn vị cung cấp, hoặc số liệu đã gửi).")
    typed = {f: " ".join(str(values.get(f) or "").split()) for f in item.fields}
    errors = check_values(spec, item, typed, complete=False)
    if errors:
        raise Invalid(errors)
    claim(item, lock_version)
    old = dict(item.values or {}) | {"note": item.note}
    new = {k: v for k, v in typed.items() if v}
    item.values = new
    item.note = (note or "").strip() or None
    if from_proposal:
        item.proposal_used = True
    coordinator_entry = item.unit_id is None and can_manage(user, item.campaign)
    previous = item.state
    if coordinator_entry:
        item.state = "accepted"  # the coordinator's own figure (no unit owes it): nothing to review
        item.reviewed_at, item.reviewed_by = utcnow(), user
    elif item.state == "pending":
        item.state = "draft"
    changes = diff(old, new | {"note": item.note})
    if previous != item.state:
        changes["state"] = [previous, item.state]
    if from_proposal:
        changes["proposal"] = [None, (item.proposal or {}).get("source")]
    db.session.flush()
    _transition(user, item, "save_campaign_input", "Nhập (theo đề xuất từ dữ liệu theo dõi) " if from_proposal
                else "Nhập", changes)
    return item


def submit(user, item: CampaignInput, spec: FrameworkSpec, *, lock_version: int | None,
           today: date | None = None) -> CampaignInput:
    today = today or today_local()
    if not is_provider(user, item, today) or not can_enter(user, item, today):
        raise NotAllowed("Bạn không gửi được số liệu này.")
    errors = check_values(spec, item, dict(item.values or {}), complete=True)
    if not item.evidence and not item.is_general:
        errors["evidence"] = "Đính kèm ít nhất một tài liệu kiểm chứng trước khi gửi."
    if errors:
        raise Invalid(errors)
    claim(item, lock_version)
    previous = item.state
    item.state = "submitted"
    item.submitted_at, item.submitted_by = utcnow(), user
    db.session.flush()
    late = today > item.campaign.deadline
    _transition(user, item, "submit", ("Gửi lại" if previous == "returned" else "Gửi") + (" (sau hạn)" if late else ""),
                {"state": [previous, "submitted"]})
    return item


def review(user, item: CampaignInput, decision: str, reason: str, *, lock_version: int | None) -> CampaignInput:
    if not can_manage(user, item.campaign):
        raise NotAllowed("Chỉ cán bộ điều phối của địa bàn được duyệt số liệu.")
    if item.state != "submitted":
        raise CampaignError(f"Số liệu đang ở trạng thái \"{item.state_label}\", không phải chờ duyệt.")
    reason = (reason or "").strip()
    if decision == "return" and not reason:
        raise Invalid({"reason": "Vui lòng ghi lý do trả lại để đơn vị biết cần bổ sung, sửa gì."})
    if decision not in ("accept", "return"):
        raise Invalid({"decision": "Chọn Chấp nhận hoặc Trả lại."})
    claim(item, lock_version)
    state = "accepted" if decision == "accept" else "returned"
    item.state = state
    item.reviewed_at, item.reviewed_by = utcnow(), user
    item.review_comment = reason or None
    db.session.flush()
    _transition(user, item, "accept" if state == "accepted" else "return",
                "Chấp nhận" if state == "accepted" else "Trả lại",
                {"state": ["submitted", state]} | ({"reason": [None, reason]} if reason else {}), reason=reason)
    return item


def reassign(user, item: CampaignInput, unit: Unit | None, *, lock_version: int | None,
             today: date | None = None) -> CampaignInput:
    today = today or today_local()
    if not can_manage(user, item.campaign):
        raise NotAllowed("Chỉ cán bộ điều phối của địa bàn được giao lại số liệu.")
    if unit is not None and (unit.tenant_id != item.campaign.tenant_id or unit.ended_by(today)):
        raise Invalid({"unit": "Đơn vị không thuộc địa bàn hoặc đã chấm dứt hoạt động."})
    if item.state in ("submitted", "accepted"):
        raise CampaignError("Số liệu đã gửi hoặc đã chấp nhận; trả lại trước khi giao cho đơn vị khác.")
    claim(item, lock_version)
    old = item.unit.name if item.unit is not None else None
    item.unit = unit.carrier_on(today) if unit is not None else None
    db.session.flush()
    _transition(user, item, "reassign", "Giao lại", {"unit": [old, item.unit.name if item.unit else None]})
    return item


def set_judgement(user, campaign: Campaign, spec: FrameworkSpec, key: str, points: str, reason: str, *,
                  lock_version: int | None) -> None:
    """The coordinator's points for an indicator assessed by judgement (or whose ratio has b = 0)."""
    if not can_manage(user, campaign):
        raise NotAllowed("Chỉ cán bộ điều phối của địa bàn được chấm điểm.")
    node = spec.find(key)
    if node is None or node.children:
        raise Invalid({"key": f"Không có chỉ số '{key}'."})
    entry = {"points": " ".join((points or "").split()), "reason": " ".join((reason or "").split())}
    if not entry["points"] and not entry["reason"]:
        judgements = dict(campaign.judgements or {})
        old = judgements.pop(node.key, None)
    else:
        _, problems = score(spec, {node.key: entry})
        errors = {p.field: p.message for p in problems if p.field in ("points", "reason")}
        if errors:
            raise Invalid(errors)
        judgements = dict(campaign.judgements or {})
        old = judgements.get(node.key)
        judgements[node.key] = entry
    claim(campaign, lock_version)
    campaign.judgements = judgements
    db.session.flush()
    record(actor=user, action="judgement", entity_type="campaign", entity_id=campaign.id,
           summary=f"Chấm điểm chỉ số {node.code} – {campaign.title}",
           changes={node.key: [old, judgements.get(node.key)]})


# --- evidence --------------------------------------------------------------------------------------


def attach_evidence(user, item: CampaignInput, upload, *, today: date | None = None) -> tuple[CampaignEvidence, Path]:
    from tracker.updates.services import EvidenceError, store_upload

    if not can_enter(user, item, today):
        raise NotAllowed("Không thêm được tài liệu kiểm chứng vào số liệu này.")
    try:
        name, stored, content_type, size, path = store_upload(upload)
    except EvidenceError as error:
        raise Invalid({"evidence": str(error)}) from error
    evidence = CampaignEvidence(input=item, original_name=name, stored_name=stored, content_type=content_type,
                                size=size, uploaded_by=user)
    db.session.add(evidence)
    db.session.flush()
    record(actor=user, action="attach_evidence", entity_type="campaign_evidence", entity_id=evidence.id,
           summary=f"Đính kèm tài liệu kiểm chứng \"{name}\": " + _summary(item, "").strip(),
           changes={"file": [None, name]})
    return evidence, path


def evidence_path(evidence: CampaignEvidence) -> Path:
    from tracker.updates.services import evidence_path as stored_path

    return stored_path(evidence)  # the same checks: a stored name is a uuid in UPLOAD_DIR


def delete_evidence(user, evidence: CampaignEvidence, *, today: date | None = None) -> Path:
    item = evidence.input
    if not can_enter(user, item, today):
        raise NotAllowed("Không xóa được tài liệu kiểm chứng của số liệu này.")
    path = evidence_path(evidence)
    record(actor=user, action="delete_evidence", entity_type="campaign_evidence", entity_id=evidence.id,
           summary=f"Xóa tài liệu kiểm chứng \"{evidence.original_name}\": " + _summary(item, "").strip(),
           changes={"file": [evidence.original_name, None]})
    db.session.delete(evidence)
    db.session.flush()
    return path


__all__ = ["CampaignError", "NotAllowed", "Invalid", "StaleEdit", "start_campaign", "save_values", "submit",
           "review", "reassign", "set_judgement", "attach_evidence", "delete_evidence", "emit"]
