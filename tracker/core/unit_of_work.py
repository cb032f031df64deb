"""One commit point: a request, a job or a CLI command is one unit of work, committed once at its end
or rolled back once on error (the shape of Indico's request handler).

Services flush, never commit. What must happen only if the unit's changes are kept (deleting a file
whose row was deleted, releasing notifications) is registered with `after_commit`; what undoes a
side effect of a unit that is thrown away (a stored upload whose row is rolled back) with
`after_rollback`. Nothing else pairs a rollback with clean-up by hand.

Requests (`init_app`): a state-changing request (POST, PUT, PATCH, DELETE) is committed when it
succeeds (status below 400) and rolled back when it fails: an exception, an `abort()`, an error
status. A page that saved what it could and answers with an error status (a draft kept, the
invalid cells shown back with 422) says so with `keep()`. Reads (GET, HEAD) commit nothing, as
before (their session ends with the app context): a page never writes by accident.

Jobs and CLI commands: `with unit_of_work():` around the work.

The one early commit: the sign-in throttle commits its attempt counter before the password is
checked (tracker/auth/throttle.py), so simultaneous attempts see each other's count. That is
`commit_now()`, explicit and documented where it is called; the rest of the request stays one unit.
An API request's rate-limit counter (tracker/api/routes.py) stands even for a refused request, and
a report download queued by a GET (tracker/reports/routes.py) must be stored for the worker: both
use `commit_now()` too.

A job that must commit one step at a time for correctness (a claim other processes must see before
the next step, a row two processes may create at the same moment) runs each step with
`commit_step()`, the only commit outside a unit's end; the job itself is still `with unit_of_work():`.
The outbox's deliveries and the job table's lease claims keep their own commits inside their seam
modules (tracker/reminders/outbox.py, tracker/queue/), each commented.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, TypeVar

from sqlalchemy.exc import IntegrityError

from flask import g, request

from tracker.extensions import db

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

T = TypeVar("T")


class _Unit:
    def __init__(self) -> None:
        self.on_commit: list[Callable[[], None]] = []
        self.on_rollback: list[Callable[[], None]] = []
        self.failed = False
        self.kept = False


def _unit() -> _Unit:
    unit = g.get("_unit_of_work")
    if unit is None:
        unit = g._unit_of_work = _Unit()
    return unit


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the unit's changes are committed (not at all if they are rolled back)."""
    _unit().on_commit.append(callback)


def after_rollback(callback: Callable[[], None]) -> None:
    """Run `callback` if the unit is rolled back (not at all if it is committed)."""
    _unit().on_rollback.append(callback)


def fail() -> None:
    """The unit is rolled back at its end, whatever the response (a 409 page showing typed text)."""
    _unit().failed = True


def keep() -> None:
    """Commit the unit although the response has an error status (a draft saved, its errors shown)."""
    _unit().kept = True


def rollback_now() -> None:
    """Throw away the unit's changes now (its rollback hooks run) and start a fresh one, for a page
    that shows the stored state after a refusal."""
    unit = _unit()
    db.session.rollback()
    hooks, unit.on_rollback, unit.on_commit = unit.on_rollback, [], []
    _run(hooks)


def commit_now() -> None:
    """The explicit early commit (the sign-in throttle's counter): commit what the unit holds so far
    and run its commit hooks; the rest of the unit goes on as a new one."""
    unit = _unit()
    db.session.commit()
    hooks, unit.on_commit, unit.on_rollback = unit.on_commit, [], []
    _run(hooks)


def commit_step(work: Callable[[], T]) -> tuple[bool, T | None]:
    """One step of a job committed on its own, for correctness: `work()`, then commit. A unique
    violation (another process claimed or created the same row first) rolls the step back and
    answers `(False, None)`, for the job to read the state again; otherwise `(True, result)`."""
    try:
        result = work()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False, None
    return True, result


def finish(*, success: bool) -> None:
    """End the unit: commit it (then its commit hooks) or roll it back (then its rollback hooks).
    A failing commit rolls back and raises."""
    unit = g.pop("_unit_of_work", None) or _Unit()
    if success and not unit.failed:
        try:
            db.session.commit()
        except BaseException:
            db.session.rollback()
            _run(unit.on_rollback)
            raise
        _run(unit.on_commit)
    else:
        db.session.rollback()
        _run(unit.on_rollback)


def _run(hooks: list[Callable[[], None]]) -> None:
    for hook in hooks:
        hook()


@contextmanager
def unit_of_work():
    """One job or CLI command: committed when the block ends normally, rolled back on an exception.
    Reuses the caller's app context (`g`), so run it inside one."""
    g.pop("_unit_of_work", None)
    try:
        yield
    except BaseException:
        finish(success=False)
        raise
    finish(success=True)


def init_app(app) -> None:
    @app.after_request
    def _end_request(response):
        if request.method in WRITE_METHODS:
            unit = _unit()
            finish(success=response.status_code < 400 or unit.kept)
        else:
            g.pop("_unit_of_work", None)  # a read commits nothing; the session ends with the app context
        return response

    @app.teardown_request
    def _end_failed_request(error):
        # An unhandled exception skips nothing above (Flask still runs after_request with the 500
        # page) unless after_request itself failed: whatever is left is rolled back.
        if error is not None and request.method in WRITE_METHODS:
            finish(success=False)
