"""Quarterly reporting periods and late-submission exceptions."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.time import utcnow
from tracker.core.types import UTCDateTime
from tracker.core.locking import Versioned
from tracker.extensions import db
from tracker.units.models import Area, Unit


class ReportingPeriod(Versioned, db.Model):
    """A quarter ("2025-Q3") of one province's reporting calendar: data cut-off per Decree
    09/2019/NĐ-CP, deadlines set by the province (each tenant has its own periods)."""

    __tablename__ = "reporting_period"
    __table_args__ = (UniqueConstraint("tenant_id", "year", "quarter"), UniqueConstraint("tenant_id", "code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    year: Mapped[int]
    quarter: Mapped[int]
    data_start: Mapped[date]
    data_end: Mapped[date]
    submission_deadline: Mapped[date]
    consolidated_deadline: Mapped[date]
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tenant: Mapped[Area] = relationship()
    exceptions: Mapped[list[LateException]] = relationship(
        back_populates="period", cascade="all, delete-orphan"
    )

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def label(self) -> str:
        return f"Quý {self.quarter}/{self.year}"

    def __repr__(self) -> str:
        return f"<ReportingPeriod {self.code}>"


class LateException(db.Model):
    """A coordinator lets one unit submit in a closed period, until a date."""

    __tablename__ = "late_exception"
    __table_args__ = (UniqueConstraint("period_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    until: Mapped[date]
    reason: Mapped[str] = mapped_column(Text, default="")
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    period: Mapped[ReportingPeriod] = relationship(back_populates="exceptions")
    unit: Mapped[Unit] = relationship()

    def covers(self, day: date) -> bool:
        """The unit may still submit on `day`: the exception's last day included."""
        return day <= self.until
