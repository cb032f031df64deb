"""The DTI self-assessment campaign: list and start, the campaign page, one input, the form."""
from __future__ import annotations

import io
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from tracker.areas.scope import get_in_scope
from tracker.auth.models import Role
from tracker.auth.permissions import roles_required
from tracker.core.locking import StaleEdit
from tracker.core.security import bounded_int
from tracker.core.time import today_local
from tracker.core import unit_of_work
from tracker.extensions import db
from tracker.campaigns import outputs, prefill, services
from tracker.campaigns.models import INPUT_STATE_LABELS, Campaign, CampaignEvidence, CampaignInput
from tracker.indicators.models import FRAMEWORK_LEVEL_LABELS, Framework
from tracker.indicators.scoring import STATUS_LABELS
from tracker.indicators.selfassessment import framework_spec
from tracker.units.models import Unit
from tracker.updates.forms import CsrfForm
from tracker.updates.routes import content_disposition, evidence_download

bp = Blueprint("campaigns", __name__)

READERS = (Role.COORDINATOR, Role.ADMIN, Role.VIEWER, Role.NATIONAL_VIEWER, Role.SUPERADMIN)


def _campaign_or_404(campaign_id: int) -> Campaign:
    return db.get_or_404(Campaign, campaign_id)  # another province's campaign is not in the scope: 404


def _input_or_404(input_id: int) -> CampaignInput:
    return db.get_or_404(CampaignInput, input_id)


def _frameworks():
    return list(db.session.scalars(
        select(Framework).order_by(Framework.name)))  # national ones and the area's own (the scope)


def _parse_date(text: str | None):
    try:
        return datetime.strptime((text or "").strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


@bp.route("/tu-danh-gia", methods=["GET", "POST"])
@roles_required(*READERS)
def index():
    today = today_local()
    errors, typed, status = {}, {}, 200
    if request.method == "POST":
        if not services.can_manage(current_user):
            abort(403)
        form = CsrfForm()
        if not form.validate_on_submit():
            abort(400)
        typed = {k: request.form.get(k, "") for k in ("framework_id", "year", "deadline")}
        framework = get_in_scope(Framework, bounded_int(typed["framework_id"]) or 0)
        year = bounded_int(typed["year"])
        deadline = _parse_date(typed["deadline"])
        if framework is None:
            errors["framework_id"] = "Chọn một bộ chỉ số."
        if year is None:
            errors["year"] = "Năm đánh giá phải là một số, ví dụ 2026."
        if deadline is None:
            errors["deadline"] = "Hạn nộp số liệu viết theo dạng ngày/tháng/năm, ví dụ 30/06/2026."
        if not errors:
            try:
                campaign = services.start_campaign(current_user, framework, year, deadline, today=today)
            except services.Invalid as error:
                unit_of_work.rollback_now()
                errors = error.errors
            else:
                flash(f"Đã khởi động {campaign.title}: {len(campaign.inputs)} số liệu giao cho các đơn vị.", "success")
                return redirect(url_for("campaigns.show", campaign_id=campaign.id))
        status = 422
    campaigns = list(db.session.scalars(select(Campaign)
                                        .order_by(Campaign.year.desc(), Campaign.id.desc())))
    return render_template("campaigns/index.html", campaigns=campaigns, frameworks=_frameworks(), errors=errors,
                           typed=typed, form=CsrfForm(), can_manage=services.can_manage(current_user),
                           level_labels=FRAMEWORK_LEVEL_LABELS, today=today), status


@bp.get("/tu-danh-gia/<int:campaign_id>")
@roles_required(*READERS)
def show(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    today = today_local()
    spec = framework_spec(campaign.framework)
    inputs = outputs.load_inputs(campaign)
    result = outputs.campaign_score(campaign, spec, inputs)
    judged = [s for s in result.indicators() if (s.spec.rule or {}).get("type") == "judgement" or s.spec.rule is None
              or "mẫu số bằng 0" in s.explanation or s.spec.key in (campaign.judgements or {})]
    # The list of inputs, filtered by the progress table's links: a unit ("chua-giao": none) and a state.
    unit_arg, state_arg = request.args.get("don-vi", ""), request.args.get("trang-thai", "")
    shown = [i for i in inputs
             if (not unit_arg or (unit_arg == "chua-giao" and i.unit is None)
                 or (i.unit is not None and str(services.owing_unit(i, today).id) == unit_arg))
             and (state_arg not in INPUT_STATE_LABELS or i.state == state_arg)]
    return render_template(
        "campaigns/show.html", campaign=campaign, result=result, inputs=inputs, shown=shown,
        unit_arg=unit_arg, state_arg=state_arg,
        progress=outputs.completeness(inputs, today), stakes=outputs.points_at_stake(result, inputs, today),
        comparison=outputs.compare(campaign), judged=judged, status_labels=STATUS_LABELS,
        state_labels=INPUT_STATE_LABELS, can_manage=services.can_manage(current_user, campaign), form=CsrfForm(),
        unsent=services.UNSENT,
        today=today,
    )


FORM_MIMETYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  "pdf": "application/pdf"}


def _form_name(campaign: Campaign, kind: str) -> str:
    return f"Phiếu tự đánh giá {campaign.framework.name} - {campaign.tenant.current_name} - {campaign.year}.{kind}"


def _send_form(render, campaign: Campaign):
    name = _form_name(campaign, render.fmt)
    response = send_file(io.BytesIO(render.content), mimetype=FORM_MIMETYPES[render.fmt], as_attachment=True,
                         download_name=name, max_age=0)
    response.headers["Content-Disposition"] = content_disposition(name)
    response.set_etag(render.fingerprint)
    return response.make_conditional(request)


def _form_download(campaign: Campaign, kind: str):
    """The stored form while the campaign's inputs are unchanged; else a render job for the background
    worker and, at once, a page following it (tracker/campaigns/renders.py)."""
    from tracker.campaigns.jobs import form_payload
    from tracker.campaigns.renders import FORM_RENDER_KIND, input_stamp, stored_by_stamp
    from tracker.queue.models import JOB_STATE_LABELS
    from tracker.queue.services import enqueue

    stamp = input_stamp(campaign, kind)
    stored = stored_by_stamp(campaign, stamp, kind)
    if stored is not None:
        return _send_form(stored, campaign)
    job = enqueue(FORM_RENDER_KIND, form_payload(campaign, kind, stamp, today_local()), key=stamp,
                  tenant_id=campaign.tenant_id, user_id=current_user.id)
    # A download is a GET, which commits nothing: the documented early commit stores the job for
    # the background worker (tracker/core/unit_of_work.py).
    unit_of_work.commit_now()
    return render_template("campaigns/job.html", campaign=campaign, job=job, fmt=kind,
                           state_label=JOB_STATE_LABELS.get(job.state, job.state)), 202


def _form_job(job_id: int):
    """A form render job: another province's is not there (404)."""
    from tracker.campaigns.renders import FORM_RENDER_KIND
    from tracker.queue.models import Job

    job = get_in_scope(Job, job_id)
    if job is None or job.kind != FORM_RENDER_KIND:
        abort(404)
    return job


@bp.get("/tu-danh-gia/viec/<int:job_id>.json")
@roles_required(*READERS)
def form_job_status(job_id: int):
    """The progress of a form render job, polled by the waiting page (tracker/static/app.js)."""
    from flask import jsonify

    from tracker.queue.models import JOB_STATE_LABELS, JobState

    job = _form_job(job_id)
    body = {"state": job.state, "label": JOB_STATE_LABELS.get(job.state, job.state), "attempts": job.attempts}
    if job.state == JobState.DONE.value:
        body["file_url"] = url_for("campaigns.form_job_file", job_id=job.id)
    elif job.state == JobState.FAILED.value:
        body["error"] = "Không tạo được phiếu. Vui lòng thử lại hoặc báo quản trị hệ thống."
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/tu-danh-gia/viec/<int:job_id>/tep")
@roles_required(*READERS)
def form_job_file(job_id: int):
    from tracker.campaigns.models import CampaignFormRender

    job = _form_job(job_id)
    render_id = (job.result or {}).get("render_id")
    render = get_in_scope(CampaignFormRender, render_id) if render_id else None
    if render is None:
        abort(404)
    return _send_form(render, _campaign_or_404(render.campaign_id))


@bp.get("/tu-danh-gia/<int:campaign_id>/phieu.xlsx")
@roles_required(*READERS)
def form_xlsx(campaign_id: int):
    return _form_download(_campaign_or_404(campaign_id), "xlsx")


@bp.get("/tu-danh-gia/<int:campaign_id>/phieu.pdf")
@roles_required(*READERS)
def form_pdf(campaign_id: int):
    return _form_download(_campaign_or_404(campaign_id), "pdf")


@bp.post("/tu-danh-gia/<int:campaign_id>/cham-diem")
@roles_required(Role.COORDINATOR)
def judge(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    key = request.form.get("key", "")
    try:
        services.set_judgement(current_user, campaign, framework_spec(campaign.framework), key,
                               request.form.get("points", ""), request.form.get("reason", ""),
                               lock_version=bounded_int(request.form.get("lock_version")))
    except StaleEdit:
        unit_of_work.fail()  # a refused redirect: nothing is kept
        flash("Đợt tự đánh giá vừa được người khác thay đổi; điểm bạn nhập CHƯA được lưu, hãy nhập lại.", "error")
    except services.CampaignError as error:
        unit_of_work.fail()  # a refused redirect: nothing is kept
        flash(f"Chỉ số {key}: {error}", "error")
    else:
        flash(f"Đã ghi điểm chấm theo đánh giá của chỉ số {key}.", "success")
    return redirect(url_for("campaigns.show", campaign_id=campaign.id, _anchor="cham-diem"))


# --- one input -------------------------------------------------------------------------------------


def _render_input(item: CampaignInput, *, typed=None, note=None, errors=None, status=200):
    today = today_local()
    spec = framework_spec(item.campaign.framework)
    node = spec.find(item.key) if not item.is_general else None
    units = []
    if services.can_manage(current_user, item.campaign):
        units = [u for u in db.session.scalars(select(Unit).where(Unit.tenant_id == item.campaign.tenant_id)
                                                .order_by(Unit.name)) if not u.ended_by(today)]
    return render_template(
        "campaigns/input.html", item=item, campaign=item.campaign, node=node, fields=services.field_specs(spec, item),
        values=typed if typed is not None else dict(item.values or {}),
        note=note if note is not None else (item.note or ""), errors=errors or {},
        may_enter=services.can_enter(current_user, item, today), is_provider=services.is_provider(current_user, item, today),
        may_review=services.can_manage(current_user, item.campaign) and item.state == "submitted",
        may_manage=services.can_manage(current_user, item.campaign), units=units,
        may_see=services.can_see_values(current_user, item, today),
        owing=services.owing_unit(item, today), form=CsrfForm(), today=today,
    ), status


def _readable(item: CampaignInput) -> None:
    if not services.can_read(current_user, item):
        abort(403)


@bp.get("/tu-danh-gia/so-lieu/<int:input_id>")
@login_required
def input_page(input_id: int):
    item = _input_or_404(input_id)
    _readable(item)
    return _render_input(item)


@bp.post("/tu-danh-gia/so-lieu/<int:input_id>")
@login_required
def save_input(input_id: int):
    """The provider's form: save, submit (after saving), attach evidence, or take the proposal."""
    item = _input_or_404(input_id)
    _readable(item)
    today = today_local()
    if not services.can_enter(current_user, item, today):
        abort(403)
    if not CsrfForm().validate_on_submit():
        abort(400)
    spec = framework_spec(item.campaign.framework)
    action = request.form.get("action", "save")
    lock_version = bounded_int(request.form.get("lock_version"))
    typed = {f: request.form.get(f"v_{f}", "") for f in item.fields}
    note = request.form.get("note", "")
    try:
        from_proposal = False
        if action == "proposal":
            proposal = prefill.current_proposal(item, spec)
            if proposal is None:
                raise services.Invalid({"_": "Không còn số liệu theo dõi để đề xuất cho chỉ số này."})
            item.proposal = proposal
            typed = {f: proposal["values"].get(f, typed.get(f, "")) for f in item.fields}
            from_proposal = True
        services.save_values(current_user, item, spec, typed, note, lock_version=lock_version, today=today,
                             from_proposal=from_proposal)
        for upload in request.files.getlist("evidence"):
            if upload and upload.filename:
                _, path = services.attach_evidence(current_user, item, upload, today=today)
                unit_of_work.after_rollback(lambda path=path: path.unlink(missing_ok=True))
        if action == "submit":
            services.submit(current_user, item, spec, lock_version=item.lock_version, today=today)
    except StaleEdit:
        unit_of_work.rollback_now()  # the stored uploads go with it (after_rollback above)
        db.session.refresh(item)
        return _render_input(item, typed=typed, note=note, status=409, errors={
            "_": "Số liệu này vừa được người khác thay đổi sau khi bạn mở trang. Nội dung bạn nhập CHƯA được lưu "
                 "và được giữ nguyên bên dưới; hãy xem lại rồi lưu lần nữa."})
    except services.NotAllowed:
        abort(403)  # rolled back at the request's end, the stored uploads with it
    except services.Invalid as error:
        unit_of_work.rollback_now()
        db.session.refresh(item)
        return _render_input(item, typed=typed, note=note, errors=error.errors, status=422)
    flash({"submit": "Đã gửi số liệu cho Sở KH&CN duyệt.",
           "proposal": "Đã dùng số liệu đề xuất từ dữ liệu theo dõi; kiểm tra lại rồi gửi."}.get(action, "Đã lưu số liệu."),
          "success")
    return redirect(url_for("campaigns.input_page", input_id=item.id))


@bp.post("/tu-danh-gia/so-lieu/<int:input_id>/duyet")
@roles_required(Role.COORDINATOR)
def review(input_id: int):
    item = _input_or_404(input_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    reason = request.form.get("reason", "")
    try:
        services.review(current_user, item, request.form.get("decision", ""), reason,
                         lock_version=bounded_int(request.form.get("lock_version")))
    except StaleEdit:
        unit_of_work.fail()  # a refused redirect: nothing is kept
        flash("Số liệu vừa được thay đổi sau khi bạn mở trang; xem lại trước khi duyệt.", "error")
    except services.Invalid as error:
        unit_of_work.rollback_now()
        db.session.refresh(item)
        return _render_input(item, errors=error.errors, status=422)
    except services.CampaignError as error:
        unit_of_work.fail()  # a refused redirect: nothing is kept
        flash(str(error), "error")
    else:
        flash("Đã chấp nhận số liệu." if item.state == "accepted" else "Đã trả lại số liệu cho đơn vị, kèm lý do.",
              "success")
    return redirect(url_for("campaigns.input_page", input_id=item.id))


@bp.post("/tu-danh-gia/so-lieu/<int:input_id>/giao")
@roles_required(Role.COORDINATOR)
def reassign(input_id: int):
    item = _input_or_404(input_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    unit_id = bounded_int(request.form.get("unit_id"))
    unit = db.session.get(Unit, unit_id) if unit_id else None
    try:
        services.reassign(current_user, item, unit, lock_version=bounded_int(request.form.get("lock_version")))
    except StaleEdit:
        unit_of_work.fail()  # a refused redirect: nothing is kept
        flash("Số liệu vừa được thay đổi sau khi bạn mở trang; chưa giao lại.", "error")
    except services.CampaignError as error:
        unit_of_work.fail()  # a refused redirect: nothing is kept
        flash(str(error), "error")
    else:
        flash(f"Đã giao số liệu cho {item.unit.name if item.unit else 'điều phối viên tự nhập'}.", "success")
    return redirect(url_for("campaigns.input_page", input_id=item.id))


@bp.get("/tu-danh-gia/minh-chung/<int:evidence_id>")
@login_required
def evidence(evidence_id: int):
    record = db.get_or_404(CampaignEvidence, evidence_id)
    _readable(record.input)
    if not services.can_see_values(current_user, record.input):
        abort(403)
    return evidence_download(services.evidence_path(record), record)


@bp.post("/tu-danh-gia/minh-chung/<int:evidence_id>/xoa")
@login_required
def delete_evidence(evidence_id: int):
    record = db.get_or_404(CampaignEvidence, evidence_id)
    item = record.input
    if not services.can_enter(current_user, item):
        abort(403)
    if not CsrfForm().validate_on_submit():
        abort(400)
    name = record.original_name
    path = services.delete_evidence(current_user, record)
    unit_of_work.after_commit(lambda: path.unlink(missing_ok=True))
    flash(f"Đã xóa tài liệu kiểm chứng \"{name}\".", "success")
    return redirect(url_for("campaigns.input_page", input_id=item.id))
