"""The item page, and the coordinators' edits: wording, owners, deadline, indicator links."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.core import unit_of_work
from tracker.areas.scope import get_in_scope
from tracker.auth.permissions import (
    can_edit_items,
    coordinator_required,
    read_required,
)
from tracker.core.locking import StaleEdit, stale_notice
from tracker.core.time import today_local
from tracker.extensions import db
from tracker.indicators.models import Indicator, ItemIndicatorLink
from tracker.items import services
from tracker.items.forms import ConfirmForm, ItemEditForm, LinkForm, VersionedConfirmForm
from tracker.periods.services import current_period
from tracker.updates import policy as update_policy
from tracker.plans.listing import STATUS_KINDS, TIMELINESS_LABELS, timeliness
from tracker.updates.models import UPDATE_STATE_LABELS

bp = Blueprint("items", __name__)


def _item_or_404(item_id: int):
    item = services.load_item(item_id)
    if item is None:
        abort(404)
    return item


def _link_form(item) -> LinkForm:
    form = LinkForm(prefix="link")
    groups = services.indicator_choices()
    form.indicator_id.choices = {name: options for name, options in groups} or []
    return form


def _render_show(item, link_form: LinkForm | None = None, status: int = 200):
    today = today_local()
    page = services.item_page(item, full_history=request.args.get("lich-su") == "tat-ca", viewer=current_user)
    period = current_period(today, tenant=item.tenant_id)
    can_edit = can_edit_items(current_user)
    if link_form is None and can_edit:
        link_form = _link_form(item)
    from tracker.items.reassignment import carrier_view

    return render_template(
        "items/show.html",
        item=item,
        page=page,
        carrier=carrier_view(item, today),
        today=today,
        period=period,
        can_edit=can_edit,
        can_update=period is not None and update_policy.can_write_update(current_user, item, period, today),
        # A coordinating (phối hợp) unit's reporter writes its contribution on the period's update page.
        can_contribute=period is not None and update_policy.can_write_contribution(current_user, item, today),
        link_form=link_form,
        confirm_form=ConfirmForm(),
        timeliness=timeliness(item, today) if item.kind in STATUS_KINDS else None,
        timeliness_labels=TIMELINESS_LABELS,
        update_state_labels=UPDATE_STATE_LABELS,
        field_labels=services.UPDATE_FIELDS,
    ), status


@bp.get("/hang-muc/<int:item_id>")
@read_required
def show(item_id: int):
    return _render_show(_item_or_404(item_id))


@bp.route("/hang-muc/<int:item_id>/sua", methods=["GET", "POST"])
@coordinator_required
def edit(item_id: int):
    item = _item_or_404(item_id)
    form = ItemEditForm()
    form.owners.choices = services.assignable_choices(item)
    form.coordinators.choices = form.owners.choices
    if request.method == "GET":
        form.text.data = item.text
        form.deadline.data = item.deadline
        form.note.data = item.note
        form.owners.data = [services.assignment_value(a) for a in item.owners if services.assignment_value(a)]
        form.coordinators.data = [
            services.assignment_value(a) for a in item.coordinators if services.assignment_value(a)
        ]
        form.lock_version.set(item.lock_version)
    elif form.validate_on_submit():
        try:
            changes = services.edit_item(
                current_user, item, text=form.text.data, owners=form.owners.data,
                coordinators=form.coordinators.data or [], deadline=form.deadline.data, note=form.note.data,
                lock_version=form.lock_version.version,
            )
        except StaleEdit:
            unit_of_work.rollback_now()  # what the user typed stays in the form; the stored values beside it
            form.lock_version.set(item.lock_version)
            stale = stale_notice("plan_item", item.id, services.edit_values(item))
            return render_template("items/edit.html", item=item, form=form, today=today_local(), stale=stale), 409
        except services.ItemError as error:
            unit_of_work.rollback_now()
            form.owners.errors = list(form.owners.errors) + [str(error)]
        else:
            flash("Đã lưu thay đổi của hạng mục." if changes else "Không có thay đổi nào.", "success")
            return redirect(url_for("items.show", item_id=item.id))
    status = 400 if request.method == "POST" else 200
    return render_template("items/edit.html", item=item, form=form, today=today_local()), status


@bp.post("/hang-muc/<int:item_id>/chi-so")
@coordinator_required
def add_link(item_id: int):
    item = _item_or_404(item_id)
    form = _link_form(item)
    if form.validate_on_submit():
        indicator = get_in_scope(Indicator, form.indicator_id.data)
        try:
            services.add_link(current_user, item, indicator, form.note.data)
        except services.ItemError as error:
            unit_of_work.rollback_now()
            form.indicator_id.errors = list(form.indicator_id.errors) + [str(error)]
        else:
            flash("Đã thêm liên kết chỉ số.", "success")
            return redirect(url_for("items.show", item_id=item.id, _anchor="chi-so"))
    return _render_show(item, link_form=form, status=400)


@bp.post("/hang-muc/<int:item_id>/chi-so/<int:link_id>/xoa")
@coordinator_required
def remove_link(item_id: int, link_id: int):
    link = get_in_scope(ItemIndicatorLink, link_id)
    if link is None or link.item_id != item_id:
        abort(404)
    if not remove_posted_link(link):
        return _render_show(_item_or_404(item_id), status=409)
    flash("Đã bỏ liên kết chỉ số.", "success")
    return redirect(url_for("items.show", item_id=item_id, _anchor="chi-so"))


def remove_posted_link(link: ItemIndicatorLink) -> bool:
    """Remove the link as the posted button asks (here and on the framework page), committed;
    False, rolled back and said, when the link changed since the page was opened."""
    form = VersionedConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.remove_link(current_user, link, form.lock_version.version)
    except StaleEdit:
        unit_of_work.rollback_now()
        flash("Liên kết này vừa được người khác thay đổi sau khi bạn mở trang nên chưa được bỏ. "
              "Xem lại liên kết rồi bấm bỏ liên kết lần nữa nếu vẫn muốn.", "error")
        return False
    return True


# The reassignment form of items whose units ended lives in its own module, on this blueprint.
from tracker.items import reassign_routes as _reassign_routes  # noqa: E402,F401
