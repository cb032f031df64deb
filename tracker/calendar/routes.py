"""Calendar feeds reached by a secret token (no session), the profile page, one-off .ics files."""
from __future__ import annotations

import io
import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required

from tracker.areas.scope import SYSTEM, get_in_scope, scope_for_user, tenant_scope, using
from tracker.calendar import services
from tracker.calendar.ical import build_calendar
from tracker.core.security import optional_id
from tracker.core.time import today_local, utcnow
from tracker.extensions import db
from tracker.plans.models import PlanItem
from tracker.reminders.forms import PreferencesForm
from tracker.auth.forms import ChangePasswordForm
from tracker.notify.forms import WorkflowMailForm
from tracker.notify.services import mail_choice
from tracker.units.models import Unit

bp = Blueprint("calendar", __name__)

PERIOD_CODE = re.compile(r"^\d{4}-Q[1-4]$")


def _ics_response(payload: bytes, filename: str, *, attachment: bool = False):
    response = send_file(io.BytesIO(payload), mimetype="text/calendar", as_attachment=attachment,
                         download_name=filename, max_age=0)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    # The URL is a secret: keep it out of shared caches and search engines.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _build(events, name: str) -> bytes:
    return build_calendar(events, name=name, now=utcnow(), tz_name=current_app.config["TIMEZONE"],
                          description="Hạn báo cáo và hạn hoàn thành hạng mục — Kế hoạch chuyển đổi số")


@bp.get("/lich/<token>.ics")
def user_feed(token: str):
    with using(SYSTEM):  # no session: the token names the user
        user = services.user_by_token(token)
    if user is None:
        abort(404)
    with using(scope_for_user(user)):
        payload = _build(services.user_events(user, today_local()), services.user_calendar_name(user))
    return _ics_response(payload, "lich-bao-cao.ics")


@bp.get("/lich/don-vi/<token>.ics")
def unit_feed(token: str):
    with using(SYSTEM):  # no session: the token names the unit
        unit = services.unit_by_token(token)
    if unit is None:
        abort(404)
    with using(tenant_scope(unit.tenant_id, read_only=True)):
        payload = _build(services.unit_events(unit, today_local()), services.unit_calendar_name(unit))
    return _ics_response(payload, "lich-bao-cao-don-vi.ics")


@bp.get("/lich/han/<kind>/<ref>.ics")
@login_required
def deadline_ics(kind: str, ref: str):
    """One deadline as an .ics file to import (same UID as in the feeds)."""
    from tracker.auth.permissions import READ_ROLES

    if current_user.role not in READ_ROLES:
        abort(403)  # the superadmin has no deadlines of its own
    today = today_local()
    if kind in ("nop", "tong-hop"):
        period = services.find_period(ref, today, current_user.tenant_id) if PERIOD_CODE.match(ref) else None
        if period is None:
            abort(404)
        if kind == "nop":
            unit = current_user.unit if current_user.role == "reporter" else None
            event = services.submission_event(period, unit)
        else:
            event = services.consolidated_event(period)
        filename = f"han-{kind}-{period.code}.ics"
    elif kind == "hang-muc" and optional_id(ref) is not None:
        item = get_in_scope(PlanItem, optional_id(ref))
        event = services.item_event(item, today) if item is not None else None
        if event is None:
            abort(404)
        filename = f"han-hang-muc-{item.id}.ics"
    else:
        abort(404)
    payload = build_calendar([event], name=event.summary, now=utcnow(), tz_name=current_app.config["TIMEZONE"])
    return _ics_response(payload, filename, attachment=True)


@bp.get("/ho-so")
@login_required
def profile():
    user_url = None
    if current_user.calendar_token:
        user_url = services.feed_url(url_for("calendar.user_feed", token=current_user.calendar_token))
    unit, unit_url = None, None
    if current_user.role == "reporter" and current_user.unit is not None:
        unit = current_user.unit
        unit_url = services.unit_feed_url(unit)
    return render_template(
        "calendar/profile.html", user_url=user_url, unit=unit, unit_url=unit_url,
        webcal=services.webcal_url, preferences=PreferencesForm(notify_optional=current_user.notify_optional),
        workflow_mail=WorkflowMailForm(workflow_mail=mail_choice(current_user)),
        password_form=ChangePasswordForm(),
    )


@bp.post("/ho-so/lich/tao-lai")
@login_required
def regenerate_token():
    had = current_user.calendar_token is not None
    services.regenerate_user_token(current_user, actor=current_user)
    flash("Đã tạo đường dẫn lịch mới; đường dẫn cũ không còn dùng được." if had
          else "Đã tạo đường dẫn đăng ký lịch.", "success")
    return redirect(url_for("calendar.profile"))


@bp.post("/ho-so/lich/thu-hoi")
@login_required
def revoke_token():
    services.revoke_user_token(current_user, actor=current_user)
    flash("Đã thu hồi đường dẫn lịch.", "success")
    return redirect(url_for("calendar.profile"))


def _managed_unit_or_403(unit_id: int) -> Unit:
    unit = db.get_or_404(Unit, unit_id)
    if not services.can_manage_unit_feed(current_user, unit):
        abort(403)
    return unit


def _back_from_unit_feed(unit: Unit):
    """The admin manages unit feeds on the unit's page; reporters on their profile."""
    if current_user.role == "admin":
        return redirect(url_for("admin.unit_edit", unit_id=unit.id, _anchor="lich-don-vi"))
    return redirect(url_for("calendar.profile"))


@bp.post("/ho-so/lich-don-vi/<int:unit_id>/tao-lai")
@login_required
def regenerate_unit_token(unit_id: int):
    unit = _managed_unit_or_403(unit_id)
    services.regenerate_unit_token(unit, actor=current_user)
    flash(f"Đã tạo đường dẫn lịch mới cho {unit.name}; đường dẫn cũ không còn dùng được.", "success")
    return _back_from_unit_feed(unit)


@bp.post("/ho-so/lich-don-vi/<int:unit_id>/thu-hoi")
@login_required
def revoke_unit_token(unit_id: int):
    unit = _managed_unit_or_403(unit_id)
    services.revoke_unit_token(unit, actor=current_user)
    flash(f"Đã thu hồi đường dẫn lịch của {unit.name}; đường dẫn cũ không còn dùng được.", "success")
    return _back_from_unit_feed(unit)
