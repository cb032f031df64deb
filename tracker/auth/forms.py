from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from tracker.core.vietnamese_forms import VietnameseForm


class SignInForm(VietnameseForm):
    email = EmailField("Email", validators=[DataRequired("Vui lòng nhập email."), Length(max=255)])
    password = PasswordField("Mật khẩu", validators=[DataRequired("Vui lòng nhập mật khẩu.")])
    remember = BooleanField("Ghi nhớ đăng nhập")


class ChangePasswordForm(VietnameseForm):
    current_password = PasswordField("Mật khẩu hiện tại", validators=[DataRequired("Vui lòng nhập mật khẩu hiện tại.")])
    new_password = PasswordField("Mật khẩu mới (ít nhất 8 ký tự)", validators=[
        DataRequired("Vui lòng nhập mật khẩu mới."), Length(min=8, max=200, message="Mật khẩu mới phải có từ 8 đến 200 ký tự.")])
    confirm = PasswordField("Nhập lại mật khẩu mới", validators=[
        DataRequired("Vui lòng nhập lại mật khẩu mới."), EqualTo("new_password", message="Hai lần nhập mật khẩu mới không trùng nhau.")])


class ForgotPasswordForm(VietnameseForm):
    email = EmailField("Email", validators=[DataRequired("Vui lòng nhập email."), Length(max=255)])


class ResetPasswordForm(VietnameseForm):
    new_password = PasswordField("Mật khẩu mới (ít nhất 8 ký tự)", validators=[
        DataRequired("Vui lòng nhập mật khẩu mới."), Length(min=8, max=200, message="Mật khẩu mới phải có từ 8 đến 200 ký tự.")])
    confirm = PasswordField("Nhập lại mật khẩu mới", validators=[
        DataRequired("Vui lòng nhập lại mật khẩu mới."), EqualTo("new_password", message="Hai lần nhập mật khẩu mới không trùng nhau.")])
