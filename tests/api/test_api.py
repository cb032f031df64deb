"""The read API: tokens scoped by area, revoked tokens refused, pagination, ETag/304, rate limit."""
from __future__ import annotations

import pytest

from tests.api.conftest import bearer
from tracker.api.models import ApiToken
from tracker.api.tokens import hash_token, revoke_token


def get(client, url, secret, **headers):
    return client.get(url, headers={**bearer(secret), **headers})


def test_a_token_reads_its_own_area_only(client, api_world):
    w = api_world
    plans = get(client, "/api/v1/plans", w.hue_secret).get_json()["data"]
    assert [p["id"] for p in plans] == [w.hue.plan.id]
    assert plans[0]["number_label"] == "222/KH-UBND" and plans[0]["area"]["code"] == "thua-thien-hue"
    items = get(client, "/api/v1/items", w.hue_secret).get_json()["data"]
    assert {i["id"] for i in items} == {w.hue.project.id, w.hue.target.id}
    body = get(client, "/api/v1/items", w.hue_secret).get_data(as_text=True)
    assert "Thanh Hóa" not in body
    links = get(client, "/api/v1/indicator-links", w.hue_secret).get_json()["data"]
    assert [link["note"] for link in links] == ["Liên kết DTI thử nghiệm Huế"]
    periods = get(client, "/api/v1/periods", w.thanhhoa_secret).get_json()["data"]
    assert [p["id"] for p in periods] == [w.thanhhoa.period.id]


@pytest.mark.parametrize("url", ["/api/v1/plans/{plan}", "/api/v1/items/{item}", "/api/v1/plans/{plan}/figures",
                                 "/api/v1/plans/{plan}/points-at-risk"])
def test_another_areas_object_is_not_found(client, api_world, url):
    w = api_world
    other = url.format(plan=w.thanhhoa.plan.id, item=w.thanhhoa.project.id)
    response = get(client, other, w.hue_secret)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert "Thanh Hóa" not in response.get_data(as_text=True)
    own = url.format(plan=w.hue.plan.id, item=w.hue.project.id)
    assert get(client, own, w.hue_secret).status_code == 200


def test_item_carries_owners_as_printed_and_state_of_the_accepted_report(client, api_world):
    w = api_world
    item = get(client, f"/api/v1/items/{w.hue.project.id}", w.hue_secret).get_json()
    assert item["owner_text"] == "Sở Tài chính"
    assert item["owners"][0]["name_as_written"] == "Sở Tài chính"
    assert [u["id"] for u in item["carried_by"]] == [w.hue.finance.id]
    assert (item["status"], item["status_label"], item["progress"]) == ("late", "Chậm tiến độ", 40)
    # filtered by status and by period (with each owing unit's report of the period)
    late = get(client, "/api/v1/items?status=late", w.hue_secret).get_json()["data"]
    assert [i["id"] for i in late] == [w.hue.project.id]
    owing = get(client, f"/api/v1/items?period={w.hue.period.code}", w.hue_secret).get_json()["data"]
    project = next(i for i in owing if i["id"] == w.hue.project.id)
    assert project["period_reports"][0]["state"] == "accepted"
    assert project["period_reports"][0]["accepted_progress"] == 40


def test_completeness_and_the_reports_figures(client, api_world):
    w = api_world
    code = w.hue.period.code
    grid = get(client, f"/api/v1/periods/{code}/completeness", w.hue_secret).get_json()
    finance = next(row for row in grid["units"] if row["unit"]["id"] == w.hue.finance.id)
    assert finance["owed"] == 1 and finance["states"]["accepted"] == 1 and finance["percent"] == 100.0
    figures = get(client, f"/api/v1/plans/{w.hue.plan.id}/figures?period={code}", w.hue_secret).get_json()
    assert figures["period"]["code"] == code and figures["plan"]["number_label"] == "222/KH-UBND"
    assert figures["projects"]["behind"] == 1 and figures["updates_used"] == 1
    assert figures["points_at_risk"] == "10"
    assert figures["indicators"][0]["code"] == "1.1"
    # this quarter's figures when no period is named
    assert get(client, f"/api/v1/plans/{w.hue.plan.id}/figures", w.hue_secret).get_json() == figures
    risk = get(client, f"/api/v1/plans/{w.hue.plan.id}/points-at-risk", w.hue_secret).get_json()
    assert risk["points_at_risk"] == "10" and risk["period"] == code
    # another area's period is unknown here
    assert get(client, "/api/v1/periods/1999-Q1/completeness", w.hue_secret).status_code == 404


def test_missing_wrong_and_revoked_tokens_are_refused(client, db, api_world):
    w = api_world
    assert client.get("/api/v1/plans").status_code == 401
    assert get(client, "/api/v1/plans", "trk_not-a-token").status_code == 401
    assert client.get("/api/v1/plans", headers={"Authorization": f"Basic {w.hue_secret}"}).status_code == 401
    assert get(client, "/api/v1/plans", w.hue_secret).status_code == 200
    revoke_token(w.hue_token, actor=w.hue.admin)
    db.session.commit()
    response = get(client, "/api/v1/plans", w.hue_secret)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "khóa" in response.get_json()["error"]["message"]
    assert get(client, "/api/v1/plans", w.thanhhoa_secret).status_code == 200


def test_only_the_hash_is_stored_and_no_session_cookie_is_set(client, db, api_world):
    w = api_world
    stored = db.session.get(ApiToken, w.hue_token.id)
    assert stored.token_hash == hash_token(w.hue_secret) and w.hue_secret not in (stored.prefix, stored.token_hash)
    response = get(client, "/api/v1/plans", w.hue_secret)
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


def test_pagination_by_cursor(client, factory, api_world):
    w = api_world
    for n in range(4):
        factory.item(w.hue.plan, owner=w.hue.finance, text=f"Hạng mục phân trang {n}")
    seen, cursor, pages = [], None, 0
    while True:
        url = "/api/v1/items?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = get(client, url, w.hue_secret).get_json()
        seen += [i["id"] for i in page["data"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == 6 and seen == sorted(set(seen))
    bad = get(client, "/api/v1/items?limit=0", w.hue_secret)
    assert bad.status_code == 400 and "limit" in bad.get_json()["error"]["message"]
    assert get(client, "/api/v1/items?cursor=abc", w.hue_secret).status_code == 400
    assert get(client, "/api/v1/items?status=xyz", w.hue_secret).status_code == 400


def test_etag_and_conditional_get(client, db, api_world):
    w = api_world
    url = f"/api/v1/items/{w.hue.project.id}"
    first = get(client, url, w.hue_secret)
    etag = first.headers["ETag"]
    again = get(client, url, w.hue_secret, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    w.hue.project.progress = 55
    db.session.commit()
    changed = get(client, url, w.hue_secret, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["progress"] == 55


def test_rate_limit_per_token(app, client, api_world):
    w = api_world
    app.config["API_RATE_LIMIT"] = 3
    try:
        answers = [get(client, "/api/v1/plans", w.hue_secret) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert [a.headers["X-RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
        refused = answers[-1]
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.get_json()["error"]["code"] == "rate_limited"
        # another token has its own window
        assert get(client, "/api/v1/plans", w.thanhhoa_secret).status_code == 200
    finally:
        app.config["API_RATE_LIMIT"] = 120


def test_unknown_api_urls_and_methods_answer_json(client, api_world):
    missing = client.get("/api/v1/nowhere", headers=bearer(api_world.hue_secret))
    assert missing.status_code == 404 and missing.get_json()["error"]["message"]
    assert client.post("/api/v1/plans", headers=bearer(api_world.hue_secret)).status_code == 405
    assert client.get("/api/v1/items/99999999999", headers=bearer(api_world.hue_secret)).status_code == 404


@pytest.mark.parametrize("url", ["/api/v1/items?limit=200", "/api/v1/items?limit=200&period={period}",
                                 "/api/v1/indicator-links", "/api/v1/periods"])
def test_queries_do_not_grow_with_the_items(client, db, factory, api_world, url):
    from tests.browsing import count_queries

    w = api_world
    url = url.format(period=w.hue.period.code)

    def queries() -> int:
        assert get(client, url, w.hue_secret).status_code == 200  # warm-up
        db.session.expire_all()
        with count_queries(db.engine) as statements:
            assert get(client, url, w.hue_secret).status_code == 200
        return len(statements)

    before = queries()
    for n in range(12):
        factory.item(w.hue.plan, owner=w.hue.khcn if n % 2 else w.hue.finance, coordinators=[w.hue.finance],
                     text=f"Hạng mục thêm {n}")
    db.session.commit()
    assert queries() == before


def test_an_item_names_its_owner_as_printed_and_the_unit_carrying_it_today(client, db, api_world):
    from datetime import timedelta

    from tracker.core.time import today_local

    w = api_world
    w.hue.finance.successor = w.hue.khcn  # Sở Tài chính merged into Sở KH&CN last month
    w.hue.finance.succeeded_on = today_local() - timedelta(days=30)
    w.hue.finance.succession_type = "merged"
    db.session.commit()
    item = get(client, f"/api/v1/items/{w.hue.project.id}", w.hue_secret).get_json()
    assert item["owner_text"] == "Sở Tài chính"
    assert [o["unit"]["id"] for o in item["owners"]] == [w.hue.finance.id]
    assert [u["name"] for u in item["carried_by"]] == ["Sở Khoa học và Công nghệ"]
    assert item["owners_ended"] == []
