"""Runs matrix_reports.py against a scenario with the placeholders test_matrix.py provides."""
from __future__ import annotations

import pytest

from tests.permissions.matrix_reports import ROUTES


@pytest.fixture
def matrix_scenario(factory, db, updates):
    area = factory.area(name="Tỉnh Thừa Thiên Huế")
    unit_a, unit_b = factory.unit("Sở Tài chính", area=area), factory.unit("Sở Y tế", area=area)
    plan = factory.plan(area=area)
    item_own = factory.item(plan, "project", owner=unit_a)
    item_other = factory.item(plan, "project", owner=unit_b)
    period = factory.period(2025, 3)
    updates.add(item_own, period, unit_a, "in_progress", 50, state="submitted")
    updates.add(item_other, period, unit_b, "in_progress", 20, state="submitted")
    users = {
        "admin": factory.user("admin"),
        "coordinator": factory.user("coordinator", unit=factory.unit("Sở Khoa học và Công nghệ", area=area)),
        "viewer": factory.user("viewer", unit=factory.unit("Văn phòng UBND tỉnh", area=area)),
        "reporter_own": factory.user("reporter", unit=unit_a),
        "reporter_other": factory.user("reporter", unit=unit_b),
        # Above the areas: they belong to none.
        "national_viewer": factory.user("national_viewer"),
        "superadmin": factory.user("superadmin"),
    }
    return {"plan": plan.id, "item_own": item_own.id, "item_other": item_other.id, "unit_own": unit_a.id,
            "unit_other": unit_b.id, "period": period.code, "period_id": period.id, "users": users}


def test_every_report_endpoint_is_declared(app):
    declared = {(r.endpoint, r.method) for r in ROUTES}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("reports."):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (rule.endpoint, method) in declared, (rule.endpoint, method)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.endpoint}")
def test_report_route_permissions(route, matrix_scenario, client, login):
    scenario = dict(matrix_scenario)
    if route.setup is not None:
        scenario.update(route.setup(scenario))
    url = route.url.format(**scenario)
    data = route.data(scenario) if callable(route.data) else route.data
    for role, expected in route.expect.items():
        if role != "anonymous":
            login(scenario["users"][role])
        response = client.open(url, method=route.method, data=data)
        assert response.status_code == expected, (role, url, response.status_code)
        if role == "anonymous" and expected == 302:
            assert "/dang-nhap" in response.headers["Location"]
        if role != "anonymous":
            client.post("/dang-xuat")
