"""The item page offers the update link exactly when the update route lets the user in: both ask
`tracker.updates.policy.can_write_update` on the same date, also around a unit merger."""
from datetime import timedelta

import pytest

from tests.browsing import recent_quarters
from tracker.core.time import today_local


@pytest.fixture
def merging(db, factory):
    """Sở A merges into Sở B tomorrow, before the current period's deadline: A owns the item today,
    B at the deadline (the date the item page used to ask at). A second province sees nothing."""
    today = today_local()
    area = factory.area()
    period = recent_quarters(factory, today, 1, tenant=area)[0]
    merged_on = today + timedelta(days=1)
    assert merged_on <= period.submission_deadline
    a, b = factory.unit("Sở A", area=area), factory.unit("Sở B", area=area)
    a.successor, a.succeeded_on, a.succession_type = b, merged_on, "merged"
    item = factory.item(factory.plan(area=area), kind="project", owner=a, start_year=today.year - 1,
                        end_year=today.year + 1)
    users = {"A": factory.user("reporter", unit=a), "B": factory.user("reporter", unit=b)}
    other = factory.area()
    users["other province"] = factory.user("reporter", unit=factory.unit("Sở A", area=other))
    db.session.commit()
    return item, period, users


@pytest.mark.parametrize("who, may", [("A", True), ("B", False), ("other province", False)])
def test_item_page_link_and_update_route_agree_after_a_merger(client, login, merging, who, may):
    item, period, users = merging
    login(users[who])
    edit_url = f"/cap-nhat/{item.id}/{period.code}"
    page = client.get(f"/hang-muc/{item.id}")
    route = client.get(edit_url)
    offered = page.status_code == 200 and edit_url in page.get_data(as_text=True)
    assert offered is may
    assert (route.status_code == 200) is may
    if not may:
        assert route.status_code in (403, 404)
