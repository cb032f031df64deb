"""The quarterly update form of one item and period, and a co-owner's contribution note."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.auth.permissions import can_review, is_staff
from tracker.core import unit_of_work
from tracker.core.time import today_local
from tracker.extensions import db
from tracker.periods.models import ReportingPeriod
from tracker.periods.services import deadline_info
from tracker.plans.models import STATUS_LABELS, PlanItem
from tracker.updates import policy, services, visibility
from tracker.updates.policy import can_write_contribution
from tracker.updates.forms import ContributionForm, CsrfForm, ReviewForm
from tracker.updates.models import ContributionNote, StatusUpdate
from tracker.updates.validation import FIELDS, validate_update, values_as_text
from tracker.updates.routes import (
    _audit_entries,
    _discard_if_rolled_back,
    _int,
    _is_viewer,
    _item_or_404,
    _period_or_404,
    bp,
)
from tracker.updates.routes.my_work import _stored_values


def _render_edit(item: PlanItem, period: ReportingPeriod, *, typed: dict | None = None,
                 form_ids: tuple[int | None, int | None] | None = None, errors: dict | None = None,
                 warnings: list[str] | None = None, message: str | None = None, files_lost: bool = False,
                 status: int = 200):
    today = today_local()
    user = current_user
    may_write = policy.can_write_update(user, item, period, today)
    may_contribute = can_write_contribution(user, item, today)
    unit = services.reporting_unit_for(user, item, period, today) if may_write else None
    versions = services.chain(item.id, period.id, unit.id) if unit is not None else []
    current = versions[-1] if versions else None
    editable = may_write and (current is None or current.state in services.EDITABLE)
    budget = services.budget_of(item)
    if typed is not None:
        values = typed
    elif current is not None:
        values = values_as_text(services.values_of(current))
    else:
        values = values_as_text(services.default_values(item, unit))
    if form_ids is None:
        form_ids = (current.id, current.lock_version) if current is not None else (None, None)
    if warnings is None and current is not None:
        warnings = validate_update(item, values_as_text(services.values_of(current)), budget=budget).warnings
    period_updates = list(
        db.session.scalars(
            select(StatusUpdate)
            .where(StatusUpdate.item_id == item.id, StatusUpdate.period_id == period.id)
            .options(selectinload(StatusUpdate.unit), selectinload(StatusUpdate.evidence),
                     selectinload(StatusUpdate.author), selectinload(StatusUpdate.submitted_by),
                     selectinload(StatusUpdate.reviewed_by))
            .order_by(StatusUpdate.unit_id, StatusUpdate.version.desc())
        )
    )
    history = services.other_periods_history(item.id, period.id)
    contributions = list(
        db.session.scalars(
            select(ContributionNote)
            .where(ContributionNote.item_id == item.id)
            .options(selectinload(ContributionNote.unit), selectinload(ContributionNote.author),
                     selectinload(ContributionNote.period))
            .order_by(ContributionNote.created_at.desc())
        )
    )
    unit_ids = {u for u in (unit.id if unit else None, user.unit_id if user.is_authenticated else None) if u}
    return render_template(
        "updates/edit.html",
        item=item, period=period, today=today, unit=unit, current=current, versions=versions,
        editable=editable, may_write=may_write, may_contribute=may_contribute,
        may_review=can_review(user), budget=budget, values=values, form_ids=form_ids,
        errors=errors or {}, warnings=warnings or [], message=message, files_lost=files_lost,
        period_updates=period_updates, history=history, contributions=contributions,
        audit=_audit_entries([u.id for u in period_updates]),
        deadline=deadline_info(period, today, unit_ids), form=CsrfForm(), review_form=ReviewForm(),
        contribution_form=ContributionForm(), STATUS_LABELS=STATUS_LABELS,
        reports_money=budget.has_budget and item.kind == "project",
        # Another unit's unsent report shows as such, without its contents (updates/visibility.py).
        can_see=lambda u: visibility.can_see_contents(user, u, today),
        can_see_review=lambda u: visibility.can_see_review(user, u, today),
    ), status


@bp.route("/cap-nhat/<int:item_id>/<period_code>", methods=["GET", "POST"])
@login_required
def edit(item_id: int, period_code: str):
    item = _item_or_404(item_id)
    period = _period_or_404(period_code, item.tenant_id)
    today = today_local()
    user = current_user
    may_write = policy.can_write_update(user, item, period, today)
    if request.method == "GET":
        if not (may_write or can_write_contribution(user, item, today) or is_staff(user) or _is_viewer(user)):
            abort(403)
        return _render_edit(item, period)
    if not may_write:
        abort(403)
    form = CsrfForm()
    if not form.validate_on_submit():
        abort(400)
    action = "submit" if request.form.get("action") == "submit" else "draft"
    raw = {name: request.form.get(name, "") for name in FIELDS}
    form_ids = (_int(request.form.get("update_id")), _int(request.form.get("lock_version")))
    files = [f for f in request.files.getlist("evidence") if f and f.filename]
    budget = services.budget_of(item)
    check = validate_update(item, raw, budget=budget, for_submit=action == "submit")
    # With errors the draft still keeps what could be read (nothing typed is lost), but nothing is sent.
    draft = check if action == "draft" else validate_update(item, raw, budget=budget)
    try:
        values = draft.partial(_stored_values(user, item, period, today))
        update = services.save_draft(user, item, period, values, update_id=form_ids[0],
                                     lock_version=form_ids[1], today=today)
        for upload in files:
            _discard_if_rolled_back(services.attach_evidence(user, update, upload, today=today)[1])
        if action == "submit" and not check.errors:
            services.submit(user, update, today=today)
    except services.StaleUpdate:
        unit_of_work.rollback_now()
        unit = services.reporting_unit_for(user, item, period, today)
        current = services.latest_update(item.id, period.id, unit.id)
        ids = (current.id, current.lock_version) if current is not None else (None, None)
        return _render_edit(item, period, typed=raw, form_ids=ids, warnings=check.warnings,
                            files_lost=bool(files), message=services.stale_message(current), status=409)
    except services.PeriodClosed as error:
        # the draft and its files are kept (the request succeeds: a redirect); only the submission is refused
        flash(f"{error} Nội dung đã được lưu nháp.", "error")
        return redirect(url_for("updates.edit", item_id=item.id, period_code=period.code))
    except services.EvidenceError as error:
        unit_of_work.rollback_now()
        # Every field error at once: a refused file does not hide the others.
        return _render_edit(item, period, typed=raw, form_ids=form_ids, errors={**check.errors, "evidence": str(error)},
                            warnings=check.warnings, files_lost=True,
                            message="Báo cáo chưa được lưu vì tệp minh chứng không hợp lệ.", status=422)
    except services.ValidationFailed as error:
        unit_of_work.rollback_now()
        return _render_edit(item, period, typed=raw, form_ids=form_ids, errors=error.errors,
                            warnings=check.warnings, files_lost=bool(files), message=str(error), status=422)
    except services.InvalidState as error:
        unit_of_work.rollback_now()
        return _render_edit(item, period, typed=raw, files_lost=bool(files), message=str(error), status=409)
    except services.NotAllowed:
        abort(403)  # the unit of work rolls back (and removes the stored files)
    if check.errors:
        unit_of_work.keep()  # what could be read is saved as a draft; the page shows the rest
        if draft.errors:
            message = ("Đã lưu nháp phần nội dung hợp lệ; các ô đánh dấu đỏ chưa được lưu"
                       + (" và báo cáo chưa được gửi" if action == "submit" else "") + ". Sửa các ô đó rồi lưu lại.")
        else:
            message = "Báo cáo chưa được gửi (nội dung đã được lưu nháp): vui lòng bổ sung các ô đánh dấu đỏ."
        return _render_edit(item, period, typed=raw, form_ids=(update.id, update.lock_version), errors=check.errors,
                            warnings=check.warnings, message=message, status=422)
    if action == "submit":
        flash(f"Đã gửi báo cáo {period.label}. Sở KH&CN sẽ xem xét và phản hồi.", "success")
    else:
        flash("Đã lưu nháp. Báo cáo chưa được gửi.", "success")
    if files:
        flash(f"Đã đính kèm {len(files)} tệp minh chứng.", "success")
    for warning in check.warnings:
        flash(warning, "warning")
    return redirect(url_for("updates.edit", item_id=item.id, period_code=period.code))


@bp.post("/dong-gop/<int:item_id>/<period_code>")
@login_required
def contribute(item_id: int, period_code: str):
    item = _item_or_404(item_id)
    period = _period_or_404(period_code, item.tenant_id)
    today = today_local()
    if not can_write_contribution(current_user, item, today):
        abort(403)
    form = ContributionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.add_contribution(current_user, item, period, form.text.data or "", today=today)
    except services.UpdateError as error:
        unit_of_work.fail()
        flash(str(error), "error")
    else:
        flash("Đã ghi ý kiến phối hợp của đơn vị.", "success")
    return redirect(url_for("updates.edit", item_id=item.id, period_code=period.code))
