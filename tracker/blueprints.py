"""The list of blueprints, one per area, registered by `create_app`."""
from tracker.admin.routes import bp as admin_bp
from tracker.api import admin_routes as _api_admin_routes  # noqa: F401 (pages on the admin blueprint)
from tracker.api.routes import bp as api_bp
from tracker.areas.routes import bp as areas_bp
from tracker.auth.routes import bp as auth_bp
from tracker.dashboard.routes import bp as dashboard_bp
from tracker.indicators.routes import bp as indicators_bp
from tracker.items.routes import bp as items_bp
from tracker.plans.routes import bp as plans_bp
from tracker.units.routes import bp as units_bp
from tracker.calendar.routes import bp as calendar_bp
from tracker.campaigns.routes import bp as campaigns_bp
from tracker.main.routes import bp as main_bp
from tracker.ops.routes import bp as ops_bp
from tracker.reminders.routes import bp as notifications_bp
from tracker.reports.routes import bp as reports_bp
from tracker.periods.routes import bp as periods_bp
from tracker.updates.routes import bp as updates_bp

BLUEPRINTS = [
    main_bp,
    auth_bp,
    dashboard_bp,
    plans_bp,
    items_bp,
    units_bp,
    indicators_bp,
    admin_bp,
    areas_bp,
    reports_bp,
    notifications_bp,
    calendar_bp,
    updates_bp,
    periods_bp,
    ops_bp,
    api_bp,
    campaigns_bp,
]
