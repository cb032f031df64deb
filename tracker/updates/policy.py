"""Who may write an item's reports and read or write an update: the one policy of the update
workflow (role-level rights are `tracker.auth.permissions`, gathered for templates in
`tracker.auth.policy`). Used by the workflow services, the routes and the item page."""
from __future__ import annotations

from datetime import date

from tracker.auth.models import Role
from tracker.auth.permissions import can_review, is_staff  # noqa: F401 - read through this policy too
from tracker.core.time import today_local
from tracker.extensions import db
from tracker.periods.obligations import owner_units
from tracker.plans.models import PlanItem
from tracker.units.models import Unit
from tracker.updates.errors import EDITABLE
from tracker.updates.models import Evidence, StatusUpdate


def reporting_units(item: PlanItem, on: date) -> set[int]:
    return {unit.id for unit in owner_units(item, on)}


def coordinating_units(item: PlanItem, on: date) -> set[int]:
    ids: set[int] = set()
    for assignment in item.coordinators:
        for unit in assignment.units:
            ids.add(unit.carrier_on(on).id)
    return ids


def owns_item_on(user, item: PlanItem, on: date) -> bool:
    """A reporter writes updates only on items its unit owns (after a merger, the successor does)."""
    if not user.is_authenticated or user.role != Role.REPORTER or user.unit_id is None:
        return False
    return user.unit_id in reporting_units(item, on)


def can_write_contribution(user, item: PlanItem, on: date) -> bool:
    if not user.is_authenticated or user.role != Role.REPORTER or user.unit_id is None:
        return False
    return user.unit_id in coordinating_units(item, on)


def can_write_update(user, item, period, today: date) -> bool:
    """A reporter writes the period's update of an item its unit owns today (after a merger, the
    successor does). The item page's link and the update route ask this, on the same date (today):
    asked at the period's deadline instead, a merger between today and the deadline made the page
    offer a link the route refused. `period` is part of the question for the rules to come (the
    unit then writes as the period's owner it carries: `queries.reporting_unit_for`)."""
    return owns_item_on(user, item, today)


def owns_update(user, update: StatusUpdate, today: date | None = None) -> bool:
    """The report is the user's unit's own (after a succession, the unit carrying the writer's work):
    owning the item with others (a unit group) gives no right over another member's report."""
    if not getattr(user, "is_authenticated", False) or user.role != "reporter" or user.unit_id is None:
        return False
    today = today or today_local()
    unit = update.unit if update.unit is not None else db.session.get(Unit, update.unit_id)
    return unit is not None and unit.carrier_on(today).id == user.unit_id


def can_write_existing(user, update: StatusUpdate, today: date | None = None) -> bool:
    """A reporter writes to an existing update (save, submit, correct, evidence): it owns the item and the report."""
    today = today or today_local()
    return can_write_update(user, update.item, update.period, today) and owns_update(user, update, today)


def can_edit(user, update: StatusUpdate, today: date | None = None) -> bool:
    return update.state in EDITABLE and can_write_existing(user, update, today)


def can_read_update(user, update: StatusUpdate, today: date | None = None) -> bool:
    """Staff and viewers read every sent update; a reporter those of items its unit owns or
    coordinates; an unsent one only its own unit (tracker/updates/visibility.py)."""
    from tracker.updates.visibility import can_see_contents

    if not getattr(user, "is_authenticated", False) or not can_see_contents(user, update, today):
        return False  # an unsent report (draft, returned) is its unit's alone
    if is_staff(user) or user.role in ("viewer", "national_viewer"):
        return True
    if user.role != "reporter" or user.unit_id is None:
        return False
    today = today or today_local()
    item = update.item
    if user.unit_id == update.unit_id or update.unit.carrier_on(today).id == user.unit_id:
        return True
    return user.unit_id in reporting_units(item, today) | coordinating_units(item, today)


def can_read_evidence(user, evidence: Evidence, today: date | None = None) -> bool:
    return can_read_update(user, evidence.update, today)
