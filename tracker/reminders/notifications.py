"""In-app notifications: listing, unread count, marking read, and the opt-out of optional notices.

Services take the acting user explicitly; the caller commits.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from tracker.audit.services import record
from tracker.auth.models import User
from tracker.extensions import db
from tracker.reminders.models import Notification

PAGE_SIZE = 50


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Notification).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    ) or 0


def unread_count_of_user():
    """`unread_count` as a column of a query of users (correlated): the user loader's."""
    return (select(func.count()).select_from(Notification)
            .where(Notification.user_id == User.id, Notification.read_at.is_(None))
            .correlate(User).scalar_subquery())


def notifications_page(user: User, page: int = 1) -> tuple[list[Notification], int]:
    """A page of the user's notifications, newest first, and the total count."""
    page = max(1, page)
    total = db.session.scalar(select(func.count()).select_from(Notification).where(Notification.user_id == user.id))
    rows = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return list(rows), total or 0


def mark_read(user: User, notification_id: int, now: datetime) -> Notification | None:
    """None when there is no such notification *of this user* (others' are not revealed)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        return None
    if notification.read_at is None:
        notification.read_at = now
    return notification


def mark_all_read(user: User, now: datetime) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def set_optional_notices(user: User, enabled: bool, *, actor: User) -> None:
    if user.notify_optional == enabled:
        return
    record(actor=actor, action="notify_optional", entity_type="user", entity_id=user.id,
           summary=("Bật" if enabled else "Tắt") + " nhắc nhở không bắt buộc",
           changes={"notify_optional": [user.notify_optional, enabled]})
    user.notify_optional = enabled
