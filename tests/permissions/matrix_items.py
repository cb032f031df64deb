"""Item pages: everyone signed in reads; only coordinators edit items and their indicator links.

A reporter, even of the owning unit, gets 403 on every write: status comes from updates.
"""
from tests.permissions.base import Route, expect


def edit_data(s):
    return {"text": "Triển khai chữ ký số (sửa)", "owners": [f"u:{s['unit_own']}"],
            "coordinators": [f"u:{s['unit_other']}"], "deadline": "31/12/2026", "note": "",
            "lock_version": "1"}  # every record of the scenario is at its first version


ROUTES = [
    Route("items.show", "GET", "/hang-muc/{item_own}", expect(200)),
    Route("items.show", "GET", "/hang-muc/{item_other}", expect(200), note="another unit's item"),
    Route("items.show", "GET", "/hang-muc/{item_draft}", expect(200), note="A's unsent draft: only A reads it"),
    Route("items.show", "GET", "/hang-muc/{item_returned}", expect(200),
          note="B's returned report, edited again: only B reads it"),
    Route("items.edit", "GET", "/hang-muc/{item_own}/sua", expect(403, coordinator=200)),
    Route("items.edit", "POST", "/hang-muc/{item_own}/sua", expect(403, coordinator=302), data=edit_data),
    Route("items.edit", "POST", "/hang-muc/{item_other}/sua", expect(403, coordinator=302), data=edit_data,
          note="another unit's item"),
    Route("items.add_link", "POST", "/hang-muc/{item_other}/chi-so", expect(403, coordinator=302),
          data=lambda s: {"link-indicator_id": s["indicator"], "link-note": "Liên quan"}),
    Route("items.remove_link", "POST", "/hang-muc/{item_own}/chi-so/{link}/xoa", expect(403, coordinator=302),
          data={"lock_version": "1"}),
]
