"""Two deliverers, two scheduler processes: nothing sent twice. Real commits, in a separate database.

These tests cannot use the rolled-back `db` fixture: each process or thread has its own connection
and must see the others' commits. `separate_app` makes a fresh database (PostgreSQL: a new
database next to TEST_DATABASE_URL's; SQLite: a file) and drops it afterwards.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, make_url, select
from sqlalchemy.pool import NullPool

from config import TestConfig
from tests.reminders.conftest import SENDER, at_local
from tracker import create_app
from tracker.auth.models import User
from tracker.extensions import db
from tracker.reminders.models import Notice, Notification, OutboxMessage
from tracker.reminders.outbox import claim_digests, deliver_pending
from tracker.reminders.services import plan_digests

ROOT = Path(__file__).resolve().parents[2]
UNITS = 12
DEADLINE = date(2025, 9, 18)
DAY = DEADLINE - timedelta(days=7)


def is_postgres() -> bool:
    return make_url(TestConfig.SQLALCHEMY_DATABASE_URI).get_backend_name() == "postgresql"


@pytest.fixture
def separate_app(tmp_path):
    base = make_url(TestConfig.SQLALCHEMY_DATABASE_URI)
    admin = None
    if base.get_backend_name() == "postgresql":
        name = f"{base.database}_reminders_{os.getpid()}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        target = base.set(database=name)
    else:
        target = make_url(f"sqlite:///{tmp_path / 'reminders.sqlite3'}")

    class SeparateConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = target.render_as_string(hide_password=False)

    separate = create_app(SeparateConfig)
    with separate.app_context():
        db.create_all()
        _seed()
    try:
        yield separate
    finally:
        with separate.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
        if admin is not None:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
            admin.dispose()


def _seed() -> None:
    """UNITS agencies owing 2025-Q3, one reporter each (password hash skipped: nobody signs in)."""
    from tests.factories import Factory

    factory = Factory(db)
    area = factory.area()
    plan = factory.plan(area=area)
    factory.period(2025, 3)
    # The previous quarter, reported and closed: a pass on DAY would otherwise create it (its overdue
    # reminders still run on DAY) and remind about it too (tests/reminders/test_periods.py).
    factory.period(2025, 2, closed_at=datetime(2025, 6, 30, 10, tzinfo=timezone.utc))
    for n in range(UNITS):
        unit = factory.unit(name=f"Sở Thử Nghiệm Đồng Thời {n:02d}", area=area)
        factory.item(plan=plan, owner=unit, end_year=2026)
        db.session.add(User(email=f"bcv{n:02d}@example.vn", role="reporter", unit=unit, password_hash="-",
                            full_name=f"Báo cáo viên {n:02d}"))
    db.session.commit()


def _totals():
    return {
        "notices": db.session.scalar(select(func.count()).select_from(Notice)),
        "notifications": db.session.scalar(select(func.count()).select_from(Notification)),
        "statuses": sorted(set(db.session.scalars(select(OutboxMessage.status)))),
        "messages": db.session.scalar(select(func.count()).select_from(OutboxMessage)),
    }


def test_two_deliverers_never_send_one_row_twice(separate_app, smtp_server):
    """While deliverer A is handing a message to the SMTP server, deliverer B (another thread, its
    own connection) runs to the end: it must skip A's row (row lock / conditional claim)."""
    with separate_app.app_context():
        claim_digests(plan_digests(DAY), now=at_local(DAY))
    b_result = {}

    def run_b():
        with separate_app.app_context():
            with smtp_server.mailer() as mailer:
                b_result["r"] = deliver_pending(now=at_local(DAY), mailer=mailer, sender=SENDER)

    class MailerA:
        def __init__(self, real):
            self.real, self.first = real, True

        def send(self, message):
            if self.first:
                self.first = False
                thread = threading.Thread(target=run_b)
                thread.start()
                thread.join(timeout=120)
                assert not thread.is_alive()
            self.real.send(message)

    with separate_app.app_context():
        with smtp_server.mailer() as real:
            a_result = deliver_pending(now=at_local(DAY), mailer=MailerA(real), sender=SENDER)
        totals = _totals()
    assert len(a_result.sent) == 1 and len(b_result["r"].sent) == UNITS - 1
    assert set(a_result.sent).isdisjoint(b_result["r"].sent)
    assert len(smtp_server.received) == UNITS
    assert len(set(smtp_server.message_ids())) == UNITS
    assert smtp_server.recipients() == [f"bcv{n:02d}@example.vn" for n in range(UNITS)]
    assert totals == {"notices": UNITS, "notifications": UNITS, "statuses": ["sent"], "messages": UNITS}


def test_two_scheduler_processes_at_once_send_nothing_twice(separate_app, gated_smtp_server):
    if not is_postgres():
        pytest.skip("two processes writing at once need PostgreSQL (row locks, SKIP LOCKED); "
                    "set TEST_DATABASE_URL=postgresql+psycopg://... (CI does)")
    env = {
        **os.environ,
        "TRACKER_ENV": "development",
        "DATABASE_URL": separate_app.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_SERVER": gated_smtp_server.host,
        "MAIL_PORT": str(gated_smtp_server.port),
        "MAIL_SUPPRESS_SEND": "0",
        "BASE_URL": "http://tracker.test",
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "tracker", "remind", "--at", DAY.isoformat()]
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=240) for p in processes]
    for process, (out, err) in zip(processes, outputs):
        assert process.returncode == 0, err
    claimed = sum(int(out.split(": ", 1)[1].split(" thư mới")[0]) for out, _ in outputs)
    assert claimed == UNITS  # every digest claimed by exactly one of the two

    received = gated_smtp_server.received
    assert len(gated_smtp_server.handler.peers) == 2  # both processes were delivering at the same time
    assert len(received) == UNITS
    assert len(set(gated_smtp_server.message_ids())) == UNITS
    assert gated_smtp_server.recipients() == [f"bcv{n:02d}@example.vn" for n in range(UNITS)]
    with separate_app.app_context():
        assert _totals() == {"notices": UNITS, "notifications": UNITS, "statuses": ["sent"], "messages": UNITS}


class KillingHandler:
    """Receives each message; the first time, kills the sending process (SIGKILL) before answering:
    the server holds the message, the sender dies before it could mark it sent."""

    def __init__(self):
        self.received: list = []
        self.victim: int | None = None
        self.killed = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        import signal

        self.received.append(envelope.content)
        if self.victim is not None and not self.killed.is_set():
            os.kill(self.victim, signal.SIGKILL)
            self.killed.set()
        return "250 Message accepted for delivery"


def test_kill_9_between_smtp_acceptance_and_commit(separate_app):
    """The inherent window, with a real process and kill -9: exactly one duplicate, identical to the
    first (same Message-ID and Date), and no message lost."""
    import email
    import email.policy

    from aiosmtpd.controller import Controller

    from tests.reminders.conftest import free_port

    if not is_postgres():
        pytest.skip("a killed process releasing its row lock needs PostgreSQL (SQLite waits for the lease)")
    with separate_app.app_context():
        claim_digests(plan_digests(DAY), now=at_local(DAY))
    handler, port = KillingHandler(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        env = {**os.environ, "TRACKER_ENV": "development", "DATABASE_URL": separate_app.config["SQLALCHEMY_DATABASE_URI"],
               "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port), "MAIL_SUPPRESS_SEND": "0",
               "BASE_URL": "http://tracker.test"}
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "tracker", "deliver"]
        victim = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        handler.victim = victim.pid
        victim.communicate(timeout=240)
        assert victim.returncode == -9 and handler.killed.is_set()
        rerun = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
        assert rerun.returncode == 0, rerun.stderr
    finally:
        controller.stop()
    messages = [email.message_from_bytes(raw, policy=email.policy.default) for raw in handler.received]
    ids = [m["Message-ID"] for m in messages]
    assert len(messages) == UNITS + 1 and len(set(ids)) == UNITS  # one duplicate, nothing lost
    twice = [m for m in messages if ids.count(m["Message-ID"]) == 2]
    assert twice[0]["Date"] == twice[1]["Date"] and twice[0]["To"] == twice[1]["To"]
    with separate_app.app_context():
        assert _totals()["statuses"] == ["sent"]
