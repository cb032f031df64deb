"""Indicator frameworks: everyone signed in reads; only coordinators link items to indicators."""
from tests.permissions.base import Route, expect

ROUTES = [
    Route("indicators.index", "GET", "/bo-chi-so", expect(200)),
    Route("indicators.show", "GET", "/bo-chi-so/{framework}", expect(200)),
    Route("indicators.add_link", "POST", "/bo-chi-so/{framework}/lien-ket", expect(403, coordinator=302),
          data=lambda s: {"indicator_id": s["indicator"], "plan_id": s["plan"], "item_ref": s["item_other_ref"]}),
    Route("indicators.search_items", "GET", "/bo-chi-so/tim-hang-muc?ke-hoach={plan}&q=du+an",
          expect(403, coordinator=200)),
    Route("indicators.remove_link", "POST", "/bo-chi-so/{framework}/lien-ket/{link}/xoa",
          expect(403, coordinator=302), data={"lock_version": "1"}),
]
