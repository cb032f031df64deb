"""Plan pages: every signed-in role reads every plan."""
from tests.permissions.base import Route, expect

ROUTES = [
    Route("plans.index", "GET", "/ke-hoach", expect(200)),
    Route("plans.show", "GET", "/ke-hoach/{plan}?q=chu+ky+so&don-vi={unit_other}", expect(200)),
]
