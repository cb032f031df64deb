"""A late-submission exception's last day is still open: the unit is reminded that day, not after."""
from datetime import date, datetime, timezone

from tests.reminders.test_recipients import planned


def test_the_last_day_of_an_exception_still_reminds(db, scenario):
    from tracker.periods.models import LateException

    scenario.period.closed_at = datetime(2025, 9, 25, 3, 0, tzinfo=timezone.utc)
    db.session.add(LateException(period=scenario.period, unit=scenario.units["Sở Y tế"], until=date(2025, 10, 10),
                                 reason="Chờ số liệu giải ngân"))
    db.session.commit()
    reminded = {email for email, _kind in planned(date(2025, 10, 10))}
    assert scenario.reporters["Sở Y tế"].email in reminded
    assert planned(date(2025, 10, 11)) == set()
