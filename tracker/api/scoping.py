"""The API's explicit area conditions, kept as a second lock behind the session-level Scope.

An API request runs under the token's area (`tracker/api/routes._authenticate` sets
`tenant_scope(token.tenant_id)`, tracker/areas/scope.py), so the session filter already narrows every
query; `tenant_filter` / `get_scoped` repeat the condition for the API's own lists so that a route
can never answer another area's object even if a statement escapes the filter (e.g. a textual query).
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
