"""The tenant of every owned row, set in one place.

The tenant is a province-level area (a province or a centrally-run city). Units, unit groups,
plans, plan items, report profiles, users and audit entries carry a denormalised, indexed
`tenant_id`, so that scoping a query to one province is one equality. It is filled here, before
every flush, from what the row already says (its area, its plan, its unit, its entity): no code
that creates a unit or an item has to remember it, and none can put a unit in another province
than its area's. Reporting periods and frameworks get theirs explicitly (a framework may be
national, a period has no area of its own). A merger of areas moves tenants in bulk
(`tracker.areas.services.merge_area`).
"""
from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from tracker.units.models import Area


def tenant_area(area: Area | None) -> Area | None:
    """The province-level area an area belongs to: itself, its province, or, after a merger, the
    area that took it over."""
    seen: set[int] = set()
    current = area
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if current.tenant_id is not None or current.tenant is not None:
            return current.tenant
        if current.is_tenant_level or current.parent is None:
            return current  # a district recorded without its province stands for itself
        current = current.parent
    return None


def _changed(obj, *names: str) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _area_of(session, obj) -> Area | None:
    return obj.area if obj.area is not None else (session.get(Area, obj.area_id) if obj.area_id else None)


def _stamp_from_area(session, obj, created: bool) -> None:
    if created and (obj.tenant_id is not None or obj.tenant is not None):
        return
    if created or _changed(obj, "area", "area_id"):
        tenant = tenant_area(_area_of(session, obj))
        if tenant is not None:
            obj.tenant = tenant


def _stamp_item(session, item, created: bool) -> None:
    from tracker.plans.models import Plan

    if not created and not _changed(item, "plan", "plan_id"):
        return
    if created and (item.tenant_id is not None or item.tenant is not None):
        return
    plan = item.plan if item.plan is not None else (session.get(Plan, item.plan_id) if item.plan_id else None)
    if plan is None:
        return
    if plan.tenant_id is not None:
        item.tenant_id = plan.tenant_id
    elif plan.tenant is not None:
        item.tenant = plan.tenant


def _stamp_user(session, user, created: bool) -> None:
    from tracker.units.models import Unit

    if user.is_national:
        user.tenant = None
        return
    if not created and not _changed(user, "unit", "unit_id"):
        return
    unit = user.unit if user.unit is not None else (session.get(Unit, user.unit_id) if user.unit_id else None)
    if unit is None:
        return
    tenant = unit.tenant if unit.tenant is not None else tenant_area(unit.area)
    if tenant is not None:
        user.tenant = tenant


def _audit_tenant(session, entry) -> int | None:
    """The tenant an audit entry is about: its entity's, else its actor's."""
    from tracker.audit.tenants import entity_tenant_id
    from tracker.auth.models import User

    tenant_id = entity_tenant_id(session, entry.entity_type, entry.entity_id)
    if tenant_id is None and entry.actor_id is not None:
        actor = session.get(User, entry.actor_id)
        tenant_id = actor.tenant_id if actor is not None else None
    return tenant_id


def stamp_tenants(session: Session, flush_context, instances) -> None:
    from tracker.audit.models import AuditEntry
    from tracker.auth.models import User
    from tracker.plans.models import Plan, PlanItem
    from tracker.reports.models import ReportProfile
    from tracker.units.models import Unit, UnitGroup

    new = set(session.new)
    with session.no_autoflush:
        # Areas first: a unit created with its province in the same flush takes the new province.
        for obj in list(new):
            if isinstance(obj, Area) and obj.tenant_id is None and obj.tenant is None:
                obj.tenant = tenant_area(obj.parent) if obj.parent is not None and not obj.is_tenant_level else obj
        touched = list(new) + [obj for obj in session.dirty if obj not in new]
        for obj in touched:
            if isinstance(obj, (Unit, UnitGroup, Plan, ReportProfile)):
                _stamp_from_area(session, obj, obj in new)
        for obj in touched:
            if isinstance(obj, PlanItem):
                _stamp_item(session, obj, obj in new)
            elif isinstance(obj, User):
                _stamp_user(session, obj, obj in new)
        for obj in new:
            if isinstance(obj, AuditEntry) and obj.tenant_id is None:
                obj.tenant_id = _audit_tenant(session, obj)


def register_tenancy() -> None:
    """Listen on every session (the tests' sessions included); idempotent."""
    if not event.contains(Session, "before_flush", stamp_tenants):
        event.listen(Session, "before_flush", stamp_tenants)
