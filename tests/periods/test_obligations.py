"""Who owes what: corrections and cancellations do not rewrite the past."""
from datetime import datetime, timezone

from tracker.periods.obligations import obligations_for_period
from tracker.updates.models import StatusUpdate


def _update(db, item, period, unit, version, state, submitted_at):
    update = StatusUpdate(item=item, period=period, unit=unit, version=version, state=state, status="in_progress",
                          progress=50, submitted_at=submitted_at)
    db.session.add(update)
    db.session.flush()
    return update


def test_a_late_correction_keeps_the_on_time_submission(db, factory):
    unit = factory.unit()
    item = factory.item(owner=unit)
    period = factory.period(2025, 3)  # deadline 18/09/2025
    on_time = datetime(2025, 9, 16, 3, tzinfo=timezone.utc)
    _update(db, item, period, unit, 1, "superseded", on_time)
    _update(db, item, period, unit, 2, "accepted", datetime(2025, 10, 20, 3, tzinfo=timezone.utc))
    _update(db, item, period, unit, 3, "draft", None)  # another correction under way
    [obligation] = obligations_for_period(period)
    assert obligation.state == "accepted" and obligation.is_submitted
    assert obligation.submitted_on_time is True


def test_a_cancelled_item_still_owes_the_periods_before_it_closed(db, factory):
    unit = factory.unit()
    item = factory.item(owner=unit, status="cancelled", last_update_at=datetime(2025, 8, 1, tzinfo=timezone.utc))
    q2 = factory.period(2025, 2)
    q3 = factory.period(2025, 3)  # data window 15/06–14/09/2025: the cancellation falls inside
    q4 = factory.period(2025, 4)
    assert [o.item for o in obligations_for_period(q2)] == [item]
    assert [o.item for o in obligations_for_period(q3)] == [item]
    assert obligations_for_period(q4) == []
