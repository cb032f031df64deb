"""The API's resources as plain JSON values: the shapes tracker/api/openapi.py describes.

Amounts of money are exact integers (đồng); other decimals (target values, points) are strings
such as "22.5", so that no client rounds them through a float; dates are ISO (YYYY-MM-DD).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from tracker.periods.obligations import ended_owners, owner_units
from tracker.plans.models import ITEM_KIND_LABELS, STATUS_LABELS


def decimal_text(value) -> str | None:
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def unit_ref(unit) -> dict:
    return {"id": unit.id, "name": unit.name, "short_name": unit.short_name}


def area_ref(area) -> dict:
    return {"code": area.code, "name": area.current_name}


def plan(plan) -> dict:
    return {
        "id": plan.id,
        "number": plan.number,
        "number_label": plan.number_label,
        "issued_on": day(plan.issued_on),
        "date_label": plan.date_label,
        "issuing_body": plan.issuing_body,
        "title": plan.title,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "area": area_ref(plan.area),
    }


def _assignment(assignment) -> dict:
    return {
        "name_as_written": assignment.name_as_written,
        "unit": unit_ref(assignment.unit) if assignment.unit is not None else None,
        "group": {"id": assignment.group.id, "name": assignment.group.name} if assignment.group is not None else None,
    }


def _coordinators_today(item, today: date) -> list:
    seen: dict = {}
    for assignment in item.coordinators:
        for unit in assignment.units:
            carrier = unit.carrier_on(today)
            if not carrier.ended_by(today):
                seen.setdefault(carrier.id, carrier)
    return list(seen.values())


def item(item, today: date) -> dict:
    return {
        "id": item.id,
        "plan_id": item.plan_id,
        "ref": item.ref,
        "code": item.display_code,
        "kind": item.kind,
        "kind_label": ITEM_KIND_LABELS.get(item.kind, item.kind),
        "text": item.text,
        "owner_text": item.owner_text,
        "coordinators_text": item.coordinators_text,
        "owners": [_assignment(a) for a in item.owners],
        "coordinators": [_assignment(a) for a in item.coordinators],
        "carried_by": [unit_ref(u) for u in owner_units(item, today)],
        "owners_ended": [unit_ref(u) for u in ended_owners(item, today)],
        "coordinators_carried_by": [unit_ref(u) for u in _coordinators_today(item, today)],
        "status": item.status,
        "status_label": STATUS_LABELS.get(item.status, item.status),
        "progress": item.progress,
        "last_update_at": moment(item.last_update_at),
        "completed_on": day(item.completed_on),
        "due_date": day(item.due_date),
        "target_value": decimal_text(item.target_value),
        "target_text": item.target_text,
        "measure_unit": item.measure_unit,
        "target_year": item.target_year,
        "achieved_value": decimal_text(item.achieved_value),
        "budget_total": item.budget_total,
        "amount_committed": item.amount_committed,
        "amount_disbursed": item.amount_disbursed,
    }


def period_report(obligation) -> dict:
    accepted = obligation.accepted
    return {
        "unit": unit_ref(obligation.unit),
        "state": obligation.state,
        "submitted_at": moment(obligation.submitted_at),
        "submitted_on_time": obligation.submitted_on_time,
        "accepted_status": accepted.status if accepted is not None else None,
        "accepted_progress": accepted.progress if accepted is not None else None,
    }


def tally(tally) -> dict:
    return {
        "owed": tally.owed,
        "states": {state: tally.states[state] for state in
                   ("not_started", "draft", "returned", "submitted", "accepted")},
        "sent": tally.sent,
        "on_time": tally.on_time,
        "late": tally.late,
        "percent": round(tally.percent, 1),
    }


def period(period, summary=None) -> dict:
    data = {
        "id": period.id,
        "code": period.code,
        "label": period.label,
        "year": period.year,
        "quarter": period.quarter,
        "data_start": day(period.data_start),
        "data_end": day(period.data_end),
        "submission_deadline": day(period.submission_deadline),
        "consolidated_deadline": day(period.consolidated_deadline),
        "closed": period.is_closed,
        "closed_at": moment(period.closed_at),
    }
    if summary is not None:
        counts, units_owing, units_complete = summary
        data["completeness"] = {**tally(counts), "units_owing": units_owing, "units_complete": units_complete}
    return data


def completeness(period_obj, rows, total) -> dict:
    return {
        "period": period(period_obj),
        "total": tally(total),
        "units": [{"unit": unit_ref(row.unit), **tally(row.tally),
                   "exception_until": day(row.exception.until) if row.exception is not None else None}
                  for row in rows],
    }


def indicator_link(link, framework) -> dict:
    indicator, linked = link.indicator, link.item
    return {
        "id": link.id,
        "item": {"id": linked.id, "plan_id": linked.plan_id, "ref": linked.ref, "code": linked.display_code,
                 "status": linked.status, "status_label": STATUS_LABELS.get(linked.status, linked.status)},
        "indicator": {"id": indicator.id, "code": indicator.code, "name": indicator.name,
                      "max_points": decimal_text(indicator.max_points),
                      "framework": {"id": framework.id, "name": framework.name, "year": framework.year}},
        "note": link.note,
        "doubt": link.doubt,
        "at_risk": linked.status in ("late", "stalled"),
    }


# --------------------------------------------------------------------------- the report's figures

def _budget_row(row) -> dict:
    return {"label": row.label, "planned": row.planned, "committed": row.committed, "disbursed": row.disbursed,
            "lines": row.lines, "unfixed_lines": row.unfixed_lines,
            "disbursed_percent": decimal_text(row.disbursed_percent)}


def indicators_at_risk(data) -> dict:
    return {
        "points_at_risk": decimal_text(data.points_at_risk),
        "indicators_without_points": data.indicators_without_points,
        "indicators": [{"framework": r.framework, "code": r.code, "name": r.name,
                        "max_points": decimal_text(r.max_points), "items": list(r.items)} for r in data.indicators],
    }


def figures(data) -> dict:
    """The consolidated report's figures (tracker.reports.services.gather_report_data), without the
    letterhead and the moment it was computed (so that unchanged figures keep their ETag)."""
    projects = data.projects
    return {
        "plan": {"id": data.plan_id, "number_label": data.plan_number, "date_label": data.plan_date_label,
                 "title": data.plan_title, "issuing_body": data.plan_issuing_body},
        "period": {"code": data.period_code, "label": data.period_label, "data_start": day(data.data_start),
                   "data_end": day(data.data_end), "submission_deadline": day(data.submission_deadline)},
        "updates_used": data.updates_used,
        "updates_pending": data.updates_pending,
        "units_reporting": data.units_reporting,
        "overview": [{"number": s.number, "kind": s.kind, "kind_label": s.kind_label, "title": s.title,
                      "total": s.total, "done": s.done, "in_progress": s.in_progress, "behind": s.behind,
                      "not_started": s.not_started, "cancelled": s.cancelled, "overdue": s.overdue,
                      "reported": s.reported, "done_percent": decimal_text(s.done_percent)} for s in data.overview],
        "targets": [{"id": r.id, "ref": r.ref, "code": r.code, "text": r.text, "target_text": r.target_text,
                     "target_value": decimal_text(r.target_value), "measure_unit": r.measure_unit,
                     "target_year": r.target_year, "baseline_value": decimal_text(r.baseline_value),
                     "achieved_value": decimal_text(r.achieved_value), "assessment": r.assessment,
                     "assessment_label": r.assessment_label, "status": r.status, "progress": r.progress}
                    for r in data.targets],
        "projects": {name: getattr(projects, name) for name in
                     ("total", "done_on_time", "done_late", "in_progress", "behind", "not_started", "cancelled",
                      "overdue")},
        "documents": {"issued": len(data.documents_issued), "missing": len(data.documents_missing)},
        "budget": {"by_source": [_budget_row(r) for r in data.budget.by_source],
                   "by_owner": [_budget_row(r) for r in data.budget.by_owner],
                   "total": _budget_row(data.budget.total),
                   "declared_state": data.budget.declared_state, "declared_other": data.budget.declared_other,
                   "declared_total": data.budget.declared_total, "unfixed_lines": data.budget.unfixed_lines},
        "agencies": [{"unit_id": a.unit_id, "name": a.name, "obligations": a.obligations, "on_time": a.on_time,
                      "late": a.late, "missing": a.missing, "last_submitted": moment(a.last_submitted),
                      "status_label": a.status_label} for a in data.agencies],
        "not_reported": list(data.not_reported),
        "partially_reported": list(data.partially_reported),
        **indicators_at_risk(data),
    }
