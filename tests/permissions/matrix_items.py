"""Item pages: everyone signed in reads; only coordinators edit items and their indicator links.

A reporter, even of the owning unit, gets 403 on every write: status comes from updates.
"""
from datetime import date

from tests.permissions.base import Route, expect
from tracker.extensions import db


def edit_data(s):
    return {"text": "Triển khai chữ ký số (sửa)", "owners": [f"u:{s['unit_own']}"],
            "coordinators": [f"u:{s['unit_other']}"], "deadline": "31/12/2026", "note": "",
            "lock_version": "1"}  # every record of the scenario is at its first version


def own_unit_ended(scenario):
    """Unit A ended (as the district offices did on 30/06/2025): its item waits to be reassigned."""
    scenario["objects"]["unit_own"].ended_on = date(2025, 6, 30)
    db.session.flush()
    return {}


def reassign_data(s):
    return {"to_unit_id": str(s["unit_other"]), "effective_on": "01/07/2025",
            "note": "Cấp huyện kết thúc hoạt động; UBND tỉnh giao Sở Tài chính."}


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
    Route("items.reassign", "GET", "/hang-muc/{item_own}/giao-lai", expect(403, coordinator=200),
          setup=own_unit_ended),
    Route("items.reassign", "POST", "/hang-muc/{item_own}/giao-lai", expect(403, coordinator=302),
          setup=own_unit_ended, data=reassign_data),
]
