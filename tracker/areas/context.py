"""Which tenant a request is about, for the pages that are not about one object (period pages).

A user of an area works in that area. A national user (national viewer, superadmin) belongs to
none and names the area with `?dia-ban=CODE`. Pages about an object (a plan, an item, a unit)
take the object's tenant instead.
"""
from __future__ import annotations

from flask import request

from tracker.areas.services import find_area
from tracker.areas.tenancy import tenant_area
from tracker.units.models import Area

AREA_ARG = "dia-ban"


def request_tenant(user) -> Area | None:
    if getattr(user, "tenant_id", None) is not None:
        return user.tenant
    code = request.args.get(AREA_ARG) or request.form.get(AREA_ARG)
    area = find_area(code) if code else None
    return tenant_area(area) if area is not None else None


def area_args(user, tenant: Area | None) -> dict:
    """The query arguments that keep a national user in the area a link is about."""
    if tenant is None or getattr(user, "tenant_id", None) is not None:
        return {}
    return {AREA_ARG: tenant.code}
