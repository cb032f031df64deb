"""Gathering the report's figures, the coordinator's draft, and issuing frozen versions.

`gather_report_data` is the only place figures are computed; the PDF, HTML and Excel builders
only lay them out. It runs a constant number of queries whatever the size of the plan.

"As of the period" means: the updates of this period and of every earlier one, never a later
one. For each (item, period, unit) chain of versions the accepted version counts, or, while none
is accepted yet, the latest submitted one; drafts and returned versions never count. An item's
state is that of the latest counted update of each unit owing it (after mergers, the unit that
carries the work), combined when several units share the item.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from tracker.updates.policy import reporting_units as owing_unit_ids
from tracker.core.text import shorten
from tracker.audit.services import diff, record
from tracker.core.formatting import format_date
from tracker.core.locking import UNCHECKED, StaleEdit, claim
from tracker.core.time import to_local, today_local, utcnow
from tracker.extensions import db
from tracker.indicators.models import Framework, Indicator, ItemIndicatorLink
from tracker.periods.models import ReportingPeriod
from tracker.periods.obligations import is_late, late_exception, obligations_for_period, within_exception
from tracker.plans.models import (
    ITEM_KIND_LABELS,
    STATUS_LABELS,
    Appendix,
    ItemAssignment,
    ItemKind,
    ItemStatus,
    Plan,
    PlanItem,
    Section,
)
from tracker.reports.history import progress_history
from tracker.reports.data import (
    AgencyQuotes,
    AgencyRow,
    Annex,
    AppendixSummary,
    BudgetRow,
    BudgetSummary,
    Header,
    IndicatorRisk,
    ItemRow,
    ProjectSummary,
    Quote,
    ReportData,
    SectionHeading,
)
from tracker.reports.models import IssuedReport, ReportDraft
from tracker.units.models import Unit, UnitGroup
from tracker.updates.models import StatusUpdate, UpdateState
from tracker.updates.services import item_state

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
COUNTED_STATES = (UpdateState.SUBMITTED.value, UpdateState.ACCEPTED.value)
SUMMARY_KINDS = ("target", "document", "project", "task")
BEHIND = (ItemStatus.LATE.value, ItemStatus.STALLED.value)
FINISHED = (ItemStatus.DONE.value, ItemStatus.CANCELLED.value)
# The consolidated report's header, signer and recipients come from the area (tracker.reports.profiles).
DEFAULT_UNIT_RECIPIENTS = ["Như trên;", "Lưu: VT."]
ASSESSMENT_LABELS = {
    "achieved": "Đã đạt",
    "on_track": "Đúng lộ trình",
    "behind": "Chậm so với lộ trình",
    "missed": "Không đạt (đã hết hạn)",
    "no_data": "Chưa có số liệu",
}
RISK_LABELS = {"late": "chậm", "stalled": "đình trệ"}
NOT_REPORTED_LABEL = "Chưa có báo cáo"  # counted as not started, but never claimed to be
RESULT_TEXT_LIMIT = 240  # the annex quotes the latest narrative; the full text stays in the updates


@dataclass
class ReportOptions:
    """What the coordinator enters before issuing (stored in ReportDraft)."""

    number: str = ""
    report_date: date | None = None
    signer_title: str = ""
    signer_name: str = ""
    recipients: list[str] = field(default_factory=list)
    summary: str = ""
    proposals: str = ""


# --------------------------------------------------------------------------- small helpers

def quarter_title(period: ReportingPeriod) -> str:
    return f"quý {ROMAN[period.quarter - 1]} năm {period.year}"


def place_date_line(place: str, day: date) -> str:
    """Decree 30/2020: days below 10 and months 1 and 2 take a leading zero."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def normalize_recipients(lines: list[str]) -> list[str]:
    """"- ...;" lines ending with "Lưu: VT, ...": dashes dropped (the template adds them)."""
    cleaned = []
    for line in lines:
        text = line.strip().lstrip("-–").strip()
        if text:
            cleaned.append(text.rstrip(";.").strip())
    archive = [line for line in cleaned if line.casefold().startswith("lưu")]
    others = [line for line in cleaned if not line.casefold().startswith("lưu")]
    result = [f"{line};" for line in others]
    result.append(f"{archive[-1]}." if archive else "Lưu: VT.")
    return result


def _period_key(period: ReportingPeriod) -> tuple[int, int]:
    return (period.year, period.quarter)


def _add(a: int | None, b: int | None) -> int | None:
    """Sum where None is "no amount fixed": None + None stays None, never 0."""
    if a is None:
        return b
    return a if b is None else a + b


def _plain_decimal(value) -> Decimal | None:
    """96.5000 -> 96.5 and 100.0000 -> 100 (never 1E+2)."""
    if value is None:
        return None
    value = Decimal(value).normalize()
    return value.quantize(Decimal(1)) if value.as_tuple().exponent > 0 else value


def _assignment_label(assignment: ItemAssignment, on: date) -> tuple[str, str | None]:
    """The owner as the plan writes it, and the unit carrying the work on a date if different."""
    written = assignment.name_as_written or assignment.label
    if assignment.unit is not None:
        carrier = assignment.unit.carrier_on(on)
        if carrier.id != assignment.unit.id:
            return written, carrier.short_name or carrier.name
    return written, None


def _owner_text(item: PlanItem, on: date) -> str:
    parts = []
    for assignment in item.owners:
        written, now = _assignment_label(assignment, on)
        parts.append(f"{written} (nay: {now})" if now else written)
    return "; ".join(parts) or item.owner_text or ""


def _owner_keys(item: PlanItem, on: date) -> list[str]:
    """The units carrying the item on a date, one name each (mergers followed; the plan's spellings
    "Sở Công thương", "Sở Công Thương" name one unit): a group as named, an unlinked owner as written."""
    labels = []
    for assignment in item.owners:
        if assignment.unit is not None:
            labels.append(assignment.unit.carrier_on(on).name)
        elif assignment.group is not None:
            labels.append(assignment.group.name)
        else:
            labels.append(assignment.name_as_written)
    return list(dict.fromkeys(labels)) or [item.owner_text or "Chưa xác định"]


def _due_text(item: PlanItem) -> str:
    if item.deadline:
        return format_date(item.deadline)
    if item.years_text:
        return item.years_text
    if item.start_year and item.end_year:
        return f"{item.start_year} - {item.end_year}"
    if item.target_year:
        return str(item.target_year)
    due = item.due_date
    return str(due.year) if due else ""


def _assess_target(item: PlanItem, plan: Plan, achieved: Decimal | None, status: str, as_of: date) -> str:
    """Achieved, on track (at or above the straight line from baseline to target), behind, missed."""
    if item.target_value is None:
        if status == ItemStatus.DONE:
            return "achieved"
        return "no_data" if achieved is None else ("behind" if status in BEHIND else "on_track")
    if achieved is None:
        return "achieved" if status == ItemStatus.DONE else "no_data"
    target = Decimal(item.target_value)
    if achieved >= target:
        return "achieved"
    year = item.target_year or plan.period_end or as_of.year
    deadline = date(year, 12, 31)
    if as_of > deadline:
        return "missed"
    start = date(min(plan.period_start or year, year), 1, 1)
    span = (deadline - start).days or 1
    fraction = Decimal(max(0, min(span, (as_of - start).days))) / span
    baseline = Decimal(item.baseline_value) if item.baseline_value is not None else Decimal(0)
    expected = baseline + (target - baseline) * fraction
    if achieved >= expected and status not in BEHIND:
        return "on_track"
    return "behind"


# --------------------------------------------------------------------------- the header

def build_header(plan: Plan, period: ReportingPeriod, unit: Unit | None, options: ReportOptions,
                 config) -> Header:
    from tracker.reports.profiles import header_profile

    report_date = options.report_date or today_local()
    # The plan's area as it was named on the report date, and its administrator's profile then.
    profile = header_profile(plan, report_date)
    place = profile.place
    parent_body = profile.parent_body
    if unit is None:
        short = profile.issuer_short
        issuing_body = profile.issuing_body
        issuer_name = profile.issuer_name
        addressee = profile.addressee
        default_recipients, default_signer = profile.recipients, profile.signer_title
    else:
        short = "\u2026\u2026"
        issuing_body = unit.name.upper()
        issuer_name = unit.name
        addressee = profile.issuer_name
        default_recipients, default_signer = DEFAULT_UNIT_RECIPIENTS, "THỦ TRƯỞNG ĐƠN VỊ"
    number = options.number.strip()
    blank = "\u00a0" * 8
    if "/" in number:
        full_number = number
    else:
        full_number = f"{number or blank}/BC-{short}"
    from tracker.plans.identity import plan_reference

    subject = f"Kết quả thực hiện {plan_reference(plan)}"
    subject += f" của {plan.issuing_body} trong {quarter_title(period)}"
    recipients = normalize_recipients(options.recipients or default_recipients)
    return Header(
        parent_body=parent_body.upper(),
        issuing_body=issuing_body,
        number_line=f"Số: {full_number}",
        place_date_line=place_date_line(place, report_date),
        title="BÁO CÁO",
        summary_line=subject,
        addressee=addressee,
        recipients=recipients,
        signer_title_lines=[line.strip().upper() for line in (options.signer_title or default_signer).splitlines()
                            if line.strip()],
        signer_name=options.signer_name.strip(),
        issuer_name=issuer_name,
        annex_reference=f"(Kèm theo Báo cáo số {full_number} ngày {format_date(report_date)} của {issuer_name})",
        report_date=report_date,
    )


# --------------------------------------------------------------------------- gathering

def gather_report_data(
    plan: Plan,
    period: ReportingPeriod,
    *,
    unit: Unit | None = None,
    options: ReportOptions | None = None,
    config=None,
    now: datetime | None = None,
) -> ReportData:
    """Every figure of the report for one plan and one period (and one unit, for its own report)."""
    config = config if config is not None else current_app.config
    options = options or ReportOptions()
    on = period.submission_deadline  # who carries the work (same date as the obligations)
    as_of = period.data_end  # the data cut-off: what is overdue

    # -- the plan, its appendices, sections, units and items (identity map fills the rest)
    appendices = db.session.scalars(
        select(Appendix).where(Appendix.plan_id == plan.id).order_by(Appendix.position, Appendix.id)
    ).all()
    appendix_position = {a.id: (a.position, i) for i, a in enumerate(appendices)}
    sections = db.session.scalars(
        select(Section).join(Appendix).where(Appendix.plan_id == plan.id)
        .order_by(Section.appendix_id, Section.position, Section.id)
    ).all()
    # Every unit, held here: successions resolve without queries. The session's identity map keeps
    # objects only while something references them, so it cannot serve as this lookup.
    units_by_id = {u.id: u for u in db.session.scalars(select(Unit))}
    items = db.session.scalars(
        select(PlanItem)
        .where(PlanItem.plan_id == plan.id)
        .options(
            selectinload(PlanItem.assignments).selectinload(ItemAssignment.group)
            .selectinload(UnitGroup.members),
        )
    ).all()
    items.sort(key=lambda i: (appendix_position.get(i.appendix_id, (0, 0)), i.position, i.id))
    if unit is not None:
        scope = [i for i in items if unit.id in owing_unit_ids(i, on)]
    else:
        scope = list(items)
    scope_ids = {i.id for i in scope}

    # -- counted updates up to the period: the accepted version of each chain, else the latest submitted
    rows = db.session.execute(
        select(StatusUpdate, ReportingPeriod)
        .join(ReportingPeriod, StatusUpdate.period_id == ReportingPeriod.id)
        .join(PlanItem, StatusUpdate.item_id == PlanItem.id)
        .where(
            PlanItem.plan_id == plan.id,
            StatusUpdate.state.in_(COUNTED_STATES),
            or_(ReportingPeriod.year < period.year,
                and_(ReportingPeriod.year == period.year, ReportingPeriod.quarter <= period.quarter)),
        )
    ).all()
    chains: dict[tuple[int, int, int], tuple[StatusUpdate, ReportingPeriod]] = {}
    for update, update_period in rows:
        key = (update.item_id, update.period_id, update.unit_id)
        current = chains.get(key)
        rank = (update.state == UpdateState.ACCEPTED, update.version)
        if current is None or rank > (current[0].state == UpdateState.ACCEPTED, current[0].version):
            chains[key] = (update, update_period)

    # per item, per carrying unit: counted updates in period order
    history: dict[int, dict[int, list[tuple[StatusUpdate, ReportingPeriod]]]] = defaultdict(lambda: defaultdict(list))
    for update, update_period in chains.values():
        if update.item_id not in scope_ids:
            continue
        reporter = units_by_id.get(update.unit_id)
        carrier_id = reporter.carrier_on(on).id if reporter is not None else update.unit_id
        if unit is not None and carrier_id != unit.id:
            continue
        history[update.item_id][carrier_id].append((update, update_period))
    for per_unit in history.values():
        for entries in per_unit.values():
            entries.sort(key=lambda e: (_period_key(e[1]), e[0].version))

    # -- one row per item
    item_rows: dict[int, ItemRow] = {}
    for item in scope:
        item_rows[item.id] = _item_row(item, plan, history.get(item.id, {}), on, as_of, unit)

    updates_used = sum(len(e) for per_unit in history.values() for e in per_unit.values())
    updates_pending = sum(1 for per_unit in history.values() for e in per_unit.values() for u, _ in e
                          if u.state == UpdateState.SUBMITTED)
    reporting_units = {uid for per_unit in history.values() for uid in per_unit}

    overview = _overview(appendices, scope, item_rows)
    targets = [item_rows[i.id] for i in scope if i.kind == ItemKind.TARGET]
    projects = _project_summary([item_rows[i.id] for i in scope if i.kind == ItemKind.PROJECT])
    documents = [item_rows[i.id] for i in scope if i.kind == ItemKind.DOCUMENT]
    budget = _budget(appendices, items, scope, item_rows, on)
    agencies, not_reported, partial = _agencies(period, plan, unit, chains)
    indicators, points, no_points = _indicators(plan, scope_ids, item_rows)
    difficulties = _difficulties(chains, period, scope_ids, item_rows, units_by_id, unit, on)

    header = build_header(plan, period, unit, options, config)
    return ReportData(
        kind="unit" if unit is not None else "consolidated",
        header=header,
        plan_id=plan.id,
        plan_number=plan.number_label,
        plan_date_label=plan.date_label,
        plan_title=plan.title,
        plan_issued_on=plan.issued_on,
        plan_issuing_body=plan.issuing_body,
        period_code=period.code,
        period_label=period.label,
        period_title=quarter_title(period),
        data_start=period.data_start,
        data_end=period.data_end,
        submission_deadline=period.submission_deadline,
        unit_id=unit.id if unit is not None else None,
        unit_name=unit.name if unit is not None else "",
        generated_at=now or utcnow(),
        updates_used=updates_used,
        updates_pending=updates_pending,
        units_reporting=len(reporting_units),
        overview=overview,
        targets=targets,
        projects=projects,
        documents_issued=[r for r in documents if r.status == ItemStatus.DONE],
        documents_missing=[r for r in documents if r.status != ItemStatus.DONE],
        budget=budget,
        agencies=agencies,
        not_reported=not_reported,
        partially_reported=partial,
        indicators=indicators,
        points_at_risk=points,
        indicators_without_points=no_points,
        difficulties=difficulties,
        coordinator_summary=options.summary.strip(),
        coordinator_proposals=options.proposals.strip(),
        annexes=_annexes(appendices, sections, scope, item_rows),
        items=[item_rows[i.id] for i in scope],
        progress_history=progress_history(period, appendices, scope, history),
    )


def _item_row(item: PlanItem, plan: Plan, per_unit: dict, on: date, as_of: date, unit: Unit | None) -> ItemRow:
    latest = [entries[-1] for entries in per_unit.values() if entries]
    if latest and unit is None:
        # The workflow's own rule for an item's state (one owner, or several each owing a part), so the
        # report and the item pages agree; applied to the updates counted as of the period.
        state = item_state(item, [u for entries in per_unit.values() for u, _ in entries], on)
        status, progress, achieved = state["status"], state["progress"], state["achieved_value"]
        committed, disbursed = state["amount_committed"], state["amount_disbursed"]
    elif latest:
        # An agency's own report: its own latest update, whatever the other owners reported.
        update = latest[0][0]
        status, progress, achieved = update.status, update.progress, update.achieved_value
        committed, disbursed = update.amount_committed, update.amount_disbursed
    else:
        status, progress, achieved, committed, disbursed = ItemStatus.NOT_STARTED.value, 0, None, None, None
    achieved = _plain_decimal(achieved)
    last_period = max((p for _, p in latest), key=_period_key) if latest else None
    texts = [u.done_text.strip() for u, _ in latest if u.done_text and u.done_text.strip()]
    result_text = shorten(" | ".join(texts), RESULT_TEXT_LIMIT)
    due = item.due_date
    overdue = due is not None and due < as_of and status not in FINISHED
    row = ItemRow(
        id=item.id,
        ref=item.ref,
        code=item.display_code,
        own_code=item.code,
        kind=item.kind,
        appendix_number=item.appendix.number if item.appendix else "",
        section_id=item.section_id,
        text=item.text,
        owner=_owner_text(item, on),
        carriers=_owner_keys(item, on),
        coordinators=item.coordinators_text or "",
        due_date=due,
        due_text=_due_text(item),
        status=status,
        status_label=STATUS_LABELS.get(status, status) if latest else NOT_REPORTED_LABEL,
        progress=progress,
        reported=bool(latest),
        last_period=last_period.label if last_period is not None else "",
        overdue=overdue,
        result_text=result_text,
        achieved_value=achieved,
        committed=committed,
        disbursed=disbursed,
    )
    if item.kind == ItemKind.TARGET:
        row.target_text = item.target_text or ""
        row.target_value = _plain_decimal(item.target_value)
        row.measure_unit = item.measure_unit or ""
        row.target_year = item.target_year
        row.baseline_value = _plain_decimal(item.baseline_value)
        row.assessment = _assess_target(item, plan, achieved, status, as_of)
        row.assessment_label = ASSESSMENT_LABELS[row.assessment]
    elif item.kind == ItemKind.DOCUMENT:
        row.doc_type = item.doc_type or ""
    elif item.kind == ItemKind.BUDGET:
        row.budget_state, row.budget_other, row.budget_total = item.budget_state, item.budget_other, item.budget_total
    if status == ItemStatus.DONE and item.kind in (ItemKind.PROJECT, ItemKind.TASK, ItemKind.DOCUMENT):
        _completion(row, item, per_unit, as_of)
    return row


def _completion(row: ItemRow, item: PlanItem, per_unit: dict, as_of: date) -> None:
    """When the item was done, and whether that was on time (on or before its deadline).

    The completion date the workflow recorded on the item wins; otherwise, as the workflow does,
    it is the day the last owning unit reported it done (its first report of the final run of
    "done" reports), capped at that period's data cut-off.
    """
    completed = item.completed_on if item.completed_on is not None and item.completed_on <= as_of else None
    if completed is None:
        days = []
        for entries in per_unit.values():
            first = None
            for update, period in entries:
                if update.status == ItemStatus.DONE:
                    first = first or (update, period)
                else:
                    first = None
            if first is not None:
                update, period = first
                reported = to_local(update.submitted_at).date() if update.submitted_at else period.data_end
                days.append(min(reported, period.data_end))
        completed = max(days) if days else None
    if completed is None:
        return
    row.completed_in = format_date(completed)
    row.done_on_time = row.due_date is None or completed <= row.due_date


def _overview(appendices, scope, item_rows) -> list[AppendixSummary]:
    summaries = {a.id: AppendixSummary(number=a.number, kind=a.kind, kind_label=ITEM_KIND_LABELS.get(a.kind, a.kind),
                                       title=a.title) for a in appendices if a.kind in SUMMARY_KINDS}
    for item in scope:
        summary = summaries.get(item.appendix_id)
        if summary is None:
            continue
        row = item_rows[item.id]
        summary.total += 1
        summary.reported += row.reported
        summary.overdue += row.overdue
        if row.status == ItemStatus.DONE:
            summary.done += 1
        elif row.status == ItemStatus.CANCELLED:
            summary.cancelled += 1
        elif row.status == ItemStatus.NOT_STARTED:
            summary.not_started += 1
        else:
            summary.in_progress += 1
            summary.behind += row.status in BEHIND
    return [s for s in summaries.values() if s.total]


def _project_summary(rows: list[ItemRow]) -> ProjectSummary:
    summary = ProjectSummary(total=len(rows))
    for row in rows:
        if row.status == ItemStatus.DONE:
            if row.done_on_time is False:
                summary.done_late += 1
                summary.done_late_rows.append(row)
            else:
                summary.done_on_time += 1
        elif row.status == ItemStatus.CANCELLED:
            summary.cancelled += 1
        elif row.status == ItemStatus.NOT_STARTED:
            summary.not_started += 1
        else:
            summary.in_progress += 1
            if row.status in BEHIND:
                summary.behind += 1
                summary.behind_rows.append(row)
        if row.overdue:
            summary.overdue += 1
            summary.overdue_rows.append(row)
    return summary


def _budget(appendices, items, scope, item_rows, on) -> BudgetSummary:
    """Planned (from the budget appendix) against committed and disbursed (reported on projects).

    Updates give one committed and one disbursed amount per project, not split by source, so
    spending is attributed to a source only for lines funded by that source alone; the rest is
    shown as not split, never apportioned by guess.
    """
    by_ref = {i.ref: i for i in items}
    project_appendix = next((a.number for a in appendices if a.kind == ItemKind.PROJECT), None)
    state = BudgetRow("Ngân sách nhà nước (trung hạn)", 0, 0, 0)
    other = BudgetRow("Nguồn khác (xã hội hóa, tài trợ, trung ương, khác)", 0, 0, 0)
    mixed = BudgetRow("Dự án nhiều nguồn vốn hoặc chưa xác định kinh phí (chưa tách theo nguồn)", None, 0, 0)
    total = BudgetRow("Tổng cộng", 0, 0, 0)
    owners: dict[str, BudgetRow] = {}
    funded: set[int] = set()
    unfixed = 0
    shared_lines = 0

    def owner_rows(item) -> list[BudgetRow]:
        # One row per carrying unit; a line several units carry together counts in each of them.
        return [owners.setdefault(key, BudgetRow(key, 0, 0, 0)) for key in _owner_keys(item, on)]

    for item in scope:
        if item.kind != ItemKind.BUDGET:
            continue
        project = item.funded_project
        if project is None and project_appendix is not None:
            project = by_ref.get("/".join([project_appendix] + item.ref.split("/")[1:]))
        row = item_rows[item.id]
        committed = disbursed = None
        if project is not None and project.id not in funded:
            funded.add(project.id)
            project_row = item_rows.get(project.id)
            if project_row is not None:
                committed, disbursed = project_row.committed, project_row.disbursed
        row.committed, row.disbursed = committed, disbursed
        s, o, t = item.budget_state, item.budget_other, item.budget_total
        if project is not None and project.id in item_rows:
            source = item_rows[project.id]
            row.status, row.status_label, row.progress = source.status, source.status_label, source.progress
            row.reported, row.last_period = source.reported, source.last_period
            row.project_ref = source.ref
            source.budget_refs.append(row.ref)
            source.budget_state = _add(source.budget_state, s)
            source.budget_other = _add(source.budget_other, o)
            source.budget_total = _add(source.budget_total, t if t is not None or s is None and o is None
                                       else (s or 0) + (o or 0))
        if s is None and o is None and t is None:
            unfixed += 1
        state.planned += s or 0
        other.planned += o or 0
        total.planned += t if t is not None else (s or 0) + (o or 0)
        target = state if (s or 0) > 0 and not o else other if (o or 0) > 0 and not s else mixed
        fixed = not (s is None and o is None and t is None)
        shared = len(_owner_keys(item, on)) > 1
        shared_lines += shared
        for bucket in (target, total, *owner_rows(item)):
            bucket.committed += committed or 0
            bucket.disbursed += disbursed or 0
            if fixed:
                bucket.disbursed_fixed += disbursed or 0
            bucket.lines += 1
        for owned in owner_rows(item):
            owned.planned += t if t is not None else (s or 0) + (o or 0)
            owned.shared_lines += shared
            if s is None and o is None and t is None:
                owned.unfixed_lines += 1
    # projects that report spending without a budget line of their own
    for item in scope:
        if item.kind == ItemKind.PROJECT and item.id not in funded:
            project_row = item_rows[item.id]
            if project_row.committed or project_row.disbursed:
                for bucket in (mixed, total, *owner_rows(item)):
                    bucket.committed += project_row.committed or 0
                    bucket.disbursed += project_row.disbursed or 0
    mixed.unfixed_lines = unfixed
    budget_appendix = next((a for a in appendices if a.kind == ItemKind.BUDGET), None)
    return BudgetSummary(
        by_source=[state, other, mixed],
        by_owner=sorted(owners.values(), key=lambda r: (-(r.planned or 0), r.label)),
        total=total,
        declared_state=budget_appendix.declared_state if budget_appendix else None,
        declared_other=budget_appendix.declared_other if budget_appendix else None,
        declared_total=budget_appendix.declared_total if budget_appendix else None,
        unfixed_lines=unfixed,
        shared_lines=shared_lines,
        mixed_note=(
            "Báo cáo của các đơn vị ghi tổng số kinh phí đã cam kết, đã giải ngân của từng dự án, không tách "
            "theo nguồn vốn. Số liệu theo nguồn chỉ tính cho dự án có một nguồn vốn; phần còn lại ghi ở dòng "
            "chưa tách theo nguồn."
        ),
    )


def _agencies(period, plan, unit, chains) -> tuple[list[AgencyRow], list[str], list[str]]:
    """Who owed updates for the period and whether they came on time, late or not at all."""
    obligations = obligations_for_period(period, plan_id=plan.id, unit_ids={unit.id} if unit is not None else None)
    rows: dict[int, AgencyRow] = {}
    for obligation in obligations:
        row = rows.get(obligation.unit.id)
        if row is None:
            row = rows[obligation.unit.id] = AgencyRow(obligation.unit.id, obligation.unit.name, 0, 0, 0, 0, None)
        row.obligations += 1
        submitted_at = obligation.submitted_at
        if submitted_at is None:
            # a correction in progress does not undo the version already sent
            counted = chains.get((obligation.item.id, period.id, obligation.unit.id))
            submitted_at = counted[0].submitted_at if counted is not None else None
        if submitted_at is None:
            row.missing += 1
            continue
        if is_late(submitted_at, period, obligation.unit.id):
            row.late += 1
        else:
            row.on_time += 1
            if within_exception(submitted_at, period, obligation.unit.id):
                row.note = f"Được gia hạn đến {format_date(late_exception(period, obligation.unit.id).until)}"
        if row.last_submitted is None or submitted_at > row.last_submitted:
            row.last_submitted = submitted_at
    ordered = sorted(rows.values(), key=lambda r: r.name.casefold())
    not_reported = [r.name for r in ordered if r.missing == r.obligations]
    partial = [r.name for r in ordered if 0 < r.missing < r.obligations]
    return ordered, not_reported, partial


def _indicators(plan, scope_ids, item_rows) -> tuple[list[IndicatorRisk], Decimal, int]:
    """DTI indicators moved by items that are late, stalled or overdue, and the points at stake."""
    links = db.session.execute(
        select(ItemIndicatorLink.item_id, Indicator.id, Indicator.code, Indicator.name, Indicator.max_points,
               Indicator.position, Framework.name)
        .join(Indicator, ItemIndicatorLink.indicator_id == Indicator.id)
        .join(Framework, Indicator.framework_id == Framework.id)
        .join(PlanItem, ItemIndicatorLink.item_id == PlanItem.id)
        .where(PlanItem.plan_id == plan.id)
        .order_by(Framework.name, Indicator.position, Indicator.id, PlanItem.position, PlanItem.id)
    ).all()
    tree = {
        row.id: row for row in db.session.execute(
            select(Indicator.id, Indicator.parent_id, Indicator.code, Indicator.name)
            .where(Indicator.framework_id.in_(
                select(Indicator.framework_id).join(ItemIndicatorLink, ItemIndicatorLink.indicator_id == Indicator.id)
                .join(PlanItem, ItemIndicatorLink.item_id == PlanItem.id).where(PlanItem.plan_id == plan.id)))
        )
    } if links else {}

    def pillar(indicator_id: int) -> str:
        node, seen = tree.get(indicator_id), set()
        while node is not None and node.parent_id in tree and node.id not in seen:
            seen.add(node.id)
            node = tree[node.parent_id]
        return f"{node.code} {node.name}".strip() if node is not None else ""

    risks: dict[int, IndicatorRisk] = {}
    for item_id, indicator_id, code, name, max_points, _position, framework in links:
        row = item_rows.get(item_id)
        if item_id not in scope_ids or row is None:
            continue
        if row.status not in BEHIND and not row.overdue:
            continue
        risk = risks.get(indicator_id)
        if risk is None:
            risk = risks[indicator_id] = IndicatorRisk(
                framework, code, name, Decimal(max_points) if max_points is not None else None, [],
                pillar=pillar(indicator_id))
        reasons = [RISK_LABELS[row.status]] if row.status in BEHIND else []
        if row.overdue:
            reasons.append("quá hạn")
        risk.items.append(f"PL{row.appendix_number} › {row.code} ({', '.join(reasons)})")
    values = list(risks.values())
    points = sum((r.max_points for r in values if r.max_points is not None), Decimal(0))
    return values, points, sum(1 for r in values if r.max_points is None)


def _difficulties(chains, period, scope_ids, item_rows, units_by_id, unit, on) -> list[AgencyQuotes]:
    """The period's difficulties and proposals, quoted per agency as written (identical texts merged)."""
    grouped: dict[int, dict[tuple[str, str], Quote]] = defaultdict(dict)
    order: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    rank = {item_id: n for n, item_id in enumerate(item_rows)}  # document order, whatever the database returned
    for update, update_period in sorted(chains.values(), key=lambda c: (rank.get(c[0].item_id, -1), c[0].id)):
        if update.period_id != period.id or update.item_id not in scope_ids:
            continue
        reporter = units_by_id.get(update.unit_id)
        if unit is not None and (reporter is None or reporter.carrier_on(on).id != unit.id):
            continue
        difficulties, proposals = (update.difficulties or "").strip(), (update.proposals or "").strip()
        if not difficulties and not proposals:
            continue
        row = item_rows[update.item_id]
        key = (difficulties, proposals)
        # Quoted under the unit carrying the work on the report date: one heading per agency.
        agency = reporter.carrier_on(on).id if reporter is not None else update.unit_id
        quote = grouped[agency].get(key)
        if quote is None:
            quote = grouped[agency][key] = Quote([], difficulties, proposals)
            order[agency][key] = len(order[agency])
        quote.items.append(f"PL{row.appendix_number} › {row.code}")
    result = []
    for unit_id, quotes in grouped.items():
        reporter = units_by_id.get(unit_id)
        name = reporter.name if reporter is not None else str(unit_id)
        result.append(AgencyQuotes(name, sorted(quotes.values(), key=lambda q: order[unit_id][(q.difficulties, q.proposals)])))
    return sorted(result, key=lambda a: a.unit.casefold())


def _annexes(appendices, sections, scope, item_rows) -> list[Annex]:
    """One annex table per appendix, every item with its status, under its section headings.

    A budget line is shown on the row of the project it funds (same wording, one row instead of
    two); only lines whose project is not in the report keep a budget table of their own.
    """
    by_appendix: dict[int, list[PlanItem]] = defaultdict(list)
    for item in scope:
        if item.kind == ItemKind.BUDGET and item_rows[item.id].project_ref:
            continue
        by_appendix[item.appendix_id].append(item)
    budget_numbers = [a.number for a in appendices if a.kind == ItemKind.BUDGET]
    sections_by_appendix: dict[int, list[Section]] = defaultdict(list)
    for section in sections:
        sections_by_appendix[section.appendix_id].append(section)
    annexes = []
    for appendix in appendices:
        items = by_appendix.get(appendix.id)
        if not items:
            continue
        section_order = {s.id: i for i, s in enumerate(sections_by_appendix[appendix.id])}
        section_by_id = {s.id: s for s in sections_by_appendix[appendix.id]}
        items = sorted(items, key=lambda i: (section_order.get(i.section_id, -1), i.position, i.id))
        rows: list = []
        shown: set[int] = set()
        for item in items:
            chain = []
            section = section_by_id.get(item.section_id)
            while section is not None and section.id not in shown:
                chain.append(section)
                section = section_by_id.get(section.parent_id)
            for section in reversed(chain):
                shown.add(section.id)
                rows.append(SectionHeading(section.id, section.code, section.title, section.depth))
            rows.append(item_rows[item.id])
        title = f"Phụ lục {appendix.number}: {appendix.title}"
        if appendix.kind == ItemKind.PROJECT and budget_numbers and any(
                getattr(r, "budget_refs", None) for r in rows):
            title += f" và dự ước kinh phí (Phụ lục {budget_numbers[0]})"
        annexes.append(Annex(ROMAN[len(annexes)] if len(annexes) < len(ROMAN) else str(len(annexes) + 1),
                             appendix.kind, title, rows))
    return annexes


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


def issue_report(plan: Plan, period: ReportingPeriod, *, user, config=None, now: datetime | None = None) -> IssuedReport:
    """Freeze the current draft: the data snapshot and the files as sent, under the next version."""
    from tracker.reports.builders import build_html, build_pdf, build_xlsx

    options = options_from_draft(get_draft(plan, period))
    if options.report_date is None:
        options.report_date = today_local()
    data = gather_report_data(plan, period, options=options, config=config, now=now)
    version = (db.session.scalar(
        select(func.max(IssuedReport.version)).where(IssuedReport.plan_id == plan.id,
                                                     IssuedReport.period_id == period.id)
    ) or 0) + 1
    data.header.is_draft = False
    data.header.version = version
    pdf = build_pdf(data)
    report = IssuedReport(
        plan_id=plan.id,
        period_id=period.id,
        version=version,
        number=options.number,
        report_date=options.report_date,
        signer_name=options.signer_name,
        issued_at=now or utcnow(),
        issued_by_id=getattr(user, "id", None),
        data=data.to_json(),
        pdf=pdf,
        xlsx=build_xlsx(data),
        html=build_html(data),
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
    )
    db.session.add(report)
    db.session.flush()
    record(actor=user, action="report.issued", entity_type="issued_report", entity_id=report.id,
           summary=f"Ban hành báo cáo {plan.number_label} {period.label}, phiên bản {version}")
    return report


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
