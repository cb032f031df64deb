"""The quarterly update workflow: drafts, submission, review, corrections, evidence, contributions.

Plain functions taking the acting user; the caller (a route or a CLI command) commits, and rolls
back after an `UpdateError` that leaves the session dirty (`StaleUpdate`, `EvidenceError`).

Chains. An update belongs to (item, period, unit); its versions form a chain. A version is edited in
place while it is a draft or returned (the coordinator's reason stays on it until it is accepted).
An accepted version is never edited: a correction is a new version (`supersedes_id` pointing to the
accepted one); when the correction is accepted, the earlier version becomes `superseded`. Both stay
in the history.

Whose update. A reporter writes for the unit that owed the item in that period (the item's owner
as of the period's submission deadline) when the reporter's unit carries that unit's work today:
after Sở TT&TT was merged into Sở KH&CN, a Sở KH&CN reporter writes the 2025 updates as Sở KH&CN,
and a late correction of a 2024 update stays Sở TT&TT's, so the 2024 history keeps naming Sở TT&TT.
The author column records who actually wrote it.

Locking. Every form carries the version's `id` and `lock_version`. A save is refused (`StaleUpdate`)
when they no longer match what is stored, and also when the database finds the row changed between
our read and our write (SQLAlchemy's StaleDataError on the versioned UPDATE). Nothing is ever
overwritten silently; the route shows the user's typed text back.

Item state. On each acceptance the item's current state is recomputed from the accepted updates:
  - per owning unit (carriers of today, so a merged unit's last report counts for its successor),
    the unit's latest accepted update (latest period, then highest version);
  - one owner: the item takes that update's status, progress, achieved value and amounts;
  - several owners (a group such as "Các Sở, ban, ngành", or a row naming two units), each member
    owes its own part:
      progress  = the mean of the members' progress (members not reported yet count 0, cancelled
                  members are left out), rounded down; 100 when every remaining member is done;
      status    = cancelled if every member cancelled; done if every other member is done;
                  else stalled if any member is stalled, else late if any is late; else in progress
                  if any member reported progress; else not started;
      achieved  = targets in "%": the mean of the members' reported values; other units: their sum;
      committed, disbursed = the sum of the members' amounts (each reports its own share);
  - completed_on is the day the (last) member reported done, capped at that period's data cut-off
    (so the item stops owing reports after that period), and kept when later reports stay done;
  - last_update_at is the latest acceptance among those updates.
"""
from __future__ import annotations

import mimetypes
import shutil
import unicodedata
import uuid
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit.services import diff, record
from tracker.auth.permissions import (
    can_review,
    can_write_contribution,
    can_write_update,
    coordinating_units,
    is_staff,
    reporting_units,
)
from tracker.core.time import to_local, today_local, utcnow
from tracker.extensions import db
from tracker.periods.models import ReportingPeriod
from tracker.periods.obligations import is_late, owner_units
from tracker.periods.services import submission_refusal
from tracker.plans.models import ItemKind, ItemStatus, PlanItem
from tracker.units.models import Unit
from tracker.updates.models import ContributionNote, Evidence, StatusUpdate, UpdateState
from tracker.updates.validation import FIELDS, Budget, UpdateValues, validate_update
from tracker.workflow import transition

EDITABLE = (UpdateState.DRAFT.value, UpdateState.RETURNED.value)


class UpdateError(Exception):
    """Refused, for a reason the user can act on (message in Vietnamese)."""


class NotAllowed(UpdateError):
    pass


class InvalidState(UpdateError):
    pass


class PeriodClosed(UpdateError):
    pass


class ValidationFailed(UpdateError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class EvidenceError(UpdateError):
    pass


class StaleUpdate(UpdateError):
    """The version the user edited is no longer the stored one."""

    def __init__(self, current: StatusUpdate | None = None):
        self.current = current
        super().__init__(stale_message(current))


def stale_message(current: StatusUpdate | None) -> str:
    from tracker.core.locking import last_change

    who = last_change("status_update", current.id) if current is not None and current.id is not None else ""
    return (
        f"Báo cáo này vừa được người khác thay đổi{who} sau khi bạn mở trang. Nội dung bạn nhập CHƯA được lưu "
        "và được giữ nguyên bên dưới; hãy xem bản đang lưu, chỉnh lại rồi bấm lưu lần nữa."
    )


# --- Queries ---------------------------------------------------------------------------------------


def budgets_for(items: list[PlanItem]) -> dict[int, Budget]:
    """Project id -> its budget lines (PlanItem rows of kind budget funding it), in one query."""
    ids = [item.id for item in items if item.kind == ItemKind.PROJECT]
    result = {item_id: Budget() for item_id in ids}
    if ids:
        lines = db.session.scalars(
            select(PlanItem)
            .where(PlanItem.kind == ItemKind.BUDGET.value, PlanItem.funded_project_id.in_(ids))
            .order_by(PlanItem.position)
        )
        for line in lines:
            result[line.funded_project_id].lines.append(line)
    return result


def budget_of(item: PlanItem) -> Budget:
    return budgets_for([item]).get(item.id, Budget())


def chain(item_id: int, period_id: int, unit_id: int) -> list[StatusUpdate]:
    return list(
        db.session.scalars(
            select(StatusUpdate)
            .where(StatusUpdate.item_id == item_id, StatusUpdate.period_id == period_id,
                   StatusUpdate.unit_id == unit_id)
            .order_by(StatusUpdate.version)
        )
    )


def latest_update(item_id: int, period_id: int, unit_id: int) -> StatusUpdate | None:
    return db.session.scalar(
        select(StatusUpdate)
        .where(StatusUpdate.item_id == item_id, StatusUpdate.period_id == period_id,
               StatusUpdate.unit_id == unit_id)
        .order_by(StatusUpdate.version.desc())
        .limit(1)
    )


def carried_unit_ids(unit: Unit, today: date) -> set[int]:
    """The unit and every unit whose work it carries today (its predecessors through mergers)."""
    ids = {unit.id}
    for other in db.session.scalars(select(Unit).where(Unit.successor_id.is_not(None))):
        if other.carrier_on(today).id == unit.id:
            ids.add(other.id)
    return ids


def reporting_unit_for(user, item: PlanItem, period: ReportingPeriod, today: date) -> Unit:
    """The unit a reporter writes for: the period's owner that the reporter's unit carries today."""
    for unit in owner_units(item, period.submission_deadline):
        if unit.carrier_on(today).id == user.unit_id:
            return unit
    return user.unit


def item_history(item_id: int) -> list[StatusUpdate]:
    """Every version of every update of an item, newest period first (for history pages)."""
    return list(
        db.session.scalars(
            select(StatusUpdate)
            .join(ReportingPeriod, ReportingPeriod.id == StatusUpdate.period_id)
            .where(StatusUpdate.item_id == item_id)
            .options(selectinload(StatusUpdate.unit), selectinload(StatusUpdate.period),
                     selectinload(StatusUpdate.evidence), selectinload(StatusUpdate.author),
                     selectinload(StatusUpdate.submitted_by), selectinload(StatusUpdate.reviewed_by))
            .order_by(ReportingPeriod.year.desc(), ReportingPeriod.quarter.desc(), StatusUpdate.unit_id,
                      StatusUpdate.version.desc())
        )
    )


def sample_item_ids(item_ids: list[int] | None = None, *, plan_id: int | None = None) -> set[int]:
    """Items whose current state comes from demo data (is_sample updates), to label "Dữ liệu mẫu".
    One query, whatever the number of items."""
    query = select(StatusUpdate.item_id).where(
        StatusUpdate.is_sample.is_(True), StatusUpdate.state == UpdateState.ACCEPTED.value
    ).distinct()
    if item_ids is not None:
        query = query.where(StatusUpdate.item_id.in_(item_ids))
    if plan_id is not None:
        query = query.join(PlanItem, PlanItem.id == StatusUpdate.item_id).where(PlanItem.plan_id == plan_id)
    return set(db.session.scalars(query))


def submitted_late(update: StatusUpdate) -> bool:
    """This version was submitted after the period's deadline (the rule of `periods.obligations.is_late`;
    whether the unit's report counts as late is `Obligation.submitted_on_time`: its first submission)."""
    return is_late(update.submitted_at, update.period)


def values_of(update: StatusUpdate) -> dict:
    return {name: getattr(update, name) for name in FIELDS}


def default_values(item: PlanItem, unit: Unit | None) -> dict:
    """What a new update's form starts from: the unit's last accepted report on the item, else the
    item's current state when the unit is its only owner, else nothing."""
    if unit is None:
        return _defaults_from(item, None)
    return default_values_for([(item, unit)])[(item.id, unit.id)]


def default_values_for(pairs: list[tuple[PlanItem, Unit]]) -> dict[tuple[int, int], dict]:
    """`default_values` for many (item, unit) pairs in one query: (item id, unit id) -> values."""
    previous: dict[tuple[int, int], StatusUpdate] = {}
    item_ids = {item.id for item, _ in pairs}
    unit_ids = {unit.id for _, unit in pairs}
    if pairs:
        accepted = db.session.scalars(
            select(StatusUpdate)
            .join(ReportingPeriod, ReportingPeriod.id == StatusUpdate.period_id)
            .where(StatusUpdate.item_id.in_(item_ids), StatusUpdate.unit_id.in_(unit_ids),
                   StatusUpdate.state == UpdateState.ACCEPTED.value)
            .order_by(ReportingPeriod.year.desc(), ReportingPeriod.quarter.desc(), StatusUpdate.version.desc())
        )
        for update in accepted:  # newest first: the first one seen per pair wins
            previous.setdefault((update.item_id, update.unit_id), update)
    return {(item.id, unit.id): _defaults_from(item, previous.get((item.id, unit.id))) for item, unit in pairs}


def _defaults_from(item: PlanItem, previous: StatusUpdate | None) -> dict:
    if previous is not None:
        values = values_of(previous)
        values.update(done_text="", difficulties="", proposals="")
        return values
    if len(item.owners) == 1 and item.owners[0].unit is not None:
        return {"status": item.status, "progress": item.progress, "achieved_value": item.achieved_value,
                "amount_committed": item.amount_committed, "amount_disbursed": item.amount_disbursed}
    return {"status": ItemStatus.NOT_STARTED.value, "progress": 0}


# --- Permissions on a given update ----------------------------------------------------------------


def owns_update(user, update: StatusUpdate, today: date | None = None) -> bool:
    """The report is the user's unit's own (after a succession, the unit carrying the writer's work):
    owning the item with others (a unit group) gives no right over another member's report."""
    if not getattr(user, "is_authenticated", False) or user.role != "reporter" or user.unit_id is None:
        return False
    today = today or today_local()
    unit = update.unit if update.unit is not None else db.session.get(Unit, update.unit_id)
    return unit is not None and unit.carrier_on(today).id == user.unit_id


def can_write_existing(user, update: StatusUpdate, today: date | None = None) -> bool:
    """A reporter writes to an existing update (save, submit, correct, evidence): it owns the item and the report."""
    today = today or today_local()
    return can_write_update(user, update.item, today) and owns_update(user, update, today)


def can_edit(user, update: StatusUpdate, today: date | None = None) -> bool:
    return update.state in EDITABLE and can_write_existing(user, update, today)


def can_read_update(user, update: StatusUpdate, today: date | None = None) -> bool:
    """Staff and viewers read every sent update; a reporter those of items its unit owns or
    coordinates; an unsent one only its own unit (tracker/updates/visibility.py)."""
    from tracker.updates.visibility import can_see_contents

    if not getattr(user, "is_authenticated", False) or not can_see_contents(user, update, today):
        return False  # an unsent report (draft, returned) is its unit's alone
    if is_staff(user) or user.role in ("viewer", "national_viewer"):
        return True
    if user.role != "reporter" or user.unit_id is None:
        return False
    today = today or today_local()
    item = update.item
    if user.unit_id == update.unit_id or update.unit.carrier_on(today).id == user.unit_id:
        return True
    return user.unit_id in reporting_units(item, today) | coordinating_units(item, today)


# --- The workflow ----------------------------------------------------------------------------------


def _flush() -> None:
    try:
        db.session.flush()
    except StaleDataError as error:  # the row changed between our read and our write
        raise StaleUpdate(None) from error
    except IntegrityError as error:  # someone created the same version at the same time
        raise StaleUpdate(None) from error


def _check_fresh(current: StatusUpdate | None, update_id: int | None, lock_version: int | None) -> None:
    if current is None:
        if update_id is not None:
            raise StaleUpdate(None)
        return
    if update_id != current.id or lock_version != current.lock_version:
        raise StaleUpdate(current)


check_fresh = _check_fresh  # for forms that touch an update without saving it ("Việc của tôi" submitting)


def _summary(update: StatusUpdate, verb: str) -> str:
    return f"{verb} báo cáo {update.period.label} của {update.unit.name} về hạng mục {update.item.ref} (phiên bản {update.version})"


def save_draft(
    user, item: PlanItem, period: ReportingPeriod, values: UpdateValues, *,
    update_id: int | None, lock_version: int | None, today: date | None = None,
) -> StatusUpdate:
    """Create or edit the user's unit's update as a draft (a returned one stays returned).

    `update_id`/`lock_version` are those the user's form was built from (None for a new update).
    """
    today = today or today_local()
    if not can_write_update(user, item, today):
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
    late = today > update.period.submission_deadline
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


# --- Item state ------------------------------------------------------------------------------------


def _completion_day(update: StatusUpdate) -> date:
    reported = to_local(update.submitted_at).date() if update.submitted_at else update.period.data_end
    return min(reported, update.period.data_end)


def item_state(item: PlanItem, accepted: list[StatusUpdate], today: date) -> dict | None:
    """The item's state from its accepted updates (rule in the module docstring); None if none."""
    latest: dict[int, StatusUpdate] = {}
    for update in accepted:
        key = update.unit.carrier_on(today).id
        rank = (update.period.year, update.period.quarter, update.version)
        held = latest.get(key)
        if held is None or rank > (held.period.year, held.period.quarter, held.version):
            latest[key] = update
    if not latest:
        return None
    members = [unit.id for unit in owner_units(item, today)] or list(latest)
    if not any(m in latest for m in members):
        members = list(latest)
    reports = [latest.get(m) for m in members]
    statuses = [u.status if u is not None else ItemStatus.NOT_STARTED.value for u in reports]
    active = [(s, u) for s, u in zip(statuses, reports) if s != ItemStatus.CANCELLED]

    if not active:
        status = ItemStatus.CANCELLED.value
    elif all(s == ItemStatus.DONE for s, _ in active):
        status = ItemStatus.DONE.value
    elif any(s == ItemStatus.STALLED for s, _ in active):
        status = ItemStatus.STALLED.value
    elif any(s == ItemStatus.LATE for s, _ in active):
        status = ItemStatus.LATE.value
    elif any(s in (ItemStatus.IN_PROGRESS, ItemStatus.DONE) or (u is not None and u.progress) for s, u in active):
        status = ItemStatus.IN_PROGRESS.value
    else:
        status = ItemStatus.NOT_STARTED.value

    if status == ItemStatus.DONE:
        progress = 100
    elif active:
        progress = sum((u.progress if u is not None else 0) for _, u in active) // len(active)
    else:
        progress = max((u.progress for u in reports if u is not None), default=0)

    achieved = None
    if item.kind == ItemKind.TARGET:
        values = [u.achieved_value for u in reports if u is not None and u.achieved_value is not None]
        if values:
            if len(values) == 1:
                achieved = values[0]
            elif "%" in (item.measure_unit or ""):
                achieved = (sum(values) / len(values)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
            else:
                achieved = sum(values)

    def total(name: str) -> int | None:
        amounts = [getattr(u, name) for u in reports if u is not None and getattr(u, name) is not None]
        return sum(amounts) if amounts else None

    completed_on = None
    if status == ItemStatus.DONE:
        if item.status == ItemStatus.DONE and item.completed_on is not None:
            completed_on = item.completed_on
        else:
            completed_on = max(_completion_day(u) for u in reports if u is not None)
    reviewed = [u.reviewed_at for u in latest.values() if u.reviewed_at is not None]
    return {
        "status": status,
        "progress": progress,
        "achieved_value": achieved,
        "amount_committed": total("amount_committed"),
        "amount_disbursed": total("amount_disbursed"),
        "completed_on": completed_on,
        "last_update_at": max(reviewed) if reviewed else None,
    }


def recompute_item_state(item: PlanItem, *, actor=None, today: date | None = None) -> dict:
    """Set the item's current state from its accepted updates; audited. Returns the changes."""
    today = today or today_local()
    accepted = list(
        db.session.scalars(
            select(StatusUpdate)
            .where(StatusUpdate.item_id == item.id, StatusUpdate.state == UpdateState.ACCEPTED.value)
            .options(selectinload(StatusUpdate.period), selectinload(StatusUpdate.unit).selectinload(Unit.successor))
        )
    )
    state = item_state(item, accepted, today)
    if state is None:
        return {}
    before = {name: getattr(item, name) for name in state}
    changes = diff(before, state)
    for name, value in state.items():
        setattr(item, name, value)
    if changes:
        changes.pop("last_update_at", None)
        record(actor=actor, action="update_state", entity_type="plan_item", entity_id=item.id,
               summary=f"Cập nhật tình trạng hạng mục {item.ref} theo báo cáo được chấp nhận",
               changes=changes, actor_label="" if actor is not None else "hệ thống")
    db.session.flush()
    return changes


# --- Evidence --------------------------------------------------------------------------------------

# First bytes of the formats whose signature is simple; others are accepted by extension.
SIGNATURES = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",), "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",), "ods": (b"PK\x03\x04",), "odp": (b"PK\x03\x04",), "zip": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",), "xls": (b"\xd0\xcf\x11\xe0",), "ppt": (b"\xd0\xcf\x11\xe0",),
    "tif": (b"II*\x00", b"MM\x00*"), "tiff": (b"II*\x00", b"MM\x00*"),
    "webp": (b"RIFF",),
}
EXTENSION_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}


def clean_filename(name: str | None) -> str:
    """The name as the user gave it (Vietnamese kept), without a path or control characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    return name


def evidence_path(evidence: Evidence, upload_dir: str | Path | None = None) -> Path:
    directory = Path(upload_dir or current_app.config["UPLOAD_DIR"]).resolve()
    path = (directory / evidence.stored_name).resolve()
    if path.parent != directory:  # a stored name is a uuid; anything else is refused
        raise EvidenceError("Tên tệp lưu trữ không hợp lệ.")
    return path


def store_upload(upload, *, upload_dir: str | None = None, max_size: int | None = None,
                 allowed: set[str] | None = None) -> tuple[str, str, str, int, Path]:
    """Check and store an uploaded file (a werkzeug FileStorage) under a generated name: its clean
    name, stored name, content type, size and path. Refused (`EvidenceError`) when its name, type,
    size or first bytes are wrong; nothing stays on disk then. Also used by the DTI campaign."""
    config = current_app.config
    name = clean_filename(upload.filename)
    if not name:
        raise EvidenceError("Tệp tải lên không có tên.")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = allowed or config["ALLOWED_EVIDENCE_EXTENSIONS"]
    if extension not in allowed:
        raise EvidenceError(
            f"Tệp \"{name}\": định dạng không được chấp nhận. Chỉ nhận tệp PDF, văn bản, bảng tính, "
            "trình chiếu (Word, Excel, PowerPoint, OpenDocument), ảnh, txt, csv, zip."
        )
    max_size = max_size or config["MAX_CONTENT_LENGTH"]
    directory = Path(upload_dir or config["UPLOAD_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    stored = uuid.uuid4().hex
    path = directory / stored
    size = 0
    head = b""
    try:
        with open(path, "wb") as out:
            while True:
                chunk = upload.stream.read(64 * 1024)
                if not chunk:
                    break
                if len(head) < 16:
                    head += chunk[: 16 - len(head)]
                size += len(chunk)
                if size > max_size:
                    raise EvidenceError(
                        f"Tệp \"{name}\" vượt quá dung lượng cho phép ({max_size // (1024 * 1024)} MB)."
                    )
                out.write(chunk)
        if size == 0:
            raise EvidenceError(f"Tệp \"{name}\" rỗng.")
        signatures = SIGNATURES.get(extension)
        if signatures and not any(head.startswith(s) for s in signatures):
            raise EvidenceError(f"Nội dung tệp \"{name}\" không đúng định dạng .{extension}.")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    content_type = EXTENSION_TYPES.get(extension) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return name, stored, content_type, size, path


def attach_evidence(user, update: StatusUpdate, upload, *, today: date | None = None,
                    upload_dir: str | None = None, max_size: int | None = None,
                    allowed: set[str] | None = None) -> tuple[Evidence, Path]:
    """Store an uploaded file (a werkzeug FileStorage) for an editable update.

    Returns the evidence and the file's path (the caller deletes the file if it rolls back)."""
    today = today or today_local()
    if not can_edit(user, update, today):
        raise NotAllowed("Không thêm được tệp minh chứng vào báo cáo này.")
    name, stored, content_type, size, path = store_upload(upload, upload_dir=upload_dir, max_size=max_size,
                                                          allowed=allowed)
    evidence = Evidence(update=update, original_name=name, stored_name=stored, content_type=content_type,
                        size=size, uploaded_by=user)
    db.session.add(evidence)
    _flush()
    record(actor=user, action="attach_evidence", entity_type="evidence", entity_id=evidence.id,
           summary=f"Đính kèm tệp minh chứng \"{name}\" vào " + _summary(update, "").strip(),
           changes={"file": [None, name]})
    return evidence, path


def delete_evidence(user, evidence: Evidence, *, today: date | None = None) -> Path:
    """Remove an evidence file of an editable update; returns the path to delete after commit."""
    update = evidence.update
    if not can_edit(user, update, today):
        raise NotAllowed("Không xóa được tệp minh chứng của báo cáo này.")
    path = evidence_path(evidence)
    record(actor=user, action="delete_evidence", entity_type="evidence", entity_id=evidence.id,
           summary=f"Xóa tệp minh chứng \"{evidence.original_name}\" của " + _summary(update, "").strip(),
           changes={"file": [evidence.original_name, None]})
    db.session.delete(evidence)
    db.session.flush()
    return path


def can_read_evidence(user, evidence: Evidence, today: date | None = None) -> bool:
    return can_read_update(user, evidence.update, today)
