"""Sign-in throttling: growing delays per account and per client address, counted atomically.

Every attempt is counted as a failure *before* its password is checked, under the counter row's
lock (PostgreSQL `SELECT … FOR UPDATE`; SQLite serialises writers), and that reservation is
committed at once. So N attempts arriving together get N distinct counts, and only those within
the allowance are checked at all; the others are refused unchecked. A right password takes its
count back.

Three counters, each with its own allowance (config `LOGIN_*`):

- *account at address* (`pair`): `LOGIN_MAX_FAILURES` free tries for one account from one address;
- *address*: `LOGIN_ADDRESS_MAX_FAILURES` over every account tried from one address;
- *account*: `LOGIN_ACCOUNT_MAX_FAILURES` over every address, against guessing from many machines.

Past its allowance a counter imposes a wait: `LOGIN_LOCKOUT_SECONDS`, doubled with each further
failure up to `LOGIN_MAX_LOCKOUT_SECONDS`; after the wait one more try is allowed. Nothing is ever
locked for good, and a counter left quiet for `LOGIN_THROTTLE_FORGET_SECONDS` starts again.
A browser that has signed in to the account before carries a signed "known device" cookie; its
attempts skip the address and account counters, so that someone guessing the admin's password
from elsewhere delays only themselves. Unknown accounts are counted exactly like existing ones:
the answer never tells whether an account exists.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, UniqueConstraint, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.time import as_utc
from tracker.core.types import UTCDateTime
from tracker.extensions import db

PAIR, ADDRESS, ACCOUNT = "pair", "address", "account"


class LoginThrottle(db.Model):
    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(320))
    # The account (normalised email) the counter is about, None for an address. Not a foreign key:
    # accounts that do not exist are counted too.
    account: Mapped[str | None] = mapped_column(String(255), index=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


@dataclass(frozen=True)
class Limits:
    pair: int
    address: int
    account: int
    first_wait: int
    max_wait: int
    forget_after: int

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(
            pair=int(config["LOGIN_MAX_FAILURES"]),
            address=int(config["LOGIN_ADDRESS_MAX_FAILURES"]),
            account=int(config["LOGIN_ACCOUNT_MAX_FAILURES"]),
            first_wait=int(config["LOGIN_LOCKOUT_SECONDS"]),
            max_wait=int(config["LOGIN_MAX_LOCKOUT_SECONDS"]),
            forget_after=int(config["LOGIN_THROTTLE_FORGET_SECONDS"]),
        )

    def allowance(self, scope: str) -> int:
        return {PAIR: self.pair, ADDRESS: self.address, ACCOUNT: self.account}[scope]

    def wait_after(self, failures: int, allowance: int) -> int:
        """The wait imposed by the `failures`-th failure: none within the allowance, then doubling."""
        if failures < allowance:
            return 0
        return min(self.first_wait * 2 ** min(failures - allowance, 30), self.max_wait)


@dataclass
class Attempt:
    """A reserved sign-in attempt: allowed (its password may be checked) or to wait `wait` seconds."""

    allowed: bool
    wait: int = 0
    # (row id, blocked_until before this attempt), to take the count back after a right password.
    reserved: list[tuple[int, str, datetime | None]] = field(default_factory=list)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()[:255]


def _keys(email: str, address: str, known_device: bool) -> list[tuple[str, str, str | None]]:
    keys = [(PAIR, f"{email}|{address}", email)]
    if not known_device:
        keys += [(ADDRESS, address, None), (ACCOUNT, email, email)]
    return keys


def _locked_row(scope: str, key: str, account: str | None, now: datetime) -> LoginThrottle:
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(LoginThrottle.__table__)
        .values(scope=scope, key=key, account=account, failures=0, updated_at=now)
        .on_conflict_do_nothing(index_elements=["scope", "key"])
    )
    return db.session.scalars(
        select(LoginThrottle).where(LoginThrottle.scope == scope, LoginThrottle.key == key)
        .with_for_update().execution_options(populate_existing=True)
    ).one()


def reserve(email: str, address: str, now: datetime, limits: Limits, *, known_device: bool = False) -> Attempt:
    """Count an attempt before its password is checked. The caller commits straight away (so that
    concurrent attempts see the count) and checks the password only if `allowed`."""
    email = normalise_email(email)
    _purge(now, limits)
    # Rows are always locked in the same order (pair, address, account): no deadlock.
    rows = [(_locked_row(scope, key, account, now), scope) for scope, key, account in _keys(email, address, known_device)]
    wait = 0
    for row, _ in rows:
        if as_utc(row.updated_at) < now - timedelta(seconds=limits.forget_after):
            row.failures, row.blocked_until = 0, None
        if row.blocked_until is not None and as_utc(row.blocked_until) > now:
            wait = max(wait, int((as_utc(row.blocked_until) - now).total_seconds() + 0.999))
    if wait:
        db.session.flush()
        return Attempt(False, wait)
    attempt = Attempt(True)
    for row, scope in rows:
        attempt.reserved.append((row.id, scope, row.blocked_until))
        row.failures += 1
        row.updated_at = now
        pause = limits.wait_after(row.failures, limits.allowance(scope))
        if pause:
            row.blocked_until = now + timedelta(seconds=pause)
    db.session.flush()
    return attempt


def _purge(now: datetime, limits: Limits) -> None:
    """Counters nobody touched for `forget_after` are over: delete a batch of them (rows locked by
    other attempts are skipped, never waited for)."""
    stale = (select(LoginThrottle.id)
             .where(LoginThrottle.updated_at < now - timedelta(seconds=limits.forget_after))
             .limit(100).with_for_update(skip_locked=True))
    ids = list(db.session.scalars(stale))
    if ids:
        db.session.execute(delete(LoginThrottle).where(LoginThrottle.id.in_(ids)))


def succeeded(attempt: Attempt) -> None:
    """A right password: the account's count at this address starts again; the other counters
    forget this attempt (earlier failures stay counted)."""
    for row_id, scope, blocked_before in attempt.reserved:
        if scope == PAIR:
            db.session.execute(delete(LoginThrottle).where(LoginThrottle.id == row_id))
            continue
        row = db.session.scalars(select(LoginThrottle).where(LoginThrottle.id == row_id)
                                 .with_for_update().execution_options(populate_existing=True)).one()
        row.failures = max(0, row.failures - 1)
        row.blocked_until = blocked_before
        if row.failures == 0 and blocked_before is None:
            db.session.delete(row)
    db.session.flush()


def forget_account(email: str) -> None:
    """An admin reset the password: every counter about this account starts again."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.account == normalise_email(email)))


def blocked_accounts(now: datetime) -> set[str]:
    """Accounts (emails) with a wait running, at some address or everywhere."""
    return set(db.session.scalars(
        select(LoginThrottle.account).where(LoginThrottle.account.is_not(None), LoginThrottle.blocked_until > now)
    ))


def wait_text(seconds: int) -> str:
    if seconds < 60:
        return f"{max(1, seconds)} giây"
    return f"{(seconds + 59) // 60} phút"
