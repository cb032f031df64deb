"""A whole DTI self-assessment campaign: start, providers submit with evidence, one is returned and
resubmitted, the score appears, the form reads back; who may see and enter what."""
from __future__ import annotations

import io
import re
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.reports.conftest import download
from tests.updates.world import make_user
from tracker.audit.models import AuditEntry
from tracker.core.time import today_local, utcnow
from tracker.campaigns.models import Campaign, CampaignInput
from tracker.indicators.models import Indicator, ItemIndicatorLink
from tracker.updates.models import StatusUpdate

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def deadline_text(days: int = 30) -> str:
    return (today_local() + timedelta(days=days)).strftime("%d/%m/%Y")


def start(client, as_user, province, framework, year: int = 2026):
    as_user(province.coordinator)
    response = client.post("/tu-danh-gia", data={"framework_id": framework.id, "year": year,
                                                 "deadline": deadline_text()})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return Campaign.query.filter_by(tenant_id=province.area.id, year=year).one()


def input_of(campaign, key: str, unit=None) -> CampaignInput:
    rows = [i for i in campaign.inputs if i.key == key and (unit is None or i.unit_id == getattr(unit, "id", unit))]
    assert len(rows) == 1, [(i.key, i.provider_text, i.unit_id) for i in campaign.inputs if i.key == key]
    return rows[0]


def post_input(client, item, action="save", files=(), **values):
    data = {f"v_{k}": v for k, v in values.items()} | {"action": action, "lock_version": item.lock_version}
    if files:
        data["evidence"] = [(io.BytesIO(body), name) for name, body in files]
    return client.post(f"/tu-danh-gia/so-lieu/{item.id}", data=data, content_type="multipart/form-data")


@pytest.fixture
def khcn_reporter(factory, provinces):
    return make_user(factory, "reporter", provinces[0].khcn, "baocao.khcn.hue@test.vn", "Báo cáo Sở KH&CN Huế")


def test_a_whole_campaign(client, as_user, db, provinces, dti_framework, khcn_reporter, tmp_path, app):
    hue, _ = provinces
    app.config["UPLOAD_DIR"] = str(tmp_path)
    campaign = start(client, as_user, hue, dti_framework)
    assert campaign.framework_id == dti_framework.id and campaign.state == "open"
    # Each input is owed by the unit the framework names, found among the province's own units.
    one_one = input_of(campaign, "1.1")
    two_four = input_of(campaign, "2.4")
    three_one_a = input_of(campaign, "3.1", hue.khcn)
    three_one_b = next(i for i in campaign.inputs if i.key == "3.1" and i.unit_id is None)
    assert (one_one.unit, one_one.fields) == (hue.khcn, ["answer"])
    assert (two_four.unit, two_four.fields) == (hue.finance, ["giam_phi", "giam_thoi_gian"])
    assert three_one_a.fields == ["a"] and (three_one_b.fields, three_one_b.provider_text) == (["b"], "Sở Nội vụ")
    assert any(a.action == "start_campaign" for a in AuditEntry.query.all())

    # Sở Tài chính: values and evidence, submitted.
    as_user(hue.reporter)
    work = client.get("/viec-cua-toi").get_data(as_text=True)
    assert "Số liệu tự đánh giá DTI" in work and f"/tu-danh-gia/so-lieu/{two_four.id}" in work
    assert f"/tu-danh-gia/so-lieu/{one_one.id}\"" not in work
    response = post_input(client, two_four, "submit", files=[("Nghị quyết giảm phí.pdf", PDF)],
                          giam_phi="có", giam_thoi_gian="không")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert two_four.state == "submitted" and [e.original_name for e in two_four.evidence] == ["Nghị quyết giảm phí.pdf"]

    # Sở KH&CN: 1.1 and its share of 3.1; a submission without evidence is refused and keeps the values.
    as_user(khcn_reporter)
    refused = post_input(client, one_one, "submit", answer="có")
    assert refused.status_code == 422 and "tài liệu kiểm chứng" in refused.get_data(as_text=True)
    db.session.refresh(one_one)
    assert one_one.state == "pending"
    assert post_input(client, one_one, "submit", files=[("QĐ ban chỉ đạo.pdf", PDF)], answer="có").status_code == 302
    assert post_input(client, three_one_a, "submit", files=[("Danh sách thôn.pdf", PDF)], a="45").status_code == 302

    # The coordinator returns 2.4 with a reason, accepts the rest and enters Sở Nội vụ's b (no unit in the area).
    as_user(hue.coordinator)
    no_reason = client.post(f"/tu-danh-gia/so-lieu/{two_four.id}/duyet",
                            data={"decision": "return", "reason": " ", "lock_version": two_four.lock_version})
    assert no_reason.status_code == 422 and two_four.state == "submitted"
    client.post(f"/tu-danh-gia/so-lieu/{two_four.id}/duyet",
                data={"decision": "return", "reason": "Thiếu văn bản giảm thời gian", "lock_version": two_four.lock_version})
    assert (two_four.state, two_four.review_comment) == ("returned", "Thiếu văn bản giảm thời gian")
    for item in (one_one, three_one_a):
        client.post(f"/tu-danh-gia/so-lieu/{item.id}/duyet", data={"decision": "accept", "lock_version": item.lock_version})
        assert item.state == "accepted"
    assert post_input(client, three_one_b, "save", b="60").status_code == 302
    assert three_one_b.state == "accepted"

    # Sở Tài chính sees the reason in "Việc của tôi", corrects and resubmits; accepted.
    as_user(hue.reporter)
    assert "Thiếu văn bản giảm thời gian" in client.get("/viec-cua-toi").get_data(as_text=True)
    assert post_input(client, two_four, "submit", files=[("QĐ giảm thời gian.pdf", PDF)],
                      giam_phi="có", giam_thoi_gian="có").status_code == 302
    as_user(hue.coordinator)
    client.post(f"/tu-danh-gia/so-lieu/{two_four.id}/duyet", data={"decision": "accept", "lock_version": two_four.lock_version})
    assert two_four.state == "accepted"
    actions = [a.action for a in db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity_type == "campaign_input", AuditEntry.entity_id == two_four.id).order_by(AuditEntry.id))]
    assert actions == ["save_campaign_input", "submit", "return", "save_campaign_input", "submit", "accept"]

    # The score: 1.1 yes (10), 2.4 both policies (1/2 + 1/2 of 20), 3.1 = 45/60 of 30 → 22,5.
    page = client.get(f"/tu-danh-gia/{campaign.id}").get_data(as_text=True)
    assert "Điểm tự đánh giá: 52,5 / 1.000 điểm" in page
    assert "Sở Tài chính" in page and "Điểm có nguy cơ mất" in page
    stakes = page[page.index("Điểm có nguy cơ mất"):]
    assert "3.1 " in stakes and "1.1 " not in stakes.split("Chấm điểm theo đánh giá")[0]

    # The XLSX form holds the same values and points.
    response = download(client, f"/tu-danh-gia/{campaign.id}/phieu.xlsx")  # rendered by the worker
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data))["Phiếu tự đánh giá"].iter_rows(values_only=True))
    assert rows[0][0] == "PHIẾU TỰ ĐÁNH GIÁ DTI CẤP TỈNH 2024" and rows[1][0] == "Đơn vị: Tỉnh Thừa Thiên Huế"
    assert rows[2][0] == "Năm đánh giá: 2026"
    header = next(i for i, r in enumerate(rows) if r[:2] == ("STT", "Chỉ số/Chỉ số thành phần"))
    general = {r[0]: r for r in rows[:header] if r[0]}
    assert general["1"][2] == "Tỉnh Thừa Thiên Huế"
    table = rows[header + 1:]
    by_code = {r[0]: i for i, r in enumerate(table) if r[0]}
    assert table[by_code["1.1"]][4] == 10 and "Đã nộp: QĐ ban chỉ đạo.pdf" in table[by_code["1.1"]][6]
    assert table[by_code["2.4"]][4] == 20
    three_one = by_code["3.1"]
    assert table[three_one][4] == 22.5
    assert table[three_one + 1][5] == 45 and table[three_one + 2][5] == 60
    assert "Sở Khoa học và Công nghệ" in table[three_one + 1][7]
    assert table[-1][1] == "Tổng điểm" and table[-1][4] == 52.5

    # The PDF's text has the form's headings, diacritics intact.
    pdf = download(client, f"/tu-danh-gia/{campaign.id}/phieu.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    path = tmp_path / "phieu.pdf"
    path.write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    text = re.sub(r"\s+", " ", text)
    for heading in ("PHIẾU TỰ ĐÁNH GIÁ DTI CẤP TỈNH 2024", "Tỉnh Thừa Thiên Huế", "Thông tin chung",
                    "Cách xác định và tính điểm", "Điểm tối đa", "Tài liệu kiểm chứng", "Số liệu"):
        assert heading in text, heading


def test_a_reporter_of_another_unit_cannot_enter_a_units_input(client, as_user, db, provinces, dti_framework):
    hue, _ = provinces
    campaign = start(client, as_user, hue, dti_framework)
    one_one = input_of(campaign, "1.1")  # Sở KH&CN's
    as_user(hue.reporter)  # Sở Tài chính
    assert client.get(f"/tu-danh-gia/so-lieu/{one_one.id}").status_code == 403
    assert post_input(client, one_one, "save", answer="có").status_code == 403
    db.session.refresh(one_one)
    assert one_one.values == {} and one_one.state == "pending"
    assert client.get(f"/tu-danh-gia/{campaign.id}").status_code == 403  # the campaign page is the coordinators'
    # Nor may a coordinator submit in a unit's place, or a reporter review.
    two_four = input_of(campaign, "2.4")
    assert client.post(f"/tu-danh-gia/so-lieu/{two_four.id}/duyet", data={"decision": "accept"}).status_code == 403


def test_another_provinces_users_get_404(client, as_user, db, provinces, dti_framework):
    hue, thanh_hoa = provinces
    campaign = start(client, as_user, hue, dti_framework)
    two_four = input_of(campaign, "2.4")
    for user in (thanh_hoa.coordinator, thanh_hoa.reporter, thanh_hoa.viewer):
        as_user(user)
        for url in (f"/tu-danh-gia/{campaign.id}", f"/tu-danh-gia/{campaign.id}/phieu.xlsx",
                    f"/tu-danh-gia/{campaign.id}/phieu.pdf", f"/tu-danh-gia/so-lieu/{two_four.id}"):
            # A reporter reads no campaign page of any province (403 whatever the id); the rest is 404.
            expected = 403 if user.role == "reporter" and "so-lieu" not in url else 404
            assert client.get(url).status_code == expected, (user.email, url)
        assert post_input(client, two_four, "save", giam_phi="có").status_code in (403, 404)
    as_user(thanh_hoa.coordinator)
    listing = client.get("/tu-danh-gia").get_data(as_text=True)
    assert f"/tu-danh-gia/{campaign.id}\"" not in listing
    assert "Số liệu tự đánh giá DTI" not in (as_user(thanh_hoa.reporter) and client.get("/viec-cua-toi").get_data(as_text=True))
    db.session.refresh(two_four)
    assert two_four.values == {}
    # Thanh Hóa starts its own 2026 campaign of the same framework: a separate one.
    other = start(client, as_user, thanh_hoa, dti_framework)
    assert other.id != campaign.id and input_of(other, "2.4").unit == thanh_hoa.finance


def test_prefill_from_the_latest_accepted_update(client, as_user, db, provinces, dti_framework, khcn_reporter):
    hue, _ = provinces
    indicator = db.session.scalar(select(Indicator).where(Indicator.framework_id == dti_framework.id,
                                                          Indicator.key == "5.1"))
    hue.target.measure_unit = "%"
    db.session.add(ItemIndicatorLink(item=hue.target, indicator=indicator))
    for value, days in ((Decimal("70"), 40), (Decimal("85"), 1)):
        db.session.add(StatusUpdate(item=hue.target, period=hue.period, unit=hue.khcn, state="accepted",
                                    version=1 if value == 70 else 2, status="in_progress", progress=50,
                                    achieved_value=value, reviewed_at=utcnow() - timedelta(days=days)))
    db.session.flush()
    campaign = start(client, as_user, hue, dti_framework)
    five_one = input_of(campaign, "5.1")
    assert five_one.proposal["values"] == {"a": "85", "b": "100"}
    as_user(khcn_reporter)
    page = client.get(f"/tu-danh-gia/so-lieu/{five_one.id}").get_data(as_text=True)
    assert "Đề xuất từ dữ liệu theo dõi" in page and f"Hạng mục {hue.target.ref}" in page and "đạt 85 %" in page
    assert post_input(client, five_one, "proposal").status_code == 302
    assert five_one.values == {"a": "85", "b": "100"} and five_one.proposal_used and five_one.state == "draft"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "campaign_input",
                                                        AuditEntry.entity_id == five_one.id)).all()[-1]
    assert "đề xuất" in entry.summary and entry.changes["proposal"][1].startswith("Hạng mục")


def test_bad_values_are_refused_and_kept(client, as_user, db, provinces, dti_framework, khcn_reporter):
    hue, _ = provinces
    campaign = start(client, as_user, hue, dti_framework)
    item = input_of(campaign, "3.1", hue.khcn)
    as_user(khcn_reporter)
    response = post_input(client, item, "save", a="bốn mươi")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "không phải là số" in body and 'value="bốn mươi"' in body
    db.session.refresh(item)
    assert item.values == {} and item.state == "pending"
    stale = post_input(client, item, "save", a="45")
    assert stale.status_code == 302
    item.lock_version  # noqa: B018 - loaded
    old = {"v_a": "50", "action": "save", "lock_version": item.lock_version - 1}
    conflict = client.post(f"/tu-danh-gia/so-lieu/{item.id}", data=old)
    assert conflict.status_code == 409 and 'value="50"' in conflict.get_data(as_text=True)
    db.session.refresh(item)
    assert item.values == {"a": "45"}


def test_starting_twice_and_bad_dates_are_refused(client, as_user, db, provinces, dti_framework):
    hue, _ = provinces
    start(client, as_user, hue, dti_framework)
    again = client.post("/tu-danh-gia", data={"framework_id": dti_framework.id, "year": 2026, "deadline": deadline_text()})
    assert again.status_code == 422 and "Đã có đợt tự đánh giá" in again.get_data(as_text=True)
    bad = client.post("/tu-danh-gia", data={"framework_id": dti_framework.id, "year": 2027, "deadline": "2027-06-30"})
    assert bad.status_code == 422 and "ngày/tháng/năm" in bad.get_data(as_text=True)
    assert Campaign.query.filter_by(tenant_id=hue.area.id).count() == 1
    as_user(hue.reporter)
    assert client.post("/tu-danh-gia", data={"framework_id": dti_framework.id, "year": 2027,
                                             "deadline": deadline_text()}).status_code == 403


def test_successions_are_followed(client, as_user, db, provinces, dti_framework, factory, khcn_reporter):
    hue, _ = provinces
    today = today_local()
    # Sở Nội vụ merged into Sở KH&CN (contrived, to have a predecessor the framework names).
    home = factory.unit("Sở Nội vụ", area=hue.area)
    home.successor, home.succeeded_on, home.succession_type = hue.khcn, today - timedelta(days=30), "merged"
    db.session.flush()
    campaign = start(client, as_user, hue, dti_framework)
    three_one_b = next(i for i in campaign.inputs if i.key == "3.1" and i.provider_text == "Sở Nội vụ")
    assert three_one_b.unit == hue.khcn  # the framework's "Sở Nội vụ" is carried by Sở KH&CN today
    # Sở Tài chính is renamed after the start: its successor's reporters owe, see and enter its inputs.
    renamed = factory.unit("Sở Tài chính và Kế hoạch", area=hue.area)
    hue.finance.successor, hue.finance.succeeded_on, hue.finance.succession_type = renamed, today, "renamed"
    successor_reporter = make_user(factory, "reporter", renamed, "baocao.stckh@test.vn", "Báo cáo STC&KH")
    db.session.flush()
    two_four = input_of(campaign, "2.4")
    as_user(successor_reporter)
    assert f"/tu-danh-gia/so-lieu/{two_four.id}" in client.get("/viec-cua-toi").get_data(as_text=True)
    assert post_input(client, two_four, "save", giam_phi="có").status_code == 302
    as_user(hue.coordinator)
    page = client.get(f"/tu-danh-gia/{campaign.id}").get_data(as_text=True)
    progress = page[page.index("Tiến độ theo đơn vị"):page.index("Điểm có nguy cơ mất")]
    assert "Sở Tài chính và Kế hoạch" in progress and ">Sở Tài chính<" not in progress


def test_comparison_with_the_previous_year(client, as_user, db, provinces, dti_framework):
    hue, _ = provinces
    before = start(client, as_user, hue, dti_framework, year=2025)
    item = input_of(before, "1.1")
    item.values, item.state = {"answer": "có"}, "accepted"
    db.session.flush()
    campaign = start(client, as_user, hue, dti_framework, year=2026)
    page = client.get(f"/tu-danh-gia/{campaign.id}").get_data(as_text=True)
    score = page[page.index("Điểm tự đánh giá"):page.index("Tiến độ theo đơn vị")]
    assert "Năm 2025" in score and "Tự đánh giá DTI cấp tỉnh 2024 – năm 2025" in score
    row = re.sub(r"\s+", " ", score[score.index("1. Nhận thức số"):].split("</tr>")[0])
    assert re.sub(r"<[^>]+>", "|", row).replace(" ", "").count("|10|") == 1 and "-10" in row


def test_the_campaign_page_queries_do_not_grow_with_the_inputs(client, as_user, db, provinces, dti_framework):
    from tests.browsing import count_queries
    from tracker.campaigns.models import CampaignEvidence

    hue, _ = provinces
    campaign = start(client, as_user, hue, dti_framework)

    def page_queries() -> int:
        db.session.expire_all()
        with count_queries(db.engine) as statements:
            assert client.get(f"/tu-danh-gia/{campaign.id}").status_code == 200
        return len(statements)

    empty = page_queries()
    for n, item in enumerate(campaign.inputs):
        item.values = {f: "1" for f in item.fields}
        item.state = "accepted" if n % 2 else "submitted"
        db.session.add(CampaignEvidence(input=item, original_name=f"tlkc-{n}.pdf", stored_name=f"{n:032x}",
                                        content_type="application/pdf", size=10))
    db.session.flush()
    assert page_queries() == empty


def test_the_input_list_filters_by_unit_and_state(client, as_user, db, provinces, dti_framework):
    hue, _ = provinces
    campaign = start(client, as_user, hue, dti_framework)
    two_four = input_of(campaign, "2.4")
    two_four.state = "submitted"
    db.session.flush()
    page = client.get(f"/tu-danh-gia/{campaign.id}?don-vi={hue.finance.id}&trang-thai=submitted").get_data(as_text=True)
    listing = page[page.index('id="so-lieu"'):]
    assert f"/tu-danh-gia/so-lieu/{two_four.id}\"" in listing
    assert listing.count("/tu-danh-gia/so-lieu/") == 1
    unassigned = client.get(f"/tu-danh-gia/{campaign.id}?don-vi=chua-giao").get_data(as_text=True)
    assert "Công an tỉnh" in unassigned[unassigned.index('id="so-lieu"'):]


def test_an_unsent_input_is_its_providers_alone(client, as_user, db, provinces, dti_framework, tmp_path, app):
    hue, _ = provinces
    app.config["UPLOAD_DIR"] = str(tmp_path)
    campaign = start(client, as_user, hue, dti_framework)
    two_four = input_of(campaign, "2.4")
    as_user(hue.reporter)
    assert post_input(client, two_four, "save", files=[("mk-nhap-stc.pdf", PDF)], giam_phi="có").status_code == 302
    assert two_four.state == "draft"
    evidence_id = two_four.evidence[0].id
    for user in (hue.coordinator, hue.viewer):
        as_user(user)
        page = client.get(f"/tu-danh-gia/so-lieu/{two_four.id}").get_data(as_text=True)
        assert "Nội dung chưa gửi" in page and "mk-nhap-stc" not in page and "giam_phi" not in page
        listing = client.get(f"/tu-danh-gia/{campaign.id}").get_data(as_text=True)
        assert "giam_phi = có" not in listing and "mk-nhap-stc" not in listing
        assert client.get(f"/tu-danh-gia/minh-chung/{evidence_id}").status_code == 403
    as_user(hue.reporter)
    assert client.get(f"/tu-danh-gia/minh-chung/{evidence_id}").status_code == 200


def test_the_audit_log_hides_unsent_figures_and_file_names(client, as_user, db, provinces, dti_framework, tmp_path, app):
    from tracker.updates.visibility import redact_audit

    hue, _ = provinces
    app.config["UPLOAD_DIR"] = str(tmp_path)
    campaign = start(client, as_user, hue, dti_framework)
    two_four = input_of(campaign, "2.4")
    as_user(hue.reporter)
    post_input(client, two_four, "save", files=[("mk-nhap-stc.pdf", PDF)], giam_phi="có")
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type.in_(
        ("campaign_input", "campaign_evidence"))).order_by(AuditEntry.id)).all()
    shown = " ".join(f"{v.summary} {v.changes}" for v in redact_audit(entries))
    assert "mk-nhap-stc" not in shown and "'có'" not in shown
    assert post_input(client, two_four, "submit", giam_phi="có", giam_thoi_gian="không").status_code == 302
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "campaign_evidence")).all()
    assert "mk-nhap-stc" in " ".join(v.summary for v in redact_audit(entries))  # sent: its files are named
