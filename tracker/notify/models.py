"""A person's e-mail preference for workflow notices, and each notice owed to a person.

`EventNotice` is the exactly-once key of a workflow notice: one row per (person, event), written in
the transaction of the step itself, with its in-app `Notification`. Its e-mail goes out through the
reminders' outbox: at once (an `OutboxMessage` written in that same transaction) or in the person's
daily digest, which claims the notices still without a message (`outbox_id` null) in the commit
that stores the digest's message.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.core.time import utcnow
from tracker.core.types import UTCDateTime
from tracker.extensions import db


class MailChoice(StrEnum):
    DIGEST = "digest"  # the default: one e-mail a day with everything that happened
    IMMEDIATE = "immediate"
    NONE = "none"  # in-app only


MAIL_CHOICE_LABELS = {
    "digest": "Gộp vào thư tổng hợp hằng ngày",
    "immediate": "Gửi thư ngay khi có",
    "none": "Không gửi thư (chỉ xem trong mục Thông báo)",
}


class NotificationPreference(db.Model):
    """Absent row: the default (digest)."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    workflow_mail: Mapped[str] = mapped_column(String(16), default=MailChoice.DIGEST.value)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class EventNotice(db.Model):
    __tablename__ = "event_notice"
    __table_args__ = (
        UniqueConstraint("user_id", "event_key"),
        Index("ix_event_notice_pending", "mail", "outbox_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # "update.returned:status_update:42:audit-917": the step, its entity and its audit entry.
    event_key: Mapped[str] = mapped_column(String(200))
    event: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None]
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500))
    mail: Mapped[str] = mapped_column(String(16))  # the person's MailChoice when it happened
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id", ondelete="SET NULL"))
    # No ON DELETE SET NULL: a notice whose message vanished would look unsent and go out again.
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
