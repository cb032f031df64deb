"""The site root: signed-in users land on the dashboard, anonymous users on the sign-in page."""
from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user, login_required

from tracker.areas.scope import current_scope
from tracker.auth.permissions import READ_ROLES, can_manage_areas
from tracker.main.navigation import audit_field, audit_value, navigation_globals

bp = Blueprint("main", __name__)
bp.app_context_processor(navigation_globals)
bp.add_app_template_filter(audit_value, "audit_value")
bp.add_app_template_filter(audit_field, "audit_field")


@bp.get("/")
@login_required
def index():
    if can_manage_areas(current_user):
        return redirect(url_for("areas.index"))  # the superadmin works above the areas
    if current_user.role not in READ_ROLES:
        abort(403)
    if current_user.role == "national_viewer" and current_scope().every_area:
        return redirect(url_for("areas.overview"))  # no area chosen yet: one row per area
    return redirect(url_for("dashboard.index"))
