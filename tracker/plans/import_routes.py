"""Nhập kế hoạch: upload a .docx/.xlsx/.yaml plan, preview what it would do, confirm it.

Coordinators and admins of an area only; everything they import belongs to their area.
"""
from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from tracker.auth.models import Role
from tracker.auth.permissions import roles_required
from tracker.core import unit_of_work
from tracker.plans import import_mapping, imports
from tracker.plans.models import ITEM_KIND_LABELS
from tracker.plans.routes import bp
from tracker.plans.sources import LoadError

STAFF = (Role.ADMIN, Role.COORDINATOR)
ACTION_LABELS = {"created": "Thêm mới", "updated": "Thay đổi", "unchanged": "Giữ nguyên",
                 "not_in_file": "Không còn trong tệp"}


def _upload_or_404(token: str):
    upload = imports.find_upload(current_user, token)
    if upload is None:
        abort(404)
    return upload


@bp.route("/ke-hoach/nhap", methods=["GET", "POST"])
@roles_required(*STAFF)
def import_form():
    error = None
    if request.method == "POST":
        file = request.files.get("tep")
        if file is None or not file.filename:
            error = "Chọn tệp kế hoạch (.docx, .xlsx hoặc .yaml)."
        else:
            try:
                upload = imports.store_upload(current_user, file.filename, file.read())
            except imports.ImportError_ as refused:
                error = str(refused)
            else:
                return redirect(url_for("plans.import_preview", token=upload.token))
    return render_template("plans/import_form.html", error=error), (400 if error else 200)


@bp.get("/ke-hoach/nhap/mau.xlsx")
@roles_required(*STAFF)
def import_template():
    from tracker.plans.workbook import build_template

    return send_file(io.BytesIO(build_template()), as_attachment=True, download_name="mau-ke-hoach.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/ke-hoach/nhap/<token>")
@roles_required(*STAFF)
def import_preview(token: str):
    upload = _upload_or_404(token)
    preview = imports.preview_upload(current_user, upload)
    unit_of_work.rollback_now()  # nothing of the preview is kept
    units_by_area = {entry["area"]: imports.area_units(entry["area"]) for entry in preview.unresolved_units}
    return render_template("plans/import_preview.html", upload=upload, preview=preview,
                           kind_labels=ITEM_KIND_LABELS, action_labels=ACTION_LABELS,
                           units_by_area=units_by_area, unknown_names=imports.group_unknown(preview),
                           mapping_choices=import_mapping.choices_of(preview.problems),
                           problem_rows=imports.group_problems(preview.problems),
                           mapping_lines=import_mapping.describe(upload.mapping),
                           kept_mapping=upload.meta.get("kept_mapping"))


@bp.post("/ke-hoach/nhap/<token>/anh-xa")
@roles_required(*STAFF)
def import_mapping_choices(token: str):
    """The preview's choices for tables and columns the Word reader did not recognise: the same
    stored file is read again with them."""
    upload = _upload_or_404(token)
    try:
        done = imports.map_upload(current_user, upload, request.form.to_dict())
    except import_mapping.MappingError as refused:
        unit_of_work.fail()  # a refused redirect: nothing of the choices is kept
        flash(str(refused), "error")
        return redirect(url_for("plans.import_preview", token=upload.token))
    if done:
        flash(f"Đã ghi {done} lựa chọn ánh xạ. Tệp đã được đọc lại theo ánh xạ này.", "success")
    else:
        flash("Chưa chọn gì: chọn loại phụ lục hoặc trường cho cột rồi bấm ghi.", "info")
    return redirect(url_for("plans.import_preview", token=upload.token))


@bp.post("/ke-hoach/nhap/<token>/anh-xa/bo")
@roles_required(*STAFF)
def import_mapping_clear(token: str):
    """Read the file again with no mapping; the mapping kept for the plan is removed."""
    upload = _upload_or_404(token)
    try:
        removed = imports.clear_mapping(current_user, upload)
    except import_mapping.MappingError as refused:
        unit_of_work.fail()
        flash(str(refused), "error")
        return redirect(url_for("plans.import_preview", token=upload.token))
    flash("Đã bỏ ánh xạ" + (" đã lưu từ lần nhập trước" if removed else "") + ": tệp được đọc lại như lúc tải lên.",
          "success")
    return redirect(url_for("plans.import_preview", token=upload.token))


@bp.post("/ke-hoach/nhap/<token>/don-vi")
@roles_required(*STAFF)
def import_units(token: str):
    """The preview's choices for names not found: an alias of a unit, or a new unit."""
    upload = _upload_or_404(token)
    done = 0
    try:
        for key, value in request.form.items():
            if not key.startswith("chon-") or not value:
                continue
            index = key.removeprefix("chon-")
            name = (request.form.get(f"ten-{index}") or "").strip()
            area_code = request.form.get(f"dia-ban-{index}") or ""
            if not name:
                continue
            if value == "moi":
                imports.create_unit(current_user, area_code, name)
            elif value.isdigit():
                imports.map_name(current_user, area_code, name, int(value))
            else:
                continue
            done += 1
    except imports.ImportError_ as refused:
        unit_of_work.fail()  # a refused redirect: nothing of the choices is kept
        flash(str(refused), "error")
        return redirect(url_for("plans.import_preview", token=upload.token))
    if done:
        flash(f"Đã ghi {done} tên đơn vị. Bản xem trước đã được kiểm tra lại.", "success")
    return redirect(url_for("plans.import_preview", token=upload.token))


@bp.post("/ke-hoach/nhap/<token>/xac-nhan")
@roles_required(*STAFF)
def import_confirm(token: str):
    upload = _upload_or_404(token)
    if upload.confirmed:
        flash("Tệp này đã được nhập.", "info")
        return redirect(url_for("plans.index"))
    try:
        result = imports.confirm_upload(current_user, upload, request.form.get("dau-van"))
    except imports.ImportError_ as refused:
        unit_of_work.fail()
        flash(str(refused), "error")
        return redirect(url_for("plans.import_preview", token=upload.token))
    except LoadError:
        unit_of_work.fail()  # a refused redirect: nothing is written
        flash("Không nhập được: tệp có lỗi, không có gì được ghi. Xem các lỗi bên dưới.", "error")
        return redirect(url_for("plans.import_preview", token=upload.token))
    if len(result.plans) == 1:
        plan = result.plans[0]
        flash(f"Đã nhập kế hoạch {plan.number_label} từ tệp {upload.original_name}.", "success")
        return redirect(url_for("plans.show", plan_id=plan.id))
    flash(f"Đã nhập tệp {upload.original_name}.", "success")
    return redirect(url_for("plans.index"))


@bp.get("/ke-hoach/nhap/<token>/tep")
@roles_required(*STAFF)
def import_file(token: str):
    """The uploaded file as it was, kept with the import."""
    upload = _upload_or_404(token)
    return send_file(io.BytesIO(upload.path.read_bytes()), as_attachment=True, download_name=upload.original_name,
                     mimetype="application/octet-stream")
