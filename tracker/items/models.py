"""Dated reassignments of an item's work, when the unit the document named no longer exists."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.core.time import utcnow
from tracker.core.types import UTCDateTime
from tracker.extensions import db
from tracker.plans.models import PlanItem
from tracker.units.models import Unit


class ItemReassignment(db.Model):
    """From `effective_on`, the item's part owed by `from_unit` is carried by `to_unit`.

    The item's owners stay as the document printed them; periods whose deadline falls before
    `effective_on` keep the old unit, so past reports are unchanged.
    """

    __tablename__ = "item_reassignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("plan_item.id", ondelete="CASCADE"), index=True)
    from_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    effective_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[PlanItem] = relationship(back_populates="reassignments")
    from_unit: Mapped[Unit] = relationship(foreign_keys=[from_unit_id])
    to_unit: Mapped[Unit] = relationship(foreign_keys=[to_unit_id])
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ItemReassignment item={self.item_id} {self.from_unit_id}->{self.to_unit_id} {self.effective_on}>"
