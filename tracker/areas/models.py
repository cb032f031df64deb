"""How an area's name and level change over time (Thừa Thiên Huế → thành phố Huế, 01/01/2025)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.units.models import Area


class AreaName(db.Model):
    """From `valid_from` the area is called `name` (and is of `level`), under a legal basis.

    Before the first entry the area has the name it was declared with (`Area.name`): a document or a
    report dated before a renaming keeps the old name, one dated after takes the new one.
    """

    __tablename__ = "area_name"
    __table_args__ = (UniqueConstraint("area_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), index=True)
    valid_from: Mapped[date]
    name: Mapped[str] = mapped_column(String(255))
    level: Mapped[str | None] = mapped_column(String(16))
    basis: Mapped[str | None] = mapped_column(Text)  # the legal basis, as the units file records it

    area: Mapped[Area] = relationship(back_populates="names")

    def __repr__(self) -> str:
        return f"<AreaName {self.name} from {self.valid_from}>"
