"""Gathering the report's data (tracker/reports/services.py says what counts "as of the period").

`gather_report_data` is the only place figures are gathered; the PDF, HTML and Excel builders only lay
them out. It runs a constant number of queries whatever the size of the plan."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from tracker.updates.policy import reporting_units as owing_unit_ids
from tracker.core.text import shorten
from tracker.core.formatting import format_date
from tracker.core.time import utcnow
from tracker.extensions import db
from tracker.periods.models import ReportingPeriod
from tracker.periods.obligations import is_late, late_exception, obligations_for_period, within_exception
from tracker.plans.models import (
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
from tracker.reports.data import AgencyQuotes, AgencyRow, Annex, ItemRow, Quote, ReportData, SectionHeading
from tracker.units.models import Unit, UnitGroup
from tracker.updates.models import StatusUpdate, UpdateState
from tracker.updates.services import item_state
from tracker.reports.figures import (
    ASSESSMENT_LABELS,
    COUNTED_STATES,
    FINISHED,
    NOT_REPORTED_LABEL,
    RESULT_TEXT_LIMIT,
    _assess_target,
    _assignment_label,
    _budget,
    _completion,
    _indicators,
    _overview,
    _owner_keys,
    _plain_decimal,
    _project_summary,
)
from tracker.reports.header import ROMAN, ReportOptions, build_header, quarter_title


def _period_key(period: ReportingPeriod) -> tuple[int, int]:
    return (period.year, period.quarter)


def _owner_text(item: PlanItem, on: date) -> str:
    parts = []
    for assignment in item.owners:
        written, now = _assignment_label(assignment, on)
        parts.append(f"{written} (nay: {now})" if now else written)
    return "; ".join(parts) or item.owner_text or ""


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
        # The update's period and unit are at hand: set them, so that the workflow's rule
        # (item_state) reads them without a lazy load per update (an identity-map lookup each).
        set_committed_value(update, "period", update_period)
        if update.unit_id in units_by_id:
            set_committed_value(update, "unit", units_by_id[update.unit_id])
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
