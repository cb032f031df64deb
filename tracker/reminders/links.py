"""Absolute links for emails, notifications and calendar feeds, built from config BASE_URL.

Other areas own most target pages. When their endpoint is registered its URL rule is used;
otherwise the path they are contracted to serve, so an email never breaks on a missing endpoint.
"""
from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import current_app
from werkzeug.routing import BuildError


def base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def absolute_url(endpoint: str | None, fallback_path: str, **values) -> str:
    path = fallback_path
    if endpoint and endpoint in current_app.view_functions:
        try:
            path = current_app.url_map.bind("localhost").build(endpoint, values)
        except BuildError:
            path = fallback_path
    return base_url() + path


def update_form_url(item_id: int, period_code: str) -> str:
    return absolute_url(
        "updates.edit", f"/cap-nhat/{item_id}/{quote(period_code)}", item_id=item_id, period_code=period_code
    )


def my_work_url() -> str:
    return absolute_url("updates.my_work", "/viec-cua-toi")


def period_url(period_code: str) -> str:
    return base_url() + f"/ky-bao-cao/{quote(period_code)}"


def notifications_url() -> str:
    return absolute_url("notifications.index", "/thong-bao")


def profile_url() -> str:
    return absolute_url("calendar.profile", "/ho-so")


def site_domain() -> str:
    """The host of BASE_URL, for Message-IDs ("tracker" when it has none)."""
    return urlsplit(base_url()).hostname or "tracker"
