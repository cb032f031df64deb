"""Request ids on every response; in production one JSON object per log line, with request, user and area."""
from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from config import Config, DevelopmentConfig, ProductionConfig
from tracker.ops.observability import configure_logging

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def json_log(app):
    """The session app logging JSON into a buffer for the test; everything put back afterwards."""
    root = logging.getLogger()
    level, handlers, app_handlers = root.level, list(root.handlers), list(app.logger.handlers)
    app.config["LOG_FORMAT"] = "json"
    buffer = io.StringIO()
    handler = configure_logging(app, stream=buffer)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        assert root.handlers == handlers
        app.logger.handlers[:] = app_handlers
        app.config["LOG_FORMAT"] = "text"


def test_production_logs_json_and_development_plain_text():
    assert ProductionConfig.LOG_FORMAT == "json"
    assert Config.LOG_FORMAT == DevelopmentConfig.LOG_FORMAT == "text"


def test_every_response_carries_a_request_id(client):
    generated = client.get("/dang-nhap").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert client.get("/dang-nhap").headers["X-Request-ID"] != generated
    # a proxy's id is kept, so that its log and ours name the same request
    assert client.get("/dang-nhap", headers={"X-Request-ID": "lb-7f3a.91"}).headers["X-Request-ID"] == "lb-7f3a.91"
    for forged in ("x" * 300, "abc def", '"}{"level":"ERROR', "dòng mới", "-leading-dash"):
        answer = client.get("/dang-nhap", headers={"X-Request-ID": forged}).headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", answer), forged
    # error pages too
    missing = client.get("/khong-co-trang-nay")
    assert missing.status_code == 404 and missing.headers["X-Request-ID"]


def test_one_json_line_per_request_with_user_and_request_id(client, factory, login, json_log):
    user = factory.user(role="coordinator")
    login(user)
    response = client.get("/tong-quan", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 200
    lines = [entry for entry in json_log() if entry["logger"] == "tracker.request"]
    entry = next(e for e in lines if e["request_id"] == "req-42")
    assert entry["message"] == "GET /tong-quan 200"
    assert (entry["method"], entry["route"], entry["status"], entry["user_id"]) == ("GET", "/tong-quan", 200, user.id)
    assert entry["area_id"] is None  # users carry no area of their own yet
    assert entry["level"] == "INFO" and entry["time"].endswith("Z") and entry["duration_ms"] >= 0
    sign_in = next(e for e in lines if e["route"] == "/dang-nhap")
    assert sign_in["user_id"] == user.id and sign_in["status"] == 302  # known once signed in, after its commit


def test_the_users_area_is_logged_when_the_user_has_one(client, factory, login, json_log):
    user = factory.user(role="viewer")
    login(user)
    user.area_id = 7  # what the coming area scoping adds to users
    client.get("/tong-quan", headers={"X-Request-ID": "req-area"})
    entry = next(e for e in json_log() if e["request_id"] == "req-area")
    assert (entry["user_id"], entry["area_id"]) == (user.id, 7)


def test_anonymous_requests_have_no_user(client, json_log):
    client.get("/dang-nhap", headers={"X-Request-ID": "anon-1"})
    entry = next(e for e in json_log() if e["request_id"] == "anon-1")
    assert entry["user_id"] is None and entry["area_id"] is None


def test_application_records_carry_the_request_id_and_the_traceback(app, client, json_log):
    from flask import g

    with app.test_request_context("/x", headers={"X-Request-ID": "ctx-9"}):
        app.preprocess_request()
        assert g.request_id == "ctx-9"
        try:
            raise ValueError("hỏng")
        except ValueError:
            logging.getLogger("tracker.test").exception("Lỗi khi lập báo cáo %s", "222/KH-UBND",
                                                        extra={"plan": "222/KH-UBND"})
    entry = next(e for e in json_log() if e["logger"] == "tracker.test")
    assert entry["message"] == "Lỗi khi lập báo cáo 222/KH-UBND" and entry["plan"] == "222/KH-UBND"
    assert entry["request_id"] == "ctx-9" and entry["level"] == "ERROR"
    assert "ValueError: hỏng" in entry["exception"]
    logging.getLogger("tracker.test").warning("ngoài yêu cầu")
    outside = json_log()[-1]
    assert outside["message"] == "ngoài yêu cầu" and outside["request_id"] is None


def test_health_polls_stay_out_of_the_info_log(client, db, json_log):
    from tracker.ops.jobs import record_heartbeat

    record_heartbeat()
    assert client.get("/healthz").status_code == 200
    assert not [e for e in json_log() if e.get("route") == "/healthz" and e["level"] == "INFO"]


def test_the_heartbeat_job_does_not_fill_the_log(json_log):
    executor = logging.getLogger("apscheduler.executors.default")
    executor.info('Running job "%s (trigger: interval[0:01:00])"', "Ghi nhịp cho kiểm tra sức khỏe")
    executor.info('Running job "%s (trigger: cron[hour=7])"', "Nhắc báo cáo hằng ngày")
    executor.error('Job "%s" raised an exception', "Ghi nhịp cho kiểm tra sức khỏe")
    messages = [e["message"] for e in json_log() if e["logger"] == "apscheduler.executors.default"]
    assert messages == ['Running job "Nhắc báo cáo hằng ngày (trigger: cron[hour=7])"',
                        'Job "Ghi nhịp cho kiểm tra sức khỏe" raised an exception']


def test_a_production_process_writes_json_lines_to_stderr(tmp_path):
    """The real thing: TRACKER_ENV=production, each stderr line parses as JSON."""
    code = ("from wsgi import app\n"
            "client = app.test_client()\n"
            "client.get('/dang-nhap', headers={'X-Request-ID': 'prod-1'})\n")
    env = {**os.environ, "TRACKER_ENV": "production", "SECRET_KEY": "k" * 32, "LOG_LEVEL": "INFO",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}"}
    env.pop("LOG_FORMAT", None)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=True)
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    access = [e for e in lines if e["logger"] == "tracker.request"]
    assert access and access[0]["request_id"] == "prod-1" and access[0]["status"] in (200, 500)
