"""Scheduled jobs of the reminders area: plain functions, run inside an app context.

They are registered in `tracker/scheduler.py`. Both are safe to run at any time, as often as
one likes and from several processes at once: the outbox sends every notice exactly once.
"""
from __future__ import annotations

import logging

from flask import current_app

from tracker.core.time import today_local, utcnow
from tracker.core.unit_of_work import commit_step, unit_of_work
from tracker.reminders.mail import mailer_from_config
from tracker.reminders.outbox import deliver_pending, run_reminders
from tracker.reminders.rules import Schedule

log = logging.getLogger(__name__)


def reminder_quarters(today, schedule: Schedule) -> list[tuple[int, int]]:
    """The quarter whose data window contains `today`, and every quarter whose reminder schedule
    (with its default deadline) covers `today`. 2025-Q3 is due on 18/09/2025, inside 2025-Q4's data
    window: on 15/09 both are reminder quarters."""
    from tracker.periods.services import period_dates, quarter_of

    year, quarter = quarter_of(today)
    found = [(year, quarter)]
    index = year * 4 + quarter - 1
    for step in range(-1, 12):  # the next quarter, then back up to three years (a long overdue window)
        y, q = divmod(index - step, 4)
        start, end = schedule.window(period_dates(y, q + 1)["submission_deadline"])
        if start <= today <= end and (y, q + 1) not in found:
            found.append((y, q + 1))
    return sorted(found)


def ensure_reminder_periods(today, *, commit: bool = True) -> None:
    """Create (default dates) the reminder quarters nobody has created yet; a stored period keeps
    its own dates. Without `commit` (the dry run) they are only flushed, for the caller to roll back."""
    from tracker.areas.services import tenants
    from tracker.periods.services import ensure_period

    schedule = Schedule.from_config(current_app.config)

    def create() -> None:
        # Each province keeps its own reporting calendar.
        for tenant_id in [tenant.id for tenant in tenants()]:
            for year, quarter in reminder_quarters(today, schedule):
                ensure_period(year, quarter, tenant_id)

    if not commit:
        create()
        return
    # Its own commit: the periods exist before digests are planned and claimed against them. A
    # conflict means another process created one at the same moment: it exists now.
    commit_step(create)


def daily_reminders() -> None:
    """The daily pass (at SCHEDULER_HOUR, and once at scheduler start-up to catch up)."""
    from tracker.areas.scope import tenant_scope, using
    from tracker.areas.services import tenants

    today = today_local()
    with unit_of_work():
        ensure_reminder_periods(today)
        with mailer_from_config(current_app.config) as mailer:
            # Each province's pass under its own scope: its digests count only its units and periods.
            for tenant in [(t.id, t.code) for t in tenants()]:
                with using(tenant_scope(tenant[0])):
                    result = run_reminders(today, now=utcnow(), mailer=mailer,
                                           sender=current_app.config["MAIL_DEFAULT_SENDER"])
                log.info("Nhắc việc %s (%s): %d thư mới, %d đã gửi, %d lỗi", today, tenant[1],
                         len(result.claimed), len(result.delivery.sent),
                         len(result.delivery.failed) + len(result.delivery.given_up))


def deliver_outbox() -> None:
    """Every few minutes: send what is pending (retries, and rows left by a crash)."""
    with unit_of_work(), mailer_from_config(current_app.config) as mailer:
        result = deliver_pending(now=utcnow(), mailer=mailer, sender=current_app.config["MAIL_DEFAULT_SENDER"])
    if result.sent or result.failed or result.given_up:
        log.info("Gửi thư: %d đã gửi, %d lỗi", len(result.sent), len(result.failed) + len(result.given_up))
