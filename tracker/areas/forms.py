"""The superadmin's forms: a new area, an area's administrator."""
from __future__ import annotations

from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from tracker.core.vietnamese_forms import VietnameseForm


class AreaForm(VietnameseForm):
    code = StringField("Mã địa bàn", validators=[DataRequired("Vui lòng nhập mã địa bàn."), Length(max=64)])
    name = StringField("Tên địa bàn", validators=[DataRequired("Vui lòng nhập tên địa bàn."), Length(max=255)])
    level = SelectField("Cấp", choices=[("province", "Tỉnh"), ("city", "Thành phố trực thuộc trung ương")])


class AreaAdminForm(VietnameseForm):
    area_id = SelectField("Địa bàn", coerce=int, validators=[DataRequired("Vui lòng chọn địa bàn.")],
                          validate_choice=True)
    email = EmailField("Email", validators=[DataRequired("Vui lòng nhập email."), Length(max=255)])
    full_name = StringField("Họ và tên", validators=[Length(max=255)])
    password = PasswordField("Mật khẩu", validators=[DataRequired("Vui lòng nhập mật khẩu."),
                                                      Length(min=8, max=128, message="Mật khẩu phải có từ 8 đến 128 ký tự.")])
