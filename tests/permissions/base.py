"""The permission matrix: every route × every role, declared per area in matrix_<area>.py.

Each area's module defines `ROUTES`, a list of `Route`. `test_matrix.py` checks that every
endpoint of the app is declared (an undeclared route fails the test) and that each role gets
the declared status code.

Roles: anonymous, admin, coordinator, viewer, reporter_own (a reporter whose unit owns the
target), reporter_other (a reporter of another unit).
URL templates use placeholders filled from the scenario (see test_matrix.py), e.g.
"/hang-muc/{item_own}", and from the dict returned by `setup(scenario)` when given.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

ROLES = ("anonymous", "admin", "coordinator", "viewer", "reporter_own", "reporter_other")


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
