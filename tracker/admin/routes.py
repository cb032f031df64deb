"""Administration (admin role only): users, units and their aliases, unit groups, successions, audit trail."""
from __future__ import annotations

from collections import Counter

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.core import unit_of_work
from tracker.plans.counting import succession_impact
from tracker.areas.scope import get_in_scope
from tracker.admin import services
from tracker.admin.forms import GroupForm, NewUserForm, PasswordResetForm, SuccessionForm, UnitForm, UserForm
from tracker.audit.models import AuditEntry
from tracker.auth.models import ROLE_LABELS, User
from tracker.auth.permissions import admin_required
from tracker.core.locking import UNCHECKED, StaleEdit, stale_notice
from tracker.core.text import fold_search
from tracker.core.security import bounded_int, optional_id, page_number
from tracker.extensions import db
from tracker.units.models import UNIT_KIND_LABELS, Area, Unit, UnitGroup, UnitGroupMember
from tracker.units.services import (
    SUCCESSION_TYPES,
    UnitError,
    find_units,
    group_values,
    merge_unit,
    name_taken_message,
    other_units_named,
    resolve_parent,
    reverse_succession,
    save_group,
    save_unit,
    unit_values,
)
from tracker.core.time import today_local
from tracker.items.forms import ConfirmForm
from tracker.updates.visibility import redact_audit

bp = Blueprint("admin", __name__, url_prefix="/quan-tri")

AUDIT_ENTITY_LABELS = {
    "user": "Người dùng", "unit": "Đơn vị", "unit_group": "Nhóm đơn vị", "plan_item": "Hạng mục",
    "plan": "Kế hoạch", "status_update": "Báo cáo", "reporting_period": "Kỳ báo cáo",
    "late_exception": "Cho phép nộp muộn", "evidence": "Tài liệu minh chứng", "contribution_note": "Ý kiến phối hợp",
    "report_draft": "Dự thảo báo cáo tổng hợp", "issued_report": "Báo cáo tổng hợp đã ban hành",
    "api_token": "Khóa API",
}
# What the audit rows need to show every change in Vietnamese.
AUDIT_HELPERS = {"entity_labels": AUDIT_ENTITY_LABELS, "change_field": services.audit_field_label,
                 "change_value": services.audit_change_value}
AUDIT_PAGE_SIZE = 100


def _areas() -> list[Area]:
    return list(db.session.scalars(select(Area).order_by(Area.level, Area.name)))


def _unit_choices(empty_label: str | None = None) -> dict[str, list[tuple[int, str]]]:
    """Every unit, grouped by area (optgroups)."""
    choices: dict[str, list[tuple[int, str]]] = {}
    if empty_label:
        choices["—"] = [(0, empty_label)]
    rows = db.session.execute(
        select(Unit.id, Unit.name, Unit.short_name, Area.name).join(Area, Area.id == Unit.area_id).order_by(Area.name, Unit.name)
    ).all()
    # A closed select shows the option alone: a name used in several areas says which one it is.
    names = Counter(name for _, name, _, _ in rows)
    for unit_id, name, short_name, area_name in rows:
        label = f"{name} ({short_name})" if short_name else name
        if names[name] > 1:
            label += f" – {area_name}"
        choices.setdefault(area_name, []).append((unit_id, label))
    return choices


def _get_or_404(model, object_id: int):
    obj = db.get_or_404(model, object_id)
    return obj


def _stale(form, record, entity_type: str, values):
    """A save refused because the record changed since the form was opened: rolled back, the form
    keeps what was typed and now carries the stored version, the notice shows the stored values."""
    unit_of_work.rollback_now()
    form.lock_version.set(record.lock_version)
    return stale_notice(entity_type, record.id, values(record))


@bp.get("")
@admin_required
def index():
    counts = {
        "users": db.session.scalar(select(func.count()).select_from(User)),
        "units": db.session.scalar(select(func.count()).select_from(Unit)),
        "groups": db.session.scalar(select(func.count()).select_from(UnitGroup)),
        "successions": db.session.scalar(select(func.count()).select_from(Unit).where(Unit.successor_id.is_not(None))),
    }
    recent = db.session.scalars(
        select(AuditEntry).options(selectinload(AuditEntry.actor)).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(15)
    ).all()
    return render_template("admin/index.html", counts=counts, recent=redact_audit(recent), **AUDIT_HELPERS)


# --- Users ------------------------------------------------------------------------------------


@bp.get("/nguoi-dung")
@admin_required
def users():
    query = (request.args.get("q") or "")[:200]
    role = request.args.get("vai-tro") or ""
    stmt = select(User).options(selectinload(User.unit).selectinload(Unit.area)).order_by(User.role, User.email)
    if role in ROLE_LABELS:
        stmt = stmt.where(User.role == role)
    rows = list(db.session.scalars(stmt))
    folded = fold_search(query)
    if folded:
        rows = [u for u in rows if folded in fold_search(f"{u.email} {u.full_name} {u.unit.name if u.unit else ''}")]
    from tracker.auth.throttle import blocked_accounts
    from tracker.core.time import utcnow

    blocked = blocked_accounts(utcnow())
    locked = {u.id for u in rows if u.email in blocked}
    return render_template("admin/users.html", users=rows, query=query, role=role, locked=locked)


def _apply_error(form, error: services.AdminError) -> None:
    field = getattr(form, error.field, None)
    if field is None:
        flash(str(error), "error")
    else:
        field.errors = list(field.errors) + [str(error)]


@bp.route("/nguoi-dung/moi", methods=["GET", "POST"])
@admin_required
def user_new():
    form = NewUserForm()
    form.unit_id.choices = _unit_choices("— Không thuộc đơn vị —")
    if form.validate_on_submit():
        try:
            user = services.save_user(
                current_user, None, email=form.email.data, full_name=form.full_name.data, role=form.role.data,
                unit=get_in_scope(Unit, form.unit_id.data) if form.unit_id.data else None,
                active=form.active.data, password=form.password.data,
            )
        except services.AdminError as error:
            unit_of_work.rollback_now()
            _apply_error(form, error)
        else:
            flash(f"Đã tạo người dùng {user.email}.", "success")
            return redirect(url_for("admin.users"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/nguoi-dung/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user_edit(user_id: int):
    user = _get_or_404(User, user_id)
    form = UserForm(obj=user if request.method == "GET" else None)
    form.unit_id.choices = _unit_choices("— Không thuộc đơn vị —")
    if request.method == "GET":
        form.unit_id.data = user.unit_id or 0
    elif form.validate_on_submit():
        try:
            services.save_user(
                current_user, user, email=form.email.data, full_name=form.full_name.data, role=form.role.data,
                unit=get_in_scope(Unit, form.unit_id.data) if form.unit_id.data else None, active=form.active.data,
                lock_version=form.lock_version.version,
            )
        except StaleEdit:
            stale = _stale(form, user, "user", services.user_values)
            return render_template("admin/user_form.html", form=form, user=user, stale=stale,
                                   password_form=PasswordResetForm(formdata=None)), 409
        except services.AdminError as error:
            unit_of_work.rollback_now()
            _apply_error(form, error)
        else:
            flash(f"Đã lưu người dùng {user.email}.", "success")
            return redirect(url_for("admin.users"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=user, password_form=PasswordResetForm(formdata=None)), status


@bp.route("/nguoi-dung/<int:user_id>/mat-khau", methods=["GET", "POST"])
@admin_required
def user_password(user_id: int):
    user = _get_or_404(User, user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            services.reset_password(current_user, user, form.password.data)
        except services.AdminError as error:
            unit_of_work.rollback_now()
            _apply_error(form, error)
        else:
            flash(f"Đã đặt lại mật khẩu cho {user.email}. Hãy gửi mật khẩu mới cho người dùng qua kênh an toàn.", "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_password.html", form=form, user=user), status


# --- Units --------------------------------------------------------------------------------------


@bp.get("/don-vi")
@admin_required
def units():
    areas = _areas()
    area_id = request.args.get("khu-vuc", type=bounded_int)
    area = next((a for a in areas if a.id == area_id), None) or (areas[0] if areas else None)
    rows = []
    if area is not None:
        rows = db.session.scalars(
            select(Unit).where(Unit.area_id == area.id)
            .options(selectinload(Unit.aliases), selectinload(Unit.successor), selectinload(Unit.parent))
            .order_by(Unit.name)
        ).all()
    return render_template("admin/units.html", areas=areas, area=area, units=rows, kind_labels=UNIT_KIND_LABELS)


def _resolve_parent(form: UnitForm, unit: Unit | None = None) -> tuple[bool, Unit | None]:
    try:
        return True, resolve_parent(form.parent_name.data, form.area_id.data, unit)
    except UnitError as refused:
        form.parent_name.errors = list(form.parent_name.errors) + [str(refused)]
        return False, None


def _names_taken(form: UnitForm, unit: Unit | None) -> bool:
    """The area's naming rule (tracker/units/services.py), each refusal on its field."""
    taken = False
    for field, values in ((form.short_name, [form.short_name.data]), (form.aliases, (form.aliases.data or "").splitlines())):
        for value in values:
            value = " ".join((value or "").split())
            others = other_units_named(value, find_units(value, form.area_id.data), unit) if value else []
            if others:
                field.errors = list(field.errors) + [name_taken_message(value, others[0])]
                taken = True
    return taken


def _unit_form_submit(form: UnitForm, unit: Unit | None):
    ok, parent = _resolve_parent(form, unit)
    if _names_taken(form, unit) or not ok:
        return None
    return _commit_or_field_error(form.name, lambda: save_unit(
        current_user, unit, area=get_in_scope(Area, form.area_id.data), name=form.name.data,
        short_name=form.short_name.data, kind=form.kind.data, parent=parent, note=form.note.data,
        aliases_text=form.aliases.data, lock_version=form.lock_version.version if unit is not None else UNCHECKED,
    ))


@bp.route("/don-vi/moi", methods=["GET", "POST"])
@admin_required
def unit_new():
    form = UnitForm()
    form.area_id.choices = [(a.id, a.name) for a in _areas()]
    if request.method == "GET" and request.args.get("khu-vuc", type=bounded_int):
        form.area_id.data = request.args.get("khu-vuc", type=bounded_int)
    if form.validate_on_submit():
        unit = _unit_form_submit(form, None)
        if unit is not None:
            flash(f"Đã tạo đơn vị {unit.name}.", "success")
            return redirect(url_for("admin.units", **{"khu-vuc": unit.area_id}))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/unit_form.html", form=form, unit=None), status


@bp.route("/don-vi/<int:unit_id>", methods=["GET", "POST"])
@admin_required
def unit_edit(unit_id: int):
    unit = _get_or_404(Unit, unit_id)
    form = UnitForm()
    form.area_id.choices = [(a.id, a.name) for a in _areas()]
    if request.method == "GET":
        form.area_id.data = unit.area_id
        form.name.data = unit.name
        form.short_name.data = unit.short_name
        form.kind.data = unit.kind
        form.parent_name.data = unit.parent.name if unit.parent else ""
        form.aliases.data = "\n".join(a.alias for a in unit.aliases)
        form.note.data = unit.note
        form.lock_version.set(unit.lock_version)
    elif form.validate_on_submit():
        try:
            saved = _unit_form_submit(form, unit)
        except StaleEdit:
            stale = _stale(form, unit, "unit", unit_values)
            return render_template("admin/unit_form.html", form=form, unit=unit, stale=stale), 409
        if saved is not None:
            flash(f"Đã lưu đơn vị {unit.name}.", "success")
            return redirect(url_for("admin.units", **{"khu-vuc": unit.area_id}))
    status = 400 if request.method == "POST" else 200
    from tracker.calendar.services import unit_feed_url

    return render_template("admin/unit_form.html", form=form, unit=unit, unit_url=unit_feed_url(unit)), status


# --- Unit groups ---------------------------------------------------------------------------------


@bp.get("/nhom-don-vi")
@admin_required
def groups():
    rows = db.session.scalars(
        select(UnitGroup)
        .options(selectinload(UnitGroup.area), selectinload(UnitGroup.members).selectinload(UnitGroupMember.unit))
        .order_by(UnitGroup.area_id, UnitGroup.name)
    ).all()
    return render_template("admin/groups.html", groups=rows)


def _member_choices(area_id: int | None) -> list[tuple[int, str]]:
    area = get_in_scope(Area, area_id) if optional_id(area_id) else None
    area_ids = area.lineage_ids() if area is not None else []
    rows = db.session.execute(select(Unit.id, Unit.name).where(Unit.area_id.in_(area_ids or [0])).order_by(Unit.name))
    return [(unit_id, name) for unit_id, name in rows]


def _group_form(group: UnitGroup | None) -> GroupForm:
    form = GroupForm()
    form.area_id.choices = [(a.id, a.name) for a in _areas()]
    area_id = group.area_id if group is not None else (form.area_id.data or request.args.get("khu-vuc", type=bounded_int))
    if group is None and not area_id and form.area_id.choices:
        area_id = form.area_id.choices[0][0]
    form.members.choices = _member_choices(area_id)
    return form


def _commit_or_field_error(field, save):
    """Run a unit service and commit; a UnitError rolls back and shows on `field`, values kept."""
    try:
        saved = save()
    except UnitError as error:
        unit_of_work.rollback_now()
        field.errors = list(field.errors) + [str(error)]
        return None
    return saved


def _group_submit(form: GroupForm, group: UnitGroup | None):
    members = [get_in_scope(Unit, unit_id) for unit_id in form.members.data or []]
    return _commit_or_field_error(form.name, lambda: save_group(
        current_user, group, area=group.area if group else get_in_scope(Area, form.area_id.data),
        name=form.name.data, aliases_text=form.aliases.data, note=form.note.data, members=members,
        lock_version=form.lock_version.version if group is not None else UNCHECKED,
    ))


@bp.route("/nhom-don-vi/moi", methods=["GET", "POST"])
@admin_required
def group_new():
    form = _group_form(None)
    if request.method == "GET":
        form.area_id.data = request.args.get("khu-vuc", type=bounded_int) or (form.area_id.choices[0][0] if form.area_id.choices else None)
    elif form.validate_on_submit():
        group = _group_submit(form, None)
        if group is not None:
            flash(f"Đã tạo nhóm {group.name}.", "success")
            return redirect(url_for("admin.group_edit", group_id=group.id))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/group_form.html", form=form, group=None), status


@bp.route("/nhom-don-vi/<int:group_id>", methods=["GET", "POST"])
@admin_required
def group_edit(group_id: int):
    group = _get_or_404(UnitGroup, group_id)
    form = _group_form(group)
    if request.method == "GET":
        form.area_id.data = group.area_id
        form.name.data = group.name
        form.aliases.data = group.aliases_text or ""
        form.members.data = [m.unit_id for m in group.members]
        form.note.data = group.note
        form.lock_version.set(group.lock_version)
    else:
        form.area_id.data = group.area_id  # a group stays in its area
        if form.validate_on_submit():
            try:
                saved = _group_submit(form, group)
            except StaleEdit:
                stale = _stale(form, group, "unit_group", group_values)
                return render_template("admin/group_form.html", form=form, group=group, stale=stale), 409
            if saved is not None:
                flash(f"Đã lưu nhóm {group.name}.", "success")
                return redirect(url_for("admin.groups"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/group_form.html", form=form, group=group), status


# --- Successions ---------------------------------------------------------------------------------


@bp.route("/ke-thua", methods=["GET", "POST"])
@admin_required
def succession():
    form = SuccessionForm()
    # No unit chosen by default: the first of 86 units is nobody's intended choice.
    choices = _unit_choices("— Chọn đơn vị —")
    form.source_id.choices = choices
    form.target_id.choices = choices
    if form.validate_on_submit() and request.form.get("confirm") != "1":
        # A merger moves open work and, on request, user accounts: shown first, applied once confirmed.
        source = get_in_scope(Unit, form.source_id.data)
        target = get_in_scope(Unit, form.target_id.data)
        if source is not None and target is not None:
            return render_template("admin/succession_confirm.html", form=form, source=source, target=target,
                                   impact=succession_impact(source, form.on.data), types=SUCCESSION_TYPES)
    if request.method == "POST" and request.form.get("confirm") == "1" and form.validate():
        source = get_in_scope(Unit, form.source_id.data)
        target = get_in_scope(Unit, form.target_id.data)
        merged = _commit_or_field_error(form.target_id, lambda: merge_unit(
            current_user, source, target, form.on.data, kind=form.kind.data, note=form.note.data,
            move_users=form.move_users.data,
        ))
        if merged is not None:  # the recorded changes ({} when nothing changed)
            flash(f"Đã ghi nhận: {source.name} → {target.name} từ ngày {form.on.data:%d/%m/%Y}.", "success")
            return redirect(url_for("admin.succession"))
    rows = db.session.scalars(
        select(Unit).where(Unit.successor_id.is_not(None))
        .options(selectinload(Unit.successor), selectinload(Unit.area))
        .order_by(Unit.succeeded_on.desc(), Unit.name)
    ).all()
    history = db.session.scalars(
        select(AuditEntry).options(selectinload(AuditEntry.actor))
        .where(AuditEntry.entity_type == "unit", AuditEntry.action.in_(("merge", "rename", "unmerge")))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(50)
    ).all()
    status = 400 if request.method == "POST" else 200
    return render_template("admin/succession.html", form=form, rows=rows, types=SUCCESSION_TYPES,
                           history=history, undo_form=ConfirmForm()), status


@bp.post("/ke-thua/<int:unit_id>/hoan-tac")
@admin_required
def succession_undo(unit_id: int):
    """Undo a succession recorded by mistake: the unit carries its own work again; the audit trail
    keeps both the merger and its reversal, dated."""
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.successor_id is None:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    former = unit.successor.name
    reverse_succession(current_user, unit, today_local())
    flash(f"Đã hoàn tác: {unit.name} không còn hợp nhất vào {former} (ghi trong nhật ký). "
          "Tài khoản người dùng đã chuyển, nếu có, không tự chuyển lại.", "success")
    return redirect(url_for("admin.succession"))


# --- Audit trail ---------------------------------------------------------------------------------


@bp.get("/nhat-ky")
@admin_required
def audit():
    entity = request.args.get("loai") or ""
    page = page_number(request.args.get("trang"))
    stmt = select(AuditEntry).options(selectinload(AuditEntry.actor)).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if entity:
        stmt = stmt.where(AuditEntry.entity_type == entity)
    rows = db.session.scalars(stmt.offset((page - 1) * AUDIT_PAGE_SIZE).limit(AUDIT_PAGE_SIZE + 1)).all()
    return render_template(
        "admin/audit.html", rows=redact_audit(rows[:AUDIT_PAGE_SIZE]), has_more=len(rows) > AUDIT_PAGE_SIZE, page=page,
        entity=entity, **AUDIT_HELPERS,
    )


# The report profiles of the area live in their own module, on this blueprint.
from tracker.admin import profile_routes as _profile_routes  # noqa: E402,F401
