"""Who may do what. Every route checks on the server with these; templates only mirror them."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from tracker.auth.models import Role, User


def roles_required(*roles: str):
    """Signed in and holding one of the roles, else 403 (anonymous users go to sign-in)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_staff(user: User) -> bool:
    """Coordinators and admins see and manage everything."""
    return user.is_authenticated and user.role in (Role.ADMIN, Role.COORDINATOR)


# Readers who write nothing: an area's viewer (VP UBND), and the national viewer, who reads every area.
READ_ONLY_ROLES = (Role.VIEWER, Role.NATIONAL_VIEWER)


def is_read_only_reader(user: User) -> bool:
    return user.is_authenticated and user.role in READ_ONLY_ROLES


def is_national(user: User) -> bool:
    """Above the areas: belongs to no province (national viewer, superadmin)."""
    return user.is_authenticated and user.role in (Role.NATIONAL_VIEWER, Role.SUPERADMIN)


def can_read_every_area(user: User) -> bool:
    return user.is_authenticated and user.role == Role.NATIONAL_VIEWER


def can_manage_areas(user: User) -> bool:
    """The superadmin creates areas and their administrators; nothing inside an area."""
    return user.is_authenticated and user.role == Role.SUPERADMIN


# The rights over an item's reports (reporting_units, can_write_update, can_write_contribution) are
# `tracker.updates.policy`: they follow who owes what (tracker.periods.obligations), a layer above.


def can_review(user: User) -> bool:
    return user.is_authenticated and user.role == Role.COORDINATOR


def can_edit_items(user: User) -> bool:
    return user.is_authenticated and user.role == Role.COORDINATOR


def can_administer(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN


# --- Route guards for the browsing and administration pages -------------------------------------
READ_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.REPORTER, Role.VIEWER, Role.NATIONAL_VIEWER)

# Every signed-in role reads plans, items, units, indicators and the dashboard.
read_required = roles_required(*READ_ROLES)
# Items, their owners, deadlines and indicator links are the coordinators' (Sở KH&CN) to change.
coordinator_required = roles_required(Role.COORDINATOR)
# Users, units, unit groups and successions are the administrator's.
admin_required = roles_required(Role.ADMIN)
# Areas and their administrators are the superadmin's.
superadmin_required = roles_required(Role.SUPERADMIN)


def can_edit_links(user: User) -> bool:
    return can_edit_items(user)
