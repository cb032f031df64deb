"""The coordinator's form giving an item whose units ended to a unit that exists (on the items blueprint)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.core import unit_of_work
from tracker.areas.scope import get_in_scope
from tracker.auth.permissions import coordinator_required
from tracker.core.time import today_local
from tracker.extensions import db
from tracker.items import reassignment
from tracker.items.forms import ReassignForm
from tracker.items.routes import _item_or_404, bp


@bp.route("/hang-muc/<int:item_id>/giao-lai", methods=["GET", "POST"])
@coordinator_required
def reassign(item_id: int):
    item = _item_or_404(item_id)  # another province's item is outside the scope: 404
    today = today_local()
    view = reassignment.carrier_view(item, today)
    form = ReassignForm()
    on = form.effective_on.data if request.method == "POST" and form.effective_on.data else today
    form.to_unit_id.choices = [(0, "— Chọn đơn vị —")] + [
        (u.id, f"{u.name} ({u.short_name})" if u.short_name else u.name) for u in reassignment.target_choices(item, on)]
    if request.method == "GET":
        form.effective_on.data = reassignment.default_effective_on(item, today)
    elif form.validate_on_submit():
        unit = get_in_scope(reassignment.Unit, form.to_unit_id.data) if form.to_unit_id.data else None
        try:
            reassignment.reassign(current_user, item, unit, form.effective_on.data, form.note.data)
        except reassignment.ReassignmentError as error:
            unit_of_work.rollback_now()
            form.to_unit_id.errors = list(form.to_unit_id.errors) + [str(error)]
        else:
            flash(f"Đã giao lại hạng mục cho {unit.name} từ ngày {form.effective_on.data:%d/%m/%Y}.", "success")
            return redirect(url_for("items.show", item_id=item.id))
    status = 400 if request.method == "POST" else 200
    return render_template("items/reassign.html", item=item, form=form, view=view, today=today), status
