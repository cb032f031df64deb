"""The app served in a thread (werkzeug) on a free localhost port, for the browser tests: a
temporary SQLite file, CSRF protection on, as in production."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

from config import TestConfig
from tracker import create_app
from tracker.extensions import db


def e2e_app(tmp_path: Path):
    config = type("E2EConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e2e.sqlite3'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SERVER_NAME": None,
        "WTF_CSRF_ENABLED": True,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
    })
    return create_app(config)


@contextmanager
def serving(app):
    """The base URL of `app` served until the block ends; the database is released afterwards."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
