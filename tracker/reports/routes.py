"""The report pages: list, preview and coordinator form, downloads, issuing, issued versions, unit reports."""
from __future__ import annotations

import io
import json

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from tracker.core import unit_of_work
from tracker.areas.scope import get_in_scope
from tracker.auth.models import Role
from tracker.auth.permissions import roles_required
from tracker.core.fragments import fragments
from tracker.core.locking import StaleEdit, stale_notice
from tracker.extensions import db
from tracker.ops.freshness import shared_page_key
from tracker.periods.models import ReportingPeriod
from tracker.periods.services import get_period
from tracker.plans.models import Plan
from tracker.reports.builders import build_html, build_pdf, build_xlsx
from tracker.reports.forms import FIELDS, ReportDraftForm
from tracker.reports.models import IssuedReport
from tracker.reports.services import (
    gather_report_data,
    get_draft,
    issue_report,
    issued_versions,
    options_from_draft,
    report_index,
    save_draft,
)
from tracker.units.models import Unit

bp = Blueprint("reports", __name__)

READERS = (Role.ADMIN.value, Role.COORDINATOR.value, Role.VIEWER.value, Role.NATIONAL_VIEWER.value)
FORMATS = {
    "pdf": ("application/pdf", build_pdf),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", build_xlsx),
    "html": ("text/html", build_html),  # send_file adds "; charset=utf-8"
}


def _plan_and_period(plan_id: int, period_code: str) -> tuple[Plan, ReportingPeriod]:
    plan = get_in_scope(Plan, plan_id)
    period = get_period(period_code, plan.tenant_id) if plan is not None else None
    if plan is None or period is None:
        abort(404)
    return plan, period


def _file_stem(plan: Plan, period: ReportingPeriod, suffix: str = "") -> str:
    number = (plan.number or f"khong-so-{plan.id}").replace("/", "-").strip("-") or f"khong-so-{plan.id}"
    return f"bao-cao-{number}-{period.code}{suffix}"


def _send(content: bytes, fmt: str, stem: str):
    mimetype = FORMATS[fmt][0] if fmt in FORMATS else "application/json"
    return send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=fmt not in ("html", "pdf"),
                     download_name=f"{stem}.{fmt}", max_age=0)


def _form_for(draft, plan) -> ReportDraftForm:
    """The coordinator's form; a new draft starts from the area's profile (signer, Nơi nhận)."""
    from tracker.core.time import today_local
    from tracker.reports.profiles import header_profile

    form = ReportDraftForm(obj=draft) if draft is not None else ReportDraftForm()
    if request.method == "GET" and not (form.signer_title.data and form.recipients.data):
        profile = header_profile(plan, (draft.report_date if draft is not None else None) or today_local())
        if not form.signer_title.data:
            form.signer_title.data = profile.signer_title
        if not form.recipients.data:
            form.recipients.data = "\n".join(profile.recipients)
    return form


def _render_show(plan, period, form, status: int = 200, stale=None):
    draft = get_draft(plan, period)
    data = gather_report_data(plan, period, options=options_from_draft(draft))
    versions = [r for r in issued_versions([plan.id]) if r.period_id == period.id]
    return render_template("reports/show.html", plan=plan, period=period, data=data, document_html=build_html(data).decode("utf-8"),
                           form=form, draft=draft, versions=versions, stale=stale,
                           can_edit=current_user.role == Role.COORDINATOR), status


@bp.get("/bao-cao")
@login_required
def index():
    own_unit = current_user.unit if current_user.role == Role.REPORTER else None
    if current_user.role not in READERS and own_unit is None:
        abort(403)

    def render() -> str:
        return render_template("reports/_index_content.html", own_unit=own_unit, readers=current_user.role in READERS,
                               can_edit=current_user.role == Role.COORDINATOR, **report_index())

    # A reporter's index names their unit; a reader's is the same for every unit.
    content = fragments.get_or_render(shared_page_key(current_user, own_unit.id if own_unit else None), render)
    return render_template("reports/index.html", content=Markup(content))


@bp.get("/bao-cao/<int:plan_id>/<period_code>")
@roles_required(*READERS)
def show(plan_id: int, period_code: str):
    plan, period = _plan_and_period(plan_id, period_code)
    return _render_show(plan, period, _form_for(get_draft(plan, period), plan))


@bp.get("/bao-cao/<int:plan_id>/<period_code>.<any(pdf, xlsx, html):fmt>")
@roles_required(*READERS)
def download(plan_id: int, period_code: str, fmt: str):
    plan, period = _plan_and_period(plan_id, period_code)
    return _stored_or_queued(plan, period, None, fmt, _file_stem(plan, period, "-du-thao"))


def _send_render(render, fmt: str, stem: str):
    response = _send(render.content, fmt, stem)
    response.set_etag(render.fingerprint)
    return response.make_conditional(request)


def _stored_or_queued(plan, period, unit, fmt: str, stem: str):
    """The stored file when the report's inputs have not changed since it was rendered; else a
    render job for the background worker and, at once, a page that follows its progress."""
    from tracker.core.time import utcnow
    from tracker.queue.services import enqueue
    from tracker.reports.jobs import render_payload
    from tracker.reports.renders import RENDER_KIND, input_stamp, stored_by_stamp

    unit_id = unit.id if unit is not None else None
    stamp = input_stamp(plan, period, unit_id, fmt)
    stored = stored_by_stamp(stamp, fmt)
    if stored is not None:
        return _send_render(stored, fmt, stem)
    payload = render_payload(plan, period, unit_id, fmt, stamp, utcnow()) | {"stem": stem}
    job = enqueue(RENDER_KIND, payload, key=stamp, tenant_id=plan.tenant_id, user_id=current_user.id)
    # A download is a GET, which commits nothing: the documented early commit stores the job for
    # the background worker (tracker/core/unit_of_work.py).
    unit_of_work.commit_now()
    from tracker.queue.models import JOB_STATE_LABELS

    return render_template("reports/job.html", job=job, plan=plan, period=period, unit=unit, fmt=fmt,
                           state_label=JOB_STATE_LABELS.get(job.state, job.state)), 202


def _may_download(unit_id: int | None) -> bool:
    return current_user.role in READERS or (
        unit_id is not None and current_user.role == Role.REPORTER and current_user.unit_id == unit_id)


def _render_job(job_id: int):
    from tracker.queue.models import Job
    from tracker.reports.renders import RENDER_KIND

    job = db.session.get(Job, job_id)
    if job is None or job.kind != RENDER_KIND:
        abort(404)
    if not _may_download(job.payload.get("unit_id")):
        abort(403)
    return job


@bp.get("/bao-cao/viec/<int:job_id>.json")
@login_required
def job_status(job_id: int):
    """The progress of a render job, polled by the waiting page (tracker/static/app.js)."""
    from tracker.queue.models import JOB_STATE_LABELS, JobState

    job = _render_job(job_id)
    body = {"state": job.state, "label": JOB_STATE_LABELS.get(job.state, job.state), "attempts": job.attempts}
    if job.state == JobState.DONE.value:
        body["file_url"] = url_for("reports.job_file", job_id=job.id)
    elif job.state == JobState.FAILED.value:
        body["error"] = "Không tạo được tệp báo cáo. Vui lòng thử lại hoặc báo quản trị hệ thống."
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/bao-cao/viec/<int:job_id>/tep")
@login_required
def job_file(job_id: int):
    from tracker.reports.renders import RenderedReport

    job = _render_job(job_id)
    render_id = (job.result or {}).get("render_id")
    render = db.session.get(RenderedReport, render_id) if render_id else None
    if render is None:
        abort(404)
    return _send_render(render, render.fmt, job.payload.get("stem") or "bao-cao")


def _save_posted_draft(plan, period):
    """Save the posted form; None when it is invalid (the caller re-renders it)."""
    form = ReportDraftForm()
    if not form.validate_on_submit():
        return None, form
    draft = save_draft(plan, period, user=current_user, number=form.number.data or "",
                       report_date=form.report_date.data, signer_title=form.signer_title.data or "",
                       signer_name=form.signer_name.data or "", recipients=form.recipients.data or "",
                       summary=form.summary.data or "", proposals=form.proposals.data or "",
                       lock_version=form.lock_version.version)
    return draft, form


def _render_stale(plan, period, form):
    """Someone saved the draft since this form was opened: nothing saved (or issued), the typed
    values kept, the stored ones shown, and the form now at the stored version."""
    unit_of_work.rollback_now()
    draft = get_draft(plan, period)
    form.lock_version.set(draft.lock_version if draft is not None else None)
    current = {name: getattr(draft, name) for name in FIELDS} if draft is not None else {}
    labels = {name: form[name].label.text for name in FIELDS}
    stale = stale_notice("report_draft", draft.id if draft is not None else None, current, labels=labels)
    return _render_show(plan, period, form, 409, stale=stale)


@bp.post("/bao-cao/<int:plan_id>/<period_code>/du-thao")
@roles_required(Role.COORDINATOR.value)
def save(plan_id: int, period_code: str):
    plan, period = _plan_and_period(plan_id, period_code)
    try:
        draft, form = _save_posted_draft(plan, period)
    except StaleEdit:
        return _render_stale(plan, period, ReportDraftForm())
    if draft is None:
        flash("Chưa lưu được: vui lòng kiểm tra các ô được đánh dấu.", "error")
        return _render_show(plan, period, form, 400)
    flash("Đã lưu dự thảo báo cáo.", "success")
    return redirect(url_for("reports.show", plan_id=plan.id, period_code=period.code))


@bp.post("/bao-cao/<int:plan_id>/<period_code>/ban-hanh")
@roles_required(Role.COORDINATOR.value)
def issue(plan_id: int, period_code: str):
    plan, period = _plan_and_period(plan_id, period_code)
    if any(name in request.form for name in FIELDS):
        # The issue button sits in the draft form: what is on screen is what gets issued.
        try:
            draft, form = _save_posted_draft(plan, period)
        except StaleEdit:
            return _render_stale(plan, period, ReportDraftForm())
        if draft is None:
            flash("Chưa ban hành được: vui lòng kiểm tra các ô được đánh dấu.", "error")
            return _render_show(plan, period, form, 400)
    report = issue_report(plan, period, user=current_user)
    flash(f"Đã ban hành báo cáo {period.label}, phiên bản {report.version}. Bản đã ban hành được lưu nguyên trạng.",
          "success")
    return redirect(url_for("reports.show", plan_id=plan.id, period_code=period.code))


@bp.get("/bao-cao/da-ban-hanh/<int:report_id>.<any(pdf, xlsx, html, json):fmt>")
@roles_required(*READERS)
def issued_file(report_id: int, fmt: str):
    report = db.get_or_404(IssuedReport, report_id)
    if fmt == "json":
        content = json.dumps(report.data, ensure_ascii=False, indent=1).encode("utf-8")
    else:
        content = getattr(report, fmt)
    stem = _file_stem(report.plan, report.period, f"-ban-hanh-v{report.version}")
    return _send(content, fmt, stem)


@bp.get("/bao-cao/<int:plan_id>/<period_code>/don-vi/<int:unit_id>.<any(pdf, xlsx, html):fmt>")
@login_required
def unit_report(plan_id: int, period_code: str, unit_id: int, fmt: str):
    """An agency's own quarterly report to Sở KH&CN: its reporters, or anyone who reads every report."""
    # Another province's plan or unit is not there (404) before it is not this reporter's (403).
    plan, period = _plan_and_period(plan_id, period_code)
    unit = db.get_or_404(Unit, unit_id)
    if not _may_download(unit_id):
        abort(403)
    return _stored_or_queued(plan, period, unit, fmt, _file_stem(plan, period, f"-don-vi-{unit.id}"))
