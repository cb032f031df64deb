from tracker.core.vietnamese_forms import VietnameseForm
from wtforms import RadioField

from tracker.notify.models import MAIL_CHOICE_LABELS


class WorkflowMailForm(VietnameseForm):
    workflow_mail = RadioField("Thư báo khi báo cáo được gửi, trả lại, chấp nhận hoặc cần đính chính",
                               choices=list(MAIL_CHOICE_LABELS.items()))
