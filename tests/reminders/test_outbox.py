"""Exactly once: crashes between sends, crashes between claim and delivery, downtime, retries."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.reminders.conftest import SENDER, at_local
from tracker.reminders.models import Notice, Notification, OutboxMessage
from tracker.reminders.outbox import LEASE, claim_digests, deliver_pending, run_reminders
from tracker.reminders.services import plan_digests


class ProcessKilled(BaseException):
    """Stands for the process dying: not an error the deliverer could catch and record."""


class FailingAfter:
    """Passes the first `ok` messages to the real SMTP mailer, then raises `error`."""

    def __init__(self, mailer, ok: int, error: BaseException):
        self.mailer, self.ok, self.error = mailer, ok, error
        self.calls = 0

    def send(self, message):
        self.calls += 1
        if self.calls > self.ok:
            raise self.error
        self.mailer.send(message)


class _NullMailer:
    def send(self, message):
        pass


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def statuses(db) -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def test_smtp_failure_after_the_first_message_then_rerun(db, scenario, smtp_server):
    day = scenario.deadline - timedelta(days=7)
    now = at_local(day)
    with smtp_server.mailer() as real:
        flaky = FailingAfter(real, ok=1, error=ConnectionResetError("mất kết nối tới máy chủ thư"))
        first = run_reminders(day, now=now, mailer=flaky, sender=SENDER)
    assert len(first.claimed) == 3
    assert len(first.delivery.sent) == 1 and len(first.delivery.failed) == 1
    assert len(smtp_server.received) == 1
    assert statuses(db) == ["sent", "pending", "pending"]
    failed = db.session.scalars(select(OutboxMessage).where(OutboxMessage.attempts == 1,
                                                           OutboxMessage.status == "pending")).one()
    assert "ConnectionResetError" in failed.last_error

    # The rerun the same morning claims nothing new; the failed message waits for its retry time.
    with smtp_server.mailer() as mailer:
        rerun = run_reminders(day, now=now + timedelta(minutes=1), mailer=mailer, sender=SENDER)
    assert rerun.claimed == [] and len(rerun.delivery.sent) == 1
    with smtp_server.mailer() as mailer:
        later = deliver_pending(now=now + timedelta(minutes=10), mailer=mailer, sender=SENDER)
    assert len(later.sent) == 1
    assert statuses(db) == ["sent", "sent", "sent"]
    assert smtp_server.recipients() == sorted(u.email for u in scenario.reporters.values())
    assert len(set(smtp_server.message_ids())) == 3  # nobody got a message twice


def test_process_killed_between_two_sends_then_rerun(db, scenario, smtp_server):
    day = scenario.deadline - timedelta(days=7)
    now = at_local(day)
    digests = plan_digests(day)
    claim_digests(digests, now=now)
    with smtp_server.mailer() as real:
        with pytest.raises(ProcessKilled):
            deliver_pending(now=now, mailer=FailingAfter(real, ok=1, error=ProcessKilled()), sender=SENDER)
    db.session.rollback()  # what the dead process's open transaction amounts to
    assert len(smtp_server.received) == 1

    # The next run (after the SQLite claim lease; PostgreSQL's row lock died with the process).
    with smtp_server.mailer() as mailer:
        result = run_reminders(day, now=now + LEASE + timedelta(minutes=1), mailer=mailer, sender=SENDER)
    assert result.claimed == []
    assert len(result.delivery.sent) == 2
    assert statuses(db) == ["sent", "sent", "sent"]
    assert len(smtp_server.received) == 3
    assert len(set(smtp_server.message_ids())) == 3
    assert count(db, Notice) == 3 and count(db, Notification) == 3


def test_crash_between_claim_and_delivery(db, scenario, smtp_server):
    day = scenario.deadline - timedelta(days=3)
    claimed = claim_digests(plan_digests(day), now=at_local(day))
    assert len(claimed) == 3 and smtp_server.received == []
    # ...the process dies here. The in-app notices are already there.
    assert count(db, Notification) == 3
    with smtp_server.mailer() as mailer:
        result = run_reminders(day + timedelta(days=1), now=at_local(day + timedelta(days=1)), mailer=mailer,
                               sender=SENDER)
    # D-2: no new rule falls due, the pending messages of D-3 go out.
    assert result.claimed == [] and len(result.delivery.sent) == 3
    assert len(smtp_server.received) == 3


def test_a_key_claimed_elsewhere_is_skipped_not_sent_twice(db, scenario, smtp_server):
    """Two runs plan the same morning; the second finds every key taken by the first."""
    day = scenario.deadline - timedelta(days=7)
    first_plan, second_plan = plan_digests(day), plan_digests(day)
    assert len(claim_digests(first_plan, now=at_local(day))) == 3
    assert claim_digests(second_plan, now=at_local(day)) == []
    assert count(db, Notice) == 3 and count(db, OutboxMessage) == 3


def test_partially_claimed_digest_keeps_the_free_notices(db, scenario, factory, smtp_server):
    """A person owing two periods; another run took one of them: the other is still claimed."""
    D = scenario.deadline
    factory.period(2025, 2, submission_deadline=D - timedelta(days=3))  # Q2, also owed, due earlier
    db.session.commit()
    day = D - timedelta(days=1)
    digests = plan_digests(day)
    snv = next(d for d in digests if d.user.email == scenario.reporters["Sở Nội vụ"].email)
    assert len(snv.notices) == 2
    from tracker.reminders.services import Digest

    claim_digests([Digest(snv.user, day, [snv.notices[0]])], now=at_local(day))
    claimed = claim_digests([snv], now=at_local(day))
    assert len(claimed) == 1 and len(claimed[0].keys) == 1
    assert count(db, Notice) == 2


def test_downtime_of_ten_days_gives_one_catch_up_digest(db, scenario, smtp_server):
    D = scenario.deadline
    with smtp_server.mailer() as mailer:
        run_reminders(D - timedelta(days=7), now=at_local(D - timedelta(days=7)), mailer=mailer, sender=SENDER)
    assert len(smtp_server.received) == 3
    smtp_server.clear()

    # Down from D-6 to D+3; back on D+4.
    back = D + timedelta(days=4)
    with smtp_server.mailer() as mailer:
        result = run_reminders(back, now=at_local(back), mailer=mailer, sender=SENDER)
    reporters = sorted(u.email for u in scenario.reporters.values())
    assert smtp_server.recipients() == reporters  # exactly one message per owing person
    keys = {(n.user.email, n.rule, (n.day - D).days)
            for c in result.claimed for n in db.session.get(OutboxMessage, c.outbox_id).notices}
    assert keys == {(email, "overdue", 3) for email in reporters}  # no before/due notices replayed
    assert smtp_server.received[0].message["Subject"] == "[Theo dõi CĐS] Quá hạn nộp báo cáo Quý 3/2025: đã trễ 4 ngày"
    text = smtp_server.received[0].message.get_body(("plain",)).get_content()
    assert "Đã quá hạn nộp báo cáo Quý 3/2025 4 ngày" in text
    assert "gửi bù cho đợt nhắc ngày 21/09/2025" in text

    # The days after: nothing until the next overdue day, then the usual cadence.
    for offset, expected in [(4, 0), (5, 0), (6, 3)]:
        smtp_server.clear()
        day = D + timedelta(days=offset)
        with smtp_server.mailer() as mailer:
            run_reminders(day, now=at_local(day, 9), mailer=mailer, sender=SENDER)
        assert len(smtp_server.received) == expected, offset


def test_refused_recipient_is_given_up_and_others_still_go(db, scenario, smtp_server):
    import smtplib

    day = scenario.deadline - timedelta(days=7)
    refused = smtplib.SMTPRecipientsRefused({"x@y": (550, b"No such user")})
    with smtp_server.mailer() as real:
        class RefuseFirst:
            calls = 0

            def send(self, message):
                RefuseFirst.calls += 1
                if RefuseFirst.calls == 1:
                    raise refused
                real.send(message)

        result = run_reminders(day, now=at_local(day), mailer=RefuseFirst(), sender=SENDER)
    assert len(result.delivery.given_up) == 1 and len(result.delivery.sent) == 2
    assert sorted(statuses(db)) == ["failed", "sent", "sent"]


def test_nothing_owed_means_no_message(db, scenario, smtp_server):
    for name in scenario.units:
        scenario.submit(name, at_local(scenario.deadline - timedelta(days=20)))
    day = scenario.deadline - timedelta(days=7)
    with smtp_server.mailer() as mailer:
        result = run_reminders(day, now=at_local(day), mailer=mailer, sender=SENDER)
    assert result.digests == [] and smtp_server.received == []
    assert count(db, OutboxMessage) == 0


def test_conditional_claim_gives_a_row_to_one_caller_only(db, scenario):
    from tracker.reminders.outbox import claim_row

    day = scenario.deadline - timedelta(days=7)
    claimed = claim_digests(plan_digests(day), now=at_local(day))
    row_id = claimed[0].outbox_id
    now = at_local(day)
    first = claim_row(row_id, now)
    assert first is not None
    assert claim_row(row_id, now) is None  # both saw it pending; only the first UPDATE matched
    assert claim_row(row_id, now + LEASE - timedelta(seconds=1)) is None
    assert claim_row(row_id, now + LEASE) not in (None, first)  # lease over: a crashed claim is taken again


def test_a_long_batch_claims_with_the_time_it_has_reached(db, factory, monkeypatch):
    """A claim is stamped with the run's start plus the real time elapsed, not the start alone,
    so a batch that outlasts the lease never holds claims another deliverer sees as abandoned."""
    from datetime import datetime, timezone

    import tracker.reminders.outbox as outbox
    from tracker.reminders.models import OutboxMessage

    if db.session.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL delivers under row locks (SKIP LOCKED), not leases")
    user = factory.user(role="reporter")
    db.session.add(OutboxMessage(user_id=user.id, to_email=user.email, subject="Nhắc", body_text="x", body_html="x",
                                 message_id="<lease@test>", run_day=date(2025, 9, 11)))
    db.session.flush()
    stamps = []
    real = outbox.claim_row
    monkeypatch.setattr(outbox, "claim_row", lambda row_id, now: stamps.append(now) or real(row_id, now))
    ticks = iter([datetime(2030, 1, 1, tzinfo=timezone.utc)])
    monkeypatch.setattr(outbox, "utcnow", lambda: next(ticks, datetime(2030, 1, 1, 0, 20, tzinfo=timezone.utc)))
    start = datetime(2025, 9, 11, 0, 0, tzinfo=timezone.utc)
    outbox.deliver_pending(now=start, mailer=_NullMailer(), sender="x@y.vn", limit=1)
    assert stamps == [start + timedelta(minutes=20)]


class AcceptThenDie:
    """The SMTP server accepts the message ("250 OK"), then the process dies before the commit."""

    def __init__(self, mailer):
        self.mailer = mailer

    def send(self, message):
        self.mailer.send(message)
        raise ProcessKilled()


def test_the_crash_window_gives_one_identical_duplicate_and_loses_nothing(db, scenario, smtp_server):
    """Killed between the server's acceptance and the "sent" commit: the next run sends that message
    again (SMTP cannot tell us), with the same Message-ID and Date, so clients fold the two; the
    others go out once; nothing is lost (docs/REMINDERS.md)."""
    day = scenario.deadline - timedelta(days=7)
    now = at_local(day)
    claim_digests(plan_digests(day), now=now)
    with smtp_server.mailer() as real:
        with pytest.raises(ProcessKilled):
            deliver_pending(now=now, mailer=AcceptThenDie(real), sender=SENDER)
    db.session.rollback()  # the dead process's transaction
    with smtp_server.mailer() as mailer:
        deliver_pending(now=now + LEASE + timedelta(minutes=1), mailer=mailer, sender=SENDER)
    messages = [r.message for r in smtp_server.received]
    assert len(messages) == 4 and statuses(db) == ["sent", "sent", "sent"]
    first, again = messages[0], next(m for m in messages[1:] if m["Message-ID"] == messages[0]["Message-ID"])
    assert again["Date"] == first["Date"] and again["Subject"] == first["Subject"]
    assert again.get_body(("plain",)).get_content() == first.get_body(("plain",)).get_content()
    assert len({m["Message-ID"] for m in messages}) == 3
    assert smtp_server.recipients().count(first["To"]) == 2
    assert set(smtp_server.recipients()) == {u.email for u in scenario.reporters.values()}  # 0 lost
