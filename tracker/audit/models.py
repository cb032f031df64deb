"""The audit trail: who changed what, and when."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.core.time import utcnow
from tracker.core.types import UTCDateTime
from tracker.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The area the entry is about (from its entity, else its actor); None for national actions.
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    actor_label: Mapped[str] = mapped_column(String(255), default="")  # "load-plans", a CLI, the scheduler
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[dict] = mapped_column(JSON, default=dict)  # field -> [old, new]

    actor: Mapped[User | None] = relationship()
