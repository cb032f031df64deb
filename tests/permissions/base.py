"""The permission matrix: every route × every role, declared per area in matrix_<area>.py.

Each area's module defines `ROUTES`, a list of `Route`. `test_matrix.py` imports every
`tests/permissions/matrix_*.py`, fails if an endpoint of `app.url_map` (except `static`) or one
of its methods (GET, POST...) is declared nowhere, or if a declared endpoint does not exist, and
then, for each route, signs in as each role in turn (fixture `login`) and asserts the status code.

Roles: anonymous, admin, coordinator, viewer, reporter_own (a reporter whose unit owns the
target), reporter_other (a reporter of another unit), national_viewer (reads every area, writes
nothing: by default it gets what the viewer gets) and superadmin (manages areas and their
administrators, nothing inside an area: by default 403 wherever the signed-in default is a read or
a write inside the area; routes open to every signed-in user say so with superadmin=...).

The scenario, built afresh for each route (see `build_scenario` in test_matrix.py): two units A
(`unit_own`) and B (`unit_other`) in one area, a plan with a project owned by A (`item_own`) and
one owned by B (`item_other`), a framework with a pillar and an indicator linked to `item_own`,
the current reporting period, and for each item a submitted update with one evidence file.
reporter_own belongs to A, reporter_other to B; the coordinator to Sở KH&CN, the viewer to the
UBND office, the admin to no unit.

URL templates are `str.format` templates over these placeholders:

    plan, item_own, item_other, unit_own, unit_other, group (a unit group of A and B),
    framework, indicator, pillar (the indicator's parent), link (an ItemIndicatorLink id,
    item_own → indicator), period (the code, e.g. "2025-Q3"), period_id, update_own,
    update_other, evidence_own, evidence_other, user_other (the id of a user who is none of the
    signed-in roles), item_own_ref, item_other_ref (item references such as "3/7")

e.g. "/hang-muc/{item_own}". `scenario["objects"]` holds the ORM objects by the same names
(and `users` by role) for `setup` functions. `setup(scenario)` may create more rows and return
extra placeholders (a dict merged into the scenario before the URL is formatted). `data`, the
form sent with a POST, is a dict or a callable(scenario) -> dict. Each role's request runs in its
own savepoint, rolled back afterwards: a successful POST by one role does not change what the
next role sees. Anonymous requests expecting 302 must redirect to the sign-in page.

Content, not only status codes: the scenario also holds reports no other unit may read, with
marker texts (`MARKERS`): A's unsent draft of `item_draft` (its text and evidence file name) and
B's report of `item_returned`, returned by the coordinator with a reason and edited again by B.
Every response a role gets (pages, error pages, feeds, JSON) is searched for the markers that
role must not see (`MARKER_READERS`). Placeholders: item_draft, item_returned, evidence_draft,
evidence_returned. CSRF protection is on: POSTs carry the session's token.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

ROLES = ("anonymous", "admin", "coordinator", "viewer", "reporter_own", "reporter_other", "national_viewer",
         "superadmin")

MARKERS = {
    "draft": "MK-NHAP-A",  # A's draft: its texts
    "draft_file": "mk-nhap-a",  # ...and its evidence file name
    "returned": "MK-TRALAI-B",  # B's report, edited after it was returned
    "returned_file": "mk-tralai-b",
    "return_reason": "MK-LYDO-TRALAI",  # the coordinator's reason for returning B's report
}
# Who may read each marker: an unsent report only its own unit; a return reason, that unit and staff.
MARKER_READERS = {
    "draft": {"reporter_own"},
    "draft_file": {"reporter_own"},
    "returned": {"reporter_other"},
    "returned_file": {"reporter_other"},
    "return_reason": {"reporter_other", "coordinator", "admin"},
}
TEXT_TYPES = ("text/", "application/json", "application/javascript")


def leaked_markers(role: str, response) -> list[str]:
    """The markers in `response` that `role` must not see (binary files are not searched)."""
    if not response.mimetype.startswith(TEXT_TYPES):
        return []
    body = response.get_data(as_text=True).lower()
    return [name for name, marker in MARKERS.items()
            if role not in MARKER_READERS[name] and marker.lower() in body]


@dataclass
class Route:
    endpoint: str
    method: str
    url: str
    expect: dict[str, int]
    data: dict | Callable[[dict], dict] | None = None
    setup: Callable[[dict], dict] | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        missing = set(ROLES) - set(self.expect)
        if missing:
            raise ValueError(f"{self.endpoint}: no expectation for {sorted(missing)}")


def expect(default: int, *, anonymous: int = 302, **by_role: int) -> dict[str, int]:
    """Expectations: `default` for every signed-in role, `anonymous` (sign-in redirect), overrides by role.

    expect(200) — everyone signed in reads; expect(403, coordinator=302) — only coordinators write.
    """
    unknown = set(by_role) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    result = {role: default for role in ROLES}
    result["anonymous"] = anonymous
    result["national_viewer"] = by_role.get("viewer", default)
    result["superadmin"] = 403
    result.update(by_role)
    return result
