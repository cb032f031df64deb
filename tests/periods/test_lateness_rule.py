"""Lateness is one rule (`tracker.periods.obligations.is_late`): the report's agency table, the period
grid and the item page say the same of a unit, a late-submission exception counted; the deadline day
and the last day of an exception are on time."""
from datetime import timedelta

from tests.browsing import update
from tracker.items.services import item_page
from tracker.periods.completeness import unit_grid
from tracker.periods.models import LateException
from tracker.periods.obligations import is_late, obligations_for_period
from tracker.reports.services import ReportOptions, gather_report_data


def test_lateness_of_a_unit_is_equal_in_report_grid_and_item_page(db, factory, provinces):
    area = factory.area()
    period = factory.period(2025, 3, tenant=area)
    other_period = factory.period(2025, 3, tenant=factory.area())  # a second province: nothing leaks
    plan = factory.plan(area=area, period_start=2021, period_end=2025)
    deadline = period.submission_deadline
    cases = {  # unit name -> (day submitted, exception until, late?)
        "Sở Hạn Đúng Ngày": (deadline, None, False),
        "Sở Gia Hạn Ngày Cuối": (deadline + timedelta(days=5), deadline + timedelta(days=5), False),
        "Sở Quá Gia Hạn": (deadline + timedelta(days=6), deadline + timedelta(days=5), True),
        "Sở Muộn Một Ngày": (deadline + timedelta(days=1), None, True),
    }
    items, units = {}, {}
    for name, (day, until, _late) in cases.items():
        unit = units[name] = factory.unit(name, area=area)
        item = items[name] = factory.item(plan, kind="project", owner=unit, start_year=2021, end_year=2025)
        update(db, item, period, unit, state="accepted", submitted_on=day)
        if until is not None:
            db.session.add(LateException(period=period, unit=unit, until=until, reason="Thiếu cán bộ"))
    db.session.commit()
    db.session.expire_all()
    expected = {name: late for name, (_d, _u, late) in cases.items()}

    obligations = {o.unit.name: o for o in obligations_for_period(period, plan_id=plan.id)}
    assert {name: o.submitted_on_time is False for name, o in obligations.items()} == expected
    assert obligations_for_period(other_period) == []

    report = gather_report_data(plan, period, options=ReportOptions())
    agencies = {row.name: row for row in report.agencies}
    assert {name: (row.on_time, row.late) for name, row in agencies.items()} == {
        name: (0, 1) if late else (1, 0) for name, late in expected.items()}
    assert agencies["Sở Gia Hạn Ngày Cuối"].note.startswith("Được gia hạn đến")
    assert agencies["Sở Hạn Đúng Ngày"].note == ""

    rows, total = unit_grid(period, deadline)
    assert {row.unit.name: row.tally.late == 1 for row in rows} == expected
    assert total.late == 2

    for name, item in items.items():
        page = item_page(item)
        versions = [v for h in page.history for chain in h.chains.values() for v in chain]
        assert [v.submitted_late for v in versions] == [expected[name]], name


def test_is_late_boundaries(db, factory):
    from datetime import datetime, time, timezone

    area = factory.area()
    period = factory.period(2025, 3, tenant=area)
    unit = factory.unit(area=area)
    deadline = period.submission_deadline
    at = lambda day: datetime.combine(day, time(16, 59), tzinfo=timezone.utc)  # 23:59 in Huế, Hà Nội
    assert not is_late(at(deadline), period, unit.id)
    assert is_late(at(deadline + timedelta(days=1)), period, unit.id)
    db.session.add(LateException(period=period, unit=unit, until=deadline + timedelta(days=3), reason="x"))
    db.session.flush()
    db.session.refresh(period)
    assert not is_late(at(deadline + timedelta(days=3)), period, unit.id)
    assert is_late(at(deadline + timedelta(days=4)), period, unit.id)
    assert is_late(at(deadline + timedelta(days=3)), period)  # without the unit only the deadline counts
    assert not is_late(None, period, unit.id)
