"""When each reminder rule falls due: pure date arithmetic, no database.

Every rule has a series of days around a period's submission deadline D (defaults from config):
before the deadline at D-7, D-3, D-1; on D; overdue at D+3, D+6, ...; escalation to the
coordinators at D+7, D+10, ...; item warnings once per period, with the first reminder (D-7).

A run on day T sends, for each rule, only the *latest* occurrence on or before T that nobody has
claimed yet. A daily run therefore sends each occurrence on its day, and a run after downtime sends
one catch-up notice covering what is owed now instead of one per missed day.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tracker.reminders.models import Rule


@dataclass(frozen=True)
class Schedule:
    before_days: tuple[int, ...] = (7, 3, 1)
    overdue_every: int = 3
    escalate_after: int = 7
    # Safety stop: a period nobody closed does not nag forever (coordinators close periods).
    overdue_max_days: int = 90

    @classmethod
    def from_config(cls, config) -> Schedule:
        before = tuple(sorted({int(d) for d in config.get("REMINDER_DAYS_BEFORE", (7, 3, 1)) if int(d) > 0},
                              reverse=True))
        return cls(
            before_days=before,
            overdue_every=max(1, int(config.get("OVERDUE_EVERY_DAYS", 3))),
            escalate_after=max(1, int(config.get("ESCALATE_AFTER_DAYS", 7))),
            overdue_max_days=int(config.get("OVERDUE_MAX_DAYS", 90)),
        )

    @property
    def first_reminder(self) -> int:
        """Days before the deadline of the first notice of a period (0 without before-reminders)."""
        return self.before_days[0] if self.before_days else 0

    def window(self, deadline: date) -> tuple[date, date]:
        """The days on which a period with this deadline can produce notices."""
        return deadline - timedelta(days=self.first_reminder), deadline + timedelta(days=self.overdue_max_days)


def reporter_occurrence(deadline: date, today: date, schedule: Schedule) -> tuple[Rule, date] | None:
    """The latest before/due/overdue occurrence on or before `today` (None before the first one)."""
    late = (today - deadline).days
    if late > schedule.overdue_max_days:
        return None
    if late < 0:
        days_left = -late
        reached = [d for d in schedule.before_days if d >= days_left]
        if not reached:
            return None
        nearest = min(reached)
        return Rule.BEFORE_DEADLINE, deadline - timedelta(days=nearest)
    if late < schedule.overdue_every:
        return Rule.DUE_TODAY, deadline
    steps = late // schedule.overdue_every
    return Rule.OVERDUE, deadline + timedelta(days=steps * schedule.overdue_every)


def escalation_occurrence(deadline: date, today: date, schedule: Schedule) -> tuple[Rule, date] | None:
    late = (today - deadline).days
    if late < schedule.escalate_after or late > schedule.overdue_max_days:
        return None
    steps = (late - schedule.escalate_after) // schedule.overdue_every
    return Rule.ESCALATION, deadline + timedelta(days=schedule.escalate_after + steps * schedule.overdue_every)


def item_warning_occurrence(deadline: date, today: date, schedule: Schedule) -> tuple[Rule, date] | None:
    """Item warnings go once per period, with its first reminder (or the first run after it)."""
    first = deadline - timedelta(days=schedule.first_reminder)
    if today < first or (today - deadline).days > schedule.overdue_max_days:
        return None
    return Rule.ITEM_WARNING, first
