"""The notifications page (`/thong-bao`) and the unread count every page shows in the nav."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.auth.routes import PRELOADED_UNREAD
from tracker.core.time import utcnow
from tracker.core.security import page_number
from tracker.reminders.forms import PreferencesForm
from tracker.reminders.notifications import (
    PAGE_SIZE,
    mark_all_read,
    mark_read,
    notifications_page,
    set_optional_notices,
    unread_count,
)

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def unread_notifications_processor() -> dict:
    """`unread_notifications`: the signed-in user's unread count for the nav (0 when signed out)."""
    from flask import has_request_context

    if not has_request_context() or not current_user.is_authenticated:
        return {"unread_notifications": 0}
    # Counted with the user by the user loader (auth.routes.load_user) when the request is a read;
    # a write may have just changed the user's notifications: counted again.
    preloaded = request.environ.get(PRELOADED_UNREAD) if request.method in ("GET", "HEAD") else None
    if preloaded is not None and preloaded[0] == current_user.id:
        return {"unread_notifications": preloaded[1]}
    return {"unread_notifications": unread_count(current_user.id)}


@bp.get("/thong-bao")
@login_required
def index():
    page = page_number(request.args.get("trang"))
    notifications, total = notifications_page(current_user, page)
    form = PreferencesForm(notify_optional=current_user.notify_optional)
    return render_template(
        "notifications/index.html", notifications=notifications, total=total, page=page,
        pages=max(1, -(-total // PAGE_SIZE)), form=form,
    )


@bp.post("/thong-bao/<int:notification_id>/da-doc", endpoint="mark_read")
@login_required
def mark_read_view(notification_id: int):
    if mark_read(current_user, notification_id, utcnow()) is None:
        abort(404)
    return redirect(url_for("notifications.index"))


@bp.post("/thong-bao/da-doc-tat-ca", endpoint="mark_all_read")
@login_required
def mark_all_read_view():
    count = mark_all_read(current_user, utcnow())
    flash(f"Đã đánh dấu {count} thông báo là đã đọc." if count else "Không có thông báo chưa đọc.", "success")
    return redirect(url_for("notifications.index"))


@bp.post("/thong-bao/tuy-chon")
@login_required
def preferences():
    form = PreferencesForm()
    if not form.validate_on_submit():
        abort(400)
    set_optional_notices(current_user, bool(form.notify_optional.data), actor=current_user)
    flash("Đã bật nhận nhắc nhở không bắt buộc." if form.notify_optional.data
          else "Đã tắt nhắc nhở không bắt buộc. Thông báo quá hạn vẫn được gửi.", "success")
    target = request.form.get("next")
    if target in ("profile",):
        return redirect(url_for("calendar.profile"))
    return redirect(url_for("notifications.index"))
from tracker.notify import routes as _workflow_mail_routes  # noqa: E402,F401
