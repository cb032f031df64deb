"""Claiming a row with a lease, shared by the mail outbox and the job table.

Two workers must never run the same row, on PostgreSQL (row locks) or SQLite (none):
- `retry_delay`: the back-off between attempts (5 min, 10 min, 20 min … at most 6 hours);
- `conditional_claim`: an UPDATE that changes the row only while it is still claimable, so that
  only the caller whose UPDATE changed it holds it (the SQLite path, and the outbox's);
- `claim_next`: the next claimable row's id, taken on PostgreSQL with `FOR UPDATE SKIP LOCKED`
  (a second worker skips it instead of waiting) and stamped with a lease in the same short
  transaction, so that a long job holds no lock and a crashed worker's row comes back when its
  lease runs out.

A commit seam (tracker/core/unit_of_work.py): each claim is committed at once, so that another
worker sees the lease before this one starts the row's work.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update

from tracker.extensions import db


def retry_delay(attempts: int, base: timedelta = timedelta(minutes=5), cap: timedelta = timedelta(hours=6)) -> timedelta:
    return min(base * 2 ** max(0, attempts - 1), cap)


def new_token() -> str:
    return uuid.uuid4().hex


def conditional_claim(model, row_id: int, claimable, values: dict) -> bool:
    """UPDATE the row with `values` only if it is still `claimable`; True when this caller got it.
    Committed: the claim must be visible to other workers before any work starts."""
    changed = db.session.execute(
        update(model).where(model.id == row_id, claimable).values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return changed == 1


def claim_next(model, claimable, values: dict, order_by) -> int | None:
    """Claim the first claimable row (by `order_by`) with `values`; its id, or None when none is left."""
    if db.session.get_bind().dialect.name == "postgresql":
        row_id = db.session.scalar(
            select(model.id).where(claimable).order_by(*order_by).limit(1).with_for_update(skip_locked=True)
        )
        if row_id is None:
            db.session.rollback()
            return None
        db.session.execute(update(model).where(model.id == row_id).values(**values)
                           .execution_options(synchronize_session=False))
        db.session.commit()
        return row_id
    for _ in range(10):  # SQLite: another worker may win the row between our SELECT and UPDATE
        row_id = db.session.scalar(select(model.id).where(claimable).order_by(*order_by).limit(1))
        if row_id is None:
            db.session.rollback()
            return None
        if conditional_claim(model, row_id, claimable, values):
            return row_id
    return None
