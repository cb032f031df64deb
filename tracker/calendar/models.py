"""A unit's calendar feed token (a user's lives on `User.calendar_token`)."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.time import utcnow
from tracker.core.types import UTCDateTime
from tracker.extensions import db
from tracker.units.models import Unit


def new_token() -> str:
    return secrets.token_urlsafe(32)


class UnitCalendarToken(db.Model):
    """The secret in a unit's feed URL (`/lich/don-vi/<token>.ics`); replaced when revoked."""

    __tablename__ = "unit_calendar_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    unit: Mapped[Unit] = relationship()
