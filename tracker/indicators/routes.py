"""Indicator frameworks: the list, one framework's tree with linked items, and linking items."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.core import unit_of_work
from tracker.areas.scope import get_in_scope
from tracker.auth.permissions import can_edit_links, coordinator_required, read_required
from tracker.core.time import today_local
from tracker.core.security import bounded_int
from tracker.extensions import db
from tracker.indicators import services
from tracker.indicators.forms import FrameworkLinkForm
from tracker.indicators.models import FRAMEWORK_LEVEL_LABELS, Framework, Indicator, ItemIndicatorLink
from tracker.items import services as item_services
from tracker.items.forms import ConfirmForm
from tracker.items.routes import remove_posted_link
from tracker.plans.listing import TIMELINESS_LABELS
from tracker.plans.models import Plan

bp = Blueprint("indicators", __name__)


@bp.get("/bo-chi-so")
@read_required
def index():
    return render_template("indicators/index.html", rows=services.framework_list(), level_labels=FRAMEWORK_LEVEL_LABELS)


def _framework_or_404(framework_id: int) -> Framework:
    framework = db.get_or_404(Framework, framework_id)
    return framework


def _render(framework: Framework, form: FrameworkLinkForm | None = None, status: int = 200):
    today = today_local()
    page = services.framework_page(framework, today, request.args.get("ke-hoach"), current_user)
    if page is None:
        abort(404)
    can_edit = can_edit_links(current_user)
    if can_edit:
        if form is None:
            form = FrameworkLinkForm(formdata=None)
            form.indicator_id.data = request.args.get("chi-so", type=bounded_int)
            form.plan_id.data = page.plan.id if page.plan else services.default_plan_id(framework, page.plans)
        form.indicator_id.choices = services.indicator_options(page.roots)
        form.plan_id.choices = [(p.id, f"{p.number} · {p.title[:80]}") for p in page.plans]
    return render_template(
        "indicators/show.html", framework=framework, page=page, form=form, can_edit=can_edit,
        confirm_form=ConfirmForm(), level_labels=FRAMEWORK_LEVEL_LABELS, timeliness_labels=TIMELINESS_LABELS,
        risk=services.points_at_risk(page.roots), today=today,
    ), status


@bp.get("/bo-chi-so/<int:framework_id>")
@read_required
def show(framework_id: int):
    return _render(_framework_or_404(framework_id))


@bp.post("/bo-chi-so/<int:framework_id>/lien-ket")
@coordinator_required
def add_link(framework_id: int):
    framework = _framework_or_404(framework_id)
    form = FrameworkLinkForm()
    form.indicator_id.choices = [
        (i.id, i.code) for i in db.session.scalars(select(Indicator).where(Indicator.framework_id == framework.id))
    ]
    form.plan_id.choices = [(p.id, p.number) for p in db.session.scalars(select(Plan))]
    if form.validate_on_submit():
        item = item_services.find_item_by_ref(form.plan_id.data, form.item_ref.data)
        indicator = get_in_scope(Indicator, form.indicator_id.data)
        if item is None:
            form.item_ref.errors = list(form.item_ref.errors) + [
                f"Không tìm thấy hạng mục '{form.item_ref.data}' trong kế hoạch đã chọn (ví dụ mã: 3/A/V/2)."
            ]
        else:
            try:
                item_services.add_link(current_user, item, indicator, form.note.data)
            except item_services.ItemError as error:
                unit_of_work.rollback_now()
                form.item_ref.errors = list(form.item_ref.errors) + [str(error)]
            else:
                flash(f"Đã liên kết hạng mục {item.ref} với chỉ số {indicator.code}.", "success")
                return redirect(url_for("indicators.show", framework_id=framework.id, _anchor=f"cs-{indicator.id}"))
    return _render(framework, form=form, status=400)


@bp.post("/bo-chi-so/<int:framework_id>/lien-ket/<int:link_id>/xoa")
@coordinator_required
def remove_link(framework_id: int, link_id: int):
    link = get_in_scope(ItemIndicatorLink, link_id)
    if link is None or link.indicator.framework_id != framework_id:
        abort(404)
    indicator_id = link.indicator_id
    if not remove_posted_link(link):
        return _render(_framework_or_404(framework_id), status=409)
    flash("Đã bỏ liên kết.", "success")
    return redirect(url_for("indicators.show", framework_id=framework_id, _anchor=f"cs-{indicator_id}"))


# The item picker's search endpoint lives in its own module, on this blueprint.
from tracker.indicators import search_routes as _search_routes  # noqa: E402,F401
