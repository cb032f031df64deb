"""Optimistic locking for the records people edit in forms (items, report drafts, units, groups,
indicator links, reporting periods, users), the way status updates have it.

Each such model has a `lock_version` (mixin `Versioned`). Its edit form carries the version it was
built from (a hidden field); the service saving it calls `claim(record, seen)` before changing
anything. `claim` moves the version on with one conditional UPDATE (`… WHERE id = ? AND
lock_version = seen`): of two saves made from the same version, exactly one changes the row, even
when they run at the same moment (PostgreSQL re-reads the row once the first commits; SQLite
serialises writers); the other gets `StaleEdit`. The route rolls back and answers 409 with the form
as the user typed it, the values now stored, and who changed them when (`stale_notice`).
A form without a version is refused the same way. Changes made elsewhere (a CLI command, a plan
reloaded) call `claim(record)` without a version: the row's version moves on, so forms opened
before them are refused too.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import set_committed_value
from wtforms import HiddenField

from tracker.extensions import db

UNCHECKED = object()  # claim() without a form: move the version on, whatever it is


class Versioned:
    """Mixin: the record's version, for `claim`."""

    lock_version: Mapped[int] = mapped_column(default=1, server_default="1")


class StaleEdit(Exception):
    """The record changed (or was created) since the form was opened; nothing was saved."""

    def __init__(self, record=None):
        super().__init__("Dữ liệu đã bị người khác thay đổi.")
        self.record = record


def claim(record, seen=UNCHECKED) -> None:
    """Refuse a save based on another version than the stored one (`seen` None: the form had
    none); else move the stored version on. Call it before changing the record."""
    if seen is not UNCHECKED and (seen is None or seen != record.lock_version):
        raise StaleEdit(record)
    table = type(record).__table__
    condition = [table.c.id == record.id]
    if seen is not UNCHECKED:
        condition.append(table.c.lock_version == seen)
    with db.session.no_autoflush:
        new = db.session.execute(
            update(table).where(*condition).values(lock_version=table.c.lock_version + 1)
            .returning(table.c.lock_version)
        ).scalar()
    if new is None:  # another save changed the row between our read and this UPDATE
        raise StaleEdit(record)
    set_committed_value(record, "lock_version", new)


def form_version(value) -> int | None:
    """The version a form sent ("" or garbage: None, refused by `claim`)."""
    from tracker.core.security import optional_id

    return optional_id(value)


class VersionField(HiddenField):
    """The hidden `lock_version` of an edit form."""

    def set(self, version: int | None) -> None:
        """Render this version (also after a POST, where the typed value would win)."""
        self.data = version
        self.raw_data = None

    @property
    def version(self) -> int | None:
        return form_version(self.data)


@dataclass
class StaleNotice:
    """What a 409 page says: who changed the record and when, and what is stored now."""

    message: str
    current: list[tuple[str, str]] = field(default_factory=list)


def last_change(entity_type: str, entity_id: int) -> str:
    """" (Nguyễn Văn A, lúc 09:30 05/10/2025)": the latest audited change of a record, or ""."""
    from tracker.audit.models import AuditEntry
    from tracker.core.formatting import format_datetime

    entry = db.session.scalar(
        select(AuditEntry)
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(1)
    )
    if entry is None:
        return ""
    name = entry.actor.display_name if entry.actor is not None else (entry.actor_label or "người khác")
    return f" ({name}, lúc {format_datetime(entry.at)})"


def stale_notice(entity_type: str, entity_id: int | None, current: dict, labels: dict | None = None) -> StaleNotice:
    """The notice for a refused save; `current` is the stored values ({field: value}), shown with
    the audit trail's Vietnamese labels (or `labels`) and formats (dates dd/mm/yyyy, lists...)."""
    from datetime import date

    from tracker.audit.labels import audit_field
    from tracker.main.navigation import audit_value

    labels = labels or {}
    who = last_change(entity_type, entity_id) if entity_id is not None else ""
    message = (
        f"Dữ liệu này vừa được người khác thay đổi{who} sau khi bạn mở trang. Nội dung bạn nhập CHƯA được "
        "lưu và được giữ nguyên bên dưới; giá trị đang lưu hiện nay ở khung “Đang lưu”. Kiểm tra lại rồi "
        "bấm lưu lần nữa nếu vẫn muốn thay đổi."
    )
    rows = [(labels.get(key) or audit_field(key), audit_value(value.isoformat() if isinstance(value, date) else value, key))
            for key, value in current.items()]
    return StaleNotice(message, rows)
