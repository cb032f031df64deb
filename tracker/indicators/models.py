"""Indicator frameworks (DTI and criteria sets), versioned, and their links to plan items."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.time import utcnow
from tracker.core.types import UTCDateTime
from tracker.core.locking import Versioned
from tracker.extensions import db
from tracker.units.models import Area, Unit

FRAMEWORK_LEVEL_LABELS = {
    "province": "Cấp tỉnh",
    "department": "Sở, ban, ngành",
    "district": "Cấp huyện",
    "commune": "Cấp xã",
}


class Framework(db.Model):
    __tablename__ = "framework"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    level: Mapped[str] = mapped_column(String(16))
    year: Mapped[int | None]
    # The area whose units the document names as owners and data providers (its source data).
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    # The owner: a province's own framework belongs to its tenant; a national index (the DTI) to none.
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    plan_number: Mapped[str | None] = mapped_column(String(120))
    source: Mapped[str | None] = mapped_column(String(255))
    declared: Mapped[dict] = mapped_column(JSON, default=dict)
    general_info: Mapped[list] = mapped_column(JSON, default=list)
    max_points: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))

    area: Mapped[Area | None] = relationship(foreign_keys=[area_id])
    tenant: Mapped[Area | None] = relationship(foreign_keys=[tenant_id])
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="framework", order_by="Indicator.position", cascade="all, delete-orphan"
    )

    @property
    def is_national(self) -> bool:
        return self.tenant_id is None

    @property
    def owner_label(self) -> str:
        """Who the framework belongs to, for lists: "Toàn quốc" for a shared national index."""
        return "Toàn quốc (dùng chung)" if self.tenant is None else self.tenant.current_name

    def __repr__(self) -> str:
        return f"<Framework {self.name}>"


class Indicator(db.Model):
    """A pillar, indicator or sub-indicator: the tree is kept by `parent_id`."""

    __tablename__ = "indicator"
    __table_args__ = (UniqueConstraint("framework_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))  # the code, made distinct where the document repeats one
    name: Mapped[str] = mapped_column(Text)
    max_points: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    scoring: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    depth: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    owner_text: Mapped[str | None] = mapped_column(String(255))
    providers_text: Mapped[str | None] = mapped_column(Text)
    # The scoring rule in machine-readable form (tracker/indicators/rules.py), beside `scoring` as printed.
    rule: Mapped[dict | None] = mapped_column(JSON)

    framework: Mapped[Framework] = relationship(back_populates="indicators")
    parent: Mapped[Indicator | None] = relationship(remote_side=[id])
    owner_unit: Mapped[Unit | None] = relationship()
    inputs: Mapped[list[IndicatorInput]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="IndicatorInput.position"
    )
    providers: Mapped[list[IndicatorProvider]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="IndicatorProvider.id"
    )

    def __repr__(self) -> str:
        return f"<Indicator {self.key}>"


class IndicatorInput(db.Model):
    """A structured input of the scoring method: "a = số lượng văn bản ...", with its providers."""

    __tablename__ = "indicator_input"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    symbol: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    indicator: Mapped[Indicator] = relationship(back_populates="inputs")
    providers: Mapped[list[IndicatorProvider]] = relationship(
        back_populates="input", order_by="IndicatorProvider.id"
    )


class IndicatorProvider(db.Model):
    """A unit that provides data or evidence for an indicator, or for one of its inputs."""

    __tablename__ = "indicator_provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    input_id: Mapped[int | None] = mapped_column(ForeignKey("indicator_input.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    name_as_written: Mapped[str] = mapped_column(String(255))

    indicator: Mapped[Indicator] = relationship(back_populates="providers")
    input: Mapped[IndicatorInput | None] = relationship(back_populates="providers")
    unit: Mapped[Unit | None] = relationship()


class ItemIndicatorLink(Versioned, db.Model):
    """A plan item moves an indicator (of one framework version)."""

    __tablename__ = "item_indicator_link"
    __table_args__ = (UniqueConstraint("item_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("plan_item.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    doubt: Mapped[str | None] = mapped_column(Text)  # why the link is doubtful, when a review says so
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped["PlanItem"] = relationship()  # noqa: F821
    indicator: Mapped[Indicator] = relationship()
