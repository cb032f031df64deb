"""Background work of the reports area (run by tracker.queue): rendering a draft report file, and the
files of an issued version from its frozen snapshot."""
from __future__ import annotations

from datetime import datetime

from tracker.extensions import db
from tracker.queue.services import PermanentJobError, handles
from tracker.reports.issuing import ISSUED_FILES_KIND
from tracker.reports.renders import RENDER_KIND, data_stamp, store_render


def render_payload(plan, period, unit_id: int | None, fmt: str, stamp: str, now: datetime) -> dict:
    return {"plan_id": plan.id, "period_id": period.id, "unit_id": unit_id, "fmt": fmt, "stamp": stamp,
            "now": now.isoformat()}


def gather_for(plan, period, unit):
    """The data a download shows: the unit's own report, or the consolidated draft."""
    from tracker.reports.services import ReportOptions, gather_report_data, get_draft, options_from_draft

    return lambda now: gather_report_data(
        plan, period, unit=unit, now=now,
        options=ReportOptions() if unit is not None else options_from_draft(get_draft(plan, period)),
    )


@handles(RENDER_KIND)
def render_report(payload: dict, job) -> dict:
    from flask import current_app

    from tracker.periods.models import ReportingPeriod
    from tracker.plans.models import Plan
    from tracker.reports import pdfparts
    from tracker.reports.builders import build_html, build_pdf, build_xlsx
    from tracker.units.models import Unit

    # Long PDFs are rendered in parts on a pool of processes kept by this (job runner) process.
    pdfparts.configure(current_app.config.get("REPORT_PDF_PROCESSES", 0))
    builders = {"pdf": build_pdf, "xlsx": build_xlsx, "html": build_html}
    plan = db.session.get(Plan, payload["plan_id"])
    period = db.session.get(ReportingPeriod, payload["period_id"])
    unit = db.session.get(Unit, payload["unit_id"]) if payload.get("unit_id") else None
    fmt = payload["fmt"]
    if plan is None or period is None or (payload.get("unit_id") and unit is None) or fmt not in builders:
        raise PermanentJobError("Kế hoạch, kỳ báo cáo hoặc đơn vị không còn tồn tại.")
    # Taken before gathering: data changed meanwhile leaves a stamp no later issue matches, never a
    # snapshot kept under a stamp it does not reflect.
    gathered_stamp = data_stamp(plan, period) if unit is None else None
    data = gather_for(plan, period, unit)(datetime.fromisoformat(payload["now"]))
    row, rendered = store_render(plan=plan, period=period, unit_id=unit.id if unit else None, fmt=fmt, data=data,
                                 stamp=payload["stamp"], build=builders[fmt], gathered_stamp=gathered_stamp)
    return {"render_id": row.id, "fingerprint": row.fingerprint, "rendered": rendered}


@handles(ISSUED_FILES_KIND)
def render_issued(payload: dict, job) -> dict:
    """An issued version's three files, rendered from its frozen snapshot."""
    from tracker.reports.issuing import render_issued_files
    from tracker.reports.models import IssuedReport

    report = db.session.get(IssuedReport, payload["report_id"])
    if report is None:
        raise PermanentJobError("Phiên bản báo cáo không còn tồn tại.")
    rendered = render_issued_files(report)
    return {"report_id": report.id, "pdf_sha256": report.pdf_sha256, "rendered": rendered}
