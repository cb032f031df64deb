"""The workflow core: one `transition()` that changes an entity's state, records the audit entry and
publishes the domain event, so every review step of every workflow (quarterly updates today, the
DTI campaign later) is audited and announced the same way.

It knows nothing of quarterly updates: the entity only needs an `id` and a state attribute. The
caller checks permissions and preconditions first, and commits afterwards (one commit per request).
"""
from __future__ import annotations

from typing import Any

from tracker.audit.services import record
from tracker.core.events import Event, publish


def transition(
    entity: Any,
    to: str | None,
    *,
    actor,
    entity_type: str,
    action: str,
    event: str,
    summary: str = "",
    changes: dict | None = None,
    data: dict | None = None,
    state_attr: str = "state",
    flush=None,
) -> Event:
    """Move `entity` to state `to` (None: the state stays, e.g. a correction requested of an accepted
    report), audit it as `action` and publish `event`. `flush` (the caller's, e.g. one that turns a
    lost optimistic lock into its own error) runs after the change so the event carries ids.
    """
    before = getattr(entity, state_attr)
    if to is not None:
        setattr(entity, state_attr, to)
    if flush is not None:
        flush()
    all_changes = dict(changes or {})
    if to is not None and state_attr not in all_changes:
        all_changes[state_attr] = [before, to]
    record(actor=actor, action=action, entity_type=entity_type, entity_id=entity.id, summary=summary,
           changes=all_changes)
    happened = Event(name=event, entity_type=entity_type, entity_id=entity.id, actor=actor, entity=entity,
                     data={"from": before, "to": to if to is not None else before, **(data or {})})
    publish(happened)
    return happened
