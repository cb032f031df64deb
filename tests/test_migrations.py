"""One Alembic chain upgrades an empty database to head and back, on SQLite and PostgreSQL,
and the head matches the models exactly."""
from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from config import TestConfig
from tracker import create_app
from tracker.extensions import db


def _round_trip(url: str) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        with db.engine.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata)
        assert diffs == [], f"the models differ from the migrations: {diffs}"
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_migrations_up_and_down_on_sqlite(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")


@contextmanager
def scratch_postgresql(name: str):
    """The URL of a new, empty PostgreSQL database next to TEST_DATABASE_URL's, dropped afterwards."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("TEST_DATABASE_URL is not PostgreSQL (CI sets it)")
    # Named after the test database: several checkouts may run their suites on one server at once.
    name = url.rsplit("/", 1)[1].split("?")[0] + "_" + name
    admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


def test_migrations_up_and_down_on_postgresql():
    with scratch_postgresql("migrations") as url:
        _round_trip(url)
