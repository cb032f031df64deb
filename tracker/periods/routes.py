"""Reporting periods: the list, one period's units × state grid, and managing deadlines and closing."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.core import unit_of_work
from tracker.areas.scope import get_in_scope
from tracker.areas.context import area_args, request_tenant
from tracker.areas.services import tenants
from tracker.auth.models import Role
from tracker.auth.permissions import READ_ROLES, can_administer, can_review, roles_required
from tracker.core.locking import StaleEdit, stale_notice
from tracker.core.time import today_local
from tracker.extensions import db
from tracker.periods import services
from tracker.periods.completeness import STATES, period_tallies, unit_grid
from tracker.updates.models import STATE_LABELS
from tracker.periods.forms import ConfirmForm, DeadlineForm, LateExceptionForm, PeriodCreateForm
from tracker.periods.models import LateException, ReportingPeriod
from tracker.units.models import Unit

bp = Blueprint("periods", __name__)


def _period_or_404(code: str) -> ReportingPeriod:
    """The period of the province the request is about (a national user names it with ?dia-ban=)."""
    tenant = request_tenant(current_user)
    period = services.get_period(code, tenant) if tenant is not None else None
    if period is None:
        abort(404)
    return period


@bp.get("/ky-bao-cao")
@login_required
def index():
    if current_user.role not in READ_ROLES:
        abort(403)  # the superadmin manages areas, not their calendars
    today = today_local()
    tenant = request_tenant(current_user)
    if tenant is None:
        # A national user chooses the province whose calendar to read.
        return render_template("periods/choose_area.html", code=None, areas=tenants())
    periods = list(db.session.scalars(
        services.tenant_periods(tenant).options(selectinload(ReportingPeriod.exceptions))
        .order_by(ReportingPeriod.year.desc(), ReportingPeriod.quarter.desc())
    ))
    year, quarter = services.quarter_of(today)
    form = PeriodCreateForm(formdata=None, year=year, quarter=quarter)
    return render_template(
        "periods/index.html", periods=periods, tallies=period_tallies(periods), today=today, tenant=tenant,
        area_args=area_args(current_user, tenant), current=services.current_period(today, tenant),
        create_form=form if can_administer(current_user) else None,
    )


@bp.post("/ky-bao-cao/tao")
@roles_required(Role.ADMIN)
def create():
    form = PeriodCreateForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("periods.index"))
    try:
        period = services.create_period(current_user, form.year.data, form.quarter.data)
    except services.PeriodError as error:
        unit_of_work.rollback_now()
        flash(str(error), "error")
        return redirect(url_for("periods.index"))
    flash(f"Đã tạo kỳ báo cáo {period.label}: số liệu từ {period.data_start:%d/%m/%Y} đến "
          f"{period.data_end:%d/%m/%Y}, hạn gửi {period.submission_deadline:%d/%m/%Y}.", "success")
    return redirect(url_for("periods.show", code=period.code))


def _exception_form(period: ReportingPeriod, rows, formdata=None) -> LateExceptionForm:
    form = LateExceptionForm(formdata=formdata) if formdata is not None else LateExceptionForm(formdata=None)
    units = [row.unit for row in rows]
    if not units:
        units = list(db.session.scalars(select(Unit).where(
            Unit.tenant_id == period.tenant_id, Unit.successor_id.is_(None)).order_by(Unit.name)))
    form.unit_id.choices = [(0, "— Chọn đơn vị —")] + [(u.id, u.name) for u in units]
    return form


def _render_show(period, *, deadline_form=None, exception_form=None, status=200, stale=None):
    today = today_local()
    rows, total = unit_grid(period, today)
    if deadline_form is None:
        deadline_form = DeadlineForm(formdata=None, submission_deadline=period.submission_deadline,
                                     consolidated_deadline=period.consolidated_deadline,
                                     lock_version=period.lock_version)
    # The label names the area's own committee (UBND tỉnh Thanh Hóa, UBND thành phố Huế).
    deadline_form.consolidated_deadline.label.text = (
        f"Hạn gửi báo cáo tổng hợp lên {period.tenant.committee_on(period.consolidated_deadline)}")
    if exception_form is None:
        exception_form = _exception_form(period, rows)
    exceptions = list(db.session.scalars(
        select(LateException).where(LateException.period_id == period.id)
        .options(selectinload(LateException.unit)).order_by(LateException.until.desc())
    ))
    return render_template(
        "periods/show.html", period=period, rows=rows, total=total, today=today, states=STATES,
        state_labels=STATE_LABELS, exceptions=exceptions,
        deadline_form=deadline_form if can_administer(current_user) else None,
        exception_form=exception_form if can_review(current_user) else None,
        can_close=can_review(current_user), confirm_form=ConfirmForm(), stale=stale,
    ), status


@bp.get("/ky-bao-cao/<code>")
@login_required
def show(code: str):
    if current_user.role not in READ_ROLES:
        abort(403)
    if request_tenant(current_user) is None:
        found = db.session.scalars(select(ReportingPeriod).where(ReportingPeriod.code == code)).all()
        if not found:
            abort(404)
        areas = [p.tenant for p in found]
        return render_template("periods/choose_area.html", code=code, areas=sorted(areas, key=lambda a: a.name))
    return _render_show(_period_or_404(code))


@bp.post("/ky-bao-cao/<code>/han")
@roles_required(Role.ADMIN)
def deadlines(code: str):
    period = _period_or_404(code)
    form = DeadlineForm()
    if not form.validate_on_submit():
        return _render_show(period, deadline_form=form, status=422)
    try:
        changes = services.set_deadlines(current_user, period, form.submission_deadline.data,
                                         form.consolidated_deadline.data, lock_version=form.lock_version.version)
    except StaleEdit:
        unit_of_work.rollback_now()
        form.lock_version.set(period.lock_version)
        stale = stale_notice("reporting_period", period.id, {"submission_deadline": period.submission_deadline,
                                                             "consolidated_deadline": period.consolidated_deadline})
        return _render_show(period, deadline_form=form, status=409, stale=stale)
    except services.PeriodError as error:
        unit_of_work.rollback_now()
        form.submission_deadline.errors = [str(error)]
        return _render_show(period, deadline_form=form, status=422)
    flash("Đã đổi hạn của kỳ báo cáo." if changes else "Hạn không thay đổi.", "success")
    return redirect(url_for("periods.show", code=period.code))


@bp.post("/ky-bao-cao/<code>/khoa")
@roles_required(Role.COORDINATOR)
def close(code: str):
    return _toggle(code, services.close_period, "Đã khóa kỳ báo cáo {label}: đơn vị chỉ gửi được báo cáo khi được cho phép nộp muộn.")


@bp.post("/ky-bao-cao/<code>/mo-lai")
@roles_required(Role.COORDINATOR)
def reopen(code: str):
    return _toggle(code, services.reopen_period, "Đã mở lại kỳ báo cáo {label}.")


def _toggle(code: str, action, message: str):
    period = _period_or_404(code)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action(current_user, period)
    except services.PeriodError as error:
        unit_of_work.rollback_now()
        flash(str(error), "error")
    else:
        flash(message.format(label=period.label), "success")
    return redirect(url_for("periods.show", code=period.code))


@bp.post("/ky-bao-cao/<code>/nop-muon")
@roles_required(Role.COORDINATOR)
def grant_exception(code: str):
    period = _period_or_404(code)
    rows, _ = unit_grid(period, today_local())
    form = _exception_form(period, rows, formdata=request.form)
    if not form.validate_on_submit():
        return _render_show(period, exception_form=form, status=422)
    unit = get_in_scope(Unit, form.unit_id.data)
    if unit is None:
        form.unit_id.errors = ["Vui lòng chọn đơn vị."]
        return _render_show(period, exception_form=form, status=422)
    try:
        exception = services.grant_late_exception(current_user, period, unit, form.until.data, form.reason.data,
                                                  today_local())
    except services.PeriodError as error:
        unit_of_work.rollback_now()
        form.until.errors = [str(error)]
        return _render_show(period, exception_form=form, status=422)
    flash(f"{unit.name} được nộp muộn báo cáo {period.label} đến hết ngày {exception.until:%d/%m/%Y}.", "success")
    return redirect(url_for("periods.show", code=period.code))
