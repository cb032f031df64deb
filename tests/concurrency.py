"""The concurrency harness: requests that really run at the same time, against PostgreSQL.

The rolled-back `db` fixture gives every test one connection, so nothing there can race. Here each
thread has its own test client, so each request has its own application context, session and
pooled connection, and every request commits for real into a database of its own
(`<TEST_DATABASE_URL's database>_concurrency_<pid>`, created and dropped around the test).
SQLite serialises writers with one database lock, which hides exactly the races under test, so
the fixture skips there.

    def test_x(concurrent_app):
        with concurrent_app.app_context():
            ... create rows, db.session.commit()
        results = run_together([lambda: post(...), lambda: post(...)])

`run_together` starts every callable in its own thread, releases them at once (a barrier) and
returns their results in order; an exception in a thread is re-raised in the test.
"""
from __future__ import annotations

import os
import threading
from typing import Callable

import pytest
from sqlalchemy import create_engine, make_url
from sqlalchemy.pool import NullPool

from config import TestConfig
from tests.csrf import csrf_token, sign_in  # noqa: F401 - used with the harness


def is_postgres() -> bool:
    return make_url(TestConfig.SQLALCHEMY_DATABASE_URI).get_backend_name() == "postgresql"


def run_together(functions: list[Callable[[], object]], timeout: float = 120.0) -> list:
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)
    errors: list[BaseException] = []

    def run(index: int, function: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout)
            results[index] = function()
        except BaseException as error:  # noqa: BLE001 - re-raised in the test below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, f), daemon=True) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if any(thread.is_alive() for thread in threads):
        raise AssertionError(f"threads still running after {timeout} s")
    if errors:
        raise errors[0]
    return results


@pytest.fixture
def concurrent_app():
    """An app on a fresh PostgreSQL database of its own, CSRF enabled, a connection per thread."""
    if not is_postgres():
        pytest.skip("concurrency tests need PostgreSQL (TEST_DATABASE_URL); SQLite serialises writers")
    from tracker import create_app
    from tracker.extensions import db

    base = make_url(TestConfig.SQLALCHEMY_DATABASE_URI)
    name = f"{base.database}_concurrency_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')

    class ConcurrentConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = base.set(database=name).render_as_string(hide_password=False)
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": 5, "max_overflow": 40, "pool_timeout": 60}
        WTF_CSRF_ENABLED = True

    app = create_app(ConcurrentConfig)
    with app.app_context():
        db.create_all()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
