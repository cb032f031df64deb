"""The site root."""
from tests.permissions.base import Route, expect

ROUTES = [
    Route("main.index", "GET", "/", expect(302, superadmin=302), note="to the dashboard (the superadmin: to the areas), or to sign-in"),
]
