"""Boundaries the rest of the suite did not pin down: an item's start year, chained successions, a
literal "-" amount and "1.500" read the same by the update form and the plan loader."""
from datetime import date, timedelta

import pytest

from tracker.core.numbers import InputError, parse_vn_number
from tracker.periods.obligations import item_owes_in, owner_units
from tracker.updates.validation import parse_amount, parse_decimal


def test_an_item_owes_a_report_in_its_start_year(db, factory):
    area = factory.area()
    plan = factory.plan(area=area, period_start=2025, period_end=2030)
    period = factory.period(2025, 3, tenant=area)
    starts_now = factory.item(plan, kind="project", start_year=2025, end_year=2030)
    starts_next = factory.item(plan, kind="project", start_year=2026, end_year=2030)
    from_plan = factory.item(plan, kind="task")  # no year of its own: the plan's first year
    assert item_owes_in(starts_now, period)
    assert not item_owes_in(starts_next, period)
    assert item_owes_in(from_plan, period)
    assert not item_owes_in(from_plan, factory.period(2024, 4, tenant=area))


def test_chained_successions_are_followed_to_the_end(db, factory):
    area = factory.area()
    a, b, c = (factory.unit(name, area=area) for name in ("Sở A", "Sở B", "Sở C"))
    a.successor, a.succeeded_on, a.succession_type = b, date(2025, 3, 1), "merged"
    b.successor, b.succeeded_on, b.succession_type = c, date(2025, 7, 1), "merged"
    item = factory.item(factory.plan(area=area), kind="project", owner=a, start_year=2021, end_year=2030)
    db.session.flush()
    assert a.carrier_on(date(2025, 2, 28)) is a
    assert a.carrier_on(date(2025, 3, 1)) is b  # the succession day itself belongs to the successor
    assert a.carrier_on(date(2025, 6, 30)) is b
    assert a.carrier_on(date(2025, 7, 1)) is c  # A -> B -> C: both steps
    assert [u.name for u in owner_units(item, date(2025, 9, 30))] == ["Sở C"]
    assert [u.name for u in owner_units(item, date(2025, 7, 1) - timedelta(days=1))] == ["Sở B"]


def _loader_reads(kind: str, value):
    from tracker.plans.loader import _Loader
    from tracker.plans.sources import SourceDoc

    problems = []
    loader = _Loader(problems)
    doc = SourceDoc("ke-hoach.yaml", "plan", {})
    read = loader.money if kind == "money" else loader.decimal
    return read(doc, {}, "field", value), [p.message for p in problems]


def test_a_dash_amount_is_no_amount_fixed_in_the_form_and_the_loader(app):
    assert parse_amount("-") is None and parse_amount(" - ") is None
    assert _loader_reads("money", "-") == (None, [])
    with pytest.raises(InputError, match="không được âm"):
        parse_amount("-5")


@pytest.mark.parametrize("text, expected", [("1,5", "1.5"), ("1.234,5", "1234.5"), ("1.234.567", "1234567"), ("45.5", "45.5")])
def test_form_and_loader_read_numbers_the_same(app, text, expected):
    from decimal import Decimal

    assert parse_decimal(text) == parse_vn_number(text) == Decimal(expected)
    assert _loader_reads("decimal", text) == (Decimal(expected), [])


def test_one_point_five_hundred_is_read_the_same_by_form_and_loader(app):
    """ "1.500" could be 1500 or 1,5: neither the form nor the loader guesses."""
    with pytest.raises(InputError) as form_error:
        parse_decimal("1.500")
    value, problems = _loader_reads("decimal", "1.500")
    assert value is None and len(problems) == 1
    assert str(form_error.value) in problems[0] and "'1.500'" in problems[0]
