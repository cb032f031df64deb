"""Forms of the reporting period pages."""
from __future__ import annotations

from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from tracker.core.locking import VersionField
from tracker.core.vietnamese_forms import VietnameseDateField, VietnameseForm


class PeriodCreateForm(VietnameseForm):
    year = IntegerField("Năm", validators=[InputRequired("Vui lòng nhập năm."),
                                           NumberRange(2000, 2100, "Năm phải từ 2000 đến 2100.")])
    quarter = SelectField("Quý", choices=[(1, "Quý 1"), (2, "Quý 2"), (3, "Quý 3"), (4, "Quý 4")], coerce=int)


class DeadlineForm(VietnameseForm):
    submission_deadline = VietnameseDateField(
        "Hạn các đơn vị gửi báo cáo", validators=[DataRequired("Vui lòng nhập ngày (dd/mm/yyyy).")])
    consolidated_deadline = VietnameseDateField(
        "Hạn gửi báo cáo tổng hợp lên UBND", validators=[DataRequired("Vui lòng nhập ngày (dd/mm/yyyy).")])
    lock_version = VersionField()


class LateExceptionForm(VietnameseForm):
    unit_id = SelectField("Đơn vị", coerce=int, validators=[DataRequired("Vui lòng chọn đơn vị.")])
    until = VietnameseDateField("Được nộp đến hết ngày", validators=[DataRequired("Vui lòng nhập ngày (dd/mm/yyyy).")])
    reason = TextAreaField("Lý do", validators=[DataRequired("Vui lòng ghi lý do cho phép nộp muộn."),
                                                Length(max=2000)])


class ConfirmForm(VietnameseForm):
    """A button-only form: CSRF is the only field."""
