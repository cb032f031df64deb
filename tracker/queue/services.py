"""Enqueue jobs, register their handlers, and run them with a lease (see tracker/queue/lease.py).

    @handles("reports.render")
    def render(payload: dict, job: Job) -> dict: ...   # returns the job's result (JSON)

    enqueue("reports.render", {...}, key="…", tenant_id=…)   # in the request's transaction
    run_jobs()                                              # in the worker: claim, run, record

A handler's database work and the job's "done" mark are one commit. A handler that raises is
retried after `retry_delay` until `max_attempts`; `PermanentJobError` fails it at once. A worker
that dies mid-job leaves the row running until its lease ends; another worker then takes it again.

A commit seam (tracker/core/unit_of_work.py): each job's outcome (done with its work, or failed
and rescheduled) is its own commit, so one job's failure never undoes another's work.
"""
from __future__ import annotations

import importlib

import logging
import time
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import and_, or_, select, update

from tracker.areas.scope import SYSTEM, tenant_scope, using
from tracker.core.time import utcnow
from tracker.extensions import db
from tracker.queue.lease import claim_next, new_token, retry_delay
from tracker.queue.models import Job, JobState

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
HANDLERS: dict[str, Callable[[dict, Job], dict | None]] = {}


class PermanentJobError(Exception):
    """Retrying cannot help (the plan was deleted, …): the job fails at once."""


def handles(kind: str):
    def register(func):
        HANDLERS[kind] = func
        return func
    return register


# The modules whose @handles register job kinds, one line per area. Named, not imported, here: the
# queue sits below the areas that use it (.importlinter, "seams").
HANDLER_MODULES = ("tracker.reports.jobs", "tracker.campaigns.jobs")


def load_handlers() -> None:
    """Import the modules that register handlers."""
    for name in HANDLER_MODULES:
        importlib.import_module(name)


def enqueue(kind: str, payload: dict, *, key: str | None = None, tenant_id: int | None = None,
            user_id: int | None = None, max_attempts: int = 3, run_after: datetime | None = None) -> Job:
    """Add a job (flushed, committed by the caller), or return the equal one still waiting or running."""
    if key is not None:
        existing = db.session.scalars(
            select(Job).where(Job.kind == kind, Job.key == key,
                              Job.state.in_((JobState.QUEUED.value, JobState.RUNNING.value)))
            .order_by(Job.id.desc()).limit(1)
        ).first()
        if existing is not None:
            return existing
    job = Job(kind=kind, key=key, payload=payload, tenant_id=tenant_id, user_id=user_id,
              max_attempts=max_attempts, run_after=run_after or utcnow())
    db.session.add(job)
    db.session.flush()
    return job


def _claimable(now: datetime, kinds=None):
    condition = or_(
        and_(Job.state == JobState.QUEUED.value, Job.run_after <= now),
        and_(Job.state == JobState.RUNNING.value, Job.lease_until <= now),
    )
    return and_(condition, Job.kind.in_(kinds)) if kinds else condition


def claim_job(now: datetime | None = None, kinds=None, lease: timedelta = LEASE) -> tuple[int, str] | None:
    now = now or utcnow()
    token = new_token()
    job_id = claim_next(
        Job, _claimable(now, kinds),
        dict(state=JobState.RUNNING.value, claim_token=token, lease_until=now + lease, started_at=now,
             attempts=Job.attempts + 1),
        order_by=(Job.run_after, Job.id),
    )
    return None if job_id is None else (job_id, token)


def _finish(job_id: int, token: str, **values) -> bool:
    return db.session.execute(
        update(Job).where(Job.id == job_id, Job.claim_token == token).values(claim_token=None, **values)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def run_one(job_id: int, token: str) -> str:
    job = db.session.get(Job, job_id, populate_existing=True)
    handler = HANDLERS.get(job.kind)
    attempts, max_attempts = job.attempts, job.max_attempts
    try:
        if handler is None:
            raise PermanentJobError(f"Không có bộ xử lý cho loại việc {job.kind!r}")
        # A job of one area reads and writes that area alone, as the request that queued it did.
        scope = SYSTEM if job.tenant_id is None else tenant_scope(job.tenant_id)
        with using(scope):
            result = handler(dict(job.payload or {}), job)
    except Exception as error:  # noqa: BLE001 - recorded on the row, retried later
        db.session.rollback()
        give_up = isinstance(error, PermanentJobError) or attempts >= max_attempts
        now = utcnow()
        _finish(job_id, token, error=f"{type(error).__name__}: {error}"[:2000],
                state=(JobState.FAILED if give_up else JobState.QUEUED).value,
                run_after=now if give_up else now + retry_delay(attempts, base=timedelta(seconds=30)),
                lease_until=None, finished_at=now if give_up else None)
        db.session.commit()
        log.warning("Việc nền %s (%s) lỗi lần %d: %s", job_id, job.kind if job else "?", attempts, error)
        return JobState.FAILED.value if give_up else JobState.QUEUED.value
    # The handler's writes and the "done" mark in one commit; a lost lease (another worker took
    # the row after it ran out) drops this run's work.
    if not _finish(job_id, token, state=JobState.DONE.value, result=result, error=None, lease_until=None,
                   finished_at=utcnow()):
        db.session.rollback()
        log.warning("Việc nền %s: hết thời hạn giữ chỗ, kết quả bị bỏ", job_id)
        return "lost"
    db.session.commit()
    return JobState.DONE.value


def run_jobs(*, limit: int = 50, kinds=None, now: datetime | None = None) -> list[tuple[int, str]]:
    """Claim and run due jobs one by one (at most `limit`); [(job id, outcome)]."""
    load_handlers()
    done = []
    for _ in range(limit):
        claimed = claim_job(now, kinds)
        if claimed is None:
            break
        done.append((claimed[0], run_one(*claimed)))
    return done


def work(app, *, poll_seconds: float = 1.0, stop=None, max_jobs: int | None = None, until_idle: bool = False,
         keep_going=None) -> int:
    """The worker loop (`flask --app wsgi tracker worker`): run due jobs, sleep `poll_seconds` when
    there are none; the number of jobs run. It ends when `stop` (a threading.Event) is set, after
    `max_jobs` jobs, when `until_idle` and no job is due, or when `keep_going()` says False. A job
    is never cut short: a stop asked for meanwhile takes effect once it is recorded."""
    import threading

    stop = stop if stop is not None else threading.Event()
    count = 0
    while not stop.is_set() and (max_jobs is None or count < max_jobs) and (keep_going is None or keep_going()):
        with app.app_context():
            try:
                # One job per round: a stop (SIGTERM) is heard between two jobs, not after fifty.
                ran = run_jobs(limit=1)
            except Exception:  # noqa: BLE001 - a database hiccup must not kill the worker
                log.exception("Vòng chạy việc nền lỗi")
                db.session.rollback()
                ran = []
            finally:
                db.session.remove()
        for job_id, outcome in ran:
            log.info("Việc nền %s: %s", job_id, outcome)
        count += len(ran)
        if not ran:
            if until_idle:
                break
            stop.wait(poll_seconds)
    return count
