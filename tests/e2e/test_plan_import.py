"""End to end in Chromium: a coordinator of Thừa Thiên Huế uploads plan 222 as its signed .docx,
maps the two unit names the province's list does not know yet, confirms, and sees the plan's
appendices as tracked items. Thanh Hóa is loaded beside it. Screenshots go to tests/artifacts/
(and to /tmp/onboard-shots when that folder exists).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.e2e.live import e2e_app, serving
from tests.e2e.test_update_cycle import CHROMIUM, CHROMIUM_ARGS, click_and_wait, flash, sign_in
from tests.factories import Factory
from tests.plans.docx_builder import plan_222
from tests.updates.world import make_user
from tracker.extensions import db
from tracker.plans.loader import load_paths
from tracker.plans.models import Plan, PlanItem
from tracker.units.models import Area, Unit

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
RENAMED = {"Sở Y tế": "Sở Y tế tỉnh", "Sở Du lịch": "Sở Du lịch tỉnh"}  # the names the .docx prints are unknown
SHOTS = Path("/tmp/onboard-shots")


@pytest.fixture
def live(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium chưa được cài (make browser-deps)")
    app = e2e_app(tmp_path)
    with app.app_context():
        db.create_all()
        units = ROOT / "seed_plans" / "units"
        load_paths([units / "thua-thien-hue.yaml", units / "thanh-hoa.yaml"])
        hue = db.session.scalar(select(Area).where(Area.code == "thua-thien-hue"))
        for old, new in RENAMED.items():
            unit = db.session.scalar(select(Unit).where(Unit.area_id == hue.id, Unit.name == old))
            unit.name = new
            unit.aliases.clear()
        khcn = db.session.scalar(select(Unit).where(Unit.area_id == hue.id, Unit.name == "Sở Khoa học và Công nghệ"))
        coordinator = make_user(Factory(db), "coordinator", khcn, "dieuphoi.hue@test.vn", "Điều phối Huế")
        data = {"coordinator": coordinator.email, "area": hue.id}
        db.session.commit()
        db.session.remove()
    with serving(app) as base:
        yield base, app, data


def test_coordinator_imports_the_signed_word_plan(live, tmp_path, artifacts_dir):
    from playwright.sync_api import sync_playwright

    base, app, data = live
    docx = plan_222(tmp_path / "222-KH-UBND ký số.docx")

    def shot(page, name):
        path = artifacts_dir / f"e2e-nhap-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if SHOTS.is_dir():
            shutil.copy(path, SHOTS / path.name)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
            sign_in(page, base, data["coordinator"])
            page.goto(f"{base}/ke-hoach")
            click_and_wait(page, lambda: page.get_by_role("link", name="Nhập kế hoạch").click())
            page.set_input_files("input[name=tep]", str(docx))
            shot(page, "1-tai-len")
            click_and_wait(page, lambda: page.get_by_role("button", name="Tải lên và xem trước").click())

            # The preview: the plan's header and appendices, two names not found, nothing to confirm yet.
            content = page.content()
            assert "222/KH-UBND" in content and "Tên đơn vị chưa có trong hệ thống" in content
            assert page.get_by_role("button", name="Xác nhận nạp").count() == 0
            shot(page, "2-xem-truoc-thieu-don-vi")
            selects = page.locator("select[name^=chon-]")
            names = [page.locator(f"input[name=ten-{i + 1}]").get_attribute("value") for i in range(selects.count())]
            assert sorted(set(names)) == sorted(RENAMED)
            for index, name in enumerate(names, start=1):
                page.select_option(f"select[name=chon-{index}]", label=f"{RENAMED[name]} (gần đúng)")
            click_and_wait(page, lambda: page.get_by_role("button", name="Ghi các đơn vị và kiểm tra lại").click())
            assert "Đã ghi" in flash(page)
            assert "Tên đơn vị chưa có trong hệ thống" not in page.content()
            assert page.locator('[data-action="created"]').inner_text() == "154"
            shot(page, "3-xem-truoc-hop-le")

            click_and_wait(page, lambda: page.get_by_role("button", name="Xác nhận nạp").click())
            assert "Đã nhập kế hoạch 222/KH-UBND" in flash(page)
            assert "/ke-hoach/" in page.url
            shot(page, "4-ke-hoach")
        finally:
            browser.close()

    with app.app_context():
        plan = db.session.scalar(select(Plan).where(Plan.number == "222/KH-UBND", Plan.area_id == data["area"]))
        assert db.session.scalar(select(func.count()).where(PlanItem.plan_id == plan.id)) == 154
        health = db.session.scalar(select(Unit).where(Unit.name == "Sở Y tế tỉnh"))
        assert "Sở Y tế" in [a.alias for a in health.aliases]
        db.session.remove()
