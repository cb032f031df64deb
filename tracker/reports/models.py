"""The consolidated quarterly report: the coordinator's draft and the issued (frozen) versions."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from tracker.auth.models import User
from tracker.core.time import utcnow
from tracker.core.types import UTCDateTime
from tracker.core.locking import Versioned
from tracker.extensions import db
from tracker.periods.models import ReportingPeriod
from tracker.plans.models import Plan
from tracker.units.models import Area


class ReportDraft(Versioned, db.Model):
    """What the coordinator enters on the report page before issuing: number, signer, texts."""

    __tablename__ = "report_draft"
    __table_args__ = (UniqueConstraint("plan_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    number: Mapped[str] = mapped_column(String(64), default="")
    report_date: Mapped[date | None]
    signer_title: Mapped[str] = mapped_column(String(255), default="")
    signer_name: Mapped[str] = mapped_column(String(255), default="")
    recipients: Mapped[str] = mapped_column(Text, default="")  # one recipient per line
    summary: Mapped[str] = mapped_column(Text, default="")
    proposals: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    plan: Mapped[Plan] = relationship()
    period: Mapped[ReportingPeriod] = relationship()
    updated_by: Mapped[User | None] = relationship()


class IssuedReport(db.Model):
    """An issued version: the data snapshot and the files exactly as sent, never regenerated.

    A reissue is a new row with the next version number; earlier versions stay downloadable.
    """

    __tablename__ = "issued_report"
    __table_args__ = (UniqueConstraint("plan_id", "period_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    number: Mapped[str] = mapped_column(String(64), default="")
    report_date: Mapped[date]
    signer_name: Mapped[str] = mapped_column(String(255), default="")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Deferred: listing versions must not pull megabytes of PDF.
    data: Mapped[dict] = deferred(mapped_column(JSON, default=dict))
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    xlsx: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    html: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    pdf_sha256: Mapped[str] = mapped_column(String(64), default="")

    plan: Mapped[Plan] = relationship()
    period: Mapped[ReportingPeriod] = relationship()
    issued_by: Mapped[User | None] = relationship()

    @property
    def files_ready(self) -> bool:
        """Its PDF, Excel and HTML are stored (the background worker renders them after issuing)."""
        return bool(self.pdf_sha256)

    def __repr__(self) -> str:
        return f"<IssuedReport plan={self.plan_id} period={self.period_id} v{self.version}>"


class ReportProfile(db.Model):
    """How an area heads its consolidated reports from a date, edited by the area's administrator.

    A profile applies from `valid_from` until the next profile or the area's next renaming
    (thành phố Huế from 01/01/2025 does not inherit the province's header). An empty field takes
    the value derived from the area's name on the report date (tracker.reports.profiles).
    """

    __tablename__ = "report_profile"
    __table_args__ = (UniqueConstraint("area_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)  # the province-level area
    tenant_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    valid_from: Mapped[date]
    parent_body: Mapped[str] = mapped_column(String(255), default="")  # "UBND TỈNH THỪA THIÊN HUẾ"
    issuing_body: Mapped[str] = mapped_column(String(255), default="")  # "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
    issuer_short: Mapped[str] = mapped_column(String(32), default="")  # "SKHCN" in "Số: …/BC-SKHCN"
    issuer_name: Mapped[str] = mapped_column(String(255), default="")  # "Sở Khoa học và Công nghệ"
    place: Mapped[str] = mapped_column(String(120), default="")  # "Huế" in "Huế, ngày … tháng … năm …"
    addressee: Mapped[str] = mapped_column(String(255), default="")  # "Ủy ban nhân dân thành phố Huế"
    signer_title: Mapped[str] = mapped_column(Text, default="")  # one line per line
    recipients: Mapped[str] = mapped_column(Text, default="")  # the default "Nơi nhận", one per line
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    area: Mapped[Area] = relationship(foreign_keys=[area_id])
    tenant: Mapped[Area] = relationship(foreign_keys=[tenant_id])
    updated_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ReportProfile area={self.area_id} from {self.valid_from}>"
