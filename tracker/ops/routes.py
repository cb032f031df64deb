"""`/healthz`: no sign-in, JSON, 200 when every check passes and 503 otherwise."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from tracker.areas.scope import SYSTEM, using
from tracker.core.time import utcnow
from tracker.ops.health import CHECKS, check_health

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def health():
    """`?only=database` narrows the checks (a load balancer need not drop web servers when the
    scheduler stops); without it every check runs, for monitoring."""
    only = tuple(name.strip() for name in request.args.get("only", "").split(",") if name.strip()) or CHECKS
    unknown = [name for name in only if name not in CHECKS]
    if unknown:
        response = jsonify(status="error", message=f"Không có mục kiểm tra '{unknown[0]}'. "
                                                   f"Các mục: {', '.join(CHECKS)}.")
        response.status_code = 400
    else:
        with using(SYSTEM):  # system-wide counts (the outbox backlog), no tenant's rows are shown
            report = check_health(utcnow(), current_app.config, only)
        response = jsonify(report.as_json())
        response.status_code = 200 if report.ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response
