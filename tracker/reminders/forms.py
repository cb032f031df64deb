from tracker.core.vietnamese_forms import VietnameseForm
from wtforms import BooleanField


class PreferencesForm(VietnameseForm):
    notify_optional = BooleanField("Nhận nhắc nhở không bắt buộc (nhắc trước hạn, cảnh báo thời hạn hạng mục)")

