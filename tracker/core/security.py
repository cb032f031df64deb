"""Request hardening shared by every page: bounded ids, security headers, the client's address.

- Ids in URLs (`<int:...>`) and in query arguments are at most `MAX_ID` (PostgreSQL's `integer`);
  a larger number is no record of ours: 404 (or the argument is ignored), never a database error.
- Every response carries a Content-Security-Policy without inline scripts (the pages' few scripts
  live in static/app.js), refuses to be framed (except by our own pages, `allow_same_origin_framing`), keeps URLs (calendar tokens) out of Referer
  headers, and in production asks browsers to use HTTPS only (HSTS, `HSTS_SECONDS`).
  Styles may be inline: bar widths are computed per row; scripts may not.
"""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1
# A page number beyond this is past the end of any list we keep.
MAX_PAGE = 1_000_000

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# A page shown in a frame of our own pages (the report preview): framed by the same origin only.
FRAMEABLE_POLICY = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'")

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def allow_same_origin_framing(response):
    """Let our own pages frame this response (the defaults below refuse every frame)."""
    response.headers["Content-Security-Policy"] = FRAMEABLE_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


class IdConverter(IntegerConverter):
    """`<int:...>` with an upper bound: /hang-muc/99999999999999999999 is a 404."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bounded_int(value) -> int:
    """For `request.args.get(name, type=bounded_int)` and form ids: a ValueError beyond MAX_ID."""
    number = int(value)
    if not 0 <= number <= MAX_ID:
        raise ValueError(f"{value!r} is out of range")
    return number


def optional_id(value) -> int | None:
    try:
        return bounded_int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def page_number(value) -> int:
    """`?trang=`: a page from 1 to MAX_PAGE, whatever was typed."""
    try:
        return min(max(int(value), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def _add_headers(app: Flask):
    hsts = int(app.config.get("HSTS_SECONDS") or 0)

    def add_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", f"max-age={hsts}; includeSubDomains")
        return response

    return add_headers


def _out_of_range(app: Flask):
    """The safety net: a number too large for the database that still reached a query (SQLite:
    OverflowError; PostgreSQL: SQLSTATE 22003) names no record of ours: 404, not 500."""
    from sqlalchemy.exc import DataError
    from werkzeug.exceptions import NotFound

    def handle(error):
        if isinstance(error, DataError) and getattr(error.orig, "sqlstate", None) != "22003":
            raise error
        from tracker.extensions import db

        db.session.rollback()
        return app.handle_http_exception(NotFound())

    return handle


def register(app: Flask) -> None:
    from sqlalchemy.exc import DataError

    app.url_map.converters["int"] = IdConverter
    app.after_request(_add_headers(app))
    app.register_error_handler(OverflowError, _out_of_range(app))
    app.register_error_handler(DataError, _out_of_range(app))
    proxies = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
