"""The report's figures computed from the rows `gather_report_data` collected: an item's completion,
the appendices' overview, projects, budget, indicators at risk."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from tracker.core.formatting import format_date
from tracker.core.time import to_local
from tracker.extensions import db
from tracker.indicators.models import Framework, Indicator, ItemIndicatorLink
from tracker.plans.models import ITEM_KIND_LABELS, ItemAssignment, ItemKind, ItemStatus, Plan, PlanItem
from tracker.reports.data import (
    AppendixSummary,
    BudgetRow,
    BudgetSummary,
    IndicatorRisk,
    ItemRow,
    ProjectSummary,
)
from tracker.updates.models import UpdateState


COUNTED_STATES = (UpdateState.SUBMITTED.value, UpdateState.ACCEPTED.value)
SUMMARY_KINDS = ("target", "document", "project", "task")
BEHIND = (ItemStatus.LATE.value, ItemStatus.STALLED.value)
FINISHED = (ItemStatus.DONE.value, ItemStatus.CANCELLED.value)
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
