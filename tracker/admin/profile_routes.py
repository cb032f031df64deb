"""The area administrator's report profiles: how the area heads its consolidated reports, by date
(on the admin blueprint)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.core import unit_of_work
from tracker.admin.forms import ReportProfileForm
from tracker.admin.routes import bp
from tracker.auth.permissions import admin_required
from tracker.core.time import today_local
from tracker.extensions import db
from tracker.reports import profiles
from tracker.reports.models import ReportProfile


def _areas():
    areas = profiles.profile_areas(current_user.tenant_id) if current_user.tenant_id else []
    if not areas:
        abort(404)
    return areas


@bp.get("/mau-bao-cao")
@admin_required
def report_profiles():
    today = today_local()
    areas = _areas()
    return render_template(
        "admin/report_profiles.html", today=today, labels=profiles.FIELD_LABELS,
        areas=[(area, profiles.name_periods(area, today)) for area in areas],
        rows=profiles.tenant_profiles(current_user.tenant_id),
    )


def _form(areas, profile: ReportProfile | None) -> ReportProfileForm:
    form = ReportProfileForm(obj=profile if request.method == "GET" and profile is not None else None)
    form.area_id.choices = [(a.id, a.current_name) for a in areas]
    if request.method == "GET" and profile is None:
        today = today_local()
        area = next((a for a in areas if a.id == request.args.get("dia-ban-id", type=int)), areas[0])
        form.area_id.data = area.id
        # The current name's first day (01/01/2025 for thành phố Huế), else the year's.
        form.valid_from.data = (profiles.name_period_start(area, today) if area.name_entry_on(today)
                                else today.replace(month=1, day=1))
    return form


def _save(areas, profile: ReportProfile | None):
    form = _form(areas, profile)
    if request.method == "POST" and form.validate_on_submit():
        area = next((a for a in areas if a.id == form.area_id.data), None)
        values = {key: getattr(form, key).data for key in profiles.FIELDS}
        try:
            saved = profiles.save_profile(current_user, profile, area=area, valid_from=form.valid_from.data, **values)
        except profiles.ProfileError as error:
            unit_of_work.rollback_now()
            form.valid_from.errors = list(form.valid_from.errors) + [str(error)]
        else:
            flash(f"Đã lưu mẫu tiêu đề báo cáo của {saved.area.current_name} từ ngày {saved.valid_from:%d/%m/%Y}.",
                  "success")
            return redirect(url_for("admin.report_profiles"))
    today = today_local()
    area = next((a for a in areas if a.id == form.area_id.data), areas[0])
    derived = profiles.area_header(area, form.valid_from.data or today)
    status = 400 if request.method == "POST" else 200
    return render_template("admin/report_profile_form.html", form=form, profile=profile, derived=derived,
                           today=today), status


@bp.route("/mau-bao-cao/moi", methods=["GET", "POST"])
@admin_required
def report_profile_new():
    return _save(_areas(), None)


@bp.route("/mau-bao-cao/<int:profile_id>", methods=["GET", "POST"])
@admin_required
def report_profile_edit(profile_id: int):
    profile = db.get_or_404(ReportProfile, profile_id)  # another province's is outside the scope
    return _save(_areas(), profile)
