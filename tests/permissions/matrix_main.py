"""The site root."""
from tests.permissions.base import Route, expect

ROUTES = [
    Route("main.index", "GET", "/", expect(302), note="to the dashboard, or to sign-in"),
]
