"""The scheduler records a heartbeat in the database, through a job registered with the others."""
from __future__ import annotations

from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from tracker.core.time import utcnow
from tracker.ops.jobs import record_heartbeat
from tracker.ops.models import SchedulerHeartbeat
from tracker.scheduler import JOBS, build_scheduler


def test_one_row_rewritten_by_each_beat(db):
    first = utcnow() - timedelta(minutes=2)
    record_heartbeat(first, host="h", pid=1)
    record_heartbeat(first + timedelta(minutes=1), host="h", pid=1)
    rows = db.session.query(SchedulerHeartbeat).all()
    assert len(rows) == 1
    assert rows[0].beat_at == first + timedelta(minutes=1) and rows[0].started_at == first


def test_a_restarted_scheduler_starts_a_new_run(db):
    first = utcnow() - timedelta(minutes=10)
    record_heartbeat(first, host="h", pid=1)
    later = first + timedelta(minutes=5)
    beat = record_heartbeat(later, host="h", pid=2)
    assert (beat.started_at, beat.beat_at, beat.pid) == (later, later, 2)


def test_the_heartbeat_job_is_registered_and_beats_at_start(app):
    spec = next(spec for spec in JOBS if spec.id == "ops.heartbeat")
    assert spec.func == "tracker.ops.jobs:heartbeat" and spec.run_at_start
    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start(paused=True)
    try:
        job = scheduler.get_job("ops.heartbeat")
        assert isinstance(job.trigger, IntervalTrigger)
        assert job.trigger.interval == timedelta(seconds=app.config["SCHEDULER_HEARTBEAT_SECONDS"])
        assert job.next_run_time <= scheduler.get_job("reminders.deliver").next_run_time
    finally:
        scheduler.shutdown(wait=False)


def test_the_job_writes_what_the_health_check_reads(db, client):
    from tracker.ops.jobs import heartbeat

    assert client.get("/healthz?only=scheduler").status_code == 503
    heartbeat()
    response = client.get("/healthz?only=scheduler")
    assert response.status_code == 200
    assert response.get_json()["checks"]["scheduler"]["age_seconds"] <= 5
