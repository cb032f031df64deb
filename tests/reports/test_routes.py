"""The report pages, issuing and frozen versions, agency reports and the command line."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.reports.conftest import download, pdftotext
from tracker.queue.services import run_jobs
from tracker.reports.models import IssuedReport, ReportDraft

DRAFT = {"number": "125", "report_date": "2025-10-05", "signer_title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
         "signer_name": "Nguyễn Thị Hằng", "recipients": "Như trên;\nVăn phòng UBND tỉnh;\nLưu: VT, CĐS.",
         "summary": "Tiến độ chung đạt khá.", "proposals": "Đề nghị bổ sung vốn cho dự án IoT."}


def _url(scenario, suffix=""):
    return f"/bao-cao/{scenario.plan.id}/{scenario.q3.code}{suffix}"


def test_show_page_previews_the_report(scenario, factory, client, login):
    """The page renders no report: its frame shows the stored HTML render, made by the worker."""
    from tracker.queue.services import run_jobs

    login(factory.user("viewer"))
    response = client.get(_url(scenario))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'src="{_url(scenario, "/xem-truoc")}"' in html and "Bản xem trước" in html
    assert 'name="summary"' not in html  # the form is the coordinator's
    waiting = client.get(_url(scenario, "/xem-truoc"))
    assert waiting.status_code == 202 and 'http-equiv="refresh"' in waiting.get_data(as_text=True)
    assert waiting.headers["X-Frame-Options"] == "SAMEORIGIN" and "frame-ancestors 'self'" in \
        waiting.headers["Content-Security-Policy"]
    assert len(run_jobs()) == 1  # the page and its frame asked for the same render

    document = client.get(_url(scenario, "/xem-truoc"))
    text = document.get_data(as_text=True)
    assert document.status_code == 200 and document.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Các đơn vị chưa gửi báo cáo (1): Sở Y tế." in text
    assert "11.500.000.000" in text
    # The page lists, from the stored render, who sent nothing and each agency's own report.
    html = client.get(_url(scenario)).get_data(as_text=True)
    assert "Các đơn vị chưa gửi báo cáo kỳ này (1): Sở Y tế." in html
    assert f'/don-vi/{scenario.units["yte"].id}.pdf' in html and "data-job-status" not in html


def test_downloads_have_the_right_types(scenario, factory, client, login):
    login(factory.user("coordinator"))
    pdf = download(client, _url(scenario, ".pdf"))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    xlsx = download(client, _url(scenario, ".xlsx"))
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    load_workbook(io.BytesIO(xlsx.data))
    html = download(client, _url(scenario, ".html"))
    assert html.mimetype == "text/html" and "Kính gửi: Ủy ban nhân dân tỉnh Thừa Thiên Huế." in html.get_data(as_text=True)
    assert html.headers["Content-Type"] == "text/html; charset=utf-8"  # the charset once, not twice


def test_issued_version_is_frozen_while_data_moves_on(scenario, factory, updates, client, login, db, tmp_path):
    login(factory.user("coordinator"))
    response = client.post(_url(scenario, "/ban-hanh"), data=DRAFT)
    assert response.status_code == 302
    first = db.session.query(IssuedReport).one()
    assert first.version == 1 and first.number == "125"
    assert first.data["header"]["is_draft"] is False
    # The number and the snapshot at once; the files from the background worker.
    assert not first.files_ready and client.get(f"/bao-cao/da-ban-hanh/{first.id}.pdf").status_code == 202
    run_jobs()
    issued_pdf = client.get(f"/bao-cao/da-ban-hanh/{first.id}.pdf").data
    issued_xlsx = client.get(f"/bao-cao/da-ban-hanh/{first.id}.xlsx").data
    text = pdftotext(issued_pdf, tmp_path)
    assert "DỰ THẢO" not in text and "Số: 125/BC-SKHCN" in text and "Sở Y tế." in text

    # Sở Y tế reports late; the draft changes, the issued version does not.
    updates.add(scenario.items["p5"], scenario.q3, scenario.units["yte"], "in_progress", 35, version=2,
                state="accepted", committed=7_000_000)
    updates.add(scenario.items["d2"], scenario.q3, scenario.units["yte"], "done", 100, state="submitted")
    db.session.commit()
    draft_text = pdftotext(download(client, _url(scenario, ".pdf")).data, tmp_path)
    assert "Tất cả các đơn vị đã gửi báo cáo." in draft_text
    assert client.get(f"/bao-cao/da-ban-hanh/{first.id}.pdf").data == issued_pdf
    assert client.get(f"/bao-cao/da-ban-hanh/{first.id}.xlsx").data == issued_xlsx
    snapshot = client.get(f"/bao-cao/da-ban-hanh/{first.id}.json").get_json()
    assert snapshot["not_reported"] == ["Sở Y tế"]

    # A reissue is a new version; the first stays as it was.
    client.post(_url(scenario, "/ban-hanh"))
    run_jobs()
    versions = db.session.query(IssuedReport).order_by(IssuedReport.version).all()
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].data["not_reported"] == [] and versions[0].data["not_reported"] == ["Sở Y tế"]
    assert versions[0].pdf == issued_pdf


def test_coordinator_saves_the_draft(scenario, factory, client, login, db):
    login(factory.user("coordinator"))
    assert client.post(_url(scenario, "/du-thao"), data=DRAFT).status_code == 302
    draft = db.session.query(ReportDraft).one()
    assert (draft.number, draft.signer_name) == ("125", "Nguyễn Thị Hằng")
    page = client.get(_url(scenario)).get_data(as_text=True)
    assert "Tiến độ chung đạt khá." in page and 'name="summary"' in page
    document = download(client, _url(scenario, "/xem-truoc")).get_data(as_text=True)
    assert "Số: 125/BC-SKHCN" in document and "Tiến độ chung đạt khá." in document
    bad = client.post(_url(scenario, "/du-thao"), data={**DRAFT, "number": "x" * 65})
    assert bad.status_code == 400 and "Tối đa 64 ký tự." in bad.get_data(as_text=True)


def test_a_new_draft_audits_only_the_fields_filled_in(scenario, factory, client, login, db):
    from tracker.audit.models import AuditEntry

    login(factory.user("coordinator"))
    client.post(_url(scenario, "/du-thao"), data={"signer_name": "Nguyễn Thị Hằng"})
    entry = db.session.query(AuditEntry).filter_by(entity_type="report_draft").one()
    assert entry.changes == {"signer_name": ["", "Nguyễn Thị Hằng"]}


def test_report_date_is_typed_and_shown_as_dd_mm_yyyy(scenario, factory, client, login, db):
    """A text box in dd/mm/yyyy, not <input type=date> (shown in the browser's order, often mm/dd/yyyy)."""
    login(factory.user("coordinator"))
    assert client.post(_url(scenario, "/du-thao"), data={**DRAFT, "report_date": "05/10/2025"}).status_code == 302
    assert db.session.query(ReportDraft).one().report_date.isoformat() == "2025-10-05"
    page = client.get(_url(scenario)).get_data(as_text=True)
    assert 'name="report_date" placeholder="dd/mm/yyyy" type="text" value="05/10/2025"' in page
    bad = client.post(_url(scenario, "/du-thao"), data={**DRAFT, "report_date": "31/02/2025"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Ngày không hợp lệ (dd/mm/yyyy)." in html and 'value="31/02/2025"' in html
    assert "Not a valid" not in html


def test_unknown_plan_or_period_is_404(scenario, factory, client, login):
    login(factory.user("viewer"))
    assert client.get(f"/bao-cao/{scenario.plan.id}/2031-Q1").status_code == 404
    assert client.get(f"/bao-cao/999999/{scenario.q3.code}.pdf").status_code == 404
    assert client.get("/bao-cao/da-ban-hanh/999999.pdf").status_code == 404


def test_reporter_prints_its_own_unit_report(scenario, factory, client, login, tmp_path):
    yte = scenario.units["yte"]
    login(factory.user("reporter", unit=yte))
    response = download(client, _url(scenario, f"/don-vi/{yte.id}.pdf"))
    assert response.status_code == 200
    text = pdftotext(response.data, tmp_path)
    assert "SỞ Y TẾ" in text and "Kính gửi: Sở Khoa học và Công nghệ." in text
    assert "Bệnh án điện tử" in text and "Sàn thương mại điện tử tỉnh" not in text
    assert client.get(_url(scenario, f"/don-vi/{scenario.units['ct'].id}.pdf")).status_code == 403
    assert client.get(_url(scenario, ".pdf")).status_code == 403
    index = client.get("/bao-cao").get_data(as_text=True)
    assert f"/don-vi/{yte.id}.pdf" in index and "/ban-hanh" not in index


def test_reporter_lists_only_plans_of_its_province(scenario, factory, client, login):
    other = factory.plan(number="88/KH-UBND", area=factory.area(name="Huyện Triệu Sơn"))
    yte = scenario.units["yte"]
    login(factory.user("reporter", unit=yte))
    index = client.get("/bao-cao").get_data(as_text=True)
    assert f"/bao-cao/{scenario.plan.id}/" in index and f"/bao-cao/{other.id}/" not in index


def test_command_line_writes_each_format(scenario, runner, tmp_path):
    for fmt in ("pdf", "html", "xlsx"):
        out = tmp_path / f"bc.{fmt}"
        result = runner.invoke(args=["tracker", "report", "--plan", scenario.plan.number, "--period", "2025-Q3",
                                     "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 1000
        assert "Đơn vị chưa gửi báo cáo: Sở Y tế." in result.output
        size = out.stat().st_size
        assert f"{size // 1000}.{size % 1000:03d} byte" in result.output  # 121.287 byte, not 121,287
    assert "Sở Y tế" in pdftotext((tmp_path / "bc.pdf").read_bytes(), tmp_path)
    result = runner.invoke(args=["tracker", "report", "--plan", scenario.plan.number, "--period", "2025-Q3",
                                 "--unit", "Sở Y tế", "--out", str(tmp_path / "yte.pdf")])
    assert result.exit_code == 0 and "của Sở Y tế" in result.output
    bad = runner.invoke(args=["tracker", "report", "--plan", "0/KH-XX", "--period", "2025-Q3", "--out", "x.pdf"])
    assert bad.exit_code != 0 and "Không tìm thấy kế hoạch" in bad.output
