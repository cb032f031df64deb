"""The "known device" cookie: a browser that has signed in to an account before says so, signed
with the secret key, so that the throttle (tracker/auth/throttle.py) does not hold it back for
failures made elsewhere. It opens nothing by itself: the password is still checked."""
from __future__ import annotations

import hashlib

from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "thiet_bi"
MAX_ACCOUNTS = 5  # a shared office computer: the last few accounts signed in there


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt="tracker-known-device")


def _account_mark(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:20]


def known_accounts(cookie: str | None, secret_key: str) -> list[str]:
    if not cookie:
        return []
    try:
        marks = _serializer(secret_key).loads(cookie)
    except BadSignature:
        return []
    return [m for m in marks if isinstance(m, str)][:MAX_ACCOUNTS] if isinstance(marks, list) else []


def is_known(cookie: str | None, secret_key: str, email: str) -> bool:
    return _account_mark(email) in known_accounts(cookie, secret_key)


def remember(response, cookie: str | None, secret_key: str, email: str, *, secure: bool, days: int) -> None:
    marks = [m for m in known_accounts(cookie, secret_key) if m != _account_mark(email)]
    marks = ([_account_mark(email)] + marks)[:MAX_ACCOUNTS]
    response.set_cookie(COOKIE, _serializer(secret_key).dumps(marks), max_age=days * 86400, secure=secure,
                        httponly=True, samesite="Lax")
