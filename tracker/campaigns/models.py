"""The yearly DTI self-assessment campaign of an area, and the inputs its provider units owe.

A campaign (area, framework, year) is started by a coordinator with a deadline. Each leaf
indicator's inputs are grouped by the unit the framework names as their provider ("Đầu mối cung
cấp số liệu"), one `CampaignInput` per (indicator, unit); the general information block is owed
the same way (`indicator_id` None, `key` "tt:<code>"). A provider's reporter fills the values and
evidence and submits; a coordinator accepts or returns with a reason. Only accepted values count
in the score.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from tracker.auth.models import User
from tracker.core.locking import Versioned
from tracker.core.files import StoredFileColumns
from tracker.core.time import utcnow
from tracker.core.types import UTCDateTime
from tracker.extensions import db
from tracker.indicators.models import Framework, Indicator
from tracker.units.models import Area, Unit

CAMPAIGN_STATE_LABELS = {"open": "Đang thu thập", "closed": "Đã khóa sổ"}
INPUT_STATE_LABELS = {
    "pending": "Chưa nhập",
    "draft": "Bản nháp",
    "submitted": "Đã gửi, chờ duyệt",
    "returned": "Bị trả lại",
    "accepted": "Đã chấp nhận",
}
INPUT_EDITABLE = ("pending", "draft", "returned")
GENERAL_PREFIX = "tt:"


class Campaign(Versioned, db.Model):
    __tablename__ = "campaign"
    __table_args__ = (UniqueConstraint("tenant_id", "framework_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    year: Mapped[int]
    deadline: Mapped[date]
    state: Mapped[str] = mapped_column(String(16), default="open")
    # Points the coordinator gives where the document leaves the judgement to the assessor (or b = 0):
    # {indicator key: {"points": "12,5", "reason": "..."}}.
    judgements: Mapped[dict] = mapped_column(JSON, default=dict)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tenant: Mapped[Area] = relationship()
    framework: Mapped[Framework] = relationship()
    started_by: Mapped[User | None] = relationship()
    inputs: Mapped[list[CampaignInput]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="CampaignInput.position"
    )

    @property
    def state_label(self) -> str:
        return CAMPAIGN_STATE_LABELS.get(self.state, self.state)

    @property
    def title(self) -> str:
        return f"Tự đánh giá {self.framework.name} – năm {self.year}"


class CampaignInput(Versioned, db.Model):
    __tablename__ = "campaign_input"
    __table_args__ = (UniqueConstraint("campaign_id", "key", "provider_text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicator.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))  # the indicator's key, or "tt:<code>" for general information
    position: Mapped[int] = mapped_column(default=0)
    # The input keys this provider owes for the indicator (["a", "b"], ["answer"], [] = evidence only).
    fields: Mapped[list] = mapped_column(JSON, default=list)
    # The provider as the framework names it, and the area's unit owing it (None: to be assigned).
    provider_text: Mapped[str] = mapped_column(String(255), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    values: Mapped[dict] = mapped_column(JSON, default=dict)  # field -> text as typed
    note: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    review_comment: Mapped[str | None] = mapped_column(Text)
    # Proposed from the plan's tracked data: {"values": {...}, "source": "...", "item_id": n, "update_id": n}.
    proposal: Mapped[dict | None] = mapped_column(JSON)
    proposal_used: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    campaign: Mapped[Campaign] = relationship(back_populates="inputs")
    indicator: Mapped[Indicator | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    evidence: Mapped[list[CampaignEvidence]] = relationship(
        back_populates="input", cascade="all, delete-orphan", order_by="CampaignEvidence.id"
    )

    @property
    def state_label(self) -> str:
        return INPUT_STATE_LABELS.get(self.state, self.state)

    @property
    def is_general(self) -> bool:
        return self.key.startswith(GENERAL_PREFIX)

    @property
    def code(self) -> str:
        return self.key.removeprefix(GENERAL_PREFIX)

    @property
    def name(self) -> str:
        """The indicator's name, or the general-information line's, as the framework prints it."""
        if self.indicator is not None:
            return self.indicator.name
        for index, entry in enumerate(self.campaign.framework.general_info or [], start=1):
            entry = {"code": str(index), "name": entry} if isinstance(entry, str) else entry
            if str(entry.get("key") or entry.get("code") or index) == self.code:
                return entry.get("name", "")
        return ""


class CampaignEvidence(StoredFileColumns, db.Model):
    """An evidence file (tài liệu kiểm chứng) of an input, stored like an update's evidence."""

    __tablename__ = "campaign_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    input_id: Mapped[int] = mapped_column(ForeignKey("campaign_input.id", ondelete="CASCADE"), index=True)

    input: Mapped[CampaignInput] = relationship(back_populates="evidence")
    uploaded_by: Mapped[User | None] = relationship()


class CampaignFormRender(db.Model):
    """The filled form (PDF or Excel) of a campaign, rendered by the background worker and served
    again while its inputs are unchanged (tracker/campaigns/renders.py). Scoped through its campaign."""

    __tablename__ = "campaign_form_render"
    __table_args__ = (
        UniqueConstraint("campaign_id", "fingerprint", "fmt"),
        Index("ix_campaign_form_render_stamp", "stamp", "fmt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    fmt: Mapped[str] = mapped_column(String(8))
    fingerprint: Mapped[str] = mapped_column(String(64))
    stamp: Mapped[str] = mapped_column(String(64))  # the latest input stamp known to give this form
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    size: Mapped[int] = mapped_column(default=0)
    render_ms: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<CampaignFormRender campaign={self.campaign_id} {self.fmt}>"
