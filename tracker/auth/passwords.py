"""Changing one's own password, and resetting a forgotten one by a token sent by e-mail.

A reset token is random (256 bits), sent once, and only its SHA-256 is stored: a copy of the
database opens no account. It expires (PASSWORD_RESET_MINUTES, 60 by default), works once, and a
new password ends every session of the account (`User.set_password` moves the session version on).
Asking for a reset answers the same whether or not the address has an account, and costs the same
(no e-mail is composed in the request either way: the outbox sends it).
The caller commits.
"""
from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ForeignKey, String, func, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.areas.scope import SYSTEM, using
from tracker.audit.services import record
from tracker.auth.models import User
from tracker.core.events import Event, publish
from tracker.core.types import UTCDateTime
from tracker.extensions import db

MIN_LENGTH = 8


def _above_the_areas(func):
    """Whoever asks (often nobody signed in) is not yet anyone's: the address or the token alone
    finds the account, in whichever province it is, as signing in does (tracker/areas/scope.py)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with using(SYSTEM):
            return func(*args, **kwargs)
    return wrapper
MAX_OPEN_TOKENS = 3  # per account and hour: more requests are answered the same, and send nothing


class PasswordError(ValueError):
    """Refused, with a Vietnamese message for the user."""


class PasswordResetToken(db.Model):
    __tablename__ = "password_reset_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _check_new(password: str) -> None:
    if len(password or "") < MIN_LENGTH:
        raise PasswordError(f"Mật khẩu mới phải có ít nhất {MIN_LENGTH} ký tự.")


def change_password(user: User, current: str, new: str) -> None:
    """The signed-in user's own change; every session ends (the caller signs this one in again)."""
    if not user.check_password(current or ""):
        raise PasswordError("Mật khẩu hiện tại không đúng.")
    _check_new(new)
    if user.check_password(new):
        raise PasswordError("Mật khẩu mới phải khác mật khẩu hiện tại.")
    user.set_password(new)
    record(actor=user, action="change_password", entity_type="user", entity_id=user.id,
           summary="Tự đổi mật khẩu; các phiên đăng nhập khác đã kết thúc")


@_above_the_areas
def request_reset(email: str, *, now: datetime) -> str | None:
    """The raw token when an active account has this address (an e-mail is queued), else None.
    The caller answers the same in both cases."""
    from tracker.auth.throttle import normalise_email

    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        return None
    recent = db.session.scalar(
        select(func.count()).select_from(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.created_at > now - timedelta(hours=1))
    ) or 0
    if recent >= MAX_OPEN_TOKENS:
        return None
    raw = secrets.token_urlsafe(32)
    minutes = current_app.config.get("PASSWORD_RESET_MINUTES", 60)
    token = PasswordResetToken(user_id=user.id, token_hash=hash_token(raw), created_at=now,
                               expires_at=now + timedelta(minutes=minutes))
    db.session.add(token)
    db.session.flush()
    # The e-mail is the notifications' job (tracker/notify/passwords.py): auth sits below the outbox.
    publish(Event("auth.password_reset_requested", "user", user.id, entity=token,
                  data={"user": user, "raw": raw, "minutes": minutes}))
    record(actor=None, action="request_password_reset", entity_type="user", entity_id=user.id,
           summary="Yêu cầu đặt lại mật khẩu qua email", actor_label="hệ thống")
    return raw


@_above_the_areas
def valid_token(raw: str, *, now: datetime) -> PasswordResetToken | None:
    if not raw or len(raw) > 200:
        return None
    token = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(raw)))
    if token is None or token.used_at is not None or token.expires_at <= now or not token.user.active:
        return None
    return token


@_above_the_areas
def reset_password(raw: str, new: str, *, now: datetime) -> User:
    """Set the new password; the token and every other open token of the account are spent, and
    every session of the account ends."""
    token = valid_token(raw, now=now)
    if token is None:
        raise PasswordError("Đường dẫn đặt lại mật khẩu không hợp lệ, đã dùng hoặc đã hết hạn. "
                            "Vui lòng yêu cầu đường dẫn mới.")
    _check_new(new)
    # Conditional: of two uses at once, one wins.
    spent = db.session.execute(
        update(PasswordResetToken).where(PasswordResetToken.id == token.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if spent != 1:
        raise PasswordError("Đường dẫn đặt lại mật khẩu đã được dùng.")
    db.session.execute(
        update(PasswordResetToken).where(PasswordResetToken.user_id == token.user_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)
    )
    user = token.user
    user.set_password(new)
    record(actor=user, action="reset_password", entity_type="user", entity_id=user.id,
           summary="Đặt lại mật khẩu qua email; mọi phiên đăng nhập đã kết thúc")
    return user
