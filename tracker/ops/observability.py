"""Request ids and structured logs.

Every response carries `X-Request-ID` (the one a proxy sent, when it is a plain token, or a new
one). With LOG_FORMAT=json (production's default) every log record, the application's and the
libraries', is written to stderr as one JSON object per line with the request id, the signed-in
user's id and area, and each request ends with one line `tracker.request` (method, route,
status, duration). Logging never touches the database: the user is read from what the request
has already loaded.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from tracker.ops.jobs import HEARTBEAT_JOB_NAME

REQUEST_ID_HEADER = "X-Request-ID"
# What we accept from a proxy: a token, never text that could pass for something else in a log.
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
ACCESS_LOGGER = "tracker.request"
_IDENTITY_KEY = "tracker.log_identity"  # in the request's environ: one request, one identity
# Attributes every LogRecord has: anything else on a record is an `extra` and goes into the JSON.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id", "user_id", "area_id"}


def init_app(app: Flask) -> None:
    app.before_request(_start_request)
    app.after_request(_finish_request)
    configure_logging(app)


def configure_logging(app: Flask, stream=None) -> logging.Handler | None:
    """With LOG_FORMAT=json, one JSON line per record on `stream` (stderr) through the root logger."""
    if app.config.get("LOG_FORMAT", "text") != "json":
        return None
    from flask.logging import default_handler

    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "tracker_json", False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.tracker_json = True
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    handler.addFilter(_quiet_heartbeat)
    root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    app.logger.removeHandler(default_handler)  # the records reach the root handler instead
    return handler


def _quiet_heartbeat(record: logging.LogRecord) -> bool:
    """APScheduler logs each run of each job at INFO: not the heartbeat's, 2,880 lines a day."""
    return not (record.name.startswith("apscheduler.executors") and record.levelno <= logging.INFO
                and HEARTBEAT_JOB_NAME in record.getMessage())


class RequestContextFilter(logging.Filter):
    """Adds request_id, user_id and area_id (None outside a request or for anonymous users)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = record.user_id = record.area_id = None
        if has_request_context():
            record.request_id = g.get("request_id")
            record.user_id, record.area_id = current_identity()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "user_id": getattr(record, "user_id", None),
            "area_id": getattr(record, "area_id", None),
        }
        entry.update({key: value for key, value in vars(record).items() if key not in _STANDARD})
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info))
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


def current_identity() -> tuple[int | None, int | None]:
    """(user id, area id) of the signed-in user, from what the request has already loaded.

    The area is the user's own `area_id` attribute when the model has one, else None. Read once
    the user is loaded and kept for the request: after the request's commit the instance is
    expired, and reading it again would cost a query from inside a log call.
    """
    cached = request.environ.get(_IDENTITY_KEY)
    if cached is not None:
        return cached
    state = inspect(g.get("_login_user"), raiseerr=False)
    if state is None or state.identity is None:  # anonymous, or no user loaded yet
        return None, None
    loaded = state.dict
    if "id" not in loaded:  # already expired: the id is still known, the area is not
        return state.identity[0], None
    identity = request.environ[_IDENTITY_KEY] = (loaded["id"], loaded.get("area_id"))
    return identity


@event.listens_for(Session, "before_commit")
def _remember_identity_before_commit(session) -> None:
    # The commit expires the signed-in user; keep who it was for the request's last log lines.
    if has_request_context():
        current_identity()


def _start_request() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response):
    response.headers[REQUEST_ID_HEADER] = g.get("request_id") or uuid.uuid4().hex
    started = g.get("request_started")
    rule = request.url_rule
    # The route's pattern, not the path: paths carry calendar tokens and ids.
    route = rule.rule if rule is not None else None
    quiet = request.endpoint == "ops.health" and response.status_code == 200  # polled every few seconds
    logging.getLogger(ACCESS_LOGGER).log(
        logging.DEBUG if quiet else logging.INFO, "%s %s %s", request.method, route or "-", response.status_code,
        extra={"method": request.method, "route": route, "endpoint": request.endpoint,
               "status": response.status_code,
               "duration_ms": None if started is None else round((time.perf_counter() - started) * 1000, 1)},
    )
    return response
