"""The browsing pages on the real seed documents (222/KH-UBND and the DTI frameworks)."""
import re

import pytest
from sqlalchemy import select

from tracker.indicators.models import Framework
from tracker.plans.models import Plan, PlanItem


@pytest.fixture
def viewer(factory, login, seeded):
    user = factory.user(role="viewer")
    login(user)
    return user


def test_seeded_plan_pages_render(client, db, viewer):
    plan = db.session.scalar(select(Plan).where(Plan.number == "222/KH-UBND"))
    html = client.get(f"/ke-hoach/{plan.id}?phu-luc=3").get_data(as_text=True)
    assert len(re.findall(r'<tr id="hm-\d+"', html)) == 56
    budget = client.get(f"/ke-hoach/{plan.id}?phu-luc=5").get_data(as_text=True)
    assert "2.732.000.000.000 đ" in budget
    for tab in ("1", "2", "4", "tat-ca"):
        assert client.get(f"/ke-hoach/{plan.id}?phu-luc={tab}").status_code == 200
    found = client.get(f"/ke-hoach/{plan.id}?phu-luc=tat-ca&q=chu+ky+so").get_data(as_text=True)
    assert "Chữ ký số" in found or "chữ ký số" in found


def test_seeded_item_names_the_document_owner_and_the_carrier(client, db, viewer):
    item = db.session.scalar(select(PlanItem).where(PlanItem.ref == "3/A/V/2"))
    html = " ".join(client.get(f"/hang-muc/{item.id}").get_data(as_text=True).split())
    assert "Sở Thông tin và Truyền thông" in html
    assert "Đơn vị đảm nhận hiện nay:" in html and "Sở Khoa học và Công nghệ" in html


def test_seeded_dashboard_units_and_frameworks_render(client, db, viewer):
    assert client.get("/tong-quan").status_code == 200
    assert client.get("/don-vi").status_code == 200
    for framework in db.session.scalars(select(Framework)):
        # National frameworks and the viewer's province's own open; another province's answer 404.
        mine = framework.tenant_id in (None, viewer.tenant_id)
        assert client.get(f"/bo-chi-so/{framework.id}").status_code == (200 if mine else 404), framework.name
