"""Areas, units, unit groups and the succession of units (mergers, renamings)."""
from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.text import fold_name
from tracker.core.locking import Versioned
from tracker.extensions import db


class AreaLevel(StrEnum):
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"


AREA_LEVEL_LABELS = {"province": "Tỉnh", "district": "Huyện", "commune": "Xã"}


class UnitKind(StrEnum):
    DEPARTMENT = "department"
    COMMITTEE_OFFICE = "committee_office"
    PEOPLE_COMMITTEE = "people_committee"
    PRESS = "press"
    STATE_FIRM = "state_firm"
    ASSOCIATION = "association"
    BUSINESS = "business"
    CENTRAL_AGENCY = "central_agency"
    OTHER = "other"


UNIT_KIND_LABELS = {
    "department": "Sở, ban, ngành",
    "committee_office": "Văn phòng",
    "people_committee": "UBND cấp huyện/xã",
    "press": "Báo chí, phát thanh, truyền hình",
    "state_firm": "Doanh nghiệp nhà nước",
    "association": "Hội, hiệp hội",
    "business": "Doanh nghiệp",
    "central_agency": "Cơ quan trung ương trên địa bàn",
    "other": "Khác",
}


class Area(db.Model):
    __tablename__ = "area"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))

    parent: Mapped[Area | None] = relationship(remote_side=[id])
    units: Mapped[list[Unit]] = relationship(back_populates="area", order_by="Unit.name")

    def __repr__(self) -> str:
        return f"<Area {self.code}>"


class Unit(Versioned, db.Model):
    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("area_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    short_name: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32), default=UnitKind.OTHER.value)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    note: Mapped[str | None] = mapped_column(Text)
    # Succession: from `succeeded_on` the unit's open work is carried by `successor`.
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    succeeded_on: Mapped[date | None]
    succession_type: Mapped[str | None] = mapped_column(String(16))  # merged | renamed
    succession_note: Mapped[str | None] = mapped_column(Text)

    area: Mapped[Area] = relationship(back_populates="units")
    parent: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    successor: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[successor_id])
    aliases: Mapped[list[UnitAlias]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="UnitAlias.id"
    )

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def carrier_on(self, on: date) -> Unit:
        """The unit that carries this unit's work on a date, following mergers and renamings."""
        unit, seen = self, set()
        while (
            unit.successor is not None
            and unit.succeeded_on is not None
            and unit.succeeded_on <= on
            and unit.id not in seen
        ):
            seen.add(unit.id)
            unit = unit.successor
        return unit

    def __repr__(self) -> str:
        return f"<Unit {self.name}>"


class UnitAlias(db.Model):
    """Another spelling the documents use for a unit ("Sở TT&TT", "STTTT")."""

    __tablename__ = "unit_alias"
    __table_args__ = (UniqueConstraint("unit_id", "folded"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(255))
    folded: Mapped[str] = mapped_column(String(255), index=True)

    unit: Mapped[Unit] = relationship(back_populates="aliases")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.alias and not self.folded:
            self.folded = fold_name(self.alias)


class UnitGroup(Versioned, db.Model):
    """A collective owner the documents name ("Các Sở, ban, ngành"): expands to its members."""

    __tablename__ = "unit_group"
    __table_args__ = (UniqueConstraint("area_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    aliases_text: Mapped[str | None] = mapped_column(Text)  # one alias per line
    note: Mapped[str | None] = mapped_column(Text)

    area: Mapped[Area] = relationship()
    members: Mapped[list[UnitGroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="UnitGroupMember.position"
    )

    @property
    def aliases(self) -> list[str]:
        return [a for a in (self.aliases_text or "").splitlines() if a.strip()]

    @property
    def member_units(self) -> list[Unit]:
        return [m.unit for m in self.members]


class UnitGroupMember(db.Model):
    __tablename__ = "unit_group_member"
    __table_args__ = (UniqueConstraint("group_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("unit_group.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    group: Mapped[UnitGroup] = relationship(back_populates="members")
    unit: Mapped[Unit] = relationship()
