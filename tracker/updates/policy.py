"""Who may read and write an update: the one policy of the update workflow (item-level rights are
`tracker.auth.permissions`). Used by the workflow, the routes and, through the Jinja global
`policy`, the templates."""
from __future__ import annotations

from datetime import date

from tracker.auth.permissions import (  # noqa: F401 - the item-level rights, read through this policy too
    can_review,
    can_write_contribution,
    can_write_update,
    coordinating_units,
    is_staff,
    reporting_units,
)
from tracker.core.time import today_local
from tracker.extensions import db
from tracker.units.models import Unit
from tracker.updates.errors import EDITABLE
from tracker.updates.models import Evidence, StatusUpdate


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
    return can_write_update(user, update.item, today) and owns_update(user, update, today)


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
