"""The dashboard: every signed-in role reads it."""
from tests.permissions.base import Route, expect

ROUTES = [
    Route("dashboard.index", "GET", "/tong-quan?ke-hoach={plan}", expect(200)),
]
