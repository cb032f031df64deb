"""Creating, revoking and checking API tokens, and the per-token rate limit. The caller commits.

A token is `trk_` and 43 random URL-safe characters (256 bits): a fast hash (SHA-256) is enough to
store it, since nobody can guess such a secret, and it lets a request find its token by an index.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import case, select, update

from tracker.api.models import ApiToken
from tracker.audit.services import record
from tracker.core.time import utcnow
from tracker.extensions import db

TOKEN_PREFIX = "trk_"
NAME_MAX = 120


class TokenError(ValueError):
    """A token refused for a reason the admin can act on (message in Vietnamese)."""


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(tenant, name: str, *, actor=None, actor_label: str = "") -> tuple[ApiToken, str]:
    """A new token of `tenant` (a province-level area): the row and the secret, shown once."""
    name = " ".join((name or "").split())
    if not name:
        raise TokenError("Vui lòng đặt tên cho khóa (ví dụ: Hệ thống báo cáo tỉnh).")
    if len(name) > NAME_MAX:
        raise TokenError(f"Tên khóa dài tối đa {NAME_MAX} ký tự.")
    if tenant is None or not tenant.is_tenant_level:
        raise TokenError("Khóa API thuộc về một tỉnh, thành phố trực thuộc trung ương.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(tenant_id=tenant.id, name=name, prefix=secret[:12], token_hash=hash_token(secret),
                     created_by_id=getattr(actor, "id", None))
    db.session.add(token)
    db.session.flush()
    entry = record(actor=actor, actor_label=actor_label, action="api_token.created", entity_type="api_token",
                   entity_id=token.id, summary=f"Tạo khóa API “{name}” ({token.prefix}…)")
    entry.tenant_id = tenant.id
    return token, secret


def revoke_token(token: ApiToken, *, actor) -> ApiToken:
    if token.revoked_at is not None:
        raise TokenError("Khóa này đã bị thu hồi.")
    token.revoked_at = utcnow()
    token.revoked_by_id = getattr(actor, "id", None)
    entry = record(actor=actor, action="api_token.revoked", entity_type="api_token", entity_id=token.id,
                   summary=f"Thu hồi khóa API “{token.name}” ({token.prefix}…)")
    entry.tenant_id = token.tenant_id
    db.session.flush()
    return token


def tokens_of(tenant_id: int) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.tenant_id == tenant_id).order_by(ApiToken.revoked_at.is_not(None),
                                                                       ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def authenticate(header: str | None) -> ApiToken | None:
    """The active token an `Authorization: Bearer …` header presents, else None."""
    if not header:
        return None
    scheme, _, secret = header.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret.startswith(TOKEN_PREFIX) or len(secret) > 128:
        return None
    digest = hash_token(secret)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest) or token.revoked_at is not None:
        return None
    return token


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_after: int  # seconds until the window ends


def consume(token: ApiToken, limit: int, window_seconds: int, now: float | None = None) -> RateDecision:
    """Count one request in the token's fixed window (one atomic UPDATE: no lost count between
    workers) and say whether it is within `limit`."""
    now = time.time() if now is None else now
    window = int(now // window_seconds)
    db.session.execute(
        update(ApiToken).where(ApiToken.id == token.id).values(
            rate_count=case((ApiToken.rate_window == window, ApiToken.rate_count + 1), else_=1),
            rate_window=window,
            last_used_at=utcnow(),
        ).execution_options(synchronize_session=False)
    )
    count = db.session.scalar(select(ApiToken.rate_count).where(ApiToken.id == token.id))
    reset_after = max(1, int((window + 1) * window_seconds - now + 0.999))
    return RateDecision(count <= limit, limit, max(0, limit - count), reset_after)
