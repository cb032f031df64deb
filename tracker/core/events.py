"""A tiny in-process publish/subscribe for domain events.

Handlers run synchronously, in the publisher's transaction: what they write (a notification, an
outbox message) is committed, or rolled back, together with the change that raised the event. So a
notice can never announce a change that did not happen, nor a change go unannounced. Handlers must
therefore be quick and write to the session only; anything slow goes through the outbox.

Subscriptions are made in one place per consumer (e.g. `tracker/notify/subscriptions.py`), at app
creation; subscribing the same handler twice has no effect.
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass(frozen=True)
class Event:
    """Something that happened to one entity: `name` such as "update.returned"."""

    name: str
    entity_type: str
    entity_id: int | None
    actor: Any = None  # the acting user (or None for the system)
    entity: Any = None  # the changed object itself, for handlers in the same session
    data: dict = field(default_factory=dict)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)  # this occurrence, for exactly-once keys

    @property
    def key(self) -> str:
        return f"{self.name}:{self.entity_type}:{self.entity_id}:{self.id}"


Handler = Callable[[Event], None]

_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(name: str, handler: Handler) -> None:
    if handler not in _handlers[name]:
        _handlers[name].append(handler)


def unsubscribe(name: str, handler: Handler) -> None:
    if handler in _handlers.get(name, []):
        _handlers[name].remove(handler)


def handlers_for(name: str) -> list[Handler]:
    return list(_handlers.get(name, ())) + list(_handlers.get("*", ()))


def publish(event: Event) -> None:
    """Run every handler of the event now; an exception propagates to the publisher, whose
    transaction is then rolled back with everything the handlers wrote."""
    for handler in handlers_for(event.name):
        handler(event)
