"""The superadmin's page: the areas (tenants), creating one, and giving it an administrator."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from tracker.core import unit_of_work
from tracker.areas import services
from tracker.areas.forms import AreaAdminForm, AreaForm
from tracker.auth.models import User
from tracker.auth.permissions import superadmin_required
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.units.models import AREA_LEVEL_LABELS, TENANT_LEVELS, Area

bp = Blueprint("areas", __name__)


def _render(area_form=None, admin_form=None, status=200):
    areas = list(db.session.scalars(select(Area).where(Area.level.in_(TENANT_LEVELS)).order_by(Area.name)))
    plans = dict(db.session.execute(select(Plan.tenant_id, func.count()).group_by(Plan.tenant_id)).all())
    users = dict(db.session.execute(select(User.tenant_id, func.count()).group_by(User.tenant_id)).all())
    admins: dict[int, list[User]] = {}
    for user in db.session.scalars(select(User).where(User.role == "admin").order_by(User.email)):
        admins.setdefault(user.tenant_id, []).append(user)
    if admin_form is None:
        admin_form = AreaAdminForm(formdata=None)
    admin_form.area_id.choices = [(a.id, a.current_name) for a in areas if a.successor_id is None]
    return render_template("areas/index.html", areas=areas, plans=plans, users=users, admins=admins,
                           level_labels=AREA_LEVEL_LABELS,
                           area_form=area_form or AreaForm(formdata=None), admin_form=admin_form), status


@bp.get("/dia-ban")
@superadmin_required
def index():
    return _render()


@bp.post("/dia-ban/moi")
@superadmin_required
def create():
    form = AreaForm()
    if form.validate_on_submit():
        try:
            area = services.create_area(current_user, code=form.code.data, name=form.name.data, level=form.level.data)
        except services.AreaError as error:
            unit_of_work.rollback_now()
            form.code.errors = list(form.code.errors) + [str(error)]
        else:
            flash(f"Đã tạo địa bàn {area.name} ({area.code}).", "success")
            return redirect(url_for("areas.index"))
    return _render(area_form=form, status=400)


@bp.post("/dia-ban/quan-tri")
@superadmin_required
def create_admin():
    form = AreaAdminForm()
    form.area_id.choices = [(a.id, a.name) for a in db.session.scalars(select(Area).where(Area.level.in_(TENANT_LEVELS)))]
    if form.validate_on_submit():
        try:
            user = services.create_area_admin(current_user, db.session.get(Area, form.area_id.data),
                                              email=form.email.data, full_name=form.full_name.data,
                                              password=form.password.data)
        except services.AreaError as error:
            unit_of_work.rollback_now()
            form.email.errors = list(form.email.errors) + [str(error)]
        else:
            flash(f"Đã tạo quản trị {user.email} của {user.tenant.current_name}.", "success")
            return redirect(url_for("areas.index"))
    return _render(admin_form=form, status=400)


from tracker.areas import overview_routes as _overview_routes  # noqa: E402,F401
