"""Quarterly status updates of items, their evidence files and contribution notes.

An update is a chain of versions for one (item, period, unit). A version is edited only while it
is a draft or returned; once accepted it is frozen, and a correction is a new version.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.core.files import StoredFileColumns
from tracker.core.time import utcnow
from tracker.core.types import UTCDateTime
from tracker.extensions import db
from tracker.periods.models import ReportingPeriod
from tracker.plans.models import PlanItem
from tracker.units.models import Unit


class UpdateState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    SUPERSEDED = "superseded"


# The one set of labels of a unit's report state (a version's, or an obligation's: "not_started").
STATE_LABELS = {
    "not_started": "Chưa báo cáo",
    "draft": "Bản nháp",
    "submitted": "Đã gửi, chờ duyệt",
    "returned": "Bị trả lại",
    "accepted": "Đã chấp nhận",
    "superseded": "Đã được thay thế",
}
UPDATE_STATE_LABELS = STATE_LABELS  # the name older imports use


class StatusUpdate(db.Model):
    __tablename__ = "status_update"
    __table_args__ = (
        UniqueConstraint("item_id", "period_id", "unit_id", "version"),
        Index("ix_status_update_period_unit", "period_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("plan_item.id", ondelete="CASCADE"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    # The unit reporting, as it was when the update was written (kept after a merger).
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(String(16), default=UpdateState.DRAFT.value)

    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[int] = mapped_column(default=0)
    achieved_value: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    amount_committed: Mapped[int | None] = mapped_column(BigInteger)
    amount_disbursed: Mapped[int | None] = mapped_column(BigInteger)
    done_text: Mapped[str] = mapped_column(Text, default="")
    difficulties: Mapped[str] = mapped_column(Text, default="")
    proposals: Mapped[str] = mapped_column(Text, default="")
    is_sample: Mapped[bool] = mapped_column(default=False)  # demo data, labelled as such

    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("status_update.id"))

    # Optimistic locking: a save based on a stale version is refused, never silently applied.
    lock_version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": lock_version}

    item: Mapped[PlanItem] = relationship()
    period: Mapped[ReportingPeriod] = relationship()
    unit: Mapped[Unit] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="update", cascade="all, delete-orphan", order_by="Evidence.id"
    )

    @property
    def state_label(self) -> str:
        return UPDATE_STATE_LABELS.get(self.state, self.state)



class Evidence(StoredFileColumns, db.Model):
    """An evidence file, stored outside the static folder under a generated name."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("status_update.id", ondelete="CASCADE"), index=True)

    update: Mapped[StatusUpdate] = relationship(back_populates="evidence")
    uploaded_by: Mapped[User | None] = relationship()


class ContributionNote(db.Model):
    """A coordinating (phối hợp) unit's note on an item for a period."""

    __tablename__ = "contribution_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("plan_item.id", ondelete="CASCADE"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[PlanItem] = relationship()
    period: Mapped[ReportingPeriod] = relationship()
    unit: Mapped[Unit] = relationship()
    author: Mapped[User | None] = relationship()
