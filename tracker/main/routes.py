"""The site root: signed-in users land on the dashboard, anonymous users on the sign-in page."""
from flask import Blueprint, redirect, url_for

from tracker.auth.permissions import read_required
from tracker.main.navigation import audit_field, audit_value, navigation_globals

bp = Blueprint("main", __name__)
bp.app_context_processor(navigation_globals)
bp.add_app_template_filter(audit_value, "audit_value")
bp.add_app_template_filter(audit_field, "audit_field")


@bp.get("/")
@read_required
def index():
    return redirect(url_for("dashboard.index"))
