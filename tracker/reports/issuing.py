"""The coordinator's draft (number, date, recipients) and the issued, frozen versions of a report."""
from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from tracker.audit.services import diff, record
from tracker.core.locking import UNCHECKED, StaleEdit, claim
from tracker.core.time import today_local, utcnow
from tracker.extensions import db
from tracker.periods.models import ReportingPeriod
from tracker.plans.models import Plan
from tracker.reports.models import IssuedReport, ReportDraft
from tracker.reports.gather import gather_report_data
from tracker.reports.header import ReportOptions


# --------------------------------------------------------------------------- drafts and issuing

def find_plan(number_or_id, area_code: str | None = None) -> Plan | None:
    """The plan of that id or number (None when none, or when several areas have that number)."""
    from tracker.plans.identity import PlanLookupError, find_plan as lookup

    try:
        return lookup(number_or_id, area_code)
    except PlanLookupError:
        return None


def get_draft(plan: Plan, period: ReportingPeriod) -> ReportDraft | None:
    return db.session.scalar(
        select(ReportDraft).where(ReportDraft.plan_id == plan.id, ReportDraft.period_id == period.id)
    )


def options_from_draft(draft: ReportDraft | None) -> ReportOptions:
    if draft is None:
        return ReportOptions()
    return ReportOptions(
        number=draft.number or "",
        report_date=draft.report_date,
        signer_title=draft.signer_title or "",
        signer_name=draft.signer_name or "",
        recipients=[line for line in (draft.recipients or "").splitlines() if line.strip()],
        summary=draft.summary or "",
        proposals=draft.proposals or "",
    )


def save_draft(plan: Plan, period: ReportingPeriod, *, user, number: str = "", report_date: date | None = None,
               signer_title: str = "", signer_name: str = "", recipients: str = "", summary: str = "",
               proposals: str = "", lock_version=UNCHECKED) -> ReportDraft:
    """`lock_version`: the draft's version the form was built from (None: there was no draft yet);
    StaleEdit when someone saved the draft since (tracker/core/locking.py)."""
    draft = get_draft(plan, period)
    if draft is not None:
        claim(draft, lock_version)
    elif lock_version not in (None, UNCHECKED):
        raise StaleEdit()
    values = {"number": number.strip(), "report_date": report_date, "signer_title": signer_title.strip(),
              "signer_name": signer_name.strip(), "recipients": recipients.strip(), "summary": summary.strip(),
              "proposals": proposals.strip()}
    if draft is None:
        draft = ReportDraft(plan=plan, period=period)
        db.session.add(draft)
        # A new draft starts empty: a field left empty is no change for the audit trail.
        before = {key: "" if isinstance(value, str) else None for key, value in values.items()}
    else:
        before = {key: getattr(draft, key) for key in values}
    for key, value in values.items():
        setattr(draft, key, value)
    draft.updated_by_id = getattr(user, "id", None)
    try:
        db.session.flush()
    except IntegrityError as error:  # another coordinator created the first draft at the same moment
        raise StaleEdit() from error
    record(actor=user, action="report.draft_saved", entity_type="report_draft", entity_id=draft.id,
           summary=f"Cập nhật dự thảo báo cáo {plan.number_label} {period.label}", changes=diff(before, values))
    return draft


ISSUED_FILES_KIND = "reports.issued_files"


def issue_report(plan: Plan, period: ReportingPeriod, *, user, config=None, now: datetime | None = None) -> IssuedReport:
    """Freeze the current draft under the next version: the number, the date and the data snapshot
    at once; its PDF, Excel and HTML are rendered from that snapshot by the background worker
    (`render_issued_files`, queued here in the same transaction)."""
    options = options_from_draft(get_draft(plan, period))
    if options.report_date is None:
        options.report_date = today_local()
    version = (db.session.scalar(
        select(func.max(IssuedReport.version)).where(IssuedReport.plan_id == plan.id,
                                                     IssuedReport.period_id == period.id)
    ) or 0) + 1
    snapshot = kept_snapshot(plan, period, options, config=config, now=now)
    if snapshot is None:
        data = gather_report_data(plan, period, options=options, config=config, now=now)
        data.header.is_draft = False
        data.header.version = version
        snapshot = data.to_json()
    else:
        snapshot["header"]["is_draft"] = False
        snapshot["header"]["version"] = version
    report = IssuedReport(
        plan_id=plan.id,
        period_id=period.id,
        version=version,
        number=options.number,
        report_date=options.report_date,
        signer_name=options.signer_name,
        issued_at=now or utcnow(),
        issued_by_id=getattr(user, "id", None),
        data=snapshot,
        # Filled in by the worker; an empty pdf_sha256 says the files are not made yet.
        pdf=b"", xlsx=b"", html=b"", pdf_sha256="",
    )
    db.session.add(report)
    db.session.flush()
    queue_issued_files(report, user=user)
    record(actor=user, action="report.issued", entity_type="issued_report", entity_id=report.id,
           summary=f"Ban hành báo cáo {plan.number_label} {period.label}, phiên bản {version}")
    return report


def kept_snapshot(plan: Plan, period: ReportingPeriod, options: ReportOptions, *, config=None,
                  now: datetime | None = None) -> dict | None:
    """The data the preview was rendered from, when the report's inputs (the draft aside) have not
    changed since: a JSON snapshot (`ReportData.to_json`) with this draft's header and texts and this
    moment applied, equal to what gathering afresh would give. None when there is none to reuse."""
    import copy

    from flask import current_app

    from tracker.reports.data import to_plain
    from tracker.reports.header import build_header
    from tracker.reports.renders import data_stamp, kept_data

    kept = kept_data(data_stamp(plan, period))
    if kept is None:
        return None
    # What the draft sets in the data (gather_report_data: the header, the coordinator's texts).
    snapshot = copy.copy(kept)  # top level only: the keys below are replaced, never changed in place
    header = build_header(plan, period, None, options, config if config is not None else current_app.config)
    snapshot["header"] = to_plain(header)
    snapshot["coordinator_summary"] = options.summary.strip()
    snapshot["coordinator_proposals"] = options.proposals.strip()
    snapshot["generated_at"] = to_plain(now or utcnow())
    return snapshot


def issued_files_key(report: IssuedReport) -> str:
    return f"issued:{report.id}"


def queue_issued_files(report: IssuedReport, *, user=None):
    """The job rendering an issued version's files (the one still waiting or running, else a new one)."""
    from tracker.queue.services import enqueue

    return enqueue(ISSUED_FILES_KIND, {"report_id": report.id}, key=issued_files_key(report),
                   tenant_id=report.plan.tenant_id, user_id=getattr(user, "id", None))


def issued_files_job(report: IssuedReport):
    """The latest job rendering this version's files (None when there never was one)."""
    from tracker.queue.models import Job

    return db.session.scalars(
        select(Job).where(Job.kind == ISSUED_FILES_KIND, Job.key == issued_files_key(report))
        .order_by(Job.id.desc()).limit(1)
    ).first()


def render_issued_files(report: IssuedReport) -> bool:
    """Render the version's PDF, Excel and HTML from its frozen snapshot (never from the live data);
    False when they were already there (a job run twice renders once)."""
    from tracker.reports.builders import build_html, build_pdf, build_xlsx
    from tracker.reports.data import report_data_from_json

    if report.files_ready:
        return False
    data = report_data_from_json(report.data)
    pdf = build_pdf(data)
    report.pdf = pdf
    report.xlsx = build_xlsx(data)
    report.html = build_html(data)
    report.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    db.session.flush()
    return True


def issued_versions(plan_ids: list[int] | None = None) -> list[IssuedReport]:
    query = (select(IssuedReport).options(selectinload(IssuedReport.issued_by))
             .order_by(IssuedReport.plan_id, IssuedReport.period_id, IssuedReport.version))
    if plan_ids is not None:
        query = query.where(IssuedReport.plan_id.in_(plan_ids))
    return db.session.scalars(query).all()


def report_index() -> dict:
    """Plans × periods with their draft and issued versions, in four queries."""
    plans = db.session.scalars(select(Plan).order_by(Plan.issued_on, Plan.number)).all()
    periods = db.session.scalars(
        select(ReportingPeriod).order_by(ReportingPeriod.year.desc(), ReportingPeriod.quarter.desc())
    ).all()
    drafts = {(d.plan_id, d.period_id): d for d in db.session.scalars(select(ReportDraft))}
    issued: dict[tuple[int, int], list[IssuedReport]] = defaultdict(list)
    for report in issued_versions():
        issued[(report.plan_id, report.period_id)].append(report)
    return {"plans": plans, "periods": periods, "drafts": drafts, "issued": issued}
