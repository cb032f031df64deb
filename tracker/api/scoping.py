"""The one place every API query is scoped to the token's area.

Every query of tracker/api goes through `tenant_filter` (or `get_scoped`), using the denormalised
`tenant_id` columns (tracker/areas/tenancy.py). When the session-level province Scope
(tracker/areas/scope.py) lands, this module is what switches to it.
"""
from __future__ import annotations

from sqlalchemy import and_

from tracker.extensions import db


def tenant_filter(token, *models):
    """The criterion "these models' rows belong to the token's area" (one equality per model)."""
    return and_(*(model.tenant_id == token.tenant_id for model in models))


def get_scoped(token, model, object_id: int):
    """The object of that id if it belongs to the token's area, else None (the caller answers 404)."""
    from sqlalchemy import select

    return db.session.scalar(select(model).where(model.id == object_id, tenant_filter(token, model)))
