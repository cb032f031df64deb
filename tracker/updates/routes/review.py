"""The review queue, a reviewer's decision (accept or return) and a correction of an accepted update."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.auth.models import Role
from tracker.auth.permissions import roles_required
from tracker.core import unit_of_work
from tracker.core.fragments import csrf_placeholder, fragments, with_csrf
from tracker.core.security import page_number
from tracker.core.time import today_local
from tracker.extensions import db
from tracker.ops.freshness import shared_page_key
from tracker.periods.models import ReportingPeriod
from tracker.plans.models import STATUS_LABELS, PlanItem
from tracker.updates import services
from tracker.updates.forms import CsrfForm, ReviewForm
from tracker.updates.models import StatusUpdate, UpdateState
from tracker.updates.routes import _int, _period_or_404, _safe_next, bp


# --- review --------------------------------------------------------------------------------------

# Reports per page of the queue, oldest first: at a quarter's deadline a province has hundreds
# waiting, and each carries its values, context and review form (~1 ms of rendering apiece).
REVIEW_PAGE_SIZE = 50


@bp.get("/cho-duyet")
@roles_required(Role.COORDINATOR)
def review_queue():
    today = today_local()
    code = request.args.get("ky")
    query = (
        select(StatusUpdate)
        .where(StatusUpdate.state == UpdateState.SUBMITTED.value)
        .options(selectinload(StatusUpdate.item).selectinload(PlanItem.plan),
                 selectinload(StatusUpdate.unit), selectinload(StatusUpdate.period),
                 selectinload(StatusUpdate.evidence), selectinload(StatusUpdate.submitted_by),
                 selectinload(StatusUpdate.author))
        .order_by(StatusUpdate.submitted_at, StatusUpdate.id)
    )
    if current_user.tenant_id is not None:
        # The coordinator's own province only: another province's reports are not theirs to review,
        # and the national queue is the nation's data (4.5 s a page on bench/pages.py's dataset).
        query = query.where(StatusUpdate.item_id.in_(
            select(PlanItem.id).where(PlanItem.tenant_id == current_user.tenant_id)))
    period = None
    if code:
        period = _period_or_404(code, current_user.tenant_id)
        query = query.where(StatusUpdate.period_id == period.id)

    def render() -> str:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).options().subquery())) or 0
        pages = max(1, -(-total // REVIEW_PAGE_SIZE))
        page = min(page_number(request.args.get("trang")), pages)
        updates = list(db.session.scalars(query.limit(REVIEW_PAGE_SIZE).offset((page - 1) * REVIEW_PAGE_SIZE)))
        superseded_ids = [u.supersedes_id for u in updates if u.supersedes_id]
        previous = {}
        if superseded_ids:
            previous = {u.id: u for u in db.session.scalars(
                select(StatusUpdate).where(StatusUpdate.id.in_(superseded_ids)))}
        periods = list(db.session.scalars(
            select(ReportingPeriod).where(ReportingPeriod.tenant_id == current_user.tenant_id)
            .order_by(ReportingPeriod.year.desc(), ReportingPeriod.quarter.desc())))
        from tracker.updates import review_context

        return render_template("updates/_review_queue_content.html", updates=updates, period=period, periods=periods,
                               previous=previous, today=today, STATUS_LABELS=STATUS_LABELS,
                               page=page, pages=pages, total=total, csrf_token=csrf_placeholder,
                               accepted_before=review_context.previous_accepted(updates),
                               returns=review_context.earlier_returns(updates))

    content = fragments.get_or_render(shared_page_key(current_user, today=today), render)
    return render_template("updates/review_queue.html", period=period, content=Markup(with_csrf(content)))

@bp.post("/cap-nhat/<int:update_id>/duyet")
@roles_required(Role.COORDINATOR)
def review(update_id: int):
    update = db.get_or_404(StatusUpdate, update_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    back = _safe_next(form.next.data, url_for("updates.review_queue"))
    lock_version = _int(form.lock_version.data)
    try:
        if form.decision.data == "accept":
            services.accept(current_user, update, comment=form.comment.data or "", lock_version=lock_version)
            message = f"Đã chấp nhận báo cáo của {update.unit.name} về hạng mục {update.item.display_code}."
        elif form.decision.data == "correction":
            services.request_correction(current_user, update, form.reason.data or "", lock_version=lock_version)
            message = f"Đã gửi yêu cầu đính chính cho {update.unit.name}, kèm nội dung cần đính chính."
        else:
            services.return_update(current_user, update, form.reason.data or "", lock_version=lock_version)
            message = f"Đã trả lại báo cáo cho {update.unit.name}, kèm lý do."
    except services.NotAllowed:
        abort(403)
    except services.UpdateError as error:
        unit_of_work.fail()  # nothing of the refused review is kept; the redirect shows why
        flash(str(error), "error")
        return redirect(back)
    flash(message, "success")
    return redirect(back)


@bp.post("/cap-nhat/<int:update_id>/dinh-chinh")
@login_required
def correct(update_id: int):
    update = db.get_or_404(StatusUpdate, update_id)
    today = today_local()
    if not services.can_write_existing(current_user, update, today):
        abort(403)
    form = CsrfForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        correction = services.start_correction(current_user, update, today=today)
    except services.UpdateError as error:
        unit_of_work.fail()
        flash(str(error), "error")
    else:
        flash(f"Đã tạo bản đính chính (phiên bản {correction.version}). Bản đã chấp nhận vẫn giữ nguyên "
              "cho đến khi bản đính chính được chấp nhận.", "success")
    return redirect(url_for("updates.edit", item_id=update.item_id, period_code=update.period.code))
