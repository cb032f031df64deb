"""Two provinces with a token each, an accepted report in Huế and an indicator link in each."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from tracker.api.tokens import create_token
from tracker.indicators.models import Framework, Indicator, ItemIndicatorLink
from tracker.updates import services
from tracker.updates.validation import validate_update


@dataclass
class ApiWorld:
    hue: object
    thanhhoa: object
    hue_secret: str
    thanhhoa_secret: str
    hue_token: object
    thanhhoa_token: object


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def accepted_report(province, status="late", progress=40):
    item = province.project
    raw = {"status": status, "progress": str(progress), "achieved_value": "", "amount_committed": "",
           "amount_disbursed": "", "done_text": f"Kết quả của {province.area.name}", "difficulties": "",
           "proposals": ""}
    values = validate_update(item, raw, budget=services.budget_of(item)).values
    update = services.save_draft(province.reporter, item, province.period, values, update_id=None, lock_version=None)
    services.submit(province.reporter, update)
    services.accept(province.coordinator, update)
    return update


def indicator_link(db, province, name: str):
    framework = Framework(name=name, level="province", year=2024, tenant_id=province.area.id)
    pillar = Indicator(framework=framework, code="1", key="1", name="Chính quyền số", max_points=100, position=1)
    indicator = Indicator(framework=framework, parent=pillar, code="1.1", key="1.1", name="Tỷ lệ văn bản ký số",
                          max_points=10, depth=1, position=2)
    db.session.add_all([framework, pillar, indicator])
    db.session.flush()
    link = ItemIndicatorLink(item_id=province.project.id, indicator_id=indicator.id, note=f"Liên kết {name}")
    db.session.add(link)
    db.session.flush()
    return link


@pytest.fixture
def api_world(db, provinces) -> ApiWorld:
    hue, thanhhoa = provinces
    accepted_report(hue, "late", 40)
    indicator_link(db, hue, "DTI thử nghiệm Huế")
    indicator_link(db, thanhhoa, "DTI thử nghiệm Thanh Hóa")
    hue_token, hue_secret = create_token(hue.area, "Hệ thống báo cáo tỉnh", actor=hue.admin)
    th_token, th_secret = create_token(thanhhoa.area, "Hệ thống báo cáo tỉnh", actor=thanhhoa.admin)
    db.session.commit()
    return ApiWorld(hue, thanhhoa, hue_secret, th_secret, hue_token, th_token)
