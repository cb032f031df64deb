"""Who owes a quarterly update on what.

An obligation exists for each (unit, item, period) where the unit owns the item (a unit group
expands to its members, a merged unit's work goes to its successor) and the item is active in the
period: its year range, target year or deadline has started, and it was not done or cancelled
before the period began. Items past their end year that are still unfinished keep owing: they are
overdue, which is exactly when the province most needs the report.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.plans.listing import assignment_options
from tracker.periods.models import ReportingPeriod
from tracker.plans.models import ItemAssignment, ItemKind, ItemStatus, Plan, PlanItem
from tracker.units.models import Unit, UnitGroup, UnitGroupMember
from tracker.updates.models import StatusUpdate, UpdateState

# Budget lines are reported through the project they fund.
REPORTING_KINDS = (ItemKind.TARGET, ItemKind.DOCUMENT, ItemKind.PROJECT, ItemKind.TASK)


def is_late(submitted_at: datetime | None, period: ReportingPeriod, unit_id: int | None = None) -> bool:
    """The one rule of lateness: submitted after the period's deadline (local date; the deadline day
    itself is on time), unless a late-submission exception granted to `unit_id` covered that day
    (its last day included). Without `unit_id` only the deadline counts (the exceptions are read
    only for a submission after the deadline, so an on-time report costs no query)."""
    if submitted_at is None:
        return False
    from tracker.core.time import to_local

    day = to_local(submitted_at).date()
    if day <= period.submission_deadline:
        return False
    exception = late_exception(period, unit_id) if unit_id is not None else None
    return exception is None or not exception.covers(day)


def preload_exceptions(periods) -> None:
    """Read the late-submission exceptions of many periods in one query (`is_late` reads each
    period's, one lazy load per period otherwise)."""
    from sqlalchemy.orm import attributes

    from tracker.periods.models import LateException

    pending = [p for p in periods if "exceptions" not in attributes.instance_state(p).dict]
    if not pending:
        return
    found: dict[int, list] = {p.id: [] for p in pending}
    for exception in db.session.scalars(
            select(LateException).where(LateException.period_id.in_(sorted(found))).order_by(LateException.id)):
        found[exception.period_id].append(exception)
    for period in pending:
        attributes.set_committed_value(period, "exceptions", found[period.id])


def late_exception(period: ReportingPeriod, unit_id: int):
    """The late-submission exception granted to a unit for the period, if any (one per unit)."""
    return next((e for e in period.exceptions if e.unit_id == unit_id), None)


def within_exception(submitted_at: datetime | None, period: ReportingPeriod, unit_id: int) -> bool:
    """Submitted after the deadline but on time thanks to the unit's exception."""
    return (submitted_at is not None and is_late(submitted_at, period)
            and not is_late(submitted_at, period, unit_id))


def effective_state(latest_state: str | None, has_accepted: bool) -> str:
    """The state of a unit's report from its chain: the latest version's state, except that a
    correction under way (a draft or returned version after an accepted one) leaves it accepted.

    not_started | draft | submitted | returned | accepted."""
    if latest_state is None:
        return "not_started"
    if has_accepted and latest_state in (UpdateState.DRAFT.value, UpdateState.RETURNED.value):
        return UpdateState.ACCEPTED.value
    if latest_state == UpdateState.SUPERSEDED.value:  # not the latest in a sound chain; it was accepted
        return UpdateState.ACCEPTED.value
    return latest_state


def chain_submitted_at(state: str, first_submitted_at: datetime | None,
                       latest_submitted_at: datetime | None) -> datetime | None:
    """When the report counts as submitted: the FIRST submission of the chain (a later correction
    does not make an on-time report late); None while it is not submitted."""
    if state not in (UpdateState.SUBMITTED.value, UpdateState.ACCEPTED.value):
        return None
    return first_submitted_at or latest_submitted_at


@dataclass
class Chain:
    """What a list of versions of one (item, unit, period) report says, fed version by version
    (`add`, in any order): used wherever only a few columns are read instead of whole updates."""

    latest_version: int = 0
    latest_state: str | None = None
    latest_submitted_at: datetime | None = None
    has_accepted: bool = False
    first_submitted_at: datetime | None = None

    def add(self, version: int, state: str, submitted_at: datetime | None) -> None:
        if self.latest_state is None or version > self.latest_version:
            self.latest_version, self.latest_state, self.latest_submitted_at = version, state, submitted_at
        if state in (UpdateState.ACCEPTED.value, UpdateState.SUPERSEDED.value):
            self.has_accepted = True
        if submitted_at is not None and (self.first_submitted_at is None or submitted_at < self.first_submitted_at):
            self.first_submitted_at = submitted_at

    @property
    def state(self) -> str:
        return effective_state(self.latest_state, self.has_accepted)

    @property
    def submitted_at(self) -> datetime | None:
        return chain_submitted_at(self.state, self.first_submitted_at, self.latest_submitted_at)

    def late(self, period: ReportingPeriod, unit_id: int | None = None) -> bool:
        return is_late(self.submitted_at, period, unit_id)


@dataclass
class Obligation:
    unit: Unit
    item: PlanItem
    period: ReportingPeriod
    update: StatusUpdate | None  # the latest version of this unit's update, if any
    # The last accepted version: a correction under way (a newer draft) does not undo a submission.
    accepted: StatusUpdate | None = None
    # When the unit first submitted for this period: a later correction does not make it late.
    first_submitted_at: datetime | None = None

    @property
    def state(self) -> str:
        """not_started | draft | submitted | returned | accepted."""
        return effective_state(self.update.state if self.update is not None else None, self.accepted is not None)

    @property
    def is_submitted(self) -> bool:
        return self.state in (UpdateState.SUBMITTED, UpdateState.ACCEPTED)

    @property
    def submitted_at(self) -> datetime | None:
        return chain_submitted_at(self.state, self.first_submitted_at,
                                  self.update.submitted_at if self.update is not None else None)

    @property
    def submitted_on_time(self) -> bool | None:
        if self.submitted_at is None:
            return None
        return not is_late(self.submitted_at, self.period, self.unit.id)


def item_start_year(item: PlanItem) -> int | None:
    if item.start_year:
        return item.start_year
    return item.plan.period_start if item.plan is not None else None


def item_owes_in(item: PlanItem, period: ReportingPeriod) -> bool:
    if item.kind not in REPORTING_KINDS:
        return False
    start = item_start_year(item)
    if start is not None and period.year < start:
        return False
    if item.status in (ItemStatus.DONE, ItemStatus.CANCELLED):
        # A cancellation records no completion date: the acceptance that closed the item stands in,
        # so closing an item never erases the periods it did report in.
        finished = item.completed_on
        if finished is None and item.last_update_at is not None:
            from tracker.core.time import to_local

            finished = to_local(item.last_update_at).date()
        return finished is not None and finished >= period.data_start
    return True


def owner_units(item: PlanItem, on: date) -> list[Unit]:
    """The units that owe the item's report on a date (groups expanded, successions followed, a
    coordinator's reassignment applied); a unit that has ended owes nothing (see `ended_owners`)."""
    seen: dict[int, Unit] = {}
    reassigned = reassignments_on(item, on)
    for assignment in item.owners:
        for unit in assignment.units:
            carrier = carrier_of(unit, on, reassigned)
            if carrier is not None:
                seen.setdefault(carrier.id, carrier)
    return list(seen.values())


def reassignments_on(item, on: date) -> dict:
    """from unit id -> the unit a coordinator reassigned the item's part to, in force on `on`."""
    found: dict = {}
    for reassignment in getattr(item, "reassignments", None) or ():
        if reassignment.effective_on <= on:
            found[reassignment.from_unit_id] = reassignment.to_unit
    return found


def carrier_of(unit, on: date, reassigned: dict):
    """Who carries a named unit's part of an item on `on`, or None when nobody does (it ended)."""
    carrier = unit.carrier_on(on)
    for _ in range(8):  # a reassigned unit may itself have been merged, ended and reassigned
        target = reassigned.get(carrier.id) or reassigned.get(unit.id)
        if target is None or target.id == carrier.id:
            break
        unit, carrier = target, target.carrier_on(on)
    return None if carrier.ended_by(on) else carrier


def ended_owners(item, on: date) -> list:
    """The named owners whose work nobody carries on `on` (ended, not reassigned)."""
    reassigned = reassignments_on(item, on)
    seen: dict = {}
    for assignment in item.owners:
        for unit in assignment.units:
            if carrier_of(unit, on, reassigned) is None:
                carrier = unit.carrier_on(on)
                seen.setdefault(carrier.id, carrier)
    return list(seen.values())


def _may_be_owed_by(unit_ids: set[int]):
    """A superset, in SQL, of the items some of `unit_ids` may owe (a unit's reporter does not read
    the whole province's plan): an owner assignment naming one of them or a unit they carry by
    succession (directly or as a group member), or a reassignment to one of them. The exact rule
    (`owner_units`) is applied to what this finds."""
    from tracker.items.models import ItemReassignment

    related = set(unit_ids)
    successions = db.session.execute(select(Unit.id, Unit.successor_id).where(Unit.successor_id.is_not(None))).all()
    changed = True
    while changed:  # predecessors of predecessors: a unit merged into one that merged again
        changed = False
        for unit_id, successor_id in successions:
            if successor_id in related and unit_id not in related:
                related.add(unit_id)
                changed = True
    ids = sorted(related)
    # Three subqueries, each on an index (unit_id; group members joined by group_id; to_unit_id):
    # one OR inside a subquery made PostgreSQL scan every province's assignments.
    named = select(ItemAssignment.item_id).where(ItemAssignment.role == "owner", ItemAssignment.unit_id.in_(ids))
    in_group = (select(ItemAssignment.item_id)
                .join(UnitGroupMember, UnitGroupMember.group_id == ItemAssignment.group_id)
                .where(ItemAssignment.role == "owner", UnitGroupMember.unit_id.in_(ids)))
    reassigned = select(ItemReassignment.item_id).where(ItemReassignment.to_unit_id.in_(ids))
    return or_(PlanItem.id.in_(named), PlanItem.id.in_(in_group), PlanItem.id.in_(reassigned))


def obligations_for_period(
    period: ReportingPeriod, *, plan_id: int | None = None, unit_ids: set[int] | None = None
) -> list[Obligation]:
    """All obligations of a period, in a constant number of queries."""
    query = (
        select(PlanItem)
        .where(PlanItem.kind.in_([k.value for k in REPORTING_KINDS]))
        .options(
            selectinload(PlanItem.plan).selectinload(Plan.area),
            selectinload(PlanItem.appendix),
            *assignment_options(),
        )
        .order_by(PlanItem.plan_id, PlanItem.position)
    )
    if plan_id is not None:
        query = query.where(PlanItem.plan_id == plan_id)
    # A period belongs to one province's calendar: only that province's items owe it.
    query = query.where(PlanItem.tenant_id == period.tenant_id)
    if unit_ids is not None:
        query = query.where(_may_be_owed_by(unit_ids))
    items = [item for item in db.session.scalars(query) if item_owes_in(item, period)]

    latest: dict[tuple[int, int], StatusUpdate] = {}
    accepted: dict[tuple[int, int], StatusUpdate] = {}
    first_submitted: dict[tuple[int, int], datetime] = {}
    updates_query = select(StatusUpdate).where(StatusUpdate.period_id == period.id).order_by(StatusUpdate.version)
    if unit_ids is not None:  # only these units' reports are read below
        updates_query = updates_query.where(StatusUpdate.unit_id.in_(sorted(unit_ids)))
    updates = db.session.scalars(updates_query)
    for update in updates:
        key = (update.item_id, update.unit_id)
        latest[key] = update  # ordered by version: the last wins
        if update.state == UpdateState.ACCEPTED:
            accepted[key] = update
        if update.submitted_at is not None and (key not in first_submitted or update.submitted_at < first_submitted[key]):
            first_submitted[key] = update.submitted_at

    on = period.submission_deadline
    result = []
    for item in items:
        for unit in owner_units(item, on):
            if unit_ids is not None and unit.id not in unit_ids:
                continue
            key = (item.id, unit.id)
            result.append(Obligation(unit, item, period, latest.get(key), accepted.get(key), first_submitted.get(key)))
    return result
