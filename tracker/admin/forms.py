"""Administration forms: users, units, unit groups, successions."""
from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional, Regexp, ValidationError

from tracker.auth.models import NATIONAL_ROLES, ROLE_LABELS
from tracker.core.locking import VersionField
from tracker.core.vietnamese_forms import VietnameseDateField, VietnameseForm
from tracker.units.models import UNIT_KIND_LABELS
from tracker.units.services import SUCCESSION_TYPES

# A plausible address (name@domain.tld); deliverability is not checked.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

PASSWORD_RULES = [
    DataRequired("Vui lòng nhập mật khẩu."),
    Length(min=8, max=128, message="Mật khẩu phải có từ 8 đến 128 ký tự."),
]


class UserForm(VietnameseForm):
    email = EmailField(
        "Email", validators=[DataRequired("Vui lòng nhập email."), Regexp(EMAIL_PATTERN, message="Địa chỉ email không hợp lệ."), Length(max=255)]
    )
    full_name = StringField("Họ và tên", validators=[Optional(), Length(max=255)])
    # An area's administrator gives the roles of its area; the national roles are the superadmin's.
    role = SelectField("Vai trò", choices=[(k, v) for k, v in ROLE_LABELS.items() if k not in NATIONAL_ROLES])
    unit_id = SelectField("Đơn vị", coerce=int, choices=[], validate_choice=True)
    active = BooleanField("Đang hoạt động", default=True)
    lock_version = VersionField()


class NewUserForm(UserForm):
    password = PasswordField("Mật khẩu", validators=PASSWORD_RULES)
    confirm = PasswordField(
        "Nhập lại mật khẩu", validators=[DataRequired("Vui lòng nhập lại mật khẩu."),
                                          EqualTo("password", "Hai lần nhập mật khẩu không khớp.")]
    )


class PasswordResetForm(VietnameseForm):
    password = PasswordField("Mật khẩu mới", validators=PASSWORD_RULES)
    confirm = PasswordField(
        "Nhập lại mật khẩu mới", validators=[DataRequired("Vui lòng nhập lại mật khẩu."),
                                              EqualTo("password", "Hai lần nhập mật khẩu không khớp.")]
    )


class UnitForm(VietnameseForm):
    area_id = SelectField("Địa bàn", coerce=int, validators=[DataRequired("Vui lòng chọn địa bàn.")])
    name = StringField("Tên đầy đủ", validators=[DataRequired("Vui lòng nhập tên đơn vị."), Length(max=255)])
    short_name = StringField("Tên viết tắt", validators=[Optional(), Length(max=120)])
    kind = SelectField("Loại đơn vị", choices=list(UNIT_KIND_LABELS.items()))
    parent_name = StringField("Đơn vị cấp trên", validators=[Optional(), Length(max=255)])
    aliases = TextAreaField("Tên khác trong văn bản (mỗi dòng một tên)", validators=[Optional(), Length(max=5000)])
    note = TextAreaField("Ghi chú", validators=[Optional(), Length(max=5000)])
    lock_version = VersionField()


class GroupForm(VietnameseForm):
    area_id = SelectField("Địa bàn", coerce=int, validators=[DataRequired("Vui lòng chọn địa bàn.")])
    name = StringField("Tên nhóm (như văn bản ghi)", validators=[DataRequired("Vui lòng nhập tên nhóm."), Length(max=255)])
    aliases = TextAreaField("Cách viết khác (mỗi dòng một cách)", validators=[Optional(), Length(max=5000)])
    members = SelectMultipleField("Đơn vị thành viên", coerce=int, choices=[], validators=[Optional()])
    note = TextAreaField("Ghi chú", validators=[Optional(), Length(max=5000)])
    lock_version = VersionField()


class SuccessionForm(VietnameseForm):
    source_id = SelectField("Đơn vị cũ", coerce=int, validators=[DataRequired("Vui lòng chọn đơn vị cũ.")])
    target_id = SelectField("Đơn vị kế thừa", coerce=int, validators=[DataRequired("Vui lòng chọn đơn vị kế thừa.")])
    on = VietnameseDateField("Từ ngày", validators=[InputRequired("Vui lòng nhập ngày hiệu lực (dd/mm/yyyy).")])
    kind = SelectField("Hình thức", choices=list(SUCCESSION_TYPES.items()))
    note = TextAreaField("Căn cứ, ghi chú", validators=[Optional(), Length(max=5000)])
    move_users = BooleanField("Chuyển tài khoản người dùng của đơn vị cũ sang đơn vị kế thừa")

    def validate_target_id(self, field):
        if field.data and field.data == self.source_id.data:
            raise ValidationError("Đơn vị kế thừa phải khác đơn vị cũ.")


class ReportProfileForm(VietnameseForm):
    """The header of the area's consolidated reports, from a date (empty fields: from the area's name)."""

    area_id = SelectField("Địa bàn", coerce=int, validators=[DataRequired("Vui lòng chọn địa bàn.")], validate_choice=True)
    valid_from = VietnameseDateField("Áp dụng từ ngày", validators=[DataRequired("Vui lòng nhập ngày (dd/mm/yyyy).")])
    parent_body = StringField("Cơ quan chủ quản (dòng trên)", validators=[Optional(), Length(max=255)])
    issuing_body = StringField("Cơ quan ban hành", validators=[Optional(), Length(max=255)])
    issuer_short = StringField("Ký hiệu cơ quan trong số văn bản", validators=[Optional(), Length(max=32)])
    issuer_name = StringField("Tên cơ quan trong câu văn", validators=[Optional(), Length(max=255)])
    place = StringField("Địa danh (… , ngày … tháng … năm …)", validators=[Optional(), Length(max=120)])
    addressee = StringField("Kính gửi", validators=[Optional(), Length(max=255)])
    signer_title = TextAreaField("Chức danh người ký (mỗi dòng một dòng)", validators=[Optional(), Length(max=1000)])
    recipients = TextAreaField("Nơi nhận mặc định (mỗi dòng một nơi)", validators=[Optional(), Length(max=5000)])
