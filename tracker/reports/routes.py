"""The report pages: list, preview and coordinator form, downloads, issuing, issued versions, unit reports."""
from __future__ import annotations

import io
import json

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from tracker.core import unit_of_work
from tracker.areas.scope import get_in_scope
from tracker.auth.models import Role
from tracker.auth.permissions import roles_required
from tracker.core.fragments import fragments
from tracker.core.locking import StaleEdit, stale_notice
from tracker.extensions import db
from tracker.ops.freshness import shared_page_key, untagged
from tracker.periods.models import ReportingPeriod
from tracker.periods.services import get_period
from tracker.plans.models import Plan
from tracker.reports.forms import FIELDS, ReportDraftForm
from tracker.reports.models import IssuedReport
from tracker.reports.services import (
    get_draft,
    issue_report,
    issued_versions,
    report_index,
    save_draft,
)
from tracker.units.models import Unit

bp = Blueprint("reports", __name__)

READERS = (Role.ADMIN.value, Role.COORDINATOR.value, Role.VIEWER.value, Role.NATIONAL_VIEWER.value)
MIMETYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",  # send_file adds "; charset=utf-8"
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
    mimetype = MIMETYPES.get(fmt, "application/json")
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


def _render_show(plan, period, form, status: int = 200, stale=None, *, queue: bool = False):
    """The report page without the report: the preview is the stored HTML render, in a frame
    (`preview`), and what the side lists (agencies, who sent nothing) was stored with it. `queue`
    (a GET) queues that render when it is missing; a re-shown form (POST) only shows it."""
    from tracker.reports.renders import input_stamp, stored_by_stamp

    draft = get_draft(plan, period)
    versions = [r for r in issued_versions([plan.id]) if r.period_id == period.id]
    stamp = input_stamp(plan, period, None, "html")
    preview = stored_by_stamp(stamp, "html")
    preview_job = None
    if preview is None:
        # What the page shows beside the frame arrives with the stored render, which bumps no data
        # version: a page without it is not confirmed by a 304 once the worker has made it.
        untagged()
        if queue:
            preview_job = _queue_render(plan, period, None, "html", _file_stem(plan, period, "-du-thao"), stamp)
    pending = {r.id: _issued_job(r) for r in versions if not r.files_ready}
    if pending:  # an issued version's files being made: the same holds
        untagged()
    return render_template("reports/show.html", plan=plan, period=period, summary=preview.summary if preview else None,
                           preview_job=preview_job, form=form, draft=draft, versions=versions, pending=pending,
                           stale=stale, can_edit=current_user.role == Role.COORDINATOR,
                           job_labels=_job_labels()), status


def _job_labels():
    from tracker.queue.models import JOB_STATE_LABELS

    return JOB_STATE_LABELS


def _issued_job(report: IssuedReport):
    from tracker.reports.issuing import issued_files_job

    return issued_files_job(report)


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
    return _render_show(plan, period, _form_for(get_draft(plan, period), plan), queue=True)


@bp.get("/bao-cao/<int:plan_id>/<period_code>/xem-truoc")
@roles_required(*READERS)
def preview(plan_id: int, period_code: str):
    """The draft as the report page's frame shows it: the stored HTML render, or (queued at once) a
    small page that reloads itself until the background worker has made it."""
    from tracker.core.security import allow_same_origin_framing
    from tracker.queue.models import JobState
    from tracker.reports.renders import input_stamp, stored_by_stamp

    plan, period = _plan_and_period(plan_id, period_code)
    stamp = input_stamp(plan, period, None, "html")
    stored = stored_by_stamp(stamp, "html")
    if stored is not None:
        return allow_same_origin_framing(_send_render(stored, "html", _file_stem(plan, period, "-du-thao")))
    job = _last_job(stamp)
    failed = job is not None and job.state == JobState.FAILED.value and not request.args.get("thu-lai")
    if not failed:
        job = _queue_render(plan, period, None, "html", _file_stem(plan, period, "-du-thao"), stamp)
    retry_url = url_for("reports.preview", plan_id=plan.id, period_code=period.code, **{"thu-lai": 1})
    page = render_template("reports/preview_wait.html", failed=failed, retry_url=retry_url,
                           state_label=_job_labels().get(job.state, job.state))
    response = current_app.make_response((page, 200 if failed else 202))
    response.headers["Cache-Control"] = "no-store"
    return allow_same_origin_framing(response)


@bp.get("/bao-cao/<int:plan_id>/<period_code>.<any(pdf, xlsx, html):fmt>")
@roles_required(*READERS)
def download(plan_id: int, period_code: str, fmt: str):
    plan, period = _plan_and_period(plan_id, period_code)
    return _stored_or_queued(plan, period, None, fmt, _file_stem(plan, period, "-du-thao"))


def _send_render(render, fmt: str, stem: str):
    response = _send(render.content, fmt, stem)
    response.set_etag(render.fingerprint)
    return response.make_conditional(request)


def _queue_render(plan, period, unit, fmt: str, stem: str, stamp: str):
    """The render job for that stamp (the one still waiting or running, else a new one), committed."""
    from tracker.core.time import utcnow
    from tracker.queue.services import enqueue
    from tracker.reports.jobs import render_payload
    from tracker.reports.renders import RENDER_KIND

    unit_id = unit.id if unit is not None else None
    payload = render_payload(plan, period, unit_id, fmt, stamp, utcnow()) | {"stem": stem}
    job = enqueue(RENDER_KIND, payload, key=stamp, tenant_id=plan.tenant_id, user_id=current_user.id)
    # A download is a GET, which commits nothing: the documented early commit stores the job for
    # the background worker (tracker/core/unit_of_work.py).
    unit_of_work.commit_now()
    return job


def _last_job(stamp: str):
    from tracker.queue.models import Job
    from tracker.reports.renders import RENDER_KIND

    return db.session.scalars(select(Job).where(Job.kind == RENDER_KIND, Job.key == stamp)
                              .order_by(Job.id.desc()).limit(1)).first()


def _stored_or_queued(plan, period, unit, fmt: str, stem: str):
    """The stored file when the report's inputs have not changed since it was rendered; else a
    render job for the background worker and, at once, a page that follows its progress."""
    from tracker.reports.renders import input_stamp, stored_by_stamp

    unit_id = unit.id if unit is not None else None
    stamp = input_stamp(plan, period, unit_id, fmt)
    stored = stored_by_stamp(stamp, fmt)
    if stored is not None:
        return _send_render(stored, fmt, stem)
    job = _queue_render(plan, period, unit, fmt, stem, stamp)
    return _waiting_page(job, plan, period, fmt, unit=unit,
                         file_url=url_for("reports.job_file", job_id=job.id), retry_url=request.path)


def _waiting_page(job, plan, period, fmt: str, *, unit=None, issued=None, file_url=None, retry_url=None):
    status_url = url_for("reports.job_status", job_id=job.id, **({"fmt": fmt} if issued is not None else {}))
    return render_template("reports/job.html", job=job, plan=plan, period=period, unit=unit, fmt=fmt, issued=issued,
                           status_url=status_url, file_url=file_url, retry_url=retry_url,
                           state_label=_job_labels().get(job.state, job.state)), 202


def _may_download(unit_id: int | None) -> bool:
    return current_user.role in READERS or (
        unit_id is not None and current_user.role == Role.REPORTER and current_user.unit_id == unit_id)


def _render_job(job_id: int):
    """A render job the user may follow: another province's is not there (404), another unit's is not
    this reporter's (403); an issued version's files are for those who read every report."""
    from tracker.queue.models import Job
    from tracker.reports.issuing import ISSUED_FILES_KIND
    from tracker.reports.renders import RENDER_KIND

    job = get_in_scope(Job, job_id)
    if job is None or job.kind not in (RENDER_KIND, ISSUED_FILES_KIND):
        abort(404)
    unit_id = job.payload.get("unit_id") if job.kind == RENDER_KIND else None
    if not _may_download(unit_id):
        abort(403)
    return job


@bp.get("/bao-cao/viec/<int:job_id>.json")
@login_required
def job_status(job_id: int):
    """The progress of a render job, polled by the waiting page (tracker/static/app.js)."""
    from tracker.queue.models import JobState
    from tracker.reports.issuing import ISSUED_FILES_KIND

    job = _render_job(job_id)
    body = {"state": job.state, "label": _job_labels().get(job.state, job.state), "attempts": job.attempts}
    if job.state == JobState.DONE.value:
        if job.kind == ISSUED_FILES_KIND:
            fmt = request.args.get("fmt")
            body["file_url"] = url_for("reports.issued_file", report_id=job.payload["report_id"],
                                       fmt=fmt if fmt in MIMETYPES else "pdf")
        else:
            body["file_url"] = url_for("reports.job_file", job_id=job.id)
    elif job.state == JobState.FAILED.value:
        body["error"] = "Không tạo được tệp báo cáo. Vui lòng thử lại hoặc báo quản trị hệ thống."
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/bao-cao/viec/<int:job_id>/tep")
@login_required
def job_file(job_id: int):
    from tracker.reports.issuing import ISSUED_FILES_KIND
    from tracker.reports.renders import RenderedReport

    job = _render_job(job_id)
    if job.kind == ISSUED_FILES_KIND:
        return redirect(url_for("reports.issued_file", report_id=job.payload["report_id"], fmt="pdf"))
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
    flash(f"Đã ban hành báo cáo {period.label}, phiên bản {report.version}. Bản đã ban hành được lưu nguyên trạng; "
          "các tệp PDF, Excel, HTML đang được tạo từ số liệu đã chốt.", "success")
    return redirect(url_for("reports.show", plan_id=plan.id, period_code=period.code))


@bp.get("/bao-cao/da-ban-hanh/<int:report_id>.<any(pdf, xlsx, html, json):fmt>")
@roles_required(*READERS)
def issued_file(report_id: int, fmt: str):
    report = db.get_or_404(IssuedReport, report_id)
    if fmt == "json":
        content = json.dumps(report.data, ensure_ascii=False, indent=1).encode("utf-8")
    elif not report.files_ready:
        # Still being rendered by the worker (or its job failed: asking again queues it again).
        from tracker.reports.issuing import queue_issued_files

        job = queue_issued_files(report, user=current_user)
        unit_of_work.commit_now()  # a GET: the documented early commit of a queued render job
        return _waiting_page(job, report.plan, report.period, fmt, issued=report,
                             file_url=url_for("reports.issued_file", report_id=report.id, fmt=fmt),
                             retry_url=request.path)
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
