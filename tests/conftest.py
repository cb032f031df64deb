"""Shared fixtures: app, db (one rolled-back transaction per test), client, runner, login, factories."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import event
from sqlalchemy.orm import scoped_session, sessionmaker

from config import TestConfig
from tests.concurrency import concurrent_app  # noqa: F401 - the harness's fixture
from tests.csrf import csrf_token
from tracker import create_app
from tracker.extensions import db as _db

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"


def _sqlite_savepoint_fix(engine) -> None:
    """pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    class Config(TestConfig):
        UPLOAD_DIR = str(tmp_path_factory.mktemp("uploads"))

    app = create_app(Config)
    with app.app_context():
        if _db.engine.dialect.name == "sqlite":
            _sqlite_savepoint_fix(_db.engine)
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """The database, inside a transaction rolled back after the test (commits become savepoints)."""
    with app.app_context():
        connection = _db.engine.connect()
        transaction = connection.begin()
        original = _db.session
        # A plain SQLAlchemy session: Flask-SQLAlchemy's own would pick the engine over `bind`.
        _db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def factory(db):
    from tests.factories import Factory

    return Factory(db)


@pytest.fixture
def csrf_enabled(app):
    """CSRF protection on, as in production (TestConfig turns it off for the other tests)."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def login(client, app):
    """login(user) signs the test client in as that user (password 'matkhau123'); with CSRF
    enabled it first reads the sign-in form's token, as a browser would."""

    def _login(user, password: str = "matkhau123"):
        data = {"email": user.email, "password": password}
        if app.config["WTF_CSRF_ENABLED"]:
            data["csrf_token"] = csrf_token(client)
        response = client.post("/dang-nhap", data=data, follow_redirects=False)
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return response

    return _login


@pytest.fixture
def seeded(db, app):
    """The four seed documents of seed_plans/, loaded (inside the test's transaction)."""
    from tracker.plans.loader import load_paths

    result = load_paths([app.config["SEED_PLANS_DIR"]])
    db.session.commit()
    return result


def pytest_configure(config):
    os.environ.setdefault("TRACKER_ENV", "test")


@pytest.fixture
def world(factory):
    """Two units, a plan, items, periods and users for the update and period tests."""
    from tests.updates.world import build_world

    return build_world(factory)


@pytest.fixture
def as_user(client, login, app):
    """Sign the test client in as `user`, signing out whoever was signed in."""

    def _as(user):
        with client.session_transaction() as session:
            signed_in = "_user_id" in session
        if signed_in:
            client.post("/dang-xuat", data={"csrf_token": csrf_token(client)}
                        if app.config["WTF_CSRF_ENABLED"] else None)
        return login(user)

    return _as


@pytest.fixture
def provinces(factory):
    """Two provinces (Thừa Thiên Huế, Thanh Hóa) with the same unit names, a plan numbered 222/KH-UBND
    each, their current period and one user per role (tests/provinces.py)."""
    from tests.provinces import build_two_provinces

    return build_two_provinces(factory)
