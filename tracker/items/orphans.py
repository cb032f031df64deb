"""Items nobody carries any more: every unit the document named for them has ended (the district
level, 30/06/2025) and no coordinator has reassigned them yet. They are listed, as "không còn đơn
vị thực hiện", on the dashboard and in the coordinators' digest, never reminded to nobody."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.periods.obligations import REPORTING_KINDS, ended_owners, item_owes_in, owner_units
from tracker.plans.listing import assignment_options
from tracker.plans.models import ItemStatus, PlanItem

NO_CARRIER_LABEL = "không còn đơn vị thực hiện"
FINISHED = (ItemStatus.DONE.value, ItemStatus.CANCELLED.value)


@dataclass
class OrphanedItem:
    item: object  # PlanItem or a snapshot ItemView
    ended: list  # the named owners that ended, as units

    @property
    def ended_text(self) -> str:
        """"Phòng Văn hóa và Thông tin (kết thúc 30/06/2025)"."""
        return "; ".join(f"{u.name} (kết thúc {u.ended_on:%d/%m/%Y})" if u.ended_on else u.name for u in self.ended)

    @property
    def label(self) -> str:
        appendix = self.item.ref.split("/")[0]
        return f"{self.item.plan.number_label} · PL {appendix} › {self.item.display_code}"


def is_orphaned(item, on: date) -> bool:
    if item.kind not in REPORTING_KINDS or item.status in FINISHED or not item.owners:
        return False
    return not owner_units(item, on) and bool(ended_owners(item, on))


def orphaned(items, on: date) -> list[OrphanedItem]:
    """The open items among `items` whose work nobody carries on `on`."""
    return [OrphanedItem(item, ended_owners(item, on)) for item in items if is_orphaned(item, on)]


def orphaned_for_tenant(tenant_id: int, on: date, *, plan_id: int | None = None) -> list[OrphanedItem]:
    """A province's items without a carrier on a date (one plan's with `plan_id`), in a fixed number of queries."""
    query = (
        select(PlanItem)
        .where(PlanItem.tenant_id == tenant_id, PlanItem.kind.in_([k.value for k in REPORTING_KINDS]),
               PlanItem.status.not_in(FINISHED))
        .options(selectinload(PlanItem.plan), *assignment_options())
        .order_by(PlanItem.plan_id, PlanItem.position, PlanItem.id)
    )
    if plan_id is not None:
        query = query.where(PlanItem.plan_id == plan_id)
    return orphaned(db.session.scalars(query), on)


def orphaned_in_period(period) -> list[OrphanedItem]:
    """The period's items that would owe a report but have nobody to write it."""
    found = orphaned_for_tenant(period.tenant_id, period.submission_deadline)
    return [o for o in found if item_owes_in(o.item, period)]
