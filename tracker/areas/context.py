"""Which tenant a request is about, for the pages that are not about one object (period pages).

A user of an area works in that area. A national user (national viewer, superadmin) belongs to
none and names the area with `?dia-ban=CODE`, else works in the area chosen on the national
overview (its scope then holds that area only, tracker/areas/scope.py). Pages about an object (a plan, an item, a unit)
take the object's tenant instead.
"""
from __future__ import annotations

from flask import request

from tracker.areas.scope import current_scope
from tracker.areas.services import find_area
from tracker.areas.tenancy import tenant_area
from tracker.units.models import Area

AREA_ARG = "dia-ban"


def request_tenant(user) -> Area | None:
    if getattr(user, "tenant_id", None) is not None:
        return user.tenant
    code = request.args.get(AREA_ARG) or request.form.get(AREA_ARG)
    area = find_area(code) if code else None
    if area is None:
        scope = current_scope()
        if scope.tenant_ids is not None and len(scope.tenant_ids) == 1:
            from tracker.extensions import db

            return db.session.get(Area, next(iter(scope.tenant_ids)))
    return tenant_area(area) if area is not None else None


def area_args(user, tenant: Area | None) -> dict:
    """The query arguments that keep a national user in the area a link is about."""
    if tenant is None or getattr(user, "tenant_id", None) is not None:
        return {}
    return {AREA_ARG: tenant.code}
