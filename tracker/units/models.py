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
    CITY = "city"  # thành phố trực thuộc trung ương
    DISTRICT = "district"
    COMMUNE = "commune"


AREA_LEVEL_LABELS = {"province": "Tỉnh", "city": "Thành phố trực thuộc trung ương", "district": "Huyện",
                     "commune": "Xã"}
# The tenant is an area of one of these levels: every plan, unit, period... belongs to one.
TENANT_LEVELS = (AreaLevel.PROVINCE.value, AreaLevel.CITY.value)


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
    # The tenant (province-level area) this area belongs to: itself for a province or centrally-run
    # city, its province for a district or commune, the successor after a merger of provinces.
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    # A merger into another area from a date (Nghị quyết 202/2025/QH15: Ninh Thuận into Khánh Hòa).
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    merged_on: Mapped[date | None]
    merge_note: Mapped[str | None] = mapped_column(Text)

    parent: Mapped[Area | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    tenant: Mapped[Area | None] = relationship(remote_side=[id], foreign_keys=[tenant_id], post_update=True)
    successor: Mapped[Area | None] = relationship(remote_side=[id], foreign_keys=[successor_id])
    units: Mapped[list[Unit]] = relationship(back_populates="area", order_by="Unit.name",
                                             foreign_keys="Unit.area_id")
    names: Mapped[list["AreaName"]] = relationship(  # noqa: F821 (tracker.areas.models)
        back_populates="area", cascade="all, delete-orphan", order_by="AreaName.valid_from"
    )

    @property
    def is_tenant_level(self) -> bool:
        return self.level in TENANT_LEVELS

    def name_on(self, day: date) -> str:
        """The area's name on a date: Tỉnh Thừa Thiên Huế until 31/12/2024, Thành phố Huế after."""
        entry = self.name_entry_on(day)
        return entry.name if entry is not None else self.name

    def committee_on(self, day: date) -> str:
        """The People's Committee as named on a date: "UBND tỉnh Thừa Thiên Huế", "UBND thành phố Huế"."""
        name = self.name_on(day)
        return f"UBND {name[:1].lower()}{name[1:]}"

    def level_on(self, day: date) -> str:
        entry = self.name_entry_on(day)
        return entry.level if entry is not None and entry.level else self.level

    @property
    def current_name(self) -> str:
        """The name today (Thành phố Huế), for lists and headings; documents keep the name they printed."""
        from tracker.core.time import today_local

        return self.name_on(today_local())

    @property
    def current_level(self) -> str:
        from tracker.core.time import today_local

        return self.level_on(today_local())

    def name_entry_on(self, day: date):
        """The renaming in force on a date (None: the area still has the name it was declared with)."""
        found = None
        for entry in self.names:
            if entry.valid_from <= day:
                found = entry
        return found

    def lineage(self) -> list[Area]:
        """The area and its ancestors, nearest first (commune, district, province): the one walk up
        the area tree (a loop in bad data stops it)."""
        found: list[Area] = []
        area = self
        while area is not None and all(area is not other for other in found):
            found.append(area)
            area = area.parent
        return found

    def lineage_ids(self) -> list[int]:
        return [area.id for area in self.lineage()]

    def carrier_on(self, day: date) -> Area:
        """The area that carries this area's work on a date, following mergers."""
        area, seen = self, set()
        while area.successor is not None and area.merged_on is not None and area.merged_on <= day \
                and area.id not in seen:
            seen.add(area.id)
            area = area.successor
        return area

    def __repr__(self) -> str:
        return f"<Area {self.code}>"


class Unit(Versioned, db.Model):
    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("area_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    # The province-level area (tenant); set from the area when the unit is saved (tracker.areas.tenancy).
    tenant_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
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
    # A unit that ends without one successor (the district level, 30/06/2025): no work after that day.
    ended_on: Mapped[date | None]
    end_note: Mapped[str | None] = mapped_column(Text)

    area: Mapped[Area] = relationship(back_populates="units", foreign_keys=[area_id])
    tenant: Mapped[Area] = relationship(foreign_keys=[tenant_id])
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

    def ended_by(self, on: date) -> bool:
        """The unit no longer exists on `on` (it ended the day before or earlier)."""
        return self.ended_on is not None and self.ended_on < on

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
    tenant_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    aliases_text: Mapped[str | None] = mapped_column(Text)  # one alias per line
    note: Mapped[str | None] = mapped_column(Text)

    area: Mapped[Area] = relationship(foreign_keys=[area_id])
    tenant: Mapped[Area] = relationship(foreign_keys=[tenant_id])
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
