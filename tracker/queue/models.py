"""The job table: one row per piece of background work (a report to render, …)."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.time import utcnow
from tracker.core.types import UTCDateTime
from tracker.extensions import db


class JobState(StrEnum):
    QUEUED = "queued"  # waiting (for its run_after, or for a worker)
    RUNNING = "running"  # claimed by a worker until lease_until; taken again after it
    DONE = "done"
    FAILED = "failed"  # failed for good (permanent error or too many attempts)


JOB_STATE_LABELS = {"queued": "Đang chờ", "running": "Đang xử lý", "done": "Đã xong", "failed": "Không thành công"}


class Job(db.Model):
    __tablename__ = "job"
    __table_args__ = (
        Index("ix_job_state_run_after", "state", "run_after"),
        Index("ix_job_kind_key", "kind", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    # Identifies the work (e.g. a report's fingerprint and format): an equal job still waiting or
    # running is reused instead of enqueuing a second one.
    key: Mapped[str | None] = mapped_column(String(128))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED.value)
    # The province whose data the job reads: the worker must run it under that scope.
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE.value, JobState.FAILED.value)

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.state}>"
