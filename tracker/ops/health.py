"""What `/healthz` checks: the database answers, the scheduler beats, the outbox is being emptied.

The answer is for load balancers and monitoring, and anyone may ask: it carries aggregate
numbers and timestamps only, never a name, an address, an error text or anything of a province.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select, text
from sqlalchemy.exc import SQLAlchemyError

from tracker.extensions import db
from tracker.ops.jobs import SCHEDULER
from tracker.ops.models import SchedulerHeartbeat

log = logging.getLogger(__name__)

CHECKS = ("database", "scheduler", "outbox")


@dataclass
class Check:
    ok: bool
    details: dict = field(default_factory=dict)
    message: str = ""  # why it failed, in Vietnamese

    def as_json(self) -> dict:
        return {"status": "ok" if self.ok else "fail", **self.details,
                **({"message": self.message} if self.message else {})}


@dataclass
class Health:
    checked_at: datetime
    checks: dict[str, Check]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks.values())

    def as_json(self) -> dict:
        return {"status": "ok" if self.ok else "fail", "checked_at": _iso(self.checked_at),
                "checks": {name: check.as_json() for name, check in self.checks.items()}}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def check_database() -> Check:
    started = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.warning("Kiểm tra sức khỏe: cơ sở dữ liệu không trả lời", exc_info=True)
        db.session.rollback()
        return Check(False, message="Không kết nối được cơ sở dữ liệu.")
    return Check(True, {"latency_ms": round((time.perf_counter() - started) * 1000, 1)})


def check_scheduler(now: datetime, max_age_seconds: int) -> Check:
    beat = db.session.get(SchedulerHeartbeat, SCHEDULER)
    details = {"last_heartbeat": None, "age_seconds": None, "max_age_seconds": max_age_seconds}
    if beat is None:
        return Check(False, details, "Bộ lập lịch chưa ghi nhịp lần nào: tiến trình `tracker scheduler` chưa chạy.")
    age = round((now - beat.beat_at).total_seconds())
    details.update(last_heartbeat=_iso(beat.beat_at), age_seconds=age)
    if age > max_age_seconds:
        return Check(False, details, f"Bộ lập lịch không ghi nhịp đã {age} giây (giới hạn {max_age_seconds} giây).")
    return Check(True, details)


def check_outbox(now: datetime, max_delay_seconds: int) -> Check:
    from tracker.reminders.models import OutboxMessage, OutboxStatus

    counts = dict(db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    waiting = OutboxMessage.status == OutboxStatus.PENDING.value
    # Due since: when it was written (first attempt) or when its retry fell due.
    first_due = db.session.scalar(select(func.min(OutboxMessage.created_at))
                                  .where(waiting, OutboxMessage.next_attempt_at.is_(None)))
    retry_due = db.session.scalar(select(func.min(OutboxMessage.next_attempt_at))
                                  .where(waiting, OutboxMessage.next_attempt_at <= now))
    retrying = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(waiting, OutboxMessage.attempts > 0)) or 0
    due_since = min((d for d in (first_due, retry_due) if d is not None), default=None)
    delay = None if due_since is None else max(0, round((now - due_since).total_seconds()))
    details = {
        "pending": counts.get(OutboxStatus.PENDING.value, 0) + counts.get(OutboxStatus.SENDING.value, 0),
        "retrying": retrying,
        "failed": counts.get(OutboxStatus.FAILED.value, 0),
        "oldest_due_seconds": delay,
        "max_delay_seconds": max_delay_seconds,
    }
    if delay is not None and delay > max_delay_seconds:
        return Check(False, details, f"Thư chờ gửi quá hạn {delay} giây: việc gửi thư không chạy hoặc bị tắc "
                                     f"(giới hạn {max_delay_seconds} giây).")
    return Check(True, details)


def check_health(now: datetime, config, only: tuple[str, ...] = CHECKS) -> Health:
    checks: dict[str, Check] = {}
    database = check_database()
    if "database" in only:
        checks["database"] = database
    for name, run in (("scheduler", lambda: check_scheduler(now, config["HEALTH_HEARTBEAT_MAX_AGE_SECONDS"])),
                      ("outbox", lambda: check_outbox(now, config["HEALTH_OUTBOX_MAX_DELAY_MINUTES"] * 60))):
        if name not in only:
            continue
        if not database.ok:
            checks[name] = Check(False, message="Không kiểm tra được: cơ sở dữ liệu không trả lời.")
            continue
        try:
            checks[name] = run()
        except SQLAlchemyError:
            log.warning("Kiểm tra sức khỏe %s không thực hiện được", name, exc_info=True)
            db.session.rollback()
            checks[name] = Check(False, message="Không kiểm tra được do lỗi cơ sở dữ liệu.")
    return Health(now, checks)
