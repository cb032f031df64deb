"""Helpers for the browsing and administration tests: updates, links, query counting, datasets."""
from __future__ import annotations

import itertools
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import event

from tracker.indicators.models import Framework, Indicator, ItemIndicatorLink
from tracker.updates.models import StatusUpdate

_names = itertools.count(1)


def update(db, item, period, unit, *, state="submitted", status="in_progress", progress=50, version=1,
           submitted_on: date | None = None, author=None, **kwargs) -> StatusUpdate:
    """A status update; `submitted_on` (local date) defaults to the day before the deadline when submitted."""
    submitted_at = None
    if state in ("submitted", "accepted"):
        day = submitted_on or (period.submission_deadline - timedelta(days=1))
        submitted_at = datetime.combine(day, time(3, 0), tzinfo=timezone.utc)
    row = StatusUpdate(item=item, period=period, unit=unit, version=version, state=state, status=status,
                       progress=progress, submitted_at=submitted_at, author_id=getattr(author, "id", None),
                       submitted_by_id=getattr(author, "id", None) if submitted_at else None, **kwargs)
    db.session.add(row)
    db.session.flush()
    return row


def framework(db, name: str | None = None, indicators=(("1", "Chính quyền số", 100, None), ("1.1", "Văn bản ký số", 10, "1"))):
    """A framework with indicators given as (code, name, max points, parent code)."""
    fw = Framework(name=name or f"Bộ chỉ số thử {next(_names)}", level="province", year=2024)
    db.session.add(fw)
    by_code = {}
    for position, (code, label, points, parent) in enumerate(indicators):
        parent_obj = by_code.get(parent)
        ind = Indicator(framework=fw, parent=parent_obj, code=code, key=code, name=label, max_points=points,
                        depth=(parent_obj.depth + 1) if parent_obj else 0, position=position)
        db.session.add(ind)
        by_code[code] = ind
    db.session.flush()
    return fw, by_code


def link(db, item, indicator, note=None) -> ItemIndicatorLink:
    row = ItemIndicatorLink(item_id=item.id, indicator_id=indicator.id, note=note)
    db.session.add(row)
    db.session.flush()
    return row


@contextmanager
def count_queries(engine):
    """Collect the SQL statements sent through `engine` inside the block."""
    statements: list[str] = []

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


def build_dataset(db, factory, periods, size: int, *, today: date):
    """A plan with `size` units and 3 × `size` items (targets, projects in sections, budget lines),
    a group, a merged unit, coordinators, indicator links and one update per item and period (in the
    dataset's own province: the same quarters as `periods`, in its calendar)."""
    area = factory.area()
    periods = [factory.period(p.year, p.quarter, tenant=area) for p in periods]
    units = [factory.unit(area=area, short_name=f"ĐV{i}") for i in range(size)]
    successor = factory.unit(area=area, name=f"Sở Kế Thừa {next(_names)}")
    units[0].successor = successor
    units[0].succeeded_on = today - timedelta(days=400)
    units[0].succession_type = "merged"
    group = factory.group(f"Nhóm {next(_names)}", units[: max(2, size // 2)], area=area)
    plan = factory.plan(area=area)
    target_appendix = factory.appendix(plan, "target")
    project_appendix = factory.appendix(plan, "project")
    budget_appendix = factory.appendix(plan, "budget")
    section_a = factory.section(project_appendix, "A", "Phát triển hạ tầng")
    section_b = factory.section(project_appendix, "I", "Nhóm dự án", parent=section_a)
    budget_section = factory.section(budget_appendix, "A", "Kinh phí hạ tầng")
    fw, indicators = framework(db)
    statuses = ["not_started", "in_progress", "done", "late", "stalled"]
    items = []
    for i in range(size):
        owner = group if i % 3 == 2 else units[i % size]
        coordinators = [units[(i + 1) % size]] if size > 1 else []
        target = factory.item(plan, kind="target", owner=owner, coordinators=coordinators, target_year=2025,
                              target_value=100, measure_unit="%", target_text="100%")
        project = factory.item(plan, kind="project", owner=units[i % size], section=section_b if i % 2 else section_a,
                               start_year=2021, end_year=2024 + (i % 4), coordinators=coordinators)
        budget = factory.item(plan, kind="budget", owner=units[i % size], section=budget_section,
                              budget_state=1_000_000_000 * (i + 1), budget_other=None if i % 3 == 0 else 500_000_000,
                              budget_total=None if i % 3 == 0 else 1_000_000_000 * (i + 1) + 500_000_000,
                              funded_project_id=project.id)
        for item, status in ((target, statuses[i % 5]), (project, statuses[(i + 2) % 5])):
            item.status = status
            item.progress = 100 if status == "done" else 20 * (i % 5)
            if status == "done":
                item.completed_on = date(2024, 6, 30)
        project.amount_disbursed = 100_000_000 * i
        link(db, project, indicators["1.1"])
        items += [target, project, budget]
    db.session.flush()
    states = ["accepted", "submitted", "draft", "returned"]
    for p_index, period in enumerate(periods):
        for i, item in enumerate(items):
            if item.kind == "budget" or (i + p_index) % 6 == 5:
                continue
            owner_unit = item.owners[0].unit or item.owners[0].group.members[0].unit
            update(db, item, period, owner_unit.carrier_on(period.submission_deadline), state=states[i % 4],
                   status=item.status, progress=item.progress)
    return {"area": area, "plan": plan, "units": units, "successor": successor, "group": group,
            "framework": fw, "items": items, "periods": periods}


def recent_quarters(factory, today: date, count: int = 4, tenant=None) -> list:
    """The current reporting quarter and the ones before it, newest first (of `tenant`'s calendar)."""
    from tracker.periods.services import quarter_of

    year, quarter = quarter_of(today)
    periods = []
    for _ in range(count):
        periods.append(factory.period(year, quarter, tenant=tenant))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return periods


def page_queries(client, db, url: str) -> int:
    """The number of SQL statements one GET of `url` sends (after a warm-up request)."""
    assert client.get(url).status_code == 200
    db.session.expire_all()
    with count_queries(db.engine) as statements:
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return len(statements)
