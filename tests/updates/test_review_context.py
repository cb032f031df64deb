"""The review queue gives context: the previous accepted progress beside the new one, and a
resubmission shows it was returned before and why."""
from datetime import date

from tests.notify.test_workflow_notices import _values
from tracker.periods.services import ensure_period
from tracker.updates import services


def test_previous_progress_and_earlier_returns(client, db, world, as_user):
    item = world.project
    earlier = ensure_period(2024, 4, world.area)
    earlier.submission_deadline = date(2024, 12, 20)
    old = services.save_draft(world.reporter, item, earlier, _values(item, progress="55"), update_id=None,
                              lock_version=None, today=date(2024, 12, 10))
    services.submit(world.reporter, old, today=date(2024, 12, 10))
    services.accept(world.coordinator, old, today=date(2024, 12, 12))
    new = services.save_draft(world.reporter, item, world.period, _values(item, progress="70"), update_id=None,
                              lock_version=None)
    services.submit(world.reporter, new)
    services.return_update(world.coordinator, new, "Thiếu biên bản nghiệm thu.")
    services.submit(world.reporter, new)
    db.session.commit()

    as_user(world.coordinator)
    html = client.get("/cho-duyet").get_data(as_text=True)
    assert "55 % → 70 %" in html
    assert "Gửi lại sau 1 lần bị trả lại." in html and "“Thiếu biên bản nghiệm thu.”" in html
