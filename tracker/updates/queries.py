"""Reading updates: chains, the unit a reporter writes for, histories, a new form's defaults."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.periods.models import ReportingPeriod
from tracker.periods.obligations import is_late, owner_units
from tracker.plans.models import ItemKind, ItemStatus, PlanItem
from tracker.units.models import Unit
from tracker.updates.models import StatusUpdate, UpdateState
from tracker.updates.validation import FIELDS, Budget


def budgets_for(items: list[PlanItem]) -> dict[int, Budget]:
    """Project id -> its budget lines (PlanItem rows of kind budget funding it), in one query."""
    ids = [item.id for item in items if item.kind == ItemKind.PROJECT]
    result = {item_id: Budget() for item_id in ids}
    if ids:
        lines = db.session.scalars(
            select(PlanItem)
            .where(PlanItem.kind == ItemKind.BUDGET.value, PlanItem.funded_project_id.in_(ids))
            .order_by(PlanItem.position)
        )
        for line in lines:
            result[line.funded_project_id].lines.append(line)
    return result


def budget_of(item: PlanItem) -> Budget:
    return budgets_for([item]).get(item.id, Budget())


def chain(item_id: int, period_id: int, unit_id: int) -> list[StatusUpdate]:
    return list(
        db.session.scalars(
            select(StatusUpdate)
            .where(StatusUpdate.item_id == item_id, StatusUpdate.period_id == period_id,
                   StatusUpdate.unit_id == unit_id)
            .order_by(StatusUpdate.version)
        )
    )


def latest_update(item_id: int, period_id: int, unit_id: int) -> StatusUpdate | None:
    return db.session.scalar(
        select(StatusUpdate)
        .where(StatusUpdate.item_id == item_id, StatusUpdate.period_id == period_id,
               StatusUpdate.unit_id == unit_id)
        .order_by(StatusUpdate.version.desc())
        .limit(1)
    )


def carried_unit_ids(unit: Unit, today: date) -> set[int]:
    """The unit and every unit whose work it carries today (its predecessors through mergers)."""
    ids = {unit.id}
    for other in db.session.scalars(select(Unit).where(Unit.successor_id.is_not(None))):
        if other.carrier_on(today).id == unit.id:
            ids.add(other.id)
    return ids


def reporting_unit_for(user, item: PlanItem, period: ReportingPeriod, today: date) -> Unit:
    """The unit a reporter writes for: the period's owner that the reporter's unit carries today."""
    for unit in owner_units(item, period.submission_deadline):
        if unit.carrier_on(today).id == user.unit_id:
            return unit
    return user.unit


def item_history(item_id: int) -> list[StatusUpdate]:
    """Every version of every update of an item, newest period first (for history pages)."""
    return list(
        db.session.scalars(
            select(StatusUpdate)
            .join(ReportingPeriod, ReportingPeriod.id == StatusUpdate.period_id)
            .where(StatusUpdate.item_id == item_id)
            .options(selectinload(StatusUpdate.unit), selectinload(StatusUpdate.period),
                     selectinload(StatusUpdate.evidence), selectinload(StatusUpdate.author),
                     selectinload(StatusUpdate.submitted_by), selectinload(StatusUpdate.reviewed_by))
            .order_by(ReportingPeriod.year.desc(), ReportingPeriod.quarter.desc(), StatusUpdate.unit_id,
                      StatusUpdate.version.desc())
        )
    )


def other_periods_history(item_id: int, period_id: int) -> list[StatusUpdate]:
    """`item_history` without one period, as the update form's table shows it: unit and period
    only (no evidence, no people: the table names neither)."""
    return list(
        db.session.scalars(
            select(StatusUpdate)
            .join(ReportingPeriod, ReportingPeriod.id == StatusUpdate.period_id)
            .where(StatusUpdate.item_id == item_id, StatusUpdate.period_id != period_id)
            .options(selectinload(StatusUpdate.unit), selectinload(StatusUpdate.period))
            .order_by(ReportingPeriod.year.desc(), ReportingPeriod.quarter.desc(), StatusUpdate.unit_id,
                      StatusUpdate.version.desc())
        )
    )


def sample_item_ids(item_ids: list[int] | None = None, *, plan_id: int | None = None) -> set[int]:
    """Items whose current state comes from demo data (is_sample updates), to label "Dữ liệu mẫu".
    One query, whatever the number of items."""
    query = select(StatusUpdate.item_id).where(
        StatusUpdate.is_sample.is_(True), StatusUpdate.state == UpdateState.ACCEPTED.value
    ).distinct()
    if item_ids is not None:
        query = query.where(StatusUpdate.item_id.in_(item_ids))
    if plan_id is not None:
        query = query.join(PlanItem, PlanItem.id == StatusUpdate.item_id).where(PlanItem.plan_id == plan_id)
    return set(db.session.scalars(query))


def submitted_late(update: StatusUpdate) -> bool:
    """This version was submitted late (the rule of `periods.obligations.is_late`, the unit's
    exception counted; whether the unit's report counts as late is `Obligation.submitted_on_time`:
    its first submission)."""
    return is_late(update.submitted_at, update.period, update.unit_id)


def values_of(update: StatusUpdate) -> dict:
    return {name: getattr(update, name) for name in FIELDS}


def default_values(item: PlanItem, unit: Unit | None) -> dict:
    """What a new update's form starts from: the unit's last accepted report on the item, else the
    item's current state when the unit is its only owner, else nothing."""
    if unit is None:
        return _defaults_from(item, None)
    return default_values_for([(item, unit)])[(item.id, unit.id)]


def default_values_for(pairs: list[tuple[PlanItem, Unit]]) -> dict[tuple[int, int], dict]:
    """`default_values` for many (item, unit) pairs in one query: (item id, unit id) -> values."""
    previous: dict[tuple[int, int], StatusUpdate] = {}
    item_ids = {item.id for item, _ in pairs}
    unit_ids = {unit.id for _, unit in pairs}
    if pairs:
        accepted = db.session.scalars(
            select(StatusUpdate)
            .join(ReportingPeriod, ReportingPeriod.id == StatusUpdate.period_id)
            .where(StatusUpdate.item_id.in_(item_ids), StatusUpdate.unit_id.in_(unit_ids),
                   StatusUpdate.state == UpdateState.ACCEPTED.value)
            .order_by(ReportingPeriod.year.desc(), ReportingPeriod.quarter.desc(), StatusUpdate.version.desc())
        )
        for update in accepted:  # newest first: the first one seen per pair wins
            previous.setdefault((update.item_id, update.unit_id), update)
    return {(item.id, unit.id): _defaults_from(item, previous.get((item.id, unit.id))) for item, unit in pairs}


def _defaults_from(item: PlanItem, previous: StatusUpdate | None) -> dict:
    if previous is not None:
        values = values_of(previous)
        values.update(done_text="", difficulties="", proposals="")
        return values
    if len(item.owners) == 1 and item.owners[0].unit is not None:
        return {"status": item.status, "progress": item.progress, "achieved_value": item.achieved_value,
                "amount_committed": item.amount_committed, "amount_disbursed": item.amount_disbursed}
    return {"status": ItemStatus.NOT_STARTED.value, "progress": 0}
