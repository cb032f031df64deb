"""The pages work under their Content-Security-Policy in Chromium: no violation on the busiest
pages, confirmations still ask first (static/app.js), and an injected inline script is refused."""
from __future__ import annotations

import pytest

from tests.e2e.test_update_cycle import CHROMIUM, CHROMIUM_ARGS, live, sign_in  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser

INJECT = """() => new Promise(resolve => {
  document.addEventListener('securitypolicyviolation', event => resolve(event.effectiveDirective));
  const script = document.createElement('script');
  script.textContent = 'window.__injected = true';
  document.body.appendChild(script);
  setTimeout(() => resolve(window.__injected ? 'ran' : 'not run'), 1500);
})"""


def test_pages_run_under_the_content_security_policy(live, artifacts_dir):
    from playwright.sync_api import sync_playwright

    base, app, data = live
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
            violations: list[str] = []
            page.on("console", lambda message: violations.append(message.text)
                    if "Content Security Policy" in message.text else None)
            sign_in(page, base, data["coordinator"])
            for path in ("/tong-quan", f"/hang-muc/{data['project']}", f"/ke-hoach/{data['plan']}",
                         f"/cap-nhat/{data['project']}/{data['period']}", f"/ky-bao-cao/{data['period']}",
                         f"/bao-cao/{data['plan']}/{data['period']}", "/ho-so"):
                response = page.goto(base + path)
                assert response.status == 200, path
                assert response.headers["content-security-policy"].startswith("default-src 'self'")
                if path.startswith("/bao-cao/"):  # the preview frame: its own page (xem-truoc), framed by ours only
                    page.screenshot(path=str(artifacts_dir / "csp-bao-cao.png"), full_page=False)

            # A confirmation asks first; dismissed, nothing is sent.
            page.goto(f"{base}/ky-bao-cao/{data['period']}")
            dialogs: list[str] = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.get_by_role("button", name="Khóa kỳ báo cáo").click()
            page.wait_for_timeout(300)
            assert dialogs and dialogs[0].startswith("Khóa kỳ báo cáo?"), dialogs
            assert page.get_by_role("button", name="Khóa kỳ báo cáo").count() == 1  # still open

            assert not violations, violations
            assert page.evaluate(INJECT) == "script-src-elem"
        finally:
            browser.close()
