"""The area administrator's API tokens (Quản trị › Khóa API), on the admin blueprint: create one
(its secret shown once, on the answer to the form, never in a cookie or a log), list, revoke."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from tracker.admin.routes import bp
from tracker.api import tokens as token_services
from tracker.api.models import ApiToken
from tracker.auth.permissions import admin_required
from tracker.core import unit_of_work
from tracker.core.vietnamese_forms import VietnameseForm
from tracker.extensions import db


class ApiTokenForm(VietnameseForm):
    name = StringField("Tên khóa (hệ thống sẽ dùng khóa)", validators=[
        DataRequired("Vui lòng đặt tên cho khóa (ví dụ: Hệ thống báo cáo tỉnh)."),
        Length(max=token_services.NAME_MAX, message=f"Tên khóa dài tối đa {token_services.NAME_MAX} ký tự.")])


def _tenant():
    if current_user.tenant_id is None:
        abort(404)
    return current_user.tenant


def _page(form, secret=None, created=None, status=200):
    tenant = _tenant()
    response = render_template("admin/api_tokens.html", tenant=tenant, form=form,
                               tokens=token_services.tokens_of(tenant.id), secret=secret, created=created)
    return response, status, {"Cache-Control": "no-store"}


@bp.get("/khoa-api")
@admin_required
def api_tokens():
    return _page(ApiTokenForm())


@bp.post("/khoa-api")
@admin_required
def api_token_new():
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        token, secret = token_services.create_token(_tenant(), form.name.data, actor=current_user)
    except token_services.TokenError as error:
        unit_of_work.rollback_now()
        form.name.errors = [str(error)]
        return _page(form, status=400)
    return _page(ApiTokenForm(formdata=None), secret=secret, created=token)


@bp.post("/khoa-api/<int:token_id>/thu-hoi")
@admin_required
def api_token_revoke(token_id: int):
    tenant = _tenant()
    token = db.session.get(ApiToken, token_id)
    if token is None or token.tenant_id != tenant.id:
        abort(404)
    try:
        token_services.revoke_token(token, actor=current_user)
    except token_services.TokenError as error:
        unit_of_work.fail()  # a refused redirect
        flash(str(error), "error")
        return redirect(url_for("admin.api_tokens"))
    flash(f"Đã thu hồi khóa “{token.name}”: các yêu cầu dùng khóa này bị từ chối từ bây giờ.", "success")
    return redirect(url_for("admin.api_tokens"))
