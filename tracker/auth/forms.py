from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from tracker.core.vietnamese_forms import VietnameseForm


class SignInForm(VietnameseForm):
    email = EmailField("Email", validators=[DataRequired("Vui lòng nhập email."), Length(max=255)])
    password = PasswordField("Mật khẩu", validators=[DataRequired("Vui lòng nhập mật khẩu.")])
    remember = BooleanField("Ghi nhớ đăng nhập")
