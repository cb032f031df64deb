"""Two workers on one job table: every job runs exactly once. Real commits, in a separate database
(PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the conditional UPDATE)."""
from __future__ import annotations

import threading
import time
from collections import Counter

from tests.reminders.test_concurrency import separate_app  # noqa: F401 - the fixture
from tracker.extensions import db
from tracker.queue import services
from tracker.queue.models import Job


def test_two_workers_never_run_a_job_twice(separate_app, monkeypatch):  # noqa: F811
    ran: list[int] = []
    lock = threading.Lock()

    def slow(payload, job):
        time.sleep(0.01)
        with lock:
            ran.append(payload["n"])
        return {"n": payload["n"]}

    monkeypatch.setattr(services, "HANDLERS", {"test.slow": slow})
    monkeypatch.setattr(services, "load_handlers", lambda: None)
    with separate_app.app_context():
        for n in range(40):
            services.enqueue("test.slow", {"n": n})
        db.session.commit()

    errors = []

    def worker():
        with separate_app.app_context():
            try:
                services.run_jobs(limit=100)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sorted(ran) == list(range(40)) and max(Counter(ran).values()) == 1
    with separate_app.app_context():
        states = Counter(db.session.scalars(db.select(Job.state)))
        db.session.remove()
    assert states == {"done": 40}
