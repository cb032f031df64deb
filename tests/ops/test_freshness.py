"""Conditional GET: a page whose province's data has not changed is answered 304, without being built."""
from __future__ import annotations

from tracker.plans.models import PlanItem


def _get(client, url, etag=None):
    return client.get(url, headers={"If-None-Match": etag} if etag else {})


def test_an_unchanged_page_is_not_built_again(provinces, client, login, db, monkeypatch):
    hue, thanh_hoa = provinces
    login(hue.coordinator)
    url = f"/ke-hoach/{hue.plan.id}"
    first = _get(client, url)
    etag = first.headers["ETag"].strip('"')
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache"

    import tracker.plans.routes as routes

    monkeypatch.setattr(routes, "render_template", lambda *a, **k: (_ for _ in ()).throw(AssertionError("built")))
    again = _get(client, url, etag)
    assert again.status_code == 304 and again.data == b""

    # Another province's change leaves this province's pages as they were...
    db.session.get(PlanItem, thanh_hoa.project.id).text = "Nền tảng số đã đổi tên"
    db.session.commit()
    assert _get(client, url, etag).status_code == 304
    # ...its own change does not.
    monkeypatch.undo()
    db.session.get(PlanItem, hue.project.id).text = "Nền tảng số của Huế, đổi tên"
    db.session.commit()
    changed = _get(client, url, etag)
    assert changed.status_code == 200
    assert changed.headers["ETag"].strip('"') != etag


def test_the_etag_is_the_users_own(provinces, client, login, as_user):
    hue, _ = provinces
    as_user(hue.coordinator)
    etag = _get(client, "/tong-quan").headers["ETag"].strip('"')
    as_user(hue.viewer)
    assert _get(client, "/tong-quan", etag).status_code == 200  # another user: built for them


def test_a_bulk_statement_changes_every_page(provinces, client, login, db):
    from sqlalchemy import update

    hue, _ = provinces
    login(hue.coordinator)
    etag = _get(client, "/tong-quan").headers["ETag"].strip('"')
    db.session.execute(update(PlanItem).where(PlanItem.id == hue.target.id).values(text="Chỉ tiêu đã sửa"))
    db.session.commit()
    assert _get(client, "/tong-quan", etag).status_code == 200


def test_a_page_with_a_message_is_not_tagged(provinces, client, login):
    hue, _ = provinces
    login(hue.coordinator)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Đã lưu.")]
    response = _get(client, "/tong-quan")
    assert "Đã lưu." in response.get_data(as_text=True) and "ETag" not in response.headers


def test_the_national_viewers_page_changes_with_the_area_chosen(provinces, client, login, factory, db):
    """Choosing an area writes nothing, yet the page is another area's: the tag must differ."""
    hue, thanh_hoa = provinces
    viewer = factory.user("national_viewer", email="quocgia.etag@test.vn")
    db.session.commit()
    login(viewer)
    client.post("/toan-quoc/dia-ban", data={"area_id": str(hue.area.id)})
    client.get("/ho-so")  # the chooser's message shown: the next page is tagged
    first = _get(client, "/ke-hoach")
    assert hue.plan.title in first.get_data(as_text=True)
    etag = first.headers["ETag"].strip('"')
    client.post("/toan-quoc/dia-ban", data={"area_id": str(thanh_hoa.area.id)})
    client.get("/ho-so")
    second = _get(client, "/ke-hoach", etag)
    assert second.status_code == 200
    body = second.get_data(as_text=True)
    assert thanh_hoa.plan.title in body and hue.plan.title not in body
