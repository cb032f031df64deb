"""Recording audit entries. The caller commits."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tracker.audit.models import AuditEntry
from tracker.extensions import db


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value differs, as {field: [old, new]} in JSON-friendly form."""
    return {
        key: [_plain(old.get(key)), _plain(new.get(key))]
        for key in new
        if _plain(old.get(key)) != _plain(new.get(key))
    }


def record(
    *,
    actor,
    action: str,
    entity_type: str,
    entity_id: int | None,
    summary: str = "",
    changes: dict | None = None,
    actor_label: str = "",
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        actor_label=actor_label or (getattr(actor, "email", "") if actor is not None else ""),
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        summary=summary,
        changes=changes or {},
    )
    db.session.add(entry)
    return entry
