"""End to end in Chromium: a reporter submits an update with an evidence file, the coordinator returns
it, the reporter sends it again, the coordinator accepts it. Screenshots go to tests/artifacts/.

The app runs in a thread (werkzeug) on a free localhost port, against a temporary SQLite file, with
CSRF protection on, as in production. Chromium is Debian's (/usr/bin/chromium); nothing is downloaded.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.e2e.live import e2e_app, serving
from tests.factories import Factory
from tests.updates.world import PASSWORD, build_world
from tracker.extensions import db

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
EVIDENCE_NAME = "Biên bản nghiệm thu đợt 1 – Trung tâm dữ liệu.pdf"


@pytest.fixture
def live(tmp_path):
    """(base URL, app, ids of the test data) of a server running in a thread."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium chưa được cài (make browser-deps)")
    app = e2e_app(tmp_path)
    with app.app_context():
        db.create_all()
        world = build_world(Factory(db))
        data = {"project": world.project.id, "project_text": world.project.text, "plan": world.plan.id,
                "period": world.period.code, "reporter": world.reporter.email,
                "coordinator": world.coordinator.email}
        db.session.commit()
        db.session.remove()
    with serving(app) as base:
        yield base, app, data


def sign_in(page, base, email):
    page.goto(f"{base}/dang-nhap")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    click_and_wait(page, lambda: page.get_by_role("button", name="Đăng nhập").click())
    assert "/dang-nhap" not in page.url, page.content()[:500]


def click_and_wait(page, click):
    """Click something that submits a form or follows a link, and wait for the next page."""
    with page.expect_navigation():
        click()


def sign_out(page):
    click_and_wait(page, lambda: page.get_by_role("button", name="Đăng xuất").click())


def flash(page) -> str:
    return " ".join(page.locator(".flash").all_inner_texts())


def test_update_return_resubmit_accept_in_the_browser(live, tmp_path, artifacts_dir):
    from playwright.sync_api import sync_playwright

    base, app, data = live
    evidence = tmp_path / EVIDENCE_NAME
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    edit_url = f"{base}/cap-nhat/{data['project']}/{data['period']}"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")

            # The reporter finds the item in "Việc của tôi" and submits with an evidence file.
            sign_in(page, base, data["reporter"])
            page.goto(f"{base}/viec-cua-toi")
            assert "Hạn gửi báo cáo" in page.content()
            page.screenshot(path=str(artifacts_dir / "e2e-viec-cua-toi.png"), full_page=True)
            row_link = page.locator(f'.row-card h3 a[href="/cap-nhat/{data["project"]}/{data["period"]}"]')
            click_and_wait(page, row_link.click)
            assert page.url == edit_url
            page.select_option("select[name=status]", "in_progress")
            page.fill("input[name=progress]", "45")
            page.fill("input[name=amount_committed]", "1.200.000.000")
            page.fill("input[name=amount_disbursed]", "800.000.000")
            page.fill("textarea[name=done_text]", "Đã lắp đặt máy chủ và hệ thống lưu trữ giai đoạn 1.")
            page.fill("textarea[name=difficulties]", "Thiếu cán bộ vận hành có chứng chỉ.")
            page.fill("textarea[name=proposals]", "Đề nghị cử cán bộ đi đào tạo.")
            page.set_input_files("input[name=evidence]", str(evidence))
            click_and_wait(page, lambda: page.get_by_role("button", name="Gửi báo cáo").click())
            assert "Đã gửi báo cáo" in flash(page)
            assert EVIDENCE_NAME in page.content()
            page.screenshot(path=str(artifacts_dir / "e2e-cap-nhat-da-gui.png"), full_page=True)

            # The evidence downloads with its Vietnamese name.
            link = page.get_by_role("link", name=EVIDENCE_NAME).first.get_attribute("href")
            response = page.request.get(f"{base}{link}")
            assert response.status == 200
            assert "filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n" in response.headers["content-disposition"]
            sign_out(page)

            # The coordinator returns it with a reason.
            sign_in(page, base, data["coordinator"])
            page.goto(f"{base}/cho-duyet")
            assert data["project_text"] in page.content()
            page.screenshot(path=str(artifacts_dir / "e2e-cho-duyet.png"), full_page=True)
            page.fill("textarea[name=reason]", "Đề nghị bổ sung biên bản bàn giao thiết bị.")
            click_and_wait(page, lambda: page.get_by_role("button", name="Trả lại").click())
            assert "Đã trả lại báo cáo" in flash(page)
            sign_out(page)

            # The reporter sees the reason and sends again.
            sign_in(page, base, data["reporter"])
            page.goto(edit_url)
            assert "Đề nghị bổ sung biên bản bàn giao thiết bị." in page.content()
            page.fill("textarea[name=done_text]", "Đã lắp đặt máy chủ; bổ sung biên bản bàn giao thiết bị.")
            page.fill("input[name=progress]", "50")
            click_and_wait(page, lambda: page.get_by_role("button", name="Gửi báo cáo").click())
            assert "Đã gửi báo cáo" in flash(page)
            sign_out(page)

            # The coordinator accepts it.
            sign_in(page, base, data["coordinator"])
            page.goto(f"{base}/cho-duyet")
            click_and_wait(page, lambda: page.get_by_role("button", name="Chấp nhận").click())
            assert "Đã chấp nhận báo cáo" in flash(page)
            assert "Không có báo cáo nào đang chờ duyệt." in page.content()

            page.goto(edit_url)
            assert "Đã chấp nhận" in page.content()
            page.screenshot(path=str(artifacts_dir / "e2e-cap-nhat-da-chap-nhan.png"), full_page=True)
            page.goto(f"{base}/ky-bao-cao/{data['period']}")
            page.screenshot(path=str(artifacts_dir / "e2e-ky-bao-cao.png"), full_page=True)
            with app.app_context():
                pages = {"dashboard.index": "e2e-tong-quan.png", "plans.show": "e2e-ke-hoach.png"}
                urls = {}
                for endpoint, name in pages.items():
                    if endpoint in app.view_functions:
                        rule = next(app.url_map.iter_rules(endpoint))
                        urls[name] = rule.rule.replace("<int:plan_id>", str(data["plan"]))
            for name, path in urls.items():
                response = page.goto(f"{base}{path}")
                assert response.status == 200, path
                page.screenshot(path=str(artifacts_dir / name), full_page=True)
        finally:
            browser.close()

    from tracker.updates.models import Evidence, StatusUpdate

    with app.app_context():
        update = db.session.scalars(select(StatusUpdate)).one()
        assert (update.state, update.version, update.progress) == ("accepted", 1, 50)
        assert update.item.progress == 50 and update.item.amount_disbursed == 800_000_000
        files = db.session.scalars(select(Evidence)).all()
        assert [f.original_name for f in files] == [EVIDENCE_NAME]
        assert (Path(app.config["UPLOAD_DIR"]) / files[0].stored_name).is_file()
        db.session.remove()
    shutil.rmtree(tmp_path / "uploads", ignore_errors=True)
