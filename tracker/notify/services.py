"""Who is told of a workflow step, what they are told, and how the e-mail goes out.

Every function writes to the session only; the request (or job) that made the step commits, so the
notice exists exactly when the step does (see `tracker/core/events.py`).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from tracker.audit.services import record
from tracker.auth.models import Role, User
from tracker.core.text import shorten
from tracker.core.time import today_local, utcnow
from tracker.extensions import db
from tracker.notify.models import MAIL_CHOICE_LABELS, EventNotice, MailChoice, NotificationPreference
from tracker.reminders import links
from tracker.reminders.models import Notification, OutboxMessage, OutboxStatus

SUBJECT_PREFIX = "[Theo dõi CĐS]"


@dataclass
class Message:
    """What one step tells one audience: the in-app title and text, and where to act."""

    title: str
    body: str
    link: str


# --- preferences ---------------------------------------------------------------------------------


def mail_choice(user: User) -> str:
    row = db.session.get(NotificationPreference, user.id)
    return row.workflow_mail if row is not None else MailChoice.DIGEST.value


def mail_choices(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = db.session.scalars(select(NotificationPreference).where(NotificationPreference.user_id.in_(user_ids)))
    found = {row.user_id: row.workflow_mail for row in rows}
    return {uid: found.get(uid, MailChoice.DIGEST.value) for uid in user_ids}


def set_mail_choice(user: User, choice: str, *, actor: User) -> None:
    if choice not in MAIL_CHOICE_LABELS:
        raise ValueError(choice)
    before = mail_choice(user)
    if before == choice:
        return
    row = db.session.get(NotificationPreference, user.id)
    if row is None:
        row = NotificationPreference(user_id=user.id)
        db.session.add(row)
    row.workflow_mail = choice
    record(actor=actor, action="notify_workflow_mail", entity_type="user", entity_id=user.id,
           summary=f"Thư thông báo duyệt báo cáo: {MAIL_CHOICE_LABELS[choice]}",
           changes={"workflow_mail": [before, choice]})


# --- recipients ----------------------------------------------------------------------------------


def area_coordinators(tenant_id: int | None) -> list[User]:
    """The active coordinators of one province (never another's)."""
    if tenant_id is None:
        return []
    return list(db.session.scalars(
        select(User).where(User.role == Role.COORDINATOR.value, User.active.is_(True), User.tenant_id == tenant_id)
        .order_by(User.email)
    ))


def unit_reporters(unit_id: int | None) -> list[User]:
    if unit_id is None:
        return []
    return list(db.session.scalars(
        select(User).where(User.role == Role.REPORTER.value, User.active.is_(True), User.unit_id == unit_id)
        .order_by(User.email)
    ))


# --- writing the notices -------------------------------------------------------------------------


def _message_id(notice_keys: list[str], user_id: int, kind: str) -> str:
    fingerprint = hashlib.sha256(";".join(sorted(notice_keys)).encode()).hexdigest()[:24]
    return f"<{kind}.u{user_id}.{fingerprint}@{links.site_domain()}>"


def _render(notices: list[EventNotice], user: User, *, digest: bool) -> tuple[str, str]:
    env = current_app.jinja_env
    context = {
        "user": user, "notices": notices, "digest": digest,
        "notifications_url": links.notifications_url(), "profile_url": links.profile_url(),
    }
    return (env.get_template("notify/mail.txt").render(context),
            env.get_template("notify/mail.html").render(context))


def notify(users: list[User], event_key: str, event_name: str, entity_type: str, entity_id: int | None,
           message: Message, *, now: datetime | None = None, exclude: User | None = None) -> list[EventNotice]:
    """One in-app notification and one notice per person; the e-mail at once when they chose so."""
    now = now or utcnow()
    people = [u for u in users if exclude is None or u.id != exclude.id]
    choices = mail_choices({u.id for u in people})
    written = []
    for user in people:
        choice = choices[user.id]
        notification = Notification(user_id=user.id, title=shorten(message.title, 250), body=message.body,
                                    link=message.link, created_at=now)
        db.session.add(notification)
        db.session.flush()
        notice = EventNotice(user_id=user.id, event_key=event_key, event=event_name, entity_type=entity_type,
                             entity_id=entity_id, title=shorten(message.title, 250), body=message.body,
                             link=message.link, mail=choice, notification_id=notification.id, created_at=now)
        db.session.add(notice)
        if choice == MailChoice.IMMEDIATE:
            text, html = _render([notice], user, digest=False)
            outbox = OutboxMessage(
                user_id=user.id, to_email=user.email, subject=f"{SUBJECT_PREFIX} {shorten(message.title, 200)}",
                body_text=text, body_html=html, message_id=_message_id([event_key], user.id, "buoc-duyet"),
                run_day=today_local(), status=OutboxStatus.PENDING.value, created_at=now,
            )
            db.session.add(outbox)
            db.session.flush()
            notice.outbox_id = outbox.id
            notification.outbox_id = outbox.id
        written.append(notice)
    db.session.flush()
    return written
