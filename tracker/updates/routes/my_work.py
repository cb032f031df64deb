""""Việc của tôi": the reporter's rows of the period, their filter and summary, and the batch save."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.auth.models import Role
from tracker.auth.permissions import roles_required
from tracker.campaigns.mywork import owed_by as campaign_inputs_owed_by
from tracker.core import unit_of_work
from tracker.core.text import fold_search
from tracker.core.time import today_local
from tracker.extensions import db
from tracker.periods.models import ReportingPeriod
from tracker.periods.obligations import obligations_for_period
from tracker.periods.services import current_period, deadline_info, get_period
from tracker.plans.listing import matches_search
from tracker.plans.models import STATUS_LABELS
from tracker.updates import services
from tracker.updates.batch import save_rows
from tracker.updates.forms import CsrfForm
from tracker.updates.models import STATE_LABELS, StatusUpdate
from tracker.updates.validation import FIELDS, values_as_text
from tracker.updates.routes import _int, bp


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
    try:
        batch = save_rows(user, period, rows, request.form, request.files.getlist, action=action, today=today)
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
    saved, submitted, typed = batch.saved, batch.submitted, batch.typed
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
