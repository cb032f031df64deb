"""The permission policy: plain functions answering "may this user…?", one place for every rule.

Routes, services and templates ask these (templates through the Jinja global `policy`, e.g.
`policy.can_review(current_user)`), never compare role strings themselves. The item-level rules are
`tracker.auth.permissions`; the rights over one update are `tracker.updates.policy`.
"""
from __future__ import annotations

from tracker.auth.models import Role
from tracker.auth.permissions import (  # noqa: F401 - the policy's names, in one namespace
    can_administer,
    can_edit_items,
    can_edit_links,
    can_manage_areas,
    can_read_every_area,
    can_review,
    is_national,
    is_read_only_reader,
    is_staff,
)


def _role(user) -> str | None:
    return user.role if getattr(user, "is_authenticated", False) else None


def can_write_reports(user) -> bool:
    """A reporter of a unit enters its unit's quarterly reports ("Việc của tôi")."""
    return _role(user) == Role.REPORTER


def reads_every_area(user) -> bool:
    """The national viewer and the superadmin: the national overview ("Toàn quốc")."""
    return _role(user) in (Role.NATIONAL_VIEWER, Role.SUPERADMIN)


def works_in_an_area(user) -> bool:
    """Everyone but the superadmin, who works above the areas (only "Địa bàn")."""
    return _role(user) is not None and _role(user) != Role.SUPERADMIN


def can_reassign_items(user) -> bool:
    """Giving an ended unit's items to another unit is the coordinators' (Sở KH&CN)."""
    return can_edit_items(user)
