"""The national overview (national viewer, superadmin) and the national viewer's area chooser."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from tracker.areas.overview import national_overview
from tracker.areas.routes import bp
from tracker.areas.scope import SESSION_AREA_KEY, scope_for_user, using
from tracker.auth.models import Role
from tracker.auth.permissions import roles_required
from tracker.core.security import optional_id
from tracker.core.time import today_local
from tracker.extensions import db
from tracker.units.models import Area

national_required = roles_required(Role.NATIONAL_VIEWER, Role.SUPERADMIN)


@bp.get("/toan-quoc")
@national_required
def overview():
    today = today_local()
    # The overview spans every area the user may read, whichever area it is drilling into.
    with using(scope_for_user(current_user)):
        rows = national_overview(today)
    chosen = session.get(SESSION_AREA_KEY)
    return render_template("areas/overview.html", rows=rows, today=today, chosen=chosen,
                           can_drill=current_user.role == Role.NATIONAL_VIEWER)


@bp.post("/toan-quoc/dia-ban")
@roles_required(Role.NATIONAL_VIEWER)
def choose_area():
    """The area the national viewer reads (its pages then show that area only, still read-only);
    empty: every area again."""
    area_id = optional_id(request.form.get("area_id") or "")
    if area_id is None:
        session.pop(SESSION_AREA_KEY, None)
        flash("Đang xem tất cả các địa bàn.", "success")
        return redirect(url_for("areas.overview"))
    from tracker.areas.services import tenants

    with using(scope_for_user(current_user)):  # every area, not only the one chosen before
        area = db.session.get(Area, area_id)
        if area is None or area not in tenants():
            abort(404)
    session[SESSION_AREA_KEY] = area.id
    flash(f"Đang xem {area.current_name} (chỉ đọc).", "success")
    return redirect(url_for("main.index"))


@bp.app_context_processor
def chosen_area_global() -> dict:
    """The area a national viewer is reading (shown in the navigation), else None."""
    if not getattr(current_user, "is_authenticated", False) or current_user.role != Role.NATIONAL_VIEWER:
        return {"chosen_area": None}
    area_id = session.get(SESSION_AREA_KEY)
    return {"chosen_area": db.session.get(Area, area_id) if area_id else None}
