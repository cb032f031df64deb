"""The application factory refuses an unsafe production start."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import ProductionConfig
from tracker import create_app

ROOT = Path(__file__).resolve().parent.parent


def test_production_refuses_the_development_secret_key(monkeypatch):
    class Config(ProductionConfig):
        SECRET_KEY = "dev-only-change-me"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Config)


def test_production_is_the_default_environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("TRACKER_ENV", "SECRET_KEY")}
    code = "from tracker import create_app; app = create_app(); print(app.debug, app.config['REMEMBER_COOKIE_SECURE'])"
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, "SECRET_KEY": "x" * 40,
                         "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}, capture_output=True, text=True)
    assert run.stdout.split() == ["False", "True"], run.stderr
    refused = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert refused.returncode != 0 and "SECRET_KEY" in refused.stderr


@pytest.mark.parametrize("key", ["", "   "], ids=["empty", "blank"])
def test_production_refuses_an_empty_secret_key(tmp_path, key):
    """SECRET_KEY= (empty) used to start, then every page that signs a cookie failed with 500."""
    env = {k: v for k, v in os.environ.items() if k not in ("TRACKER_ENV", "SECRET_KEY")}
    code = "from tracker import create_app; create_app(); print('started')"
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={**env, "SECRET_KEY": key, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert run.returncode != 0 and "started" not in run.stdout
    assert "SECRET_KEY rỗng" in run.stderr
