"""When each rule falls due (pure date arithmetic)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.reminders.models import Rule
from tracker.reminders.rules import (
    Schedule,
    escalation_occurrence,
    item_warning_occurrence,
    reporter_occurrence,
)

D = date(2025, 9, 18)
S = Schedule()


def day(offset: int) -> date:
    return D + timedelta(days=offset)


@pytest.mark.parametrize("offset, expected", [
    (-9, None), (-8, None),
    (-7, (Rule.BEFORE_DEADLINE, -7)), (-6, (Rule.BEFORE_DEADLINE, -7)), (-4, (Rule.BEFORE_DEADLINE, -7)),
    (-3, (Rule.BEFORE_DEADLINE, -3)), (-2, (Rule.BEFORE_DEADLINE, -3)),
    (-1, (Rule.BEFORE_DEADLINE, -1)),
    (0, (Rule.DUE_TODAY, 0)), (1, (Rule.DUE_TODAY, 0)), (2, (Rule.DUE_TODAY, 0)),
    (3, (Rule.OVERDUE, 3)), (5, (Rule.OVERDUE, 3)), (6, (Rule.OVERDUE, 6)), (90, (Rule.OVERDUE, 90)),
    (91, None),
])
def test_reporter_occurrence_is_the_latest_due_one(offset, expected):
    result = reporter_occurrence(D, day(offset), S)
    assert result == (None if expected is None else (expected[0], day(expected[1])))


@pytest.mark.parametrize("offset, expected", [(6, None), (7, 7), (9, 7), (10, 10), (13, 13), (14, 13)])
def test_escalation_from_the_seventh_day_every_three_days(offset, expected):
    result = escalation_occurrence(D, day(offset), S)
    assert result == (None if expected is None else (Rule.ESCALATION, day(expected)))


def test_item_warnings_once_per_period_with_the_first_reminder():
    assert item_warning_occurrence(D, day(-8), S) is None
    assert item_warning_occurrence(D, day(-7), S) == (Rule.ITEM_WARNING, day(-7))
    assert item_warning_occurrence(D, day(20), S) == (Rule.ITEM_WARNING, day(-7))


def test_schedule_from_config():
    schedule = Schedule.from_config({"REMINDER_DAYS_BEFORE": [1, 7, 3], "OVERDUE_EVERY_DAYS": 2,
                                     "ESCALATE_AFTER_DAYS": 5})
    assert schedule.before_days == (7, 3, 1) and schedule.first_reminder == 7
    assert reporter_occurrence(D, day(5), schedule) == (Rule.OVERDUE, day(4))
    assert escalation_occurrence(D, day(8), schedule) == (Rule.ESCALATION, day(7))
