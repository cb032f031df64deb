"""End to end in Chromium: a coordinator starts the DTI self-assessment, Sở Tài chính's reporter fills
its input from "Việc của tôi" with an evidence file, the coordinator accepts it and downloads the form.
Screenshots go to tests/artifacts/."""
from __future__ import annotations

import io
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from werkzeug.serving import make_server

from config import TestConfig
from tests.e2e.test_update_cycle import CHROMIUM, CHROMIUM_ARGS, click_and_wait, flash, sign_in, sign_out
from tests.factories import Factory
from tests.provinces import build_two_provinces
from tracker import create_app
from tracker.core.time import today_local
from tracker.extensions import db

pytestmark = pytest.mark.browser
SEEDS = Path(__file__).resolve().parents[2] / "seed_plans"


@pytest.fixture
def live(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium chưa được cài (make browser-deps)")
    config = type("E2EConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e2e.sqlite3'}", "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SERVER_NAME": None, "WTF_CSRF_ENABLED": True, "UPLOAD_DIR": str(tmp_path / "uploads"),
    })
    app = create_app(config)
    with app.app_context():
        from tracker.plans.loader import load_paths

        db.create_all()
        load_paths([SEEDS / "units" / "dong-nai.yaml", SEEDS / "frameworks" / "dti-cap-tinh-2024.yaml"])
        hue, _ = build_two_provinces(Factory(db))
        data = {"coordinator": hue.coordinator.email, "reporter": hue.reporter.email}
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", data, app
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_campaign_in_the_browser(live, tmp_path, artifacts_dir):
    from playwright.sync_api import sync_playwright

    base, data, app = live
    evidence = tmp_path / "Nghị quyết giảm phí, lệ phí.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
            sign_in(page, base, data["coordinator"])
            click_and_wait(page, lambda: page.get_by_role("link", name="Tự đánh giá chỉ số DTI", exact=False).click())
            page.fill("input[name=year]", "2026")
            page.fill("input[name=deadline]", (today_local() + timedelta(days=20)).strftime("%d/%m/%Y"))
            click_and_wait(page, lambda: page.get_by_role("button", name="Khởi động").click())
            assert "Đã khởi động Tự đánh giá DTI cấp tỉnh 2024 – năm 2026" in flash(page)
            campaign_url = page.url
            page.screenshot(path=str(artifacts_dir / "e2e-dti-dot-tu-danh-gia.png"), full_page=True)
            sign_out(page)

            sign_in(page, base, data["reporter"])
            page.goto(f"{base}/viec-cua-toi")
            section = page.locator("section[aria-labelledby=tu-danh-gia-dti]")
            assert "Số liệu tự đánh giá DTI" in section.inner_text()
            click_and_wait(page, lambda: section.get_by_role("link", name="2.4", exact=True).click())
            page.select_option("#v_giam_phi", "có")
            page.select_option("#v_giam_thoi_gian", "không")
            page.set_input_files("input[name=evidence]", str(evidence))
            click_and_wait(page, lambda: page.get_by_role("button", name="Gửi số liệu").click())
            assert "Đã gửi số liệu" in flash(page) and evidence.name in page.content()
            page.screenshot(path=str(artifacts_dir / "e2e-dti-so-lieu-da-gui.png"), full_page=True)
            input_url = page.url
            sign_out(page)

            sign_in(page, base, data["coordinator"])
            page.goto(input_url)
            click_and_wait(page, lambda: page.get_by_role("button", name="Chấp nhận").click())
            assert "Đã chấp nhận số liệu" in flash(page)
            page.goto(campaign_url)
            assert "Điểm tự đánh giá: 10 / 1.000 điểm" in page.content()
            page.screenshot(path=str(artifacts_dir / "e2e-dti-diem.png"), full_page=False)
            href = page.get_by_role("link", name="Tải phiếu tự đánh giá (Excel)").get_attribute("href")
            # The form is made by the background worker: the link answers at once with a waiting page,
            # the worker (run here in the test's process) renders it, and the same link gives the file.
            response = page.request.get(base + href)
            assert response.status == 202 and "Đang" in response.text()
            with app.app_context():
                from tracker.queue.services import run_jobs

                assert [outcome for _, outcome in run_jobs()] == ["done"]
                db.session.remove()
            response = page.request.get(base + href)
            assert response.status == 200
            rows = list(load_workbook(io.BytesIO(response.body()))["Phiếu tự đánh giá"].iter_rows(values_only=True))
            two_four = next(r for r in rows if r[0] == "2.4")
            assert two_four[4] == 10 and "Đã nộp: Nghị quyết giảm phí, lệ phí.pdf" in two_four[6]
        finally:
            browser.close()
