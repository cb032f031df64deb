"""The job table: enqueue, claim with a lease, run, retry, give up; the tenant recorded."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tracker.core.time import utcnow
from tracker.queue import services
from tracker.queue.models import Job, JobState
from tracker.queue.services import PermanentJobError, claim_job, enqueue, handles, run_jobs


@pytest.fixture
def handlers(monkeypatch):
    """A private registry: the tests' handlers do not leak into others'."""
    registry = {}
    monkeypatch.setattr(services, "HANDLERS", registry)
    monkeypatch.setattr(services, "load_handlers", lambda: None)
    return registry


def test_a_job_runs_once_and_keeps_its_result_and_tenant(db, handlers, provinces):
    seen = []

    @handles("test.echo")
    def echo(payload, job):
        seen.append((payload["n"], job.tenant_id))
        return {"doubled": payload["n"] * 2}

    tenant_id = provinces[1].area.id  # Thanh Hóa's: the worker must run it under that scope
    job = enqueue("test.echo", {"n": 21}, tenant_id=tenant_id)
    db.session.commit()
    assert run_jobs() == [(job.id, "done")]
    assert run_jobs() == []  # nothing left: a done job is never run again
    db.session.refresh(job)
    assert (job.state, job.result, job.attempts, job.tenant_id) == ("done", {"doubled": 42}, 1, tenant_id)
    assert seen == [(21, tenant_id)] and job.finished_at is not None and job.lease_until is None


def test_an_equal_job_waiting_is_reused(db, handlers):
    first = enqueue("test.echo", {"n": 1}, key="k1")
    again = enqueue("test.echo", {"n": 1}, key="k1")
    other = enqueue("test.echo", {"n": 1}, key="k2")
    assert again.id == first.id and other.id != first.id


def test_a_failing_job_is_retried_later_then_given_up(db, handlers):
    calls = []

    @handles("test.flaky")
    def flaky(payload, job):
        calls.append(job.attempts)
        raise RuntimeError("máy chủ bận")

    job = enqueue("test.flaky", {}, max_attempts=2)
    db.session.commit()
    assert run_jobs() == [(job.id, "queued")]
    db.session.refresh(job)
    assert job.state == "queued" and job.attempts == 1 and "máy chủ bận" in job.error
    assert job.run_after > utcnow()  # backed off: not taken again at once
    assert run_jobs() == []
    assert run_jobs(now=job.run_after + timedelta(seconds=1)) == [(job.id, "failed")]
    db.session.refresh(job)
    assert job.state == "failed" and job.attempts == 2 and calls == [1, 2]


def test_a_permanent_error_fails_at_once(db, handlers):
    @handles("test.gone")
    def gone(payload, job):
        raise PermanentJobError("Kế hoạch không còn tồn tại.")

    job = enqueue("test.gone", {}, max_attempts=5)
    unknown = enqueue("test.nobody-handles-this", {})
    db.session.commit()
    assert dict(run_jobs()) == {job.id: "failed", unknown.id: "failed"}
    assert db.session.get(Job, job.id).attempts == 1


def test_the_handlers_writes_are_rolled_back_with_its_failure(db, handlers, factory):
    from tracker.units.models import Area

    @handles("test.half")
    def half(payload, job):
        db.session.add(Area(code="nua-chung", name="Nửa chừng", level="province"))
        db.session.flush()
        raise RuntimeError("lỗi giữa chừng")

    enqueue("test.half", {}, max_attempts=1)
    db.session.commit()
    run_jobs()
    assert db.session.query(Area).filter_by(code="nua-chung").count() == 0


def test_a_claimed_job_is_not_claimed_twice_until_its_lease_runs_out(db, handlers):
    job = enqueue("test.echo", {})
    db.session.commit()
    now = utcnow()
    first = claim_job(now, lease=timedelta(minutes=1))
    assert first is not None and first[0] == job.id
    assert claim_job(now + timedelta(seconds=30)) is None  # a second worker: leased
    again = claim_job(now + timedelta(minutes=2))  # the first worker died: the lease ran out
    assert again is not None and again[0] == job.id and again[1] != first[1]
    db.session.refresh(job)
    assert job.state == JobState.RUNNING.value and job.attempts == 2
    # The first worker's late finish is dropped: its token is no longer the row's.
    assert services._finish(job.id, first[1], state="done") is False


def test_a_job_waits_for_its_run_after(db, handlers):
    @handles("test.echo")
    def echo(payload, job):
        return {}

    later = utcnow() + timedelta(hours=1)
    job = enqueue("test.echo", {}, run_after=later)
    db.session.commit()
    assert run_jobs() == []
    assert run_jobs(now=later) == [(job.id, "done")]


def test_every_kind_the_app_queues_has_a_handler():
    """The worker (the scheduler's queue.run) finds a handler for each job a request queues."""
    from tracker.campaigns.renders import FORM_RENDER_KIND
    from tracker.reports.issuing import ISSUED_FILES_KIND
    from tracker.reports.renders import RENDER_KIND

    services.load_handlers()
    assert {RENDER_KIND, ISSUED_FILES_KIND, FORM_RENDER_KIND} <= set(services.HANDLERS)
