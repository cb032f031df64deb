"""The quarterly update workflow: drafts, submission, review, corrections, contributions (rules in
`tracker.updates.services`' docstring). The caller commits."""
from __future__ import annotations

import shutil
import uuid
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from tracker.audit.services import diff, record
from tracker.core.time import today_local, utcnow
from tracker.extensions import db
from tracker.periods.models import ReportingPeriod
from tracker.periods.obligations import is_late
from tracker.periods.services import submission_refusal
from tracker.plans.models import PlanItem
from tracker.updates.errors import (
    EDITABLE,
    InvalidState,
    NotAllowed,
    PeriodClosed,
    StaleUpdate,
    ValidationFailed,
)
from tracker.updates.errors import flush as _flush
from tracker.updates.errors import summary as _summary
from tracker.updates.evidence import evidence_path
from tracker.updates.item_state import recompute_item_state
from tracker.updates.models import ContributionNote, Evidence, StatusUpdate, UpdateState
from tracker.updates.policy import can_review, can_write_contribution, can_write_existing, can_write_update, owns_update
from tracker.updates.queries import budget_of, chain, latest_update, reporting_unit_for, values_of
from tracker.updates.validation import UpdateValues, validate_update
from tracker.workflow import transition


def _check_fresh(current: StatusUpdate | None, update_id: int | None, lock_version: int | None) -> None:
    if current is None:
        if update_id is not None:
            raise StaleUpdate(None)
        return
    if update_id != current.id or lock_version != current.lock_version:
        raise StaleUpdate(current)


check_fresh = _check_fresh  # for forms that touch an update without saving it ("Việc của tôi" submitting)


def save_draft(
    user, item: PlanItem, period: ReportingPeriod, values: UpdateValues, *,
    update_id: int | None, lock_version: int | None, today: date | None = None,
) -> StatusUpdate:
    """Create or edit the user's unit's update as a draft (a returned one stays returned).

    `update_id`/`lock_version` are those the user's form was built from (None for a new update).
    """
    today = today or today_local()
    if not can_write_update(user, item, period, today):
        raise NotAllowed("Đơn vị của bạn không chủ trì hạng mục này nên không cập nhật được.")
    unit = reporting_unit_for(user, item, period, today)
    current = latest_update(item.id, period.id, unit.id)
    if current is not None and not owns_update(user, current, today):
        raise NotAllowed("Báo cáo này là của đơn vị khác nên bạn không sửa được.")
    _check_fresh(current, update_id, lock_version)
    new = values.as_dict()
    if current is None:
        update = StatusUpdate(item=item, period=period, unit=unit, version=1, state=UpdateState.DRAFT.value,
                              author=user, **new)
        db.session.add(update)
        _flush()
        record(actor=user, action="create", entity_type="status_update", entity_id=update.id,
               summary=_summary(update, "Tạo bản nháp"), changes=diff({}, new))
        return update
    if current.state not in EDITABLE:
        if current.state == UpdateState.SUBMITTED:
            raise InvalidState("Báo cáo đã gửi và đang chờ Sở KH&CN duyệt nên không sửa được.")
        raise InvalidState("Báo cáo đã được chấp nhận; muốn sửa, hãy tạo bản đính chính.")
    changes = diff(values_of(current), new)
    if changes:
        for name, value in new.items():
            setattr(current, name, value)
        _flush()
        record(actor=user, action="save_draft", entity_type="status_update", entity_id=current.id,
               summary=_summary(current, "Lưu nháp"), changes=changes)
    return current


def submit(user, update: StatusUpdate, *, lock_version: int | None = None, today: date | None = None) -> StatusUpdate:
    today = today or today_local()
    if not can_write_existing(user, update, today):
        raise NotAllowed("Đơn vị của bạn không chủ trì hạng mục này hoặc báo cáo là của đơn vị khác nên không gửi được.")
    if lock_version is not None and lock_version != update.lock_version:
        raise StaleUpdate(update)
    if update.state not in EDITABLE:
        raise InvalidState("Chỉ gửi được bản nháp hoặc báo cáo bị trả lại.")
    check = validate_update(update.item, {k: _as_text(v) for k, v in values_of(update).items()},
                            budget=budget_of(update.item), for_submit=True)
    if check.errors:
        raise ValidationFailed(check.errors)
    refusal = submission_refusal(update.period, {update.unit_id, user.unit_id}, today)
    if refusal:
        raise PeriodClosed(refusal)
    previous_state = update.state
    update.submitted_at = utcnow()
    update.submitted_by = user
    late = is_late(update.submitted_at, update.period, update.unit_id)
    transition(update, UpdateState.SUBMITTED.value, actor=user, entity_type="status_update", action="submit",
               event="update.submitted", flush=_flush,
               summary=_summary(update, "Gửi lại" if previous_state == UpdateState.RETURNED else "Gửi")
               + (" (sau hạn)" if late else ""),
               data={"resubmitted": previous_state == UpdateState.RETURNED, "late": late})
    return update


def _as_text(value) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _check_review(user, update: StatusUpdate, lock_version: int | None) -> None:
    if not can_review(user):
        raise NotAllowed("Chỉ cán bộ điều phối (Sở KH&CN) được duyệt báo cáo.")
    if lock_version is not None and lock_version != update.lock_version:
        raise StaleUpdate(update)
    if update.state != UpdateState.SUBMITTED:
        raise InvalidState(f"Báo cáo đang ở trạng thái \"{update.state_label}\", không phải chờ duyệt.")


def return_update(user, update: StatusUpdate, reason: str, *, lock_version: int | None = None) -> StatusUpdate:
    """Coordinator: send the update back to its unit with a reason the reporter sees."""
    _check_review(user, update, lock_version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "Vui lòng ghi lý do trả lại để đơn vị biết cần bổ sung, sửa gì."})
    update.reviewed_at = utcnow()
    update.reviewed_by = user
    update.review_comment = reason
    transition(update, UpdateState.RETURNED.value, actor=user, entity_type="status_update", action="return",
               event="update.returned", flush=_flush, summary=_summary(update, "Trả lại"),
               changes={"state": ["submitted", "returned"], "reason": [None, reason]}, data={"reason": reason})
    return update


def accept(user, update: StatusUpdate, *, comment: str = "", lock_version: int | None = None,
           today: date | None = None) -> StatusUpdate:
    """Coordinator: accept; an earlier accepted version of the chain becomes superseded; the item's
    current state is recomputed."""
    _check_review(user, update, lock_version)
    today = today or today_local()
    # Two coordinators accepting reports of one shared item at once: the item's row is locked so the
    # second recomputation sees the first acceptance (a no-op on SQLite, which serialises writers).
    item = db.session.scalar(select(PlanItem).where(PlanItem.id == update.item_id)
                             .with_for_update().execution_options(populate_existing=True))
    for other in chain(update.item_id, update.period_id, update.unit_id):
        if other.id != update.id and other.state == UpdateState.ACCEPTED:
            other.state = UpdateState.SUPERSEDED.value
            record(actor=user, action="supersede", entity_type="status_update", entity_id=other.id,
                   summary=_summary(other, "Thay thế") + f" bằng phiên bản {update.version}",
                   changes={"state": ["accepted", "superseded"]})
    update.reviewed_at = utcnow()
    update.reviewed_by = user
    update.review_comment = (comment or "").strip() or None
    transition(update, UpdateState.ACCEPTED.value, actor=user, entity_type="status_update", action="accept",
               event="update.accepted", flush=_flush, summary=_summary(update, "Chấp nhận"),
               data={"comment": update.review_comment or ""})
    recompute_item_state(item, actor=user, today=today)
    return update


def request_correction(user, update: StatusUpdate, reason: str, *, lock_version: int | None = None) -> StatusUpdate:
    """Coordinator: ask the unit to correct an accepted report (it stays accepted until a correction
    is accepted); the reporters are told why."""
    if not can_review(user):
        raise NotAllowed("Chỉ cán bộ điều phối (Sở KH&CN) được yêu cầu đính chính báo cáo.")
    if lock_version is not None and lock_version != update.lock_version:
        raise StaleUpdate(update)
    if update.state != UpdateState.ACCEPTED:
        raise InvalidState("Chỉ yêu cầu đính chính được báo cáo đã được chấp nhận.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "Vui lòng ghi nội dung cần đính chính để đơn vị biết cần sửa gì."})
    transition(update, None, actor=user, entity_type="status_update", action="request_correction",
               event="update.correction_requested", summary=_summary(update, "Yêu cầu đính chính"),
               changes={"reason": [None, reason]}, data={"reason": reason})
    return update


def start_correction(user, update: StatusUpdate, *, today: date | None = None,
                     upload_dir: str | None = None) -> StatusUpdate:
    """Reporter: a new draft version correcting an accepted update (its evidence files copied).

    When a correction is already under way, that one is returned instead of a second one."""
    today = today or today_local()
    if not can_write_existing(user, update, today):
        raise NotAllowed("Đơn vị của bạn không chủ trì hạng mục này hoặc báo cáo là của đơn vị khác nên không đính chính được.")
    versions = chain(update.item_id, update.period_id, update.unit_id)
    latest = versions[-1]
    if latest.id != update.id and latest.state in EDITABLE + (UpdateState.SUBMITTED.value,):
        return latest
    if update.state != UpdateState.ACCEPTED:
        raise InvalidState("Chỉ đính chính được báo cáo đã được chấp nhận.")
    correction = StatusUpdate(
        item=update.item, period=update.period, unit=update.unit, version=latest.version + 1,
        state=UpdateState.DRAFT.value, author=user, supersedes_id=update.id, **values_of(update),
    )
    db.session.add(correction)
    _flush()
    directory = Path(upload_dir or current_app.config["UPLOAD_DIR"])
    for evidence in update.evidence:
        source = evidence_path(evidence, directory)
        if not source.is_file():
            continue
        stored = uuid.uuid4().hex
        shutil.copyfile(source, directory / stored)
        correction.evidence.append(Evidence(
            original_name=evidence.original_name, stored_name=stored, content_type=evidence.content_type,
            size=evidence.size, uploaded_by_id=evidence.uploaded_by_id, uploaded_at=evidence.uploaded_at,
        ))
    _flush()
    record(actor=user, action="start_correction", entity_type="status_update", entity_id=correction.id,
           summary=_summary(correction, "Tạo bản đính chính") + f" cho phiên bản {update.version}",
           changes={"supersedes": [None, update.id]})
    return correction


def add_contribution(user, item: PlanItem, period: ReportingPeriod, text: str, *,
                     today: date | None = None) -> ContributionNote:
    """A reporter of a coordinating (phối hợp) unit adds its note on the item for the period."""
    from tracker.updates.validation import MAX_TEXT, clean_text

    today = today or today_local()
    if not can_write_contribution(user, item, today):
        raise NotAllowed("Đơn vị của bạn không phối hợp thực hiện hạng mục này.")
    text = clean_text(text)
    if not text:
        raise ValidationFailed({"text": "Vui lòng nhập nội dung phối hợp."})
    if len(text) > MAX_TEXT:
        raise ValidationFailed({"text": "Nội dung quá dài."})
    note = ContributionNote(item=item, period=period, unit_id=user.unit_id, text=text, author=user)
    db.session.add(note)
    db.session.flush()
    record(actor=user, action="add_contribution", entity_type="contribution_note", entity_id=note.id,
           summary=f"Ý kiến phối hợp của {user.unit.name} về hạng mục {item.ref}, {period.label}",
           changes={"text": [None, text]})
    return note
