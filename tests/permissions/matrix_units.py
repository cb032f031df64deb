"""Unit pages: every signed-in role reads every unit."""
from tests.permissions.base import Route, expect

ROUTES = [
    Route("units.index", "GET", "/don-vi", expect(200)),
    Route("units.show", "GET", "/don-vi/{unit_own}", expect(200)),
    Route("units.show", "GET", "/don-vi/{unit_other}", expect(200), note="another unit"),
]
