"""The aggregate pages' kept parts (tracker/core/fragments.py): a kept page equals a fresh build
after every change of the data (submit, return, accept, an item edited), a province never gets
another's, and a page served from the cache sends fewer queries, a number that does not grow with
the data."""
from __future__ import annotations

import re

import pytest

from tests.browsing import build_dataset, page_queries, recent_quarters
from tests.csrf import forget_request_state
from tests.notify.test_workflow_notices import _values
from tracker.core.fragments import FragmentCache
from tracker.core.time import today_local
from tracker.updates import services


def _page(client, url: str) -> str:
    """The page without its CSRF tokens (signed with the time: two requests' differ)."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", client.get(url).get_data(as_text=True))


def _kept_and_fresh(app, client, url: str) -> tuple[str, str]:
    kept_page = _page(client, url)
    app.config["PAGE_FRAGMENT_CACHE"] = False
    try:
        fresh = _page(client, url)
    finally:
        app.config["PAGE_FRAGMENT_CACHE"] = True
    return kept_page, fresh


def test_a_kept_page_follows_every_change_of_the_data(app, client, db, provinces, as_user, kept):
    hue, _thanh_hoa = provinces
    urls = ["/tong-quan", f"/ke-hoach/{hue.plan.id}", f"/ke-hoach/{hue.plan.id}?phu-luc=tat-ca", "/cho-duyet", "/bao-cao"]
    as_user(hue.coordinator)
    pages = {}
    for url in urls:
        first = _page(client, url)
        again, fresh = _kept_and_fresh(app, client, url)
        assert first == again == fresh
        pages[url] = fresh
    assert kept.hits >= len(urls)

    update = services.save_draft(hue.reporter, hue.project, hue.period, _values(hue.project, progress="70"),
                                 update_id=None, lock_version=None)
    services.submit(hue.reporter, update)
    db.session.commit()
    assert hue.project.text in _page(client, "/cho-duyet")
    services.return_update(hue.coordinator, update, "Thiếu biên bản.")
    db.session.commit()
    assert hue.project.text not in _page(client, "/cho-duyet")
    services.submit(hue.reporter, update)
    services.accept(hue.coordinator, update)
    db.session.commit()
    for url in urls:
        assert _kept_and_fresh(app, client, url)[0] == _kept_and_fresh(app, client, url)[1]
    hue.project.text = "Nền tảng số đã sửa tên"
    db.session.commit()
    for url in urls:
        page, fresh = _kept_and_fresh(app, client, url)
        assert page == fresh
    # A merger: Sở Tài chính's work now carried by Sở KH&CN (the plan's owners and the dashboard's grid).
    hue.finance.successor, hue.finance.succeeded_on, hue.finance.succession_type = hue.khcn, today_local(), "merged"
    db.session.commit()
    for url in urls:
        page, fresh = _kept_and_fresh(app, client, url)
        assert page == fresh
    assert "Nền tảng số đã sửa tên" in _page(client, f"/ke-hoach/{hue.plan.id}?phu-luc=tat-ca")
    assert _page(client, f"/ke-hoach/{hue.plan.id}?phu-luc=tat-ca") != pages[urls[2]]
    assert _page(client, "/tong-quan") != pages["/tong-quan"]


def test_each_province_gets_its_own_kept_pages(client, db, provinces, as_user, kept):
    hue, thanh_hoa = provinces
    as_user(thanh_hoa.coordinator)
    assert thanh_hoa.plan.title in client.get("/tong-quan").get_data(as_text=True)
    assert thanh_hoa.project.text in client.get(f"/ke-hoach/{thanh_hoa.plan.id}?phu-luc=tat-ca").get_data(as_text=True)
    as_user(hue.coordinator)
    dashboard = client.get("/tong-quan").get_data(as_text=True)
    assert hue.plan.title in dashboard and thanh_hoa.plan.title not in dashboard
    assert client.get(f"/ke-hoach/{thanh_hoa.plan.id}?phu-luc=tat-ca").status_code == 404
    page = client.get(f"/ke-hoach/{hue.plan.id}?phu-luc=tat-ca").get_data(as_text=True)
    assert hue.project.text in page and thanh_hoa.project.text not in page


def test_the_reports_index_is_kept_per_role_and_unit(client, provinces, as_user, kept):
    hue, thanh_hoa = provinces
    as_user(hue.coordinator)
    page = _page(client, "/bao-cao")
    assert "Dự thảo" in page and thanh_hoa.plan.area.name not in page
    as_user(hue.reporter)
    page = _page(client, "/bao-cao")
    assert f"Báo cáo của {hue.finance.name}" in page and "Dự thảo" not in page


def test_a_missing_tab_stays_a_404(client, provinces, as_user, kept):
    hue, _thanh_hoa = provinces
    as_user(hue.coordinator)
    assert client.get(f"/ke-hoach/{hue.plan.id}?phu-luc=99").status_code == 404
    assert client.get(f"/ke-hoach/{hue.plan.id}?phu-luc=99").status_code == 404


@pytest.mark.parametrize("page", ["/tong-quan?ke-hoach={plan}", "/ke-hoach/{plan}", "/ke-hoach/{plan}?phu-luc=tat-ca"])
def test_kept_pages_send_fewer_queries_whatever_the_data_size(app, client, db, factory, login, kept, page):
    today = today_local()
    periods = recent_quarters(factory, today)
    datasets = [build_dataset(db, factory, periods, size, today=today) for size in (3, 30)]
    people = [factory.user(role="coordinator", tenant=d["area"]) for d in datasets]
    db.session.commit()
    counts = []
    for data, user in zip(datasets, people):
        forget_request_state()
        with client.session_transaction() as session:
            session.clear()
        login(user)
        url = page.format(plan=data["plan"].id)
        app.config["PAGE_FRAGMENT_CACHE"] = False
        try:
            built = page_queries(client, db, url)
        finally:
            app.config["PAGE_FRAGMENT_CACHE"] = True
        kept_queries = page_queries(client, db, url)  # the warm-up request keeps it
        assert kept_queries < built, (kept_queries, built)
        counts.append(kept_queries)
    assert counts[0] == counts[1], counts


def test_the_cache_is_bounded_and_keeps_no_empty_part():
    cache = FragmentCache(max_entries=2)
    for key in "abc":
        cache.get_or_render(key, lambda key=key: key * 3)
    assert cache.get_or_render("a", lambda: "again") == "again"  # "a" fell off the end
    assert cache.get_or_render("c", lambda: "not called") == "ccc"
    assert cache.get_or_render("empty", lambda: "") == ""
    assert cache.get_or_render("empty", lambda: "now") == "now"
    assert cache.get_or_render(None, lambda: "x") == "x"


def test_a_kept_review_queue_carries_each_sessions_own_csrf_token(app, db, factory, provinces, kept, csrf_enabled):
    import re

    from tests.csrf import forget_request_state
    from tests.updates.world import make_user
    from tracker.core.fragments import CSRF_PLACEHOLDER

    hue, thanh_hoa = provinces
    update = services.save_draft(hue.reporter, hue.project, hue.period, _values(hue.project, progress="70"),
                                 update_id=None, lock_version=None)
    services.submit(hue.reporter, update)
    other = make_user(factory, "coordinator", hue.khcn, "dieuphoi2.hue@test.vn", "Điều phối 2")
    db.session.commit()

    def signed_in(user):
        client = app.test_client()
        forget_request_state()
        from tests.csrf import csrf_token

        token = csrf_token(client)
        assert client.post("/dang-nhap", data={"email": user.email, "password": "matkhau123",
                                               "csrf_token": token}).status_code == 302
        return client

    first, second = signed_in(hue.coordinator), signed_in(other)
    tokens = []
    for client in (first, second):
        forget_request_state()
        page = client.get("/cho-duyet").get_data(as_text=True)
        assert hue.project.text in page and thanh_hoa.project.text not in page and CSRF_PLACEHOLDER not in page
        tokens.append(re.search(r'name="csrf_token" value="([^"]+)"', page).group(1))
    assert kept.hits >= 1 and tokens[0] != tokens[1]
    forget_request_state()
    response = second.post(f"/cap-nhat/{update.id}/duyet", data={
        "csrf_token": tokens[1], "decision": "accept", "lock_version": update.lock_version, "next": "/cho-duyet"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(update), update.id).state == "accepted"
    forget_request_state()
    assert hue.project.text not in second.get("/cho-duyet").get_data(as_text=True)  # the change made a new key


def test_coordinators_of_two_units_of_a_province_share_the_kept_dashboard(client, db, factory, provinces, as_user,
                                                                           kept):
    from tests.updates.world import make_user

    hue, _thanh_hoa = provinces
    other = make_user(factory, "coordinator", hue.finance, "dieuphoi.taichinh.hue@test.vn", "Điều phối Sở Tài chính")
    db.session.commit()
    as_user(hue.coordinator)
    first = _page(client, "/tong-quan")
    misses = kept.misses
    as_user(other)
    second = _page(client, "/tong-quan")
    assert kept.misses == misses and hue.plan.title in second
    strip = re.compile(r'<nav.*?</nav>|<header.*?</header>', re.S)  # the menu names the user
    assert strip.sub("", first).count(hue.plan.title) == strip.sub("", second).count(hue.plan.title)
