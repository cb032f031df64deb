"""Scheduled jobs of the reminders area: plain functions, run inside an app context.

They are registered in `tracker/scheduler.py`. Both are safe to run at any time, as often as
one likes and from several processes at once: the outbox sends every notice exactly once.
"""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy.exc import IntegrityError

from tracker.core.time import today_local, utcnow
from tracker.extensions import db
from tracker.reminders.mail import mailer_from_config
from tracker.reminders.outbox import deliver_pending, run_reminders

log = logging.getLogger(__name__)


def ensure_current_period(today) -> None:
    """Create each province's reporting period for the quarter (default dates) if nobody has yet."""
    from tracker.areas.services import tenants
    from tracker.periods.services import ensure_period, quarter_of

    for tenant_id in [t.id for t in tenants()]:
        try:
            ensure_period(*quarter_of(today), tenant_id)
            db.session.commit()
        except IntegrityError:  # another process created it at the same moment
            db.session.rollback()


def daily_reminders() -> None:
    """The daily pass (at SCHEDULER_HOUR, and once at scheduler start-up to catch up)."""
    today = today_local()
    ensure_current_period(today)
    with mailer_from_config(current_app.config) as mailer:
        result = run_reminders(today, now=utcnow(), mailer=mailer,
                               sender=current_app.config["MAIL_DEFAULT_SENDER"])
    log.info("Nhắc việc %s: %d thư mới, %d đã gửi, %d lỗi", today, len(result.claimed),
             len(result.delivery.sent), len(result.delivery.failed) + len(result.delivery.given_up))


def deliver_outbox() -> None:
    """Every few minutes: send what is pending (retries, and rows left by a crash)."""
    with mailer_from_config(current_app.config) as mailer:
        result = deliver_pending(now=utcnow(), mailer=mailer, sender=current_app.config["MAIL_DEFAULT_SENDER"])
    if result.sent or result.failed or result.given_up:
        log.info("Gửi thư: %d đã gửi, %d lỗi", len(result.sent), len(result.failed) + len(result.given_up))
