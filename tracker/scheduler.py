"""Every scheduled job of the tracker, registered in one place, and the scheduler that runs them.

The scheduler runs in its own process (`flask --app wsgi tracker scheduler`); importing or
creating the app never starts it. Each job runs inside an app context.

Restarts and downtime: jobs live in memory, so a restarted scheduler knows nothing of the runs it
missed. It therefore runs the daily job once at start-up. That run is a catch-up, not a flood:
the reminder rules send, per person, only the latest notice not yet sent, and a run that finds
nothing to send sends nothing. `coalesce` folds missed runs of a job into one, and
`misfire_grace_time=None` lets a late run (machine asleep, process stalled) still happen.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from tracker.ops.jobs import HEARTBEAT_JOB_NAME


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: str  # "module:function"
    trigger: Callable  # config -> trigger
    run_at_start: bool = False
    name: str = ""


JOBS = [
    JobSpec("reminders.daily", "tracker.reminders.jobs:daily_reminders",
            lambda config: CronTrigger(hour=config["SCHEDULER_HOUR"], minute=0, timezone=ZoneInfo(config["TIMEZONE"])),
            run_at_start=True, name="Nhắc báo cáo hằng ngày"),
    JobSpec("notify.digest", "tracker.notify.jobs:daily_workflow_digest",
            lambda config: CronTrigger(hour=config["SCHEDULER_HOUR"], minute=0, timezone=ZoneInfo(config["TIMEZONE"])),
            run_at_start=True, name="Thư tổng hợp thông báo duyệt báo cáo"),
    JobSpec("campaigns.reminders", "tracker.campaigns.reminders:campaign_reminders",
            lambda config: CronTrigger(hour=config["SCHEDULER_HOUR"], minute=5, timezone=ZoneInfo(config["TIMEZONE"])),
            run_at_start=True, name="Nhắc nộp số liệu tự đánh giá DTI"),
    JobSpec("reminders.deliver", "tracker.reminders.jobs:deliver_outbox",
            lambda config: IntervalTrigger(minutes=config.get("OUTBOX_DELIVERY_MINUTES", 5),
                                           timezone=ZoneInfo(config["TIMEZONE"])),
            name="Gửi thư đang chờ"),
    # Background work enqueued by requests (report renders): a short poll, one run at a time.
    JobSpec("queue.run", "tracker.queue.jobs:run_pending",
            lambda config: IntervalTrigger(seconds=config.get("JOB_POLL_SECONDS", 2),
                                           timezone=ZoneInfo(config["TIMEZONE"])),
            run_at_start=True, name="Chạy việc nền (xuất báo cáo)"),
    JobSpec("ops.heartbeat", "tracker.ops.jobs:heartbeat",
            lambda config: IntervalTrigger(seconds=config.get("SCHEDULER_HEARTBEAT_SECONDS", 60),
                                           timezone=ZoneInfo(config["TIMEZONE"])),
            run_at_start=True, name=HEARTBEAT_JOB_NAME),
]

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}


def resolve(func: str) -> Callable:
    module, name = func.split(":")
    return getattr(importlib.import_module(module), name)


def run_job(app, func: str) -> None:
    """Run one job inside an app context, leaving no session behind."""
    from tracker.extensions import db

    with app.app_context():
        try:
            resolve(func)()
        except Exception:
            db.session.rollback()
            raise  # APScheduler logs it; the next run starts afresh
        finally:
            db.session.remove()


def build_scheduler(app, scheduler_class=None, jobs=JOBS):
    """A scheduler (BlockingScheduler unless told otherwise) with every job added; not started."""
    if scheduler_class is None:
        from apscheduler.schedulers.blocking import BlockingScheduler as scheduler_class
    tz = ZoneInfo(app.config["TIMEZONE"])
    scheduler = scheduler_class(timezone=tz, job_defaults=dict(JOB_DEFAULTS))
    for spec in jobs:
        options = {}
        if spec.run_at_start:
            options["next_run_time"] = datetime.now(tz)
        scheduler.add_job(run_job, trigger=spec.trigger(app.config), args=(app, spec.func), id=spec.id,
                          name=spec.name or spec.id, replace_existing=True, **options)
    return scheduler
