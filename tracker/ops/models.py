"""The scheduler's heartbeat: its last sign of life, which the health check reads."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.types import UTCDateTime
from tracker.extensions import db


class SchedulerHeartbeat(db.Model):
    """One row per scheduler, rewritten by its own job every SCHEDULER_HEARTBEAT_SECONDS."""

    __tablename__ = "scheduler_heartbeat"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Since when this process (host, pid) has been beating: a restart resets it.
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    host: Mapped[str] = mapped_column(String(255), default="")
    pid: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<SchedulerHeartbeat {self.name} {self.beat_at:%Y-%m-%d %H:%M:%S}>"
