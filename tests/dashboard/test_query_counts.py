"""The dashboard, plan, unit and item pages cost the same number of queries with N and 10 N rows."""
import pytest

from tests.browsing import build_dataset, page_queries, recent_quarters, update
from tests.csrf import forget_request_state
from tracker.core.time import today_local


@pytest.fixture
def datasets(db, factory):
    today = today_local()
    periods = recent_quarters(factory, today)
    small = build_dataset(db, factory, periods, 3, today=today)
    large = build_dataset(db, factory, periods, 30, today=today)
    db.session.commit()
    return small, large, periods


@pytest.fixture
def coordinator_queries(client, db, factory, login, datasets):
    """queries(dataset, url): the statements of one page read by a coordinator of the dataset's
    own province, so that both sizes are read alike (the user's area is loaded either way)."""
    people = {id(d): factory.user(role="coordinator", tenant=d["area"]) for d in datasets[:2]}
    db.session.commit()

    def queries(dataset, url: str) -> int:
        forget_request_state()
        with client.session_transaction() as session:
            session.clear()  # the sign-in page sends a signed-in user away without signing in
        login(people[id(dataset)])
        return page_queries(client, db, url)

    return queries


def test_dashboard_queries_do_not_grow(client, db, datasets, coordinator_queries):
    small, large, _ = datasets
    counts = [coordinator_queries(d, f"/tong-quan?ke-hoach={d['plan'].id}") for d in (small, large)]
    assert counts[0] == counts[1], counts


def test_plan_page_queries_do_not_grow(client, db, datasets, coordinator_queries):
    small, large, _ = datasets
    for suffix in ("", "?phu-luc=3", "?phu-luc=5", "?phu-luc=tat-ca&q=nhiem+vu&tien-do=overdue"):
        counts = [coordinator_queries(d, f"/ke-hoach/{d['plan'].id}{suffix}") for d in (small, large)]
        assert counts[0] == counts[1], (suffix, counts)


def test_unit_pages_queries_do_not_grow(client, db, datasets, coordinator_queries):
    small, large, _ = datasets
    counts = [coordinator_queries(d, f"/don-vi?khu-vuc={d['area'].id}") for d in (small, large)]
    assert counts[0] == counts[1], counts
    # The successor carries a merged unit's items: the page with the most to load.
    for key in ("successor", "group"):
        unit = (lambda d: d["units"][1]) if key == "group" else (lambda d: d["successor"])
        counts = [coordinator_queries(d, f"/don-vi/{unit(d).id}") for d in (small, large)]
        assert counts[0] == counts[1], (key, counts)


def test_item_page_queries_do_not_grow(client, db, factory, datasets, coordinator_queries):
    small, large, periods = datasets
    counts = []
    for dataset, versions in ((small, 2), (large, 20)):
        item = dataset["items"][1]
        unit = item.owners[0].unit
        for version in range(2, versions + 2):
            update(db, item, dataset["periods"][0], unit, state="superseded" if version <= versions else "submitted",
                   version=version, progress=version)
        db.session.commit()
        counts.append(coordinator_queries(dataset, f"/hang-muc/{item.id}"))
    assert counts[0] == counts[1], counts


def test_indicator_page_queries_do_not_grow(client, db, datasets, coordinator_queries):
    small, large, _ = datasets
    counts = [coordinator_queries(d, f"/bo-chi-so/{d['framework'].id}") for d in (small, large)]
    assert counts[0] == counts[1], counts
