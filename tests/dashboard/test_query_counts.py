"""The dashboard, plan, unit and item pages cost the same number of queries with N and 10 N rows."""
import pytest

from tests.browsing import build_dataset, page_queries, recent_quarters, update
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
def coordinator(factory, login):
    user = factory.user(role="coordinator")
    login(user)
    return user


def test_dashboard_queries_do_not_grow(client, db, datasets, coordinator):
    small, large, _ = datasets
    counts = [page_queries(client, db, f"/tong-quan?ke-hoach={d['plan'].id}") for d in (small, large)]
    assert counts[0] == counts[1], counts


def test_plan_page_queries_do_not_grow(client, db, datasets, coordinator):
    small, large, _ = datasets
    for suffix in ("", "?phu-luc=3", "?phu-luc=5", "?phu-luc=tat-ca&q=nhiem+vu&tien-do=overdue"):
        counts = [page_queries(client, db, f"/ke-hoach/{d['plan'].id}{suffix}") for d in (small, large)]
        assert counts[0] == counts[1], (suffix, counts)


def test_unit_pages_queries_do_not_grow(client, db, datasets, coordinator):
    small, large, _ = datasets
    counts = [page_queries(client, db, f"/don-vi?khu-vuc={d['area'].id}") for d in (small, large)]
    assert counts[0] == counts[1], counts
    # The successor carries a merged unit's items: the page with the most to load.
    for key in ("successor", "group"):
        if key == "group":
            pages = [f"/don-vi/{d['units'][1].id}" for d in (small, large)]
        else:
            pages = [f"/don-vi/{d['successor'].id}" for d in (small, large)]
        counts = [page_queries(client, db, url) for url in pages]
        assert counts[0] == counts[1], (key, counts)


def test_item_page_queries_do_not_grow(client, db, factory, datasets, coordinator):
    small, large, periods = datasets
    counts = []
    for dataset, versions in ((small, 2), (large, 20)):
        item = dataset["items"][1]
        unit = item.owners[0].unit
        for version in range(2, versions + 2):
            update(db, item, dataset["periods"][0], unit, state="superseded" if version <= versions else "submitted",
                   version=version, progress=version)
        db.session.commit()
        counts.append(page_queries(client, db, f"/hang-muc/{item.id}"))
    assert counts[0] == counts[1], counts


def test_indicator_page_queries_do_not_grow(client, db, datasets, coordinator):
    small, large, _ = datasets
    counts = [page_queries(client, db, f"/bo-chi-so/{d['framework'].id}") for d in (small, large)]
    assert counts[0] == counts[1], counts
