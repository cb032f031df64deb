from flask_wtf import FlaskForm
from wtforms import RadioField

from tracker.notify.models import MAIL_CHOICE_LABELS


class WorkflowMailForm(FlaskForm):
    workflow_mail = RadioField("Thư báo khi báo cáo được gửi, trả lại, chấp nhận hoặc cần đính chính",
                               choices=list(MAIL_CHOICE_LABELS.items()))
