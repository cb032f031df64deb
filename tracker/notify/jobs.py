"""The daily digest of workflow notices (registered in `tracker/scheduler.py`).

Exactly once: the digest's message and the claim of its notices (`outbox_id` set where it is still
null) are one commit; when another run claimed some of them first, the claim touches fewer rows and
this run rolls back and tries again with what is left. Delivery is the outbox's (`deliver_outbox`).
"""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from tracker.auth.models import User
from tracker.core.time import today_local, utcnow
from tracker.core.unit_of_work import commit_step, unit_of_work
from tracker.extensions import db
from tracker.notify.models import EventNotice, MailChoice
from tracker.notify.services import SUBJECT_PREFIX, _message_id, _render
from tracker.reminders.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)


def _pending() -> dict[int, list[EventNotice]]:
    by_user: dict[int, list[EventNotice]] = defaultdict(list)
    for notice in db.session.scalars(
        select(EventNotice).where(EventNotice.mail == MailChoice.DIGEST.value, EventNotice.outbox_id.is_(None))
        .order_by(EventNotice.user_id, EventNotice.created_at, EventNotice.id)
    ):
        by_user[notice.user_id].append(notice)
    return by_user


def compose_digests(*, now: datetime | None = None) -> list[int]:
    """Store one digest message per person with unsent notices; returns the outbox ids. Commits."""
    now = now or utcnow()
    created = []
    for user_id, notices in _pending().items():
        for _ in range(3):
            user = db.session.get(User, user_id)
            if not notices or user is None or not user.active:
                break
            ids = [n.id for n in notices]
            text, html = _render(notices, user, digest=True)
            subject = (f"{SUBJECT_PREFIX} {notices[0].title}" if len(notices) == 1
                       else f"{SUBJECT_PREFIX} {len(notices)} thông báo về duyệt báo cáo")
            message = OutboxMessage(
                user_id=user.id, to_email=user.email, subject=subject, body_text=text, body_html=html,
                message_id=_message_id([n.event_key for n in notices], user.id, "tong-hop-duyet"),
                run_day=today_local(), status=OutboxStatus.PENDING.value, created_at=now,
            )

            def claim(message=message, ids=ids) -> int:
                db.session.add(message)
                db.session.flush()
                claimed = db.session.execute(
                    update(EventNotice).where(EventNotice.id.in_(ids), EventNotice.outbox_id.is_(None))
                    .values(outbox_id=message.id).execution_options(synchronize_session=False)
                ).rowcount
                if claimed != len(ids):
                    raise IntegrityError("claim", None, Exception("claimed elsewhere"))
                return message.id

            # The message and its claim are one commit of their own (the module docstring).
            done, outbox_id = commit_step(claim)
            if done:
                created.append(outbox_id)
                break
            notices = list(db.session.scalars(
                select(EventNotice).where(EventNotice.id.in_(ids), EventNotice.outbox_id.is_(None))
                .order_by(EventNotice.created_at, EventNotice.id)
            ))
    return created


def daily_workflow_digest() -> None:
    with unit_of_work():
        created = compose_digests()
    if created:
        log.info("Thông báo duyệt báo cáo: %d thư tổng hợp đưa vào hàng đợi gửi", len(created))
