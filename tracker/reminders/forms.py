from flask_wtf import FlaskForm
from wtforms import BooleanField


class PreferencesForm(FlaskForm):
    notify_optional = BooleanField("Nhận nhắc nhở không bắt buộc (nhắc trước hạn, cảnh báo thời hạn hạng mục)")

