"""In Chromium, two browsers: the coordinator returns an update in one, and the reporter's page (in
the other, signed in all along) shows the notification with the reason on its next load."""
from __future__ import annotations

import pytest

from tests.e2e.test_update_cycle import CHROMIUM, CHROMIUM_ARGS, click_and_wait, flash, live, sign_in  # noqa: F401

pytestmark = pytest.mark.browser

REASON = "Đề nghị bổ sung biên bản bàn giao thiết bị."


def test_a_return_reaches_the_reporters_browser(live, artifacts_dir):  # noqa: F811
    from playwright.sync_api import sync_playwright

    base, app, data = live
    edit_url = f"{base}/cap-nhat/{data['project']}/{data['period']}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            reporter = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN").new_page()
            coordinator = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN").new_page()

            sign_in(reporter, base, data["reporter"])
            reporter.goto(edit_url)
            reporter.fill("input[name=progress]", "45")
            reporter.fill("textarea[name=done_text]", "Đã lắp đặt máy chủ giai đoạn 1.")
            click_and_wait(reporter, lambda: reporter.get_by_role("button", name="Gửi báo cáo").click())
            assert "Đã gửi báo cáo" in flash(reporter)
            assert reporter.locator("nav .badge").count() == 0

            # The coordinator is told of the submission, and returns it; an empty reason is refused
            # in Vietnamese before anything is sent.
            sign_in(coordinator, base, data["coordinator"])
            assert "1" in coordinator.locator("nav").inner_text()
            coordinator.goto(f"{base}/cho-duyet")
            coordinator.get_by_role("button", name="Trả lại").click()
            message = coordinator.locator("textarea[name=reason]").evaluate("el => el.validationMessage")
            assert message == "Vui lòng ghi lý do trả lại để đơn vị biết cần bổ sung, sửa gì."
            assert "/cho-duyet" in coordinator.url
            coordinator.fill("textarea[name=reason]", REASON)
            click_and_wait(coordinator, lambda: coordinator.get_by_role("button", name="Trả lại").click())
            assert "Đã trả lại báo cáo" in flash(coordinator)

            # The reporter's browser, signed in all along: the next page shows it.
            reporter.reload()
            nav = reporter.locator("nav").inner_text()
            assert "Thông báo" in nav and "1" in nav
            reporter.goto(f"{base}/thong-bao")
            content = reporter.content()
            assert "bị trả lại" in content and REASON in content
            reporter.screenshot(path=str(artifacts_dir / "e2e-thong-bao-tra-lai.png"), full_page=True)
        finally:
            browser.close()
