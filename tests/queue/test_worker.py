"""`flask --app wsgi tracker worker`: the background worker runs the job table in its own process,
each job under its province's scope, and stops between two jobs when told to."""
from __future__ import annotations

import os
import signal
import threading

import pytest
from sqlalchemy import select

from tracker.extensions import db as _db
from tracker.plans.models import Plan
from tracker.queue import services
from tracker.queue.models import Job
from tracker.queue.services import enqueue, handles, work


@pytest.fixture
def handlers(monkeypatch):
    """A private registry: the tests' handlers do not leak into others'."""
    registry = {}
    monkeypatch.setattr(services, "HANDLERS", registry)
    monkeypatch.setattr(services, "load_handlers", lambda: None)
    return registry


@pytest.fixture
def seen_plans(handlers):
    """A handler recording the plans its job sees: only its own province's."""
    seen = []

    @handles("test.plans")
    def plans(payload, job):
        seen.append((job.tenant_id, sorted(p.tenant_id for p in _db.session.scalars(select(Plan)))))
        return {"n": payload["n"]}

    return seen


def _states(db):
    db.session.expire_all()
    return [job.state for job in db.session.scalars(select(Job).order_by(Job.id))]


def test_the_worker_runs_every_due_job_under_its_province_and_stops(runner, db, provinces, seen_plans):
    hue, thanh_hoa = provinces
    for n, province in enumerate((hue, thanh_hoa, hue)):
        enqueue("test.plans", {"n": n}, tenant_id=province.area.id)
    db.session.commit()
    result = runner.invoke(args=["tracker", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "Máy chủ nền đang chạy" in result.output and "Máy chủ nền đã dừng (3 việc đã chạy)." in result.output
    assert _states(db) == ["done", "done", "done"]
    # Each job saw its own province's plan alone, whatever the other province holds.
    assert seen_plans == [(hue.area.id, [hue.area.id]), (thanh_hoa.area.id, [thanh_hoa.area.id]),
                          (hue.area.id, [hue.area.id])]


def test_max_jobs_leaves_the_rest_queued(runner, db, provinces, seen_plans):
    for n in range(2):
        enqueue("test.plans", {"n": n}, tenant_id=provinces[0].area.id)
    db.session.commit()
    result = runner.invoke(args=["tracker", "worker", "--max-jobs", "1", "--poll", "0.01"])
    assert result.exit_code == 0, result.output
    assert "(1 việc đã chạy)" in result.output
    assert _states(db) == ["done", "queued"]


def test_sigterm_stops_the_worker_after_the_job_under_way(runner, db, provinces, handlers):
    @handles("test.stop")
    def stop_me(payload, job):
        os.kill(os.getpid(), signal.SIGTERM)  # what a process manager sends on a restart
        return {"finished": True}

    for n in range(2):
        enqueue("test.stop", {"n": n}, tenant_id=provinces[0].area.id)
    db.session.commit()
    before = signal.getsignal(signal.SIGTERM)
    result = runner.invoke(args=["tracker", "worker", "--poll", "0.01"])
    assert result.exit_code == 0, result.output
    assert "Nhận tín hiệu SIGTERM" in result.output and "(1 việc đã chạy)" in result.output
    # The job under way was finished and recorded; the next one waits for the next worker.
    assert _states(db) == ["done", "queued"]
    assert signal.getsignal(signal.SIGTERM) is before  # the process's own handlers put back


def test_a_failing_round_does_not_end_the_loop(app, db, monkeypatch):
    rounds = []

    def flaky(*, limit):
        rounds.append(limit)
        if len(rounds) == 1:
            raise RuntimeError("mất kết nối cơ sở dữ liệu")
        return []

    monkeypatch.setattr(services, "run_jobs", flaky)
    stop = threading.Event()
    assert work(app, poll_seconds=0, stop=stop, keep_going=lambda: len(rounds) < 3) == 0
    assert rounds == [1, 1, 1]
