"""The list of blueprints, one per area, registered by `create_app`."""
from tracker.auth.routes import bp as auth_bp
from tracker.main.routes import bp as main_bp

BLUEPRINTS = [
    main_bp,
    auth_bp,
]
