"""Forms with CSRF protection on, as a browser sends them: the token is read from a page's form."""
from __future__ import annotations

import re

from flask import g, has_app_context

CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE = re.compile(r'value="([^"]+)"')


def csrf_token(client, url: str = "/dang-nhap") -> str:
    """The CSRF token of the client's session, read from a form on `url` (or, for a signed-in
    client that `url` redirects, from the profile page, which every role may open)."""
    forget_request_state()
    response = client.get(url)
    if response.status_code in (301, 302, 303):
        response = client.get("/ho-so")
    match = CSRF_INPUT.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return VALUE.search(match.group(0)).group(1)


def forget_request_state() -> None:
    """The test's app context outlives requests (a server's does not): drop what a previous
    request, maybe of another client, left in `g` (its user, its CSRF token)."""
    if has_app_context():
        g.pop("_login_user", None)
        g.pop("csrf_token", None)
        g.pop("csrf_valid", None)


def sign_in(client, email: str, password: str, **extra):
    """POST the sign-in form with the session's CSRF token."""
    return client.post("/dang-nhap", data={"email": email, "password": password,
                                           "csrf_token": csrf_token(client), **extra})


def sign_out(client):
    return client.post("/dang-xuat", data={"csrf_token": csrf_token(client)})
