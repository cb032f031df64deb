"""The outbox: every notice goes out exactly once, through crashes, restarts and parallel runs.

1. **Claim.** For each digest the run inserts one `Notice` row per key (person, rule, period, day)
   under a unique constraint, the whole message (`OutboxMessage`, pending) and the in-app
   `Notification`, and commits. A unique violation means another run claimed the key first:
   that part is dropped and the rest retried. Claiming is the only step that decides *whether*
   a notice exists, and the database decides it once.
2. **Deliver.** Pending rows are sent one by one, each marked sent in its own commit. Two
   deliverers never send the same row:
   - PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED` takes one row and holds its lock while the
     message is handed to the SMTP server; the other deliverer skips it. If the process dies the
     lock goes with its connection and the row is still pending.
   - SQLite (no row locks): a conditional `UPDATE ... SET status='sending' WHERE status='pending'`
     claims the row, and only the run whose UPDATE changed it sends it. A row left 'sending' by a
     crash is taken again once its lease (15 minutes) has run out.

A crash between claim and delivery leaves a pending row that the next run delivers, so nothing
is skipped. The one remaining window is at-least-once, not exactly-once: if the process dies
(or the connection to the database drops) after the SMTP server accepted a message but before
the "sent" commit, the next run sends it again. It is kept small: the mark is committed right
after the server's reply, one message per commit, with nothing in between. And the copy carries
the same Message-ID (derived from the notice keys), by which mail systems and clients recognise
and drop duplicates. The in-app notification has no such window: it is written with the claim.

A commit seam (tracker/core/unit_of_work.py): the claims and the "sent" marks above are commits of
their own, because other runs must see them before the next step; the jobs and commands calling this
module are otherwise one unit of work each.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from tracker.core.time import utcnow
from tracker.extensions import db
from tracker.queue import lease
from tracker.reminders.mail import breaks_the_batch, build_email, is_permanent
from tracker.reminders.models import Notice, Notification, OutboxMessage, OutboxStatus
from tracker.reminders.services import ComposedMessage, Digest, compose, plan_digests
from tracker.reminders.rules import Schedule

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=15)
MAX_ATTEMPTS = 10
CLAIM_RETRIES = 3


def retry_delay(attempts: int) -> timedelta:
    """5 min, 10 min, 20 min ... at most 6 hours between attempts."""
    return lease.retry_delay(attempts, base=timedelta(minutes=5), cap=timedelta(hours=6))


# --- claim ---------------------------------------------------------------------------------------


def _taken(keys: list[tuple[int, str, int, date]]) -> set[tuple[int, str, int, date]]:
    if not keys:
        return set()
    user_ids = {k[0] for k in keys}
    period_ids = {k[2] for k in keys}
    rows = db.session.execute(
        select(Notice.user_id, Notice.rule, Notice.period_id, Notice.day).where(
            Notice.user_id.in_(user_ids), Notice.period_id.in_(period_ids)
        )
    )
    return {tuple(row) for row in rows} & set(keys)


@dataclass
class Prepared:
    """A digest made ready to claim: plain values only, so that commits (which expire the ORM
    objects) do not force the next digests to be reloaded."""

    digest: Digest
    user_id: int
    to_email: str
    today: date
    notices: list[tuple[int, str, int, date, int | None]]  # the key, then the unit
    composed: ComposedMessage

    @property
    def keys(self) -> list[tuple[int, str, int, date]]:
        return [n[:4] for n in self.notices]


@dataclass
class Claimed:
    outbox_id: int
    user_id: int
    keys: list[tuple[int, str, int, date]]


def prepare(digest: Digest) -> Prepared:
    return Prepared(
        digest=digest,
        user_id=digest.user.id,
        to_email=digest.user.email,
        today=digest.today,
        notices=[(*n.key, n.unit.id if n.unit is not None else None) for n in digest.notices],
        composed=compose(digest),
    )


def claim_prepared(prepared: Prepared, *, now: datetime) -> Claimed | None:
    """Claim every notice of a digest and store its message; None when others had them all."""
    for _ in range(CLAIM_RETRIES):
        if not prepared.notices:
            return None
        composed = prepared.composed
        message = OutboxMessage(
            user_id=prepared.user_id,
            to_email=prepared.to_email,
            subject=composed.subject,
            body_text=composed.text,
            body_html=composed.html,
            message_id=composed.message_id,
            run_day=prepared.today,
            status=OutboxStatus.PENDING.value,
            created_at=now,
        )
        for user_id, rule, period_id, day, unit_id in prepared.notices:
            message.notices.append(Notice(user_id=user_id, rule=rule, period_id=period_id, day=day,
                                          unit_id=unit_id, created_at=now))
        db.session.add(message)
        try:
            db.session.flush()
            outbox_id = message.id
            db.session.add(Notification(
                user_id=prepared.user_id, title=composed.title, body=composed.summary, link=composed.link,
                outbox_id=outbox_id, created_at=now,
            ))
            db.session.commit()
            return Claimed(outbox_id, prepared.user_id, prepared.keys)
        except IntegrityError:
            # Another run claimed some of these keys first: keep only the ones still free.
            db.session.rollback()
            taken = _taken(prepared.keys)
            log.info("Nhắc việc: %d thông báo của người dùng %s đã do lượt chạy khác nhận",
                     len(taken), prepared.user_id)
            digest = prepared.digest
            remaining = [n for n in digest.notices if n.key not in taken]
            if not remaining:
                return None
            prepared = prepare(Digest(digest.user, digest.today, remaining))
    return None


def claim_digests(digests: list[Digest], *, now: datetime) -> list[Claimed]:
    prepared = [prepare(digest) for digest in digests]  # composed before the first commit
    claimed = []
    for item in prepared:
        outcome = claim_prepared(item, now=now)
        if outcome is not None:
            claimed.append(outcome)
    return claimed


# --- deliver -------------------------------------------------------------------------------------


@dataclass
class DeliveryResult:
    sent: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)  # (outbox id, error), will be retried
    given_up: list[int] = field(default_factory=list)  # marked failed for good


def _deliverable(now: datetime):
    pending = and_(
        OutboxMessage.status == OutboxStatus.PENDING.value,
        or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
    )
    abandoned = and_(OutboxMessage.status == OutboxStatus.SENDING.value, OutboxMessage.claimed_at <= now - LEASE)
    return or_(pending, abandoned)


def _email_for(row: OutboxMessage, sender: str, now: datetime):
    # Built from the stored row alone, with the Date it was composed: a retry after a crash sends
    # a copy identical to the first (same Message-ID, same Date) that clients fold into one.
    return build_email(
        sender=sender, to=row.to_email, subject=row.subject, text=row.body_text, html=row.body_html,
        message_id=row.message_id, date=row.created_at or now,
    )


def _record_failure(row_id: int, attempts_before: int, error: BaseException, now: datetime,
                    result: DeliveryResult, token: str | None = None) -> None:
    attempts = attempts_before + 1
    give_up = is_permanent(error) or attempts >= MAX_ATTEMPTS
    condition = [OutboxMessage.id == row_id, OutboxMessage.status != OutboxStatus.SENT.value]
    if token is not None:
        condition.append(OutboxMessage.claim_token == token)
    # Conditional: never turn back a row another deliverer has meanwhile sent.
    db.session.execute(
        update(OutboxMessage)
        .where(*condition)
        .values(
            attempts=attempts,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            status=(OutboxStatus.FAILED if give_up else OutboxStatus.PENDING).value,
            next_attempt_at=None if give_up else now + retry_delay(attempts),
            claim_token=None,
            claimed_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    (result.given_up.append(row_id) if give_up else result.failed.append((row_id, str(error))))
    log.warning("Gửi thư nhắc việc %s không thành công (lần %d): %s", row_id, attempts, error)


def deliver_pending(*, now: datetime, mailer, sender: str, limit: int = 500) -> DeliveryResult:
    """Send pending outbox rows one by one, each marked sent in its own commit."""
    result = DeliveryResult()
    dialect = db.session.get_bind().dialect.name
    deliver_one = _deliver_one_locked if dialect == "postgresql" else _deliver_one_claimed
    started = utcnow()
    for _ in range(limit):
        # The run's clock advances with real time: a batch that outlasts the lease must not stamp
        # its claims with a start time another deliverer already treats as abandoned.
        current = now + (utcnow() - started)
        outcome = deliver_one(current, mailer, sender, result)
        if outcome in ("empty", "stop"):
            break
    return result


def _deliver_one_locked(now, mailer, sender, result: DeliveryResult) -> str:
    """PostgreSQL: the row lock is the claim; held from SELECT to the "sent" commit."""
    row = db.session.scalars(
        select(OutboxMessage)
        .where(_deliverable(now))
        .order_by(OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if row is None:
        db.session.rollback()
        return "empty"
    row_id, attempts = row.id, row.attempts
    try:
        mailer.send(_email_for(row, sender, now))
    except Exception as error:  # noqa: BLE001 - recorded on the row, retried later
        db.session.rollback()
        _record_failure(row_id, attempts, error, now, result)
        return "stop" if breaks_the_batch(error) else "next"
    # At-least-once window: from the server's "250 OK" to this commit (see the module docstring).
    row.status = OutboxStatus.SENT.value
    row.sent_at = now
    row.attempts = attempts + 1
    row.last_error = None
    row.claim_token = None
    db.session.commit()
    result.sent.append(row_id)
    return "sent"


def claim_row(row_id: int, now: datetime) -> str | None:
    """The conditional claim (committed): a token if this caller got the row, else None."""
    token = lease.new_token()
    claimed = lease.conditional_claim(OutboxMessage, row_id, _deliverable(now),
                                      dict(status=OutboxStatus.SENDING.value, claim_token=token, claimed_at=now))
    return token if claimed else None


def _deliver_one_claimed(now, mailer, sender, result: DeliveryResult) -> str:
    """SQLite: claim by a conditional UPDATE (committed), send, then mark sent."""
    row_id = db.session.scalar(
        select(OutboxMessage.id).where(_deliverable(now)).order_by(OutboxMessage.id).limit(1)
    )
    if row_id is None:
        db.session.rollback()
        return "empty"
    token = claim_row(row_id, now)
    if token is None:
        return "next"  # another deliverer took it between our SELECT and UPDATE
    row = db.session.get(OutboxMessage, row_id, populate_existing=True)
    attempts = row.attempts
    try:
        mailer.send(_email_for(row, sender, now))
    except Exception as error:  # noqa: BLE001 - recorded on the row, retried later
        db.session.rollback()
        _record_failure(row_id, attempts, error, now, result, token=token)
        return "stop" if breaks_the_batch(error) else "next"
    # At-least-once window: from the server's "250 OK" to this commit (see the module docstring).
    marked = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.claim_token == token)
        .values(status=OutboxStatus.SENT.value, sent_at=now, attempts=attempts + 1, last_error=None,
                claim_token=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if marked != 1:
        log.warning("Thư nhắc việc %s đã gửi nhưng lượt gửi đã bị nhận lại sau thời hạn giữ chỗ", row_id)
    result.sent.append(row_id)
    return "sent"


# --- one pass ------------------------------------------------------------------------------------


@dataclass
class RunResult:
    today: date
    digests: list[Digest]
    claimed: list[Claimed]
    delivery: DeliveryResult


def run_reminders(today: date, *, now: datetime, mailer, sender: str,
                  schedule: Schedule | None = None) -> RunResult:
    """One pass as if it were `today`: plan, claim (committed), then deliver what is pending."""
    digests = plan_digests(today, schedule)
    claimed = claim_digests(digests, now=now)
    delivery = deliver_pending(now=now, mailer=mailer, sender=sender)
    return RunResult(today, digests, claimed, delivery)
