"""A session interface that leaves the API alone: no session is read from, or written to, a cookie
for `/api/…` (a token authenticates each request; a browser's cookie must not)."""
from __future__ import annotations

from flask.sessions import SecureCookieSession, SessionInterface


class ApiSessionInterface(SessionInterface):
    def __init__(self, inner: SessionInterface, prefix: str):
        self.inner = inner
        self.prefix = prefix.rstrip("/") + "/"

    def _is_api(self, request) -> bool:
        return (request.path + "/").startswith(self.prefix) or request.path == self.prefix.rstrip("/")

    def open_session(self, app, request):
        if self._is_api(request):
            return SecureCookieSession()
        return self.inner.open_session(app, request)

    def save_session(self, app, session, response) -> None:
        from flask import request

        if self._is_api(request):
            return None
        return self.inner.save_session(app, session, response)

    def __getattr__(self, name):
        return getattr(self.inner, name)
