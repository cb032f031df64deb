"""The e-mail preference for workflow notices (on the notifications blueprint; the form is on the profile)."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user, login_required

from tracker.notify.forms import WorkflowMailForm
from tracker.notify.models import MAIL_CHOICE_LABELS
from tracker.notify.services import set_mail_choice
from tracker.reminders.routes import bp


@bp.post("/thong-bao/thu-duyet-bao-cao")
@login_required
def workflow_mail():
    form = WorkflowMailForm()
    if not form.validate_on_submit():
        abort(400)
    set_mail_choice(current_user, form.workflow_mail.data, actor=current_user)
    flash(f"Đã lưu: {MAIL_CHOICE_LABELS[form.workflow_mail.data]}.", "success")
    return redirect(url_for("calendar.profile"))
