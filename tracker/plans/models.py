"""Plans, their appendices and sections, and the tracked items (one per document row)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.time import utcnow
from tracker.core.types import UTCDateTime
from tracker.core.locking import Versioned
from tracker.extensions import db
from tracker.units.models import Area, Unit, UnitGroup


class ItemKind(StrEnum):
    TARGET = "target"
    DOCUMENT = "document"
    PROJECT = "project"
    BUDGET = "budget"
    TASK = "task"


ITEM_KIND_LABELS = {
    "target": "Chỉ tiêu",
    "document": "Văn bản, chương trình",
    "project": "Dự án, nhiệm vụ",
    "budget": "Dự ước kinh phí",
    "task": "Nhiệm vụ theo bộ chỉ số",
    "framework": "Bộ tiêu chí",
}


class ItemStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    LATE = "late"
    STALLED = "stalled"
    CANCELLED = "cancelled"


STATUS_LABELS = {
    "not_started": "Chưa triển khai",
    "in_progress": "Đang triển khai",
    "done": "Hoàn thành",
    "late": "Chậm tiến độ",
    "stalled": "Đình trệ",
    "cancelled": "Hủy bỏ",
}


class Plan(db.Model):
    """A plan, identified by its issuing area, its number and its issue date (tracker.plans.identity):
    the same number in two areas is two plans."""

    __tablename__ = "plan"
    __table_args__ = (Index("ix_plan_area_number", "area_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Số/ký hiệu as printed; "/KH-UBND" when the number was left blank, None when nothing is printed.
    number: Mapped[str | None] = mapped_column(String(120))
    issued_on: Mapped[date | None]
    # "day", or "month" for a date printed "ngày … tháng 02 năm 2021" (issued_on is then the 1st).
    issued_precision: Mapped[str] = mapped_column(String(8), default="day")
    issuing_body: Mapped[str] = mapped_column(String(255))
    # The issuing area, kept for good (the title and history name it); the tenant may change with a merger.
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    period_start: Mapped[int | None]
    period_end: Mapped[int | None]
    vision_year: Mapped[int | None]
    legal_bases: Mapped[list] = mapped_column(JSON, default=list)
    goals: Mapped[str | None] = mapped_column(Text)
    signer_title: Mapped[str | None] = mapped_column(String(255))
    signer_name: Mapped[str | None] = mapped_column(String(255))
    recipients: Mapped[list] = mapped_column(JSON, default=list)
    source: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    area: Mapped[Area] = relationship(foreign_keys=[area_id])
    tenant: Mapped[Area] = relationship(foreign_keys=[tenant_id])
    appendices: Mapped[list[Appendix]] = relationship(
        back_populates="plan", order_by="Appendix.position", cascade="all, delete-orphan"
    )

    @property
    def number_label(self) -> str:
        """The number as printed, "…/KH-UBND" when it was left blank, "(không số)" when none."""
        from tracker.plans.identity import number_label

        return number_label(self.number)

    @property
    def date_label(self) -> str:
        """The issue date as printed: 21/10/2020, "…/02/2021" (month only), "" when none."""
        from tracker.plans.identity import date_label

        return date_label(self.issued_on, self.issued_precision)

    def __repr__(self) -> str:
        return f"<Plan {self.number}>"


class Appendix(db.Model):
    __tablename__ = "appendix"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)
    framework_id: Mapped[int | None] = mapped_column(ForeignKey("framework.id"))
    declared_state: Mapped[int | None] = mapped_column(BigInteger)
    declared_other: Mapped[int | None] = mapped_column(BigInteger)
    declared_total: Mapped[int | None] = mapped_column(BigInteger)

    plan: Mapped[Plan] = relationship(back_populates="appendices")
    sections: Mapped[list[Section]] = relationship(
        back_populates="appendix", order_by="Section.position", cascade="all, delete-orphan"
    )

    @property
    def label(self) -> str:
        return f"Phụ lục {self.number}"


class Section(db.Model):
    """A heading inside an appendix (A, A.I, B ...); sections nest."""

    __tablename__ = "section"
    __table_args__ = (UniqueConstraint("appendix_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appendix_id: Mapped[int] = mapped_column(ForeignKey("appendix.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(String(120))  # codes joined with "/", trailing dots removed
    depth: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)
    declared_state: Mapped[int | None] = mapped_column(BigInteger)
    declared_other: Mapped[int | None] = mapped_column(BigInteger)
    declared_total: Mapped[int | None] = mapped_column(BigInteger)

    appendix: Mapped[Appendix] = relationship(back_populates="sections")
    parent: Mapped[Section | None] = relationship(remote_side=[id])

    @property
    def display_path(self) -> str:
        return " › ".join(self.path.split("/"))


class PlanItem(Versioned, db.Model):
    """One row of an appendix: a target, a required document, a project, a budget line, a task."""

    __tablename__ = "plan_item"
    __table_args__ = (
        UniqueConstraint("plan_id", "ref"),
        Index("ix_plan_item_plan_kind_position", "plan_id", "kind", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    # The plan's tenant, denormalised so that lists and searches scope with one equality.
    tenant_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    appendix_id: Mapped[int] = mapped_column(ForeignKey("appendix.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref: Mapped[str] = mapped_column(String(120))  # "3/A/V/2": appendix/sections/code
    code: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text, default="")
    owner_text: Mapped[str] = mapped_column(Text, default="")
    coordinators_text: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str | None] = mapped_column(Text)

    # target
    target_value: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    measure_unit: Mapped[str | None] = mapped_column(String(64))
    target_year: Mapped[int | None]
    target_text: Mapped[str | None] = mapped_column(String(255))
    # Several values where the document gives several ("100 % cấp tỉnh, cấp huyện; 90 % cấp xã"):
    # [{value, unit, scope}], value as exact decimal text; target_value is the first.
    target_values: Mapped[list | None] = mapped_column(JSON)
    baseline_value: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    # document
    doc_type: Mapped[str | None] = mapped_column(String(120))
    # project
    start_year: Mapped[int | None]
    end_year: Mapped[int | None]
    years_text: Mapped[str | None] = mapped_column(String(64))
    # budget (exact đồng; None is the document's "-": no amount fixed, never 0)
    budget_state: Mapped[int | None] = mapped_column(BigInteger)
    budget_other: Mapped[int | None] = mapped_column(BigInteger)
    budget_total: Mapped[int | None] = mapped_column(BigInteger)
    funded_project_id: Mapped[int | None] = mapped_column(ForeignKey("plan_item.id"))
    # task (deliver an indicator block)
    indicator_code: Mapped[str | None] = mapped_column(String(32))
    task_framework: Mapped[str | None] = mapped_column(String(255))
    max_points: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))

    # Deadline set by a coordinator; when empty the year range or target year gives it.
    deadline: Mapped[date | None]

    # Current state, from the latest accepted update (kept here so lists need no extra query).
    status: Mapped[str] = mapped_column(String(16), default=ItemStatus.NOT_STARTED.value)
    progress: Mapped[int] = mapped_column(default=0)
    achieved_value: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    amount_committed: Mapped[int | None] = mapped_column(BigInteger)
    amount_disbursed: Mapped[int | None] = mapped_column(BigInteger)
    completed_on: Mapped[date | None]
    last_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # What the document said at the last load: a reload applies only what the document changed,
    # so a coordinator's edit in the app survives reloading an unchanged file.
    loaded_values: Mapped[dict] = mapped_column(JSON, default=dict)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    plan: Mapped[Plan] = relationship()
    tenant: Mapped[Area] = relationship()
    appendix: Mapped[Appendix] = relationship()
    section: Mapped[Section | None] = relationship()
    funded_project: Mapped[PlanItem | None] = relationship(remote_side=[id])
    assignments: Mapped[list[ItemAssignment]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ItemAssignment.position"
    )
    # Dated reassignments of owners that ended (tracker.items.reassignment); history, never rewritten.
    # Loaded with the items (one query for any number of them): every obligation rule reads them.
    reassignments: Mapped[list["ItemReassignment"]] = relationship(  # noqa: F821 (tracker.items.models)
        back_populates="item", cascade="all, delete-orphan", lazy="selectin",
        order_by="(ItemReassignment.effective_on, ItemReassignment.id)",
    )

    @property
    def owners(self) -> list[ItemAssignment]:
        return [a for a in self.assignments if a.role == "owner"]

    @property
    def coordinators(self) -> list[ItemAssignment]:
        return [a for a in self.assignments if a.role == "coordinator"]

    @property
    def due_date(self) -> date | None:
        """When the item is due: the set deadline, else the end of its last year."""
        if self.deadline:
            return self.deadline
        year = self.end_year or self.target_year
        if year:
            return date(year, 12, 31)
        if self.kind == ItemKind.DOCUMENT and self.plan is not None and self.plan.period_end:
            return date(self.plan.period_end, 12, 31)
        return None

    @property
    def display_code(self) -> str:
        return " › ".join(self.ref.split("/")[1:])

    def __repr__(self) -> str:
        return f"<PlanItem {self.ref}>"


class ItemAssignment(db.Model):
    """An owner (chủ trì) or coordinating (phối hợp) unit or unit group of an item."""

    __tablename__ = "item_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("plan_item.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # owner | coordinator
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("unit_group.id"), index=True)
    name_as_written: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(default=0)

    item: Mapped[PlanItem] = relationship(back_populates="assignments")
    unit: Mapped[Unit | None] = relationship()
    group: Mapped[UnitGroup | None] = relationship()

    @property
    def units(self) -> list[Unit]:
        """The units that owe this assignment: the unit, or every member of the group."""
        if self.unit is not None:
            return [self.unit]
        return self.group.member_units if self.group is not None else []

    @property
    def label(self) -> str:
        if self.unit is not None:
            return self.unit.name
        return self.group.name if self.group is not None else self.name_as_written


class DataIssue(db.Model):
    """An inconsistency of a source document, recorded as transcribed (never silently fixed)."""

    __tablename__ = "data_issue"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    framework_id: Mapped[int | None] = mapped_column(
        ForeignKey("framework.id", ondelete="CASCADE"), index=True
    )
    # A units file's inconsistencies belong to its area.
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(32))  # file | appendix | section | item | indicator
    ref: Mapped[str] = mapped_column(String(255), default="")
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(255))


class PlanImportMapping(db.Model):
    """What a coordinator told the Word reader about a plan it could not recognise (which kind an
    appendix is, which field a column is), kept for the next import of the same plan: keyed by
    the plan's area and number, in the area's tenant (another province never sees it)."""

    __tablename__ = "plan_import_mapping"
    __table_args__ = (UniqueConstraint("area_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(120))
    # {"appendices": {key: {"kind": ..., "columns": {label: field}}}}: the docx reader's mapping.
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    source_name: Mapped[str | None] = mapped_column(String(255))  # the file it was made for
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    area: Mapped[Area] = relationship(foreign_keys=[area_id])
    tenant: Mapped[Area] = relationship(foreign_keys=[tenant_id])
