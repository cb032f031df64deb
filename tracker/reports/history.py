"""The report's figures over the last quarters (the progress chart): from the counted updates the
report already gathered, plus one query for the periods."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, or_, select

from tracker.extensions import db
from tracker.periods.models import ReportingPeriod
from tracker.plans.models import ItemStatus
from tracker.reports.data import ProgressPoint

HISTORY_PERIODS = 4
TRACKED_KINDS = ("target", "document", "project", "task")


def _key(period) -> tuple[int, int]:
    return (period.year, period.quarter)


def progress_history(period: ReportingPeriod, appendices, scope, history) -> list[ProgressPoint]:
    """Per appendix and per period (the report's and the three before it): the average progress of
    its items by the latest counted update of each carrying unit up to that period (a done report
    counts 100 %, an item never reported 0 %; cancelled items left out)."""
    periods = list(reversed(db.session.scalars(
        select(ReportingPeriod)
        .where(ReportingPeriod.tenant_id == period.tenant_id,
               or_(ReportingPeriod.year < period.year,
                   and_(ReportingPeriod.year == period.year, ReportingPeriod.quarter <= period.quarter)))
        .order_by(ReportingPeriod.year.desc(), ReportingPeriod.quarter.desc())
        .limit(HISTORY_PERIODS)
    ).all()))
    by_appendix: dict[int, list] = {}
    for item in scope:
        if item.kind in TRACKED_KINDS and item.status != ItemStatus.CANCELLED:
            by_appendix.setdefault(item.appendix_id, []).append(item)
    points = []
    for appendix in appendices:
        items = by_appendix.get(appendix.id)
        if not items:
            continue
        for shown in periods:
            total = Decimal(0)
            for item in items:
                values = []
                for entries in history.get(item.id, {}).values():
                    latest = None
                    for update, update_period in entries:  # in period order
                        if _key(update_period) <= _key(shown):
                            latest = 100 if update.status == ItemStatus.DONE else (update.progress or 0)
                    if latest is not None:
                        values.append(latest)
                if values:
                    total += Decimal(sum(values)) / len(values)
            average = (total / len(items)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            points.append(ProgressPoint(appendix.number, shown.label, int(average)))
    return points
