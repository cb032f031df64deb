"""Report files rendered in the background and kept: a report whose data has not changed is served
from the stored file instead of being rendered again.

Two keys, one cheap and one exact:
- the *input stamp* (`input_stamp`): a handful of aggregate queries over what the report reads
  (the plan, its items and their updates, units, the draft, the area's profile, the day), hashed.
  A request computes it in a few milliseconds and serves the stored file it names;
- the *fingerprint* (`fingerprint`): the gathered ReportData serialised (without its generation
  time) and hashed with the version of the templates and builders. The worker computes it after
  gathering: when an equal render exists (the stamp moved, the figures did not) it is reused.

Rendering stays a pure function of ReportData (tracker/reports/builders.py); issued versions are
stored whole in IssuedReport (rendered once, in the background, from their frozen snapshot:
tracker/reports/issuing.render_issued_files) and never go through here.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, deferred, mapped_column

from tracker.core.time import today_local, utcnow
from tracker.core.types import UTCDateTime
from tracker.extensions import db
from tracker.reports.data import ReportData

RENDER_KIND = "reports.render"
FORMATS = ("pdf", "xlsx", "html")
PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR.parent.parent / "templates" / "reports"


class RenderedReport(db.Model):
    """One rendered draft report file (PDF, Excel or HTML), by the fingerprint of its data."""

    __tablename__ = "rendered_report"
    __table_args__ = (
        UniqueConstraint("fingerprint", "fmt"),
        Index("ix_rendered_report_stamp", "stamp", "fmt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    fmt: Mapped[str] = mapped_column(String(8))
    fingerprint: Mapped[str] = mapped_column(String(64))
    stamp: Mapped[str] = mapped_column(String(64))  # the latest input stamp known to give this data
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    size: Mapped[int] = mapped_column(default=0)
    render_ms: Mapped[int] = mapped_column(default=0)
    # What the report page lists next to the preview (`page_summary`), so that it needs no gathering.
    summary: Mapped[dict | None] = mapped_column(JSON)
    # A consolidated render keeps the data it was made from (`ReportData.to_json`) under the stamp of
    # the data's inputs without the draft (`data_stamp`, taken before gathering): issuing a version
    # whose inputs have not moved since reuses it instead of gathering again (issuing.issue_report).
    data_stamp: Mapped[str | None] = mapped_column(String(64), index=True)
    data: Mapped[dict | None] = deferred(mapped_column(JSON))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<RenderedReport plan={self.plan_id} period={self.period_id} unit={self.unit_id} {self.fmt}>"


@lru_cache(maxsize=1)
def render_version() -> str:
    """Changes whenever a template, a builder or the PDF engine does: old renders are not reused.
    The engine's version from its package metadata: a web request computing a stamp does not
    import WeasyPrint (most of a second of CPU, once per process)."""
    from importlib.metadata import version

    digest = hashlib.sha256(version("weasyprint").encode())
    for path in sorted(TEMPLATES_DIR.rglob("*")) + [PACKAGE_DIR / "builders.py", PACKAGE_DIR / "archival.py"]:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(data: ReportData, fmt: str) -> str:
    """The gathered data (without the moment it was gathered) hashed with the render version."""
    snapshot = data.to_json()
    snapshot.pop("generated_at", None)
    text = json.dumps([render_version(), fmt, snapshot], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def data_version() -> str:
    """Changes whenever the code that gathers the figures does: a snapshot kept by an older gatherer
    is not issued."""
    digest = hashlib.sha256()
    for name in ("gather.py", "figures.py", "history.py", "header.py", "data.py", "profiles.py"):
        digest.update(name.encode())
        digest.update((PACKAGE_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def _input_rows(plan, period) -> list:
    """What gather_report_data reads, the coordinator's draft aside: aggregates over the many rows
    that carry a lock version or an update time, and whole the few rows that carry neither."""
    from tracker.areas.models import AreaName
    from tracker.indicators.models import Indicator, ItemIndicatorLink
    from tracker.periods.models import LateException
    from tracker.plans.models import Appendix, ItemAssignment, PlanItem, Section
    from tracker.reports.models import ReportProfile
    from tracker.units.models import Unit, UnitGroup, UnitGroupMember
    from tracker.updates.models import StatusUpdate

    items = select(PlanItem.id).where(PlanItem.plan_id == plan.id).scalar_subquery()
    rows = [
        db.session.execute(select(func.count(), func.sum(PlanItem.lock_version), func.max(PlanItem.updated_at))
                           .where(PlanItem.plan_id == plan.id)).one(),
        db.session.execute(select(func.count(), func.max(StatusUpdate.updated_at), func.sum(StatusUpdate.lock_version),
                                  func.max(StatusUpdate.id)).where(StatusUpdate.item_id.in_(items))).one(),
        db.session.execute(select(func.count(), func.max(ItemAssignment.id))
                           .where(ItemAssignment.item_id.in_(items))).one(),
        db.session.execute(select(func.count(), func.sum(ItemIndicatorLink.lock_version))
                           .where(ItemIndicatorLink.item_id.in_(items))).one(),
        db.session.execute(select(func.count(), func.sum(Unit.lock_version), func.max(Unit.id))).one(),
        db.session.execute(select(func.count(), func.max(ReportProfile.updated_at))
                           .where(ReportProfile.tenant_id == plan.tenant_id)).one(),
    ]
    # What the report reads that carries no lock version nor update time: its appendices and
    # sections (titles, declared totals), the late-submission exceptions (who sent late), the unit
    # groups named as owners, the area's names (the header) and the linked indicators (points at
    # risk). Few rows each; whole, so that an edited title is a new stamp.
    appendices = select(Appendix.id).where(Appendix.plan_id == plan.id).scalar_subquery()
    linked = select(ItemIndicatorLink.indicator_id).where(ItemIndicatorLink.item_id.in_(items)).scalar_subquery()
    rows += [tuple(r) for r in db.session.execute(
        select(Appendix.id, Appendix.number, Appendix.kind, Appendix.title, Appendix.position, Appendix.framework_id,
               Appendix.declared_state, Appendix.declared_other, Appendix.declared_total)
        .where(Appendix.plan_id == plan.id).order_by(Appendix.id))]
    rows += [tuple(r) for r in db.session.execute(
        select(Section.id, Section.appendix_id, Section.parent_id, Section.code, Section.title, Section.position,
               Section.declared_state, Section.declared_other, Section.declared_total)
        .where(Section.appendix_id.in_(appendices)).order_by(Section.id))]
    rows += [tuple(r) for r in db.session.execute(
        select(LateException.id, LateException.period_id, LateException.unit_id, LateException.until)
        .order_by(LateException.id))]
    rows += [tuple(r) for r in db.session.execute(
        select(UnitGroup.id, UnitGroup.name, UnitGroupMember.unit_id, UnitGroupMember.position)
        .join(UnitGroupMember, UnitGroupMember.group_id == UnitGroup.id, isouter=True)
        .order_by(UnitGroup.id, UnitGroupMember.id))]
    rows += [tuple(r) for r in db.session.execute(
        select(AreaName.id, AreaName.area_id, AreaName.valid_from, AreaName.name).order_by(AreaName.id))]
    rows += [tuple(r) for r in db.session.execute(
        select(Indicator.id, Indicator.code, Indicator.name, Indicator.max_points, Indicator.parent_id)
        .where(Indicator.id.in_(linked)).order_by(Indicator.id))]
    area, seen = plan.area, set()
    while area is not None and area.id not in seen:  # the names the header is made of
        seen.add(area.id)
        rows.append((area.id, area.name, getattr(area, "level", None)))
        area = area.parent
    return [plan.id, plan.updated_at, period.id, period.submission_deadline, period.data_start, period.data_end,
            today_local(), *[tuple(r) if r else None for r in rows]]


def _hash(values) -> str:
    return hashlib.sha256(json.dumps(values, default=str).encode()).hexdigest()


def input_stamp(plan, period, unit_id: int | None, fmt: str) -> str:
    """A cheap key of what gather_report_data reads, the draft included; equal stamps mean equal data."""
    from tracker.reports.models import ReportDraft

    draft = db.session.execute(select(ReportDraft.lock_version, ReportDraft.updated_at)
                               .where(ReportDraft.plan_id == plan.id, ReportDraft.period_id == period.id)).first()
    return _hash([render_version(), fmt, unit_id, tuple(draft) if draft else None, *_input_rows(plan, period)])


def data_stamp(plan, period) -> str:
    """The consolidated report's inputs without the draft (its number, date, signer, texts), which
    issuing applies itself: the key of a kept data snapshot (`kept_data`)."""
    return _hash([data_version(), "data", *_input_rows(plan, period)])


def kept_data(stamp: str) -> dict | None:
    """The data snapshot (`ReportData.to_json`) of the latest consolidated render gathered from inputs
    with that data stamp; None when there is none."""
    return db.session.scalars(
        select(RenderedReport.data).where(RenderedReport.data_stamp == stamp, RenderedReport.unit_id.is_(None),
                                          RenderedReport.data.is_not(None))
        .order_by(RenderedReport.id.desc()).limit(1)
    ).first()


def stored_by_stamp(stamp: str, fmt: str) -> RenderedReport | None:
    return db.session.scalars(
        select(RenderedReport).where(RenderedReport.stamp == stamp, RenderedReport.fmt == fmt)
        .order_by(RenderedReport.id.desc()).limit(1)
    ).first()


def page_summary(data: ReportData) -> dict:
    """The agencies and who sent nothing, as the report page shows them beside the preview."""
    return {"not_reported": list(data.not_reported),
            "agencies": [{"unit_id": a.unit_id, "name": a.name, "status_label": a.status_label} for a in data.agencies]}


def store_render(*, plan, period, unit_id, fmt: str, data: ReportData, stamp: str, build,
                 gathered_stamp: str | None = None) -> tuple[RenderedReport, bool]:
    """The stored render of `data` (made with `build` only when no equal one exists); (row, rendered?).
    `gathered_stamp`: the data stamp taken before `data` was gathered (a consolidated report): the
    snapshot is kept with the render under it, for issuing."""
    import time

    fp = fingerprint(data, fmt)
    row = db.session.scalars(
        select(RenderedReport).where(RenderedReport.fingerprint == fp, RenderedReport.fmt == fmt)
    ).first()
    rendered = row is None
    if row is not None:
        row.stamp = stamp
        if row.summary is None:
            row.summary = page_summary(data)
    else:
        started = time.perf_counter()
        content = build(data)
        row = RenderedReport(plan_id=plan.id, period_id=period.id, unit_id=unit_id, tenant_id=plan.tenant_id, fmt=fmt,
                             fingerprint=fp, stamp=stamp, content=content, size=len(content),
                             summary=page_summary(data), render_ms=int((time.perf_counter() - started) * 1000))
        db.session.add(row)
    if gathered_stamp is not None and unit_id is None:
        row.data_stamp = gathered_stamp
        row.data = data.to_json()
    db.session.flush()
    return row, rendered
