"""The reminder outbox, the notice keys that make each notice go out exactly once, and in-app notices.

A run *claims* a notice by inserting its key (person, rule, period, day) under a unique constraint,
together with the full message (an `OutboxMessage`) and the in-app `Notification`, in one commit.
Delivery then sends pending messages one by one. See `tracker/reminders/outbox.py`.
"""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.core.time import utcnow
from tracker.core.types import UTCDateTime
from tracker.extensions import db
from tracker.periods.models import ReportingPeriod
from tracker.units.models import Unit


class Rule(StrEnum):
    BEFORE_DEADLINE = "before_deadline"  # 7, 3 and 1 days before the submission deadline
    DUE_TODAY = "due_today"  # on the deadline
    OVERDUE = "overdue"  # every few days after it
    ESCALATION = "escalation"  # to the coordinators, from the 7th day late
    ITEM_WARNING = "item_warning"  # projects in their final year, documents past their deadline


RULE_LABELS = {
    "before_deadline": "Nhắc trước hạn nộp báo cáo",
    "due_today": "Đến hạn nộp báo cáo",
    "overdue": "Quá hạn nộp báo cáo",
    "escalation": "Báo cáo điều phối viên về đơn vị chậm nộp",
    "item_warning": "Cảnh báo hạn hoàn thành hạng mục",
}

# A person may turn these off (User.notify_optional); overdue notices and escalations always go.
OPTIONAL_RULES = frozenset({Rule.BEFORE_DEADLINE, Rule.ITEM_WARNING})

# The most severe notice of a digest gives its subject.
RULE_SEVERITY = {
    Rule.ESCALATION: 5,
    Rule.OVERDUE: 4,
    Rule.DUE_TODAY: 3,
    Rule.BEFORE_DEADLINE: 2,
    Rule.ITEM_WARNING: 1,
}


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a deliverer (SQLite path); reclaimable after a lease
    SENT = "sent"
    FAILED = "failed"  # refused for good, or too many attempts


OUTBOX_STATUS_LABELS = {
    "pending": "Chờ gửi",
    "sending": "Đang gửi",
    "sent": "Đã gửi",
    "failed": "Gửi không thành công",
}


class OutboxMessage(db.Model):
    """One email (a daily digest for one person), stored whole before any attempt to send it."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    to_email: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # Derived from the notice keys: the same message always carries the same Message-ID,
    # so a receiver can drop the copy of a rare re-delivery.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    run_day: Mapped[date]  # the day the run composed it for (Asia/Ho_Chi_Minh)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    notices: Mapped[list[Notice]] = relationship(back_populates="message", order_by="Notice.id")

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.to_email} {self.status}>"


class Notice(db.Model):
    """A notice claimed for one person, rule, period and day: the unique key of exactly-once."""

    __tablename__ = "reminder_notice"
    __table_args__ = (UniqueConstraint("user_id", "rule", "period_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    rule: Mapped[str] = mapped_column(String(32))
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    # The day the rule fell due (for a catch-up after downtime: the latest missed one).
    day: Mapped[date]
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    period: Mapped[ReportingPeriod] = relationship()
    unit: Mapped[Unit | None] = relationship()
    message: Mapped[OutboxMessage] = relationship(back_populates="notices")

    @property
    def key(self) -> tuple[int, str, int, date]:
        return (self.user_id, self.rule, self.period_id, self.day)


class Notification(db.Model):
    """What a person sees under "Thông báo" in the app; written in the same commit as the claim."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
