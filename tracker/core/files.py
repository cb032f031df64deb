"""The columns every stored upload carries (an update's evidence, a campaign input's evidence).

The file itself lives outside the static folder under `stored_name` (tracker/updates/evidence.py
stores and serves it); the row keeps what the user sent and who sent it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.time import utcnow
from tracker.core.types import UTCDateTime


class StoredFileColumns:
    """Mixin: the original name, the generated stored name, type, size, uploader and time."""

    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
