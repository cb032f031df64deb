"""Password change (profile) and "Quên mật khẩu" (on the auth blueprint)."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user

from tracker.auth import passwords
from tracker.auth.forms import ChangePasswordForm, ForgotPasswordForm, ResetPasswordForm
from tracker.auth.routes import bp
from tracker.core import unit_of_work
from tracker.core.time import utcnow

REQUEST_SENT = ("Nếu địa chỉ này có tài khoản đang hoạt động, một thư có đường dẫn đặt lại mật khẩu "
                "sẽ được gửi đến trong vài phút. Đường dẫn dùng được một lần, trong {minutes} phút.")


@bp.post("/ho-so/mat-khau")
@login_required
def change_password():
    form = ChangePasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            passwords.change_password(current_user, form.current_password.data, form.new_password.data)
        except passwords.PasswordError as refused:
            error = str(refused)
        else:
            user = current_user._get_current_object()
            # Every other session has ended with the old session version; this one goes on.
            remember = session.get("_remember") == "set" or "remember_token" in request.cookies
            login_user(user, remember=remember)
            flash("Đã đổi mật khẩu. Các phiên đăng nhập trên thiết bị khác đã kết thúc.", "success")
            return redirect(url_for("calendar.profile"))
    else:
        error = next((e for field in form for e in field.errors), "Vui lòng kiểm tra lại.")
    unit_of_work.fail()  # a refused change, answered by a redirect: nothing is kept
    flash(f"Chưa đổi mật khẩu: {error}", "error")
    return redirect(url_for("calendar.profile", _anchor="mat-khau"))


@bp.route("/quen-mat-khau", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("auth/forgot_password.html", form=form), 400
        passwords.request_reset(form.email.data, now=utcnow())
        # The same answer whether or not the address has an account.
        return render_template("auth/forgot_password.html", form=form,
                               sent=REQUEST_SENT.format(minutes=current_app.config["PASSWORD_RESET_MINUTES"]))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/dat-lai-mat-khau/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = ResetPasswordForm()
    now = utcnow()
    if passwords.valid_token(token, now=now) is None:
        return render_template("auth/reset_password.html", form=None), 404
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                passwords.reset_password(token, form.new_password.data, now=now)
            except passwords.PasswordError as refused:
                unit_of_work.rollback_now()
                flash(str(refused), "error")
                return render_template("auth/reset_password.html", form=form), 400
            flash("Đã đặt mật khẩu mới; mọi phiên đăng nhập cũ đã kết thúc. Vui lòng đăng nhập.", "success")
            return redirect(url_for("auth.sign_in"))
        return render_template("auth/reset_password.html", form=form), 400
    return render_template("auth/reset_password.html", form=form)
