"""Quarterly updates: one item's update, "Việc của tôi", the review queue, corrections, evidence."""
from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.areas.scope import get_in_scope
from tracker.audit.models import AuditEntry
from tracker.auth.models import Role
from tracker.auth.permissions import (
    can_review,
    is_staff,
    roles_required,
)
from tracker.campaigns.mywork import owed_by as campaign_inputs_owed_by
from tracker.core import unit_of_work
from tracker.core.security import optional_id
from tracker.core.text import fold_search
from tracker.core.time import today_local
from tracker.extensions import db
from tracker.periods.models import ReportingPeriod
from tracker.periods.obligations import REPORTING_KINDS, obligations_for_period
from tracker.periods.services import current_period, deadline_info, get_period
from tracker.plans.listing import matches_search
from tracker.plans.models import STATUS_LABELS, PlanItem
from tracker.updates import policy, services, visibility
from tracker.updates.policy import can_write_contribution
from tracker.updates.forms import ContributionForm, CsrfForm, ReviewForm
from tracker.updates.models import STATE_LABELS, ContributionNote, Evidence, StatusUpdate, UpdateState
from tracker.updates.validation import FIELDS, validate_update, values_as_text

bp = Blueprint("updates", __name__)
bp.add_app_template_global(services.submitted_late, "submitted_late")
bp.add_app_template_global(STATE_LABELS, "state_labels")


# --- helpers ---------------------------------------------------------------------------------------


def _int(value) -> int | None:
    return optional_id(value)  # an id or version beyond any stored one reads as none


def _item_or_404(item_id: int) -> PlanItem:
    item = get_in_scope(PlanItem, item_id)
    if item is None or item.kind not in [k.value for k in REPORTING_KINDS]:
        abort(404)
    return item


def _period_or_404(code: str, tenant) -> ReportingPeriod:
    period = get_period(code, tenant) if tenant is not None else None
    if period is None:
        abort(404)
    return period


def _discard_if_rolled_back(path: Path) -> None:
    """A stored upload whose row is rolled back is deleted with it (the unit of work's hook)."""
    unit_of_work.after_rollback(lambda: path.unlink(missing_ok=True))


def _safe_next(target: str | None, default: str) -> str:
    from tracker.auth.routes import safe_next

    return safe_next(target) or default


def _is_viewer(user) -> bool:
    return user.is_authenticated and user.role in (Role.VIEWER, Role.NATIONAL_VIEWER)


def content_disposition(name: str) -> str:
    """attachment; an ASCII fallback name, and the original (Vietnamese) one per RFC 5987/6266."""
    ascii_name = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = "".join(ch for ch in ascii_name if not unicodedata.combining(ch))
    ascii_name = "".join(ch if (ch.isascii() and (ch.isalnum() or ch in " ._-()")) else "_" for ch in ascii_name)
    ascii_name = ascii_name.strip() or "minh-chung"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


# --- one item, one period --------------------------------------------------------------------------


def _audit_entries(update_ids: list[int]) -> list[AuditEntry]:
    if not update_ids:
        return []
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == "status_update", AuditEntry.entity_id.in_(update_ids))
            .options(selectinload(AuditEntry.actor))
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    )


def _render_edit(item: PlanItem, period: ReportingPeriod, *, typed: dict | None = None,
                 form_ids: tuple[int | None, int | None] | None = None, errors: dict | None = None,
                 warnings: list[str] | None = None, message: str | None = None, files_lost: bool = False,
                 status: int = 200):
    today = today_local()
    user = current_user
    may_write = policy.can_write_update(user, item, period, today)
    may_contribute = can_write_contribution(user, item, today)
    unit = services.reporting_unit_for(user, item, period, today) if may_write else None
    versions = services.chain(item.id, period.id, unit.id) if unit is not None else []
    current = versions[-1] if versions else None
    editable = may_write and (current is None or current.state in services.EDITABLE)
    budget = services.budget_of(item)
    if typed is not None:
        values = typed
    elif current is not None:
        values = values_as_text(services.values_of(current))
    else:
        values = values_as_text(services.default_values(item, unit))
    if form_ids is None:
        form_ids = (current.id, current.lock_version) if current is not None else (None, None)
    if warnings is None and current is not None:
        warnings = validate_update(item, values_as_text(services.values_of(current)), budget=budget).warnings
    period_updates = list(
        db.session.scalars(
            select(StatusUpdate)
            .where(StatusUpdate.item_id == item.id, StatusUpdate.period_id == period.id)
            .options(selectinload(StatusUpdate.unit), selectinload(StatusUpdate.evidence),
                     selectinload(StatusUpdate.author), selectinload(StatusUpdate.submitted_by),
                     selectinload(StatusUpdate.reviewed_by))
            .order_by(StatusUpdate.unit_id, StatusUpdate.version.desc())
        )
    )
    history = [u for u in services.item_history(item.id) if u.period_id != period.id]
    contributions = list(
        db.session.scalars(
            select(ContributionNote)
            .where(ContributionNote.item_id == item.id)
            .options(selectinload(ContributionNote.unit), selectinload(ContributionNote.author),
                     selectinload(ContributionNote.period))
            .order_by(ContributionNote.created_at.desc())
        )
    )
    unit_ids = {u for u in (unit.id if unit else None, user.unit_id if user.is_authenticated else None) if u}
    return render_template(
        "updates/edit.html",
        item=item, period=period, today=today, unit=unit, current=current, versions=versions,
        editable=editable, may_write=may_write, may_contribute=may_contribute,
        may_review=can_review(user), budget=budget, values=values, form_ids=form_ids,
        errors=errors or {}, warnings=warnings or [], message=message, files_lost=files_lost,
        period_updates=period_updates, history=history, contributions=contributions,
        audit=_audit_entries([u.id for u in period_updates]),
        deadline=deadline_info(period, today, unit_ids), form=CsrfForm(), review_form=ReviewForm(),
        contribution_form=ContributionForm(), STATUS_LABELS=STATUS_LABELS,
        reports_money=budget.has_budget and item.kind == "project",
        # Another unit's unsent report shows as such, without its contents (updates/visibility.py).
        can_see=lambda u: visibility.can_see_contents(user, u, today),
        can_see_review=lambda u: visibility.can_see_review(user, u, today),
    ), status


@bp.route("/cap-nhat/<int:item_id>/<period_code>", methods=["GET", "POST"])
@login_required
def edit(item_id: int, period_code: str):
    item = _item_or_404(item_id)
    period = _period_or_404(period_code, item.tenant_id)
    today = today_local()
    user = current_user
    may_write = policy.can_write_update(user, item, period, today)
    if request.method == "GET":
        if not (may_write or can_write_contribution(user, item, today) or is_staff(user) or _is_viewer(user)):
            abort(403)
        return _render_edit(item, period)
    if not may_write:
        abort(403)
    form = CsrfForm()
    if not form.validate_on_submit():
        abort(400)
    action = "submit" if request.form.get("action") == "submit" else "draft"
    raw = {name: request.form.get(name, "") for name in FIELDS}
    form_ids = (_int(request.form.get("update_id")), _int(request.form.get("lock_version")))
    files = [f for f in request.files.getlist("evidence") if f and f.filename]
    budget = services.budget_of(item)
    check = validate_update(item, raw, budget=budget, for_submit=action == "submit")
    # With errors the draft still keeps what could be read (nothing typed is lost), but nothing is sent.
    draft = check if action == "draft" else validate_update(item, raw, budget=budget)
    try:
        values = draft.partial(_stored_values(user, item, period, today))
        update = services.save_draft(user, item, period, values, update_id=form_ids[0],
                                     lock_version=form_ids[1], today=today)
        for upload in files:
            _discard_if_rolled_back(services.attach_evidence(user, update, upload, today=today)[1])
        if action == "submit" and not check.errors:
            services.submit(user, update, today=today)
    except services.StaleUpdate:
        unit_of_work.rollback_now()
        unit = services.reporting_unit_for(user, item, period, today)
        current = services.latest_update(item.id, period.id, unit.id)
        ids = (current.id, current.lock_version) if current is not None else (None, None)
        return _render_edit(item, period, typed=raw, form_ids=ids, warnings=check.warnings,
                            files_lost=bool(files), message=services.stale_message(current), status=409)
    except services.PeriodClosed as error:
        # the draft and its files are kept (the request succeeds: a redirect); only the submission is refused
        flash(f"{error} Nội dung đã được lưu nháp.", "error")
        return redirect(url_for("updates.edit", item_id=item.id, period_code=period.code))
    except services.EvidenceError as error:
        unit_of_work.rollback_now()
        # Every field error at once: a refused file does not hide the others.
        return _render_edit(item, period, typed=raw, form_ids=form_ids, errors={**check.errors, "evidence": str(error)},
                            warnings=check.warnings, files_lost=True,
                            message="Báo cáo chưa được lưu vì tệp minh chứng không hợp lệ.", status=422)
    except services.ValidationFailed as error:
        unit_of_work.rollback_now()
        return _render_edit(item, period, typed=raw, form_ids=form_ids, errors=error.errors,
                            warnings=check.warnings, files_lost=bool(files), message=str(error), status=422)
    except services.InvalidState as error:
        unit_of_work.rollback_now()
        return _render_edit(item, period, typed=raw, files_lost=bool(files), message=str(error), status=409)
    except services.NotAllowed:
        abort(403)  # the unit of work rolls back (and removes the stored files)
    if check.errors:
        unit_of_work.keep()  # what could be read is saved as a draft; the page shows the rest
        if draft.errors:
            message = ("Đã lưu nháp phần nội dung hợp lệ; các ô đánh dấu đỏ chưa được lưu"
                       + (" và báo cáo chưa được gửi" if action == "submit" else "") + ". Sửa các ô đó rồi lưu lại.")
        else:
            message = "Báo cáo chưa được gửi (nội dung đã được lưu nháp): vui lòng bổ sung các ô đánh dấu đỏ."
        return _render_edit(item, period, typed=raw, form_ids=(update.id, update.lock_version), errors=check.errors,
                            warnings=check.warnings, message=message, status=422)
    if action == "submit":
        flash(f"Đã gửi báo cáo {period.label}. Sở KH&CN sẽ xem xét và phản hồi.", "success")
    else:
        flash("Đã lưu nháp. Báo cáo chưa được gửi.", "success")
    if files:
        flash(f"Đã đính kèm {len(files)} tệp minh chứng.", "success")
    for warning in check.warnings:
        flash(warning, "warning")
    return redirect(url_for("updates.edit", item_id=item.id, period_code=period.code))


def _stored_values(user, item, period, today) -> dict:
    """The values a partial draft falls back on: the stored version's, else the new form's defaults."""
    unit = services.reporting_unit_for(user, item, period, today)
    current = services.latest_update(item.id, period.id, unit.id)
    return services.values_of(current) if current is not None else services.default_values(item, unit)


# --- "Việc của tôi": everything the unit owes for a period, in one form ----------------------------


@dataclass
class Row:
    obligation: object
    values: dict
    form_ids: tuple
    budget: object
    errors: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    message: str | None = None
    files_lost: bool = False
    typed: bool = False  # values are what the user typed (not saved), shown back as such
    defaults: dict = field(default_factory=dict)  # what a new report starts from (as on the item's page)

    @property
    def key(self) -> str:
        return f"{self.obligation.item.id}-{self.obligation.unit.id}"

    @property
    def update(self):
        return self.obligation.update

    @property
    def editable(self) -> bool:
        return self.update is None or self.update.state in services.EDITABLE


# The states of an obligation, in the order a reporter works through them.
WORK_STATES = {state: STATE_LABELS[state] for state in ("not_started", "draft", "returned", "submitted", "accepted")}


@dataclass
class WorkFilter:
    """The filters of "Việc của tôi": plan, appendix, state of the unit's report, words of the item."""

    plan_id: int | None = None
    appendix_id: int | None = None
    state: str = ""
    query: str = ""

    @classmethod
    def from_args(cls, args) -> "WorkFilter":
        state = args.get("trang-thai", "")
        return cls(plan_id=_int(args.get("ke-hoach")), appendix_id=_int(args.get("phu-luc")),
                   state=state if state in WORK_STATES else "", query=(args.get("q") or "").strip()[:200])

    @property
    def active(self) -> bool:
        return bool(self.plan_id or self.appendix_id or self.state or fold_search(self.query))

    def args(self, **changes) -> dict:
        """The filters as query arguments (for links and the form's action), with `changes` applied."""
        values = {"ke-hoach": self.plan_id, "phu-luc": self.appendix_id, "trang-thai": self.state, "q": self.query}
        values.update(changes)
        return {key: value for key, value in values.items() if value}

    def matches(self, row: "Row") -> bool:
        item = row.obligation.item
        return ((self.plan_id is None or item.plan_id == self.plan_id)
                and (self.appendix_id is None or item.appendix_id == self.appendix_id)
                and (not self.state or row.obligation.state == self.state)
                and matches_search(item, self.query))


@dataclass
class WorkSummary:
    """Counts over every row the unit owes (not only the shown ones), for the summary and the filters."""

    total: int
    states: dict  # state -> rows
    plans: list  # (plan, rows)
    appendices: list  # (plan, appendix, rows)


def _summary_of(rows: list[Row]) -> WorkSummary:
    states = {state: 0 for state in WORK_STATES}
    plans: dict[int, list] = {}
    appendices: dict[int, list] = {}
    for row in rows:
        item = row.obligation.item
        states[row.obligation.state] = states.get(row.obligation.state, 0) + 1
        plans.setdefault(item.plan_id, [item.plan, 0])[1] += 1
        appendices.setdefault(item.appendix_id, [item.plan, item.appendix, 0])[2] += 1
    return WorkSummary(len(rows), states, [tuple(v) for v in plans.values()],
                       sorted((tuple(v) for v in appendices.values()), key=lambda v: (v[0].id, v[1].position)))


def _reportable_periods(unit_ids: set[int], today, tenant_id) -> list[ReportingPeriod]:
    """The province's periods a reporter may work on: begun, and open (or closed with an exception for the unit)."""
    periods = db.session.scalars(
        select(ReportingPeriod)
        .where(ReportingPeriod.tenant_id == tenant_id, ReportingPeriod.data_start <= today)
        .options(selectinload(ReportingPeriod.exceptions))
        .order_by(ReportingPeriod.year.desc(), ReportingPeriod.quarter.desc())
    )
    return [p for p in periods if not p.is_closed or any(e.unit_id in unit_ids and e.covers(today) for e in p.exceptions)]


def _rows(period, unit_ids, today) -> list[Row]:
    obligations = obligations_for_period(period, unit_ids=unit_ids)
    budgets = services.budgets_for([o.item for o in obligations])
    update_ids = [o.update.id for o in obligations if o.update is not None]
    if update_ids:  # their evidence lists, in one query rather than one per row
        db.session.scalars(select(StatusUpdate).where(StatusUpdate.id.in_(update_ids))
                           .options(selectinload(StatusUpdate.evidence))).all()
    # New rows start from the unit's last accepted report, like the item's own page (one query).
    defaults = services.default_values_for([(o.item, o.unit) for o in obligations if o.update is None])
    rows = []
    for obligation in obligations:
        update = obligation.update
        row_defaults = defaults.get((obligation.item.id, obligation.unit.id), {})
        if update is not None:
            values = values_as_text(services.values_of(update))
            ids = (update.id, update.lock_version)
        else:
            values = values_as_text(row_defaults)
            ids = (None, None)
        rows.append(Row(obligation, values, ids, budgets.get(obligation.item.id, services.Budget()),
                        defaults=row_defaults))
    return rows


# The groups of "Việc của tôi", in the order a reporter works through them; each row has its own form.
WORK_GROUPS = (
    ("returned", "Bị trả lại: sửa và gửi lại", ("returned",)),
    ("due", "Cần báo cáo", ("not_started", "draft")),
)
WORK_PAGE_SIZE = 10  # row forms per page


def _render_my_work(period, periods, rows, today, unit_ids, *, message=None, status=200, keep=frozenset()):
    """The page; with filters, only the matching rows, and always those in `keep` (rows to look at
    again, shown first whatever the page). Open rows are grouped (returned first, then due), paged."""
    from tracker.core.security import page_number

    work_filter = WorkFilter.from_args(request.args)
    shown = [row for row in rows if row.key in keep or work_filter.matches(row)]
    rank = {state: n for n, (_, _, states) in enumerate(WORK_GROUPS) for state in states}
    open_rows = sorted((r for r in shown if r.editable), key=lambda r: rank.get(r.obligation.state, len(rank)))
    pages = max(1, -(-len(open_rows) // WORK_PAGE_SIZE))
    page = min(page_number(request.args.get("trang")), pages)
    on_page = open_rows[(page - 1) * WORK_PAGE_SIZE: page * WORK_PAGE_SIZE]
    on_page = [r for r in open_rows if r.key in keep and r not in on_page] + on_page
    groups = [(key, label, [r for r in on_page if r.obligation.state in states]) for key, label, states in WORK_GROUPS]
    return render_template(
        "updates/my_work.html", period=period, periods=periods, rows=shown, today=today,
        deadline=deadline_info(period, today, unit_ids) if period is not None else None,
        form=CsrfForm(), message=message, STATUS_LABELS=STATUS_LABELS,
        filter=work_filter, summary=_summary_of(rows), work_states=WORK_STATES,
        groups=[g for g in groups if g[2]], open_total=len(open_rows), page=page, pages=pages,
        group_counts={key: sum(1 for r in open_rows if r.obligation.state in states) for key, _, states in WORK_GROUPS},
        done_rows=[r for r in shown if not r.editable],
        dti_inputs=campaign_inputs_owed_by(current_user, today),  # the DTI self-assessment's section
    ), status


@bp.route("/viec-cua-toi", methods=["GET", "POST"])
@roles_required(Role.REPORTER)
def my_work():
    today = today_local()
    user = current_user
    if user.unit is None:
        abort(403)
    unit_ids = services.carried_unit_ids(user.unit, today)
    periods = _reportable_periods(unit_ids, today, user.unit.tenant_id)
    code = request.values.get("ky")
    if code:
        period = next((p for p in periods if p.code == code), None) or get_period(code, user.unit.tenant_id)
        if period is None:
            abort(404)
    else:
        default = current_period(today, user.unit.tenant_id)
        period = default if default in periods else (periods[0] if periods else default)
    if period is None:
        return _render_my_work(None, periods, [], today, unit_ids)
    rows = _rows(period, unit_ids, today)
    if request.method == "GET":
        return _render_my_work(period, periods, rows, today, unit_ids)

    form = CsrfForm()
    if not form.validate_on_submit():
        abort(400)
    action = "submit" if request.form.get("action") == "submit" else "draft"
    saved = submitted = 0
    typed: dict[str, Row] = {}
    try:
        for row in rows:
            prefix = f"r-{row.key}-"
            if f"{prefix}present" not in request.form or not row.editable:
                continue
            raw = {name: request.form.get(prefix + name, "") for name in FIELDS}
            files = [f for f in request.files.getlist(prefix + "evidence") if f and f.filename]
            ids = (_int(request.form.get(prefix + "update_id")), _int(request.form.get(prefix + "lock_version")))
            if not files and raw == row.values and (row.update is None or action == "draft"):
                continue  # never touched (an unchanged saved row is still sent when submitting)
            item = row.obligation.item
            check = validate_update(item, raw, budget=row.budget, for_submit=action == "submit")
            # A row with errors still saves, as a draft, what could be read; it is not sent.
            draft = check if action == "draft" else validate_update(item, raw, budget=row.budget)
            row.warnings = check.warnings
            update = row.update
            values = draft.partial(services.values_of(update) if update is not None else row.defaults)
            try:
                # Every touched row is checked against the version its form was built from, even
                # when nothing is saved: a report returned meanwhile must not be sent unseen.
                services.check_fresh(update, ids[0], ids[1])
                lock_version = ids[1]
                if update is None or values.as_dict() != services.values_of(update):
                    update = services.save_draft(user, item, period, values, update_id=ids[0],
                                                 lock_version=ids[1], today=today)
                    lock_version = update.lock_version
                    saved += 1
                for upload in files:
                    _discard_if_rolled_back(services.attach_evidence(user, update, upload, today=today)[1])
                if check.errors:
                    row.values, row.errors, row.typed = raw, check.errors, True
                    row.form_ids = (update.id, update.lock_version)
                    row.message = ("Đã lưu nháp phần hợp lệ; các ô đánh dấu đỏ chưa được lưu, dòng này chưa được gửi."
                                   if draft.errors else
                                   "Chưa gửi được: vui lòng bổ sung các ô đánh dấu đỏ (nội dung đã được lưu nháp).")
                    typed[row.key] = row
                elif action == "submit":
                    services.submit(user, update, lock_version=lock_version, today=today)
                    submitted += 1
            except services.StaleUpdate as error:
                if error.current is None:
                    raise
                row.values, row.files_lost, row.message, row.typed = raw, bool(files), str(error), True
                row.errors = check.errors
                row.form_ids = (error.current.id, error.current.lock_version)
                typed[row.key] = row
            except services.PeriodClosed as error:
                row.message = f"{error} Nội dung đã được lưu nháp."
                typed[row.key] = row
            except (services.ValidationFailed, services.InvalidState, services.EvidenceError) as error:
                # Saved as a draft already when the file or the submission fails: show the saved
                # version's ids with the typed text, which is what was saved.
                row.message, row.errors = str(error), getattr(error, "errors", {})
                row.values, row.files_lost, row.typed = raw, bool(files), True
                row.form_ids = (update.id, update.lock_version) if update is not None and update.id else ids
                typed[row.key] = row
    except services.StaleUpdate:
        # The database found a row changed under us: nothing is saved, everything typed is shown back.
        unit_of_work.rollback_now()
        rows = _rows(period, unit_ids, today)
        for row in rows:
            prefix = f"r-{row.key}-"
            if f"{prefix}present" in request.form and row.editable:
                row.values = {name: request.form.get(prefix + name, "") for name in FIELDS}
        return _render_my_work(period, periods, rows, today, unit_ids, status=409,
                               message=services.stale_message(None) + " Chưa dòng nào được lưu.",
                               keep={row.key for row in rows if f"r-{row.key}-present" in request.form})
    except services.NotAllowed:
        abort(403)
    parts = []
    if saved:
        parts.append(f"đã lưu {saved} hạng mục")
    if submitted:
        parts.append(f"đã gửi {submitted} hạng mục")
    summary = ("Kết quả: " + ", ".join(parts) + ".") if parts else "Không có thay đổi nào để lưu."
    warnings = [(row, w) for row in rows for w in row.warnings]
    if typed:
        fresh = _rows(period, unit_ids, today)
        for row in fresh:
            previous = typed.get(row.key)
            if previous is not None:
                if previous.typed:
                    row.values, row.form_ids, row.typed = previous.values, previous.form_ids, True
                row.errors, row.message, row.files_lost = previous.errors, previous.message, previous.files_lost
            row.warnings = next((r.warnings for r in rows if r.key == row.key), [])
        message = (f"{summary} {len(typed)} hạng mục cần xem lại (các dòng đánh dấu đỏ); "
                   "nội dung bạn nhập vẫn được giữ nguyên.")
        unit_of_work.keep()  # the rows without problems are saved; the page shows the others
        return _render_my_work(period, periods, fresh, today, unit_ids, message=message, status=422,
                               keep=set(typed))
    flash(summary, "success")
    for row, warning in warnings:
        flash(f"{row.obligation.item.display_code}: {warning}", "warning")
    page = _int(request.args.get("trang"))
    return redirect(url_for("updates.my_work", ky=period.code, **WorkFilter.from_args(request.args).args(),
                            **({"trang": page} if page and page > 1 else {})))


# --- review --------------------------------------------------------------------------------------


@bp.get("/cho-duyet")
@roles_required(Role.COORDINATOR)
def review_queue():
    today = today_local()
    code = request.args.get("ky")
    query = (
        select(StatusUpdate)
        .where(StatusUpdate.state == UpdateState.SUBMITTED.value)
        .options(selectinload(StatusUpdate.item).selectinload(PlanItem.plan),
                 selectinload(StatusUpdate.unit), selectinload(StatusUpdate.period),
                 selectinload(StatusUpdate.evidence), selectinload(StatusUpdate.submitted_by),
                 selectinload(StatusUpdate.author))
        .order_by(StatusUpdate.submitted_at, StatusUpdate.id)
    )
    if current_user.tenant_id is not None:
        # The coordinator's own province only: another province's reports are not theirs to review,
        # and the national queue is the nation's data (4.5 s a page on bench/pages.py's dataset).
        query = query.where(StatusUpdate.item_id.in_(
            select(PlanItem.id).where(PlanItem.tenant_id == current_user.tenant_id)))
    period = None
    if code:
        period = _period_or_404(code, current_user.tenant_id)
        query = query.where(StatusUpdate.period_id == period.id)
    updates = list(db.session.scalars(query))
    superseded_ids = [u.supersedes_id for u in updates if u.supersedes_id]
    previous = {}
    if superseded_ids:
        previous = {u.id: u for u in db.session.scalars(select(StatusUpdate).where(StatusUpdate.id.in_(superseded_ids)))}
    periods = list(db.session.scalars(
        select(ReportingPeriod).where(ReportingPeriod.tenant_id == current_user.tenant_id)
        .order_by(ReportingPeriod.year.desc(), ReportingPeriod.quarter.desc())))
    from tracker.updates import review_context

    return render_template("updates/review_queue.html", updates=updates, period=period, periods=periods,
                           previous=previous, today=today, form=ReviewForm(), STATUS_LABELS=STATUS_LABELS,
                           accepted_before=review_context.previous_accepted(updates),
                           returns=review_context.earlier_returns(updates))


@bp.post("/cap-nhat/<int:update_id>/duyet")
@roles_required(Role.COORDINATOR)
def review(update_id: int):
    update = db.get_or_404(StatusUpdate, update_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    back = _safe_next(form.next.data, url_for("updates.review_queue"))
    lock_version = _int(form.lock_version.data)
    try:
        if form.decision.data == "accept":
            services.accept(current_user, update, comment=form.comment.data or "", lock_version=lock_version)
            message = f"Đã chấp nhận báo cáo của {update.unit.name} về hạng mục {update.item.display_code}."
        elif form.decision.data == "correction":
            services.request_correction(current_user, update, form.reason.data or "", lock_version=lock_version)
            message = f"Đã gửi yêu cầu đính chính cho {update.unit.name}, kèm nội dung cần đính chính."
        else:
            services.return_update(current_user, update, form.reason.data or "", lock_version=lock_version)
            message = f"Đã trả lại báo cáo cho {update.unit.name}, kèm lý do."
    except services.NotAllowed:
        abort(403)
    except services.UpdateError as error:
        unit_of_work.fail()  # nothing of the refused review is kept; the redirect shows why
        flash(str(error), "error")
        return redirect(back)
    flash(message, "success")
    return redirect(back)


@bp.post("/cap-nhat/<int:update_id>/dinh-chinh")
@login_required
def correct(update_id: int):
    update = db.get_or_404(StatusUpdate, update_id)
    today = today_local()
    if not services.can_write_existing(current_user, update, today):
        abort(403)
    form = CsrfForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        correction = services.start_correction(current_user, update, today=today)
    except services.UpdateError as error:
        unit_of_work.fail()
        flash(str(error), "error")
    else:
        flash(f"Đã tạo bản đính chính (phiên bản {correction.version}). Bản đã chấp nhận vẫn giữ nguyên "
              "cho đến khi bản đính chính được chấp nhận.", "success")
    return redirect(url_for("updates.edit", item_id=update.item_id, period_code=update.period.code))


@bp.post("/dong-gop/<int:item_id>/<period_code>")
@login_required
def contribute(item_id: int, period_code: str):
    item = _item_or_404(item_id)
    period = _period_or_404(period_code, item.tenant_id)
    today = today_local()
    if not can_write_contribution(current_user, item, today):
        abort(403)
    form = ContributionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.add_contribution(current_user, item, period, form.text.data or "", today=today)
    except services.UpdateError as error:
        unit_of_work.fail()
        flash(str(error), "error")
    else:
        flash("Đã ghi ý kiến phối hợp của đơn vị.", "success")
    return redirect(url_for("updates.edit", item_id=item.id, period_code=period.code))


# --- evidence ------------------------------------------------------------------------------------


@bp.get("/minh-chung/<int:evidence_id>")
@login_required
def evidence(evidence_id: int):
    record = db.get_or_404(Evidence, evidence_id)
    if not services.can_read_evidence(current_user, record):
        abort(403)
    return evidence_download(services.evidence_path(record), record)


def evidence_download(path: Path, record):
    """A stored evidence file as an attachment under its original name (also the DTI campaign's)."""
    if not path.is_file():
        abort(404)
    # Read whole (files are at most MAX_CONTENT_LENGTH): no file handle outlives the request.
    response = send_file(io.BytesIO(path.read_bytes()), mimetype=record.content_type, as_attachment=True,
                         download_name=record.original_name, max_age=0)
    response.headers["Content-Disposition"] = content_disposition(record.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/minh-chung/<int:evidence_id>/xoa")
@login_required
def delete_evidence(evidence_id: int):
    record = db.get_or_404(Evidence, evidence_id)
    update = record.update
    if not services.can_edit(current_user, update):
        abort(403)
    form = CsrfForm()
    if not form.validate_on_submit():
        abort(400)
    name = record.original_name
    try:
        path = services.delete_evidence(current_user, record)
    except services.NotAllowed:
        abort(403)
    unit_of_work.after_commit(lambda: path.unlink(missing_ok=True))  # the file goes only with its row
    flash(f"Đã xóa tệp minh chứng \"{name}\".", "success")
    return redirect(url_for("updates.edit", item_id=update.item_id, period_code=update.period.code))


from tracker.updates import oversize as _oversize  # noqa: E402

_oversize.register(bp)
