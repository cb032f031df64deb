"""The dashboard's charts in Chromium: drawn without script (no CSP violation), readable at desktop
width and on a 390 px phone; screenshots saved as test artefacts."""
from __future__ import annotations

import pytest

from tests.e2e.test_update_cycle import CHROMIUM, CHROMIUM_ARGS, live, sign_in  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


def test_dashboard_charts_screenshots(live, artifacts_dir):
    from playwright.sync_api import sync_playwright

    base, app, data = live
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for width, name in ((1366, "tong-quan-bieu-do.png"), (390, "tong-quan-bieu-do-390.png")):
                page = browser.new_page(viewport={"width": width, "height": 900}, locale="vi-VN")
                violations: list[str] = []
                page.on("console", lambda message: violations.append(message.text)
                        if "Content Security Policy" in message.text else None)
                sign_in(page, base, data["coordinator"])
                page.goto(f"{base}/tong-quan?ke-hoach={data['plan']}")
                charts = page.locator("figure.chart-figure svg")
                assert charts.count() >= 3
                box = charts.first.bounding_box()
                assert 0 < box["width"] <= width  # scaled to the screen, never wider
                # No sideways scrolling on the phone.
                assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
                page.screenshot(path=str(artifacts_dir / name), full_page=True)
                assert not violations, violations
                page.close()
        finally:
            browser.close()


def test_plan_tables_become_cards_on_a_phone(live, artifacts_dir):
    from playwright.sync_api import sync_playwright

    base, app, data = live
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844}, locale="vi-VN")
            sign_in(page, base, data["coordinator"])
            page.goto(f"{base}/ke-hoach/{data['plan']}?phu-luc=tat-ca")
            assert page.evaluate("document.documentElement.scrollWidth") <= 391  # no sideways scrolling
            text = page.locator("table.items td.item-cell").first.bounding_box()
            assert text["width"] > 300  # "Nội dung" reads across the card (it was ~90 px)
            status = page.locator("table.items td.status-cell").first
            box = status.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and "Trạng thái" in status.evaluate(
                "cell => getComputedStyle(cell, '::before').content")
            page.screenshot(path=str(artifacts_dir / "ke-hoach-390.png"), full_page=False)
        finally:
            browser.close()
