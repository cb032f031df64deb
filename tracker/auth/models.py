"""Users and their roles."""
from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from functools import lru_cache

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.core.time import utcnow
from tracker.core.types import UTCDateTime
from tracker.core.locking import Versioned
from tracker.extensions import db
from tracker.units.models import Area, Unit


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    REPORTER = "reporter"
    VIEWER = "viewer"
    # Above the areas (no tenant): Bộ KH&CN's monitoring staff read every area and write nothing;
    # the superadmin creates areas and their administrators.
    NATIONAL_VIEWER = "national_viewer"
    SUPERADMIN = "superadmin"


ROLE_LABELS = {
    "admin": "Quản trị hệ thống",
    "coordinator": "Điều phối (Sở KH&CN)",
    "reporter": "Báo cáo viên đơn vị",
    "viewer": "Theo dõi (VP UBND tỉnh, thành phố)",
    "national_viewer": "Theo dõi toàn quốc (Bộ KH&CN)",
    "superadmin": "Quản trị các địa bàn",
}
# Roles that belong to no area; every other role belongs to exactly one.
NATIONAL_ROLES = (Role.NATIONAL_VIEWER.value, Role.SUPERADMIN.value)

# scrypt is werkzeug's default memory-hard KDF; name it so a library default change cannot weaken it.
PASSWORD_METHOD = "scrypt"


class User(UserMixin, Versioned, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    full_name: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    # The user's area (tenant); None only for the national roles.
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Optional notices (before-deadline reminders, item warnings) can be turned off; overdue ones cannot.
    notify_optional: Mapped[bool] = mapped_column(default=True)
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Part of every session and remember-me cookie: raising it (sign-out, new password,
    # deactivation) ends them all, on the server (see `get_id` and auth.routes.load_user).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()
    # Joined: every page's navigation names the user's area.
    tenant: Mapped[Area | None] = relationship(lazy="joined")

    @property
    def is_national(self) -> bool:
        return self.role in NATIONAL_ROLES

    @property
    def is_active(self) -> bool:  # flask-login
        return self.active

    def get_id(self) -> str:
        """The session id carries the session version and a fingerprint of the password hash:
        signing out, a new password or deactivation ends every session and remember-me cookie."""
        return f"{self.id}.{self.session_version}.{self.session_fingerprint}"

    @property
    def session_fingerprint(self) -> str:
        import hashlib

        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def end_sessions(self) -> None:
        self.session_version = (self.session_version or 1) + 1

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
        if self.id is not None:
            self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def regenerate_calendar_token(self) -> str:
        self.calendar_token = secrets.token_urlsafe(32)
        return self.calendar_token

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16), method=PASSWORD_METHOD)


def check_dummy_password(password: str) -> bool:
    """What checking a password costs, for an account that does not exist: same KDF, always False."""
    check_password_hash(_dummy_hash(), password)
    return False
