"""The national overview, the national viewer's drill-down, and query counts with ten areas instead of one."""
from __future__ import annotations

import pytest

from tests.browsing import build_dataset, page_queries, recent_quarters
from tests.csrf import forget_request_state
from tracker.core.time import today_local


@pytest.fixture
def sign_in(client, login):
    def _sign_in(user):
        forget_request_state()
        with client.session_transaction() as session:
            session.clear()
        login(user)

    return _sign_in


def test_overview_one_row_per_area_and_drilling_in_read_only(client, db, factory, provinces, sign_in):
    hue, thanh_hoa = provinces
    hue.project.status = "done"
    thanh_hoa.project.end_year = 2020  # overdue
    viewer = factory.user("national_viewer", email="quocgia@test.vn")
    db.session.commit()
    sign_in(viewer)
    assert client.get("/").headers["Location"].endswith("/toan-quoc")
    page = client.get("/toan-quoc")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Tỉnh Thừa Thiên Huế" in body and "Tỉnh Thanh Hóa" in body
    # Drill into Thanh Hóa: its pages only, still read-only.
    response = client.post("/toan-quoc/dia-ban", data={"area_id": str(thanh_hoa.area.id)})
    assert response.status_code == 302
    plans = client.get("/ke-hoach").get_data(as_text=True)
    assert thanh_hoa.plan.title in plans and hue.plan.title not in plans
    assert client.get(f"/ke-hoach/{hue.plan.id}").status_code == 404
    assert client.post(f"/hang-muc/{thanh_hoa.project.id}/sua", data={"text": "x"}).status_code == 403
    # Another area, then every area again.
    assert client.post("/toan-quoc/dia-ban", data={"area_id": str(hue.area.id)}).status_code == 302
    assert client.get(f"/ke-hoach/{hue.plan.id}").status_code == 200
    assert client.get(f"/ke-hoach/{thanh_hoa.plan.id}").status_code == 404
    assert client.post("/toan-quoc/dia-ban", data={"area_id": ""}).status_code == 302
    assert client.get(f"/ke-hoach/{thanh_hoa.plan.id}").status_code == 200
    # The overview still lists every area while one is chosen.
    client.post("/toan-quoc/dia-ban", data={"area_id": str(hue.area.id)})
    body = client.get("/toan-quoc").get_data(as_text=True)
    assert "Tỉnh Thanh Hóa" in body


def test_overview_figures(db, factory, provinces):
    from tracker.areas.overview import national_overview

    hue, thanh_hoa = provinces
    hue.project.status, hue.project.completed_on = "done", None
    thanh_hoa.project.end_year = 2020
    db.session.flush()
    rows = {row.area.id: row for row in national_overview(today_local())}
    assert (rows[hue.area.id].plans, rows[hue.area.id].items, rows[hue.area.id].done) == (1, 2, 1)
    assert rows[thanh_hoa.area.id].overdue == rows[hue.area.id].overdue + 1
    assert rows[hue.area.id].period.id == hue.period.id
    assert rows[hue.area.id].owed > 0 and rows[hue.area.id].sent == 0


def test_area_users_cannot_open_the_overview(client, db, provinces, sign_in):
    hue, _ = provinces
    db.session.commit()
    for user in (hue.admin, hue.coordinator, hue.viewer, hue.reporter):
        sign_in(user)
        assert client.get("/toan-quoc").status_code == 403
        assert client.post("/toan-quoc/dia-ban", data={"area_id": str(hue.area.id)}).status_code == 403


def _datasets(db, factory, count: int, today) -> list[dict]:
    made = []
    for _ in range(count):
        periods = recent_quarters(factory, today, tenant=factory.area())
        made.append(build_dataset(db, factory, periods, 3, today=today))
    db.session.commit()
    return made


def test_queries_stay_constant_with_ten_areas_instead_of_one(client, db, factory, sign_in):
    today = today_local()
    first = _datasets(db, factory, 1, today)[0]
    coordinator = factory.user("coordinator", tenant=first["area"])
    viewer = factory.user("national_viewer")
    db.session.commit()
    code = first["periods"][-1].code
    urls = (f"/tong-quan?ke-hoach={first['plan'].id}", f"/ke-hoach/{first['plan'].id}", "/ky-bao-cao",
            f"/ky-bao-cao/{code}", "/don-vi", "/cho-duyet")

    def measure():
        sign_in(coordinator)
        counts = {url: page_queries(client, db, url) for url in urls}
        sign_in(viewer)
        counts["/toan-quoc"] = page_queries(client, db, "/toan-quoc")
        return counts

    one = measure()
    _datasets(db, factory, 9, today)
    ten = measure()
    assert one == ten


def test_deadlines_name_the_areas_own_committee_on_the_date(app, db, provinces):
    from datetime import date

    from tracker.areas.models import AreaName
    from tracker.calendar.services import PeriodDates, consolidated_event

    hue, thanh_hoa = provinces
    hue.area.names.append(AreaName(valid_from=date(2025, 1, 1), name="Thành phố Huế", level="city"))
    db.session.flush()
    with app.test_request_context("/"):
        assert "lên UBND thành phố Huế" in consolidated_event(PeriodDates.of(hue.period)).summary
        assert "lên UBND tỉnh Thanh Hóa" in consolidated_event(PeriodDates.of(thanh_hoa.period)).summary
    assert hue.area.committee_on(date(2024, 12, 31)) == "UBND tỉnh Thừa Thiên Huế"
