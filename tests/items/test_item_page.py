"""The item page, and the coordinators' edits recorded in the audit trail."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.browsing import framework, link, recent_quarters, update
from tracker.audit.models import AuditEntry
from tracker.core.time import today_local
from tracker.indicators.models import ItemIndicatorLink
from tracker.updates.models import ContributionNote, Evidence


@pytest.fixture
def data(db, factory):
    today = today_local()
    area = factory.area()
    current, previous = recent_quarters(factory, today, 2, tenant=area)
    owner = factory.unit("Sở Nội vụ", area=area, short_name="SNV")
    partner = factory.unit("Sở Tài chính", area=area)
    third = factory.unit("Sở Y tế", area=area)
    plan = factory.plan(area=area)
    appendix = factory.appendix(plan, "project", title="DANH MỤC DỰ ÁN")
    section = factory.section(appendix, "A", "Phát triển nền tảng")
    item = factory.item(plan, kind="project", owner=owner, coordinators=[partner], section=section, code="2",
                        text="Triển khai chữ ký số", start_year=2021, end_year=2022, years_text="2021 - 2022",
                        status="in_progress", progress=60)
    fw, indicators = framework(db, name="DTI thử 2024",
                               indicators=(("8", "Hoạt động xã hội số", 120, None),
                                           ("8.2", "Tỷ lệ dân số có chứng thư số", 50, "8"),
                                           ("6.4", "Dịch vụ công toàn trình", 40, None)))
    item_link = link(db, item, indicators["8.2"], note="Chữ ký số cá nhân")
    reporter = factory.user(role="reporter", unit=owner, full_name="Nguyễn Văn Báo")
    reviewer = factory.user(role="coordinator", full_name="Trần Thị Duyệt")
    first = update(db, item, previous, owner, state="superseded", progress=30, author=reporter,
                   done_text="Đã khảo sát")
    second = update(db, item, previous, owner, state="accepted", progress=60, version=2, author=reporter,
                    done_text="Đã cấp 500 chứng thư", difficulties="Thiếu kinh phí", proposals="Bổ sung vốn",
                    submitted_on=previous.submission_deadline + timedelta(days=3))
    second.reviewed_by_id = reviewer.id
    # A correction, sent and returned: being reworked, its text and return reason are not for everyone.
    update(db, item, previous, owner, state="returned", progress=70, version=3, author=reporter,
           done_text="Bản đính chính đang sửa", review_comment="Thiếu minh chứng")
    db.session.add(Evidence(update=second, original_name="bien-ban-nghiem-thu.pdf", stored_name="abc123",
                            content_type="application/pdf", size=10, uploaded_by_id=reporter.id))
    db.session.add(ContributionNote(item=item, period=previous, unit=partner, text="Đã bố trí kinh phí 2025"))
    db.session.commit()
    return dict(item=item, owner=owner, partner=partner, third=third, fw=fw, indicators=indicators,
                link=item_link, current=current, previous=previous, first=first, second=second)


@pytest.fixture
def coordinator(factory, login):
    user = factory.user(role="coordinator", full_name="Điều Phối Viên")
    login(user)
    return user


def test_item_page_shows_fields_links_history_and_notes(client, factory, login, data):
    login(factory.user(role="viewer"))
    response = client.get(f"/hang-muc/{data['item'].id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("Triển khai chữ ký số", "A Phát triển nền tảng", "2021 - 2022", "Sở Nội vụ", "Sở Tài chính",
                 "DTI thử 2024", "8.2", "Tỷ lệ dân số có chứng thư số", "Chữ ký số cá nhân",
                 "Đã cấp 500 chứng thư", "Thiếu kinh phí", "Bổ sung vốn",
                 "Nguyễn Văn Báo", "Đã chấp nhận", "Bị trả lại", "phiên bản 2", "gửi muộn",
                 "bien-ban-nghiem-thu.pdf", "Đã bố trí kinh phí 2025", data["previous"].label, "31/12/2022"):
        assert text in html, text
    # What changed from version 1 to version 2 of the same chain.
    assert "Tiến độ (%): 30 % → 60 %" in " ".join(html.split())
    # The returned correction: its unit's to read; the reason is for the unit and the coordinators.
    assert "Bản đính chính đang sửa" not in html and "Thiếu minh chứng" not in html
    assert "chỉ đơn vị soạn báo cáo xem được" in html
    # Max points of the linked indicator.
    assert ">50<" in html
    # A viewer sees no edit controls.
    assert "Sửa hạng mục" not in html and "Thêm liên kết" not in html
    client.post("/dang-xuat")
    login(factory.user(role="coordinator"))
    html = client.get(f"/hang-muc/{data['item'].id}").get_data(as_text=True)
    assert "Thiếu minh chứng" in html and "Bản đính chính đang sửa" not in html


def test_evidence_links_to_the_download_when_that_area_is_installed(client, app, factory, login, data):
    login(factory.user(role="viewer"))
    html = client.get(f"/hang-muc/{data['item'].id}").get_data(as_text=True)
    evidence = data["second"].evidence[0]
    if "updates.evidence" in app.view_functions:
        assert f'href="/minh-chung/{evidence.id}"' in html
    else:
        assert "bien-ban-nghiem-thu.pdf" in html


def test_unknown_item_is_404(client, coordinator):
    assert client.get("/hang-muc/999999").status_code == 404
    assert client.get("/hang-muc/999999/sua").status_code == 404


def test_coordinator_edits_an_item_and_the_change_is_audited(client, db, coordinator, data):
    item = data["item"]
    response = client.post(f"/hang-muc/{item.id}/sua", data={"lock_version": item.lock_version,
        "text": "Triển khai chữ ký số cho toàn tỉnh", "owners": [f"u:{data['third'].id}"],
        "coordinators": [f"u:{data['partner'].id}", f"u:{data['owner'].id}"], "deadline": "30/06/2027",
        "note": "Giao lại cho Sở Y tế", "status": "done", "progress": "100",
    })
    assert response.status_code == 302
    db.session.expire_all()
    assert item.text == "Triển khai chữ ký số cho toàn tỉnh"
    assert [a.unit.name for a in item.owners] == ["Sở Y tế"]
    assert {a.unit.name for a in item.coordinators} == {"Sở Tài chính", "Sở Nội vụ"}
    assert item.deadline.isoformat() == "2027-06-30"
    assert item.status == "in_progress" and item.progress == 60  # status only comes from accepted updates
    assert "chu ky so cho toan tinh" in item.search_text
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "plan_item",
                                                       AuditEntry.entity_id == item.id))
    assert entry.actor_id == coordinator.id
    assert entry.changes["owners"] == [["Sở Nội vụ"], ["Sở Y tế"]]
    assert entry.changes["deadline"] == [None, "2027-06-30"]
    html = client.get(f"/hang-muc/{item.id}").get_data(as_text=True)
    assert "Nhật ký thay đổi" in html and "Sửa hạng mục" in html and "Điều Phối Viên" in html
    assert "Sở Nội vụ → Sở Y tế" in html
    assert "Hạn hoàn thành: (trống) → 30/06/2027" in " ".join(html.split())


def test_bad_input_keeps_typed_values_with_vietnamese_messages(client, db, coordinator, data):
    item = data["item"]
    response = client.post(f"/hang-muc/{item.id}/sua", data={"lock_version": item.lock_version,
        "text": "Nội dung mới đã gõ", "owners": [f"u:{data['owner'].id}"],
        "coordinators": [f"u:{data['owner'].id}"], "deadline": "31/02/2027",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ngày không hợp lệ (dd/mm/yyyy)." in html
    assert "Đơn vị vừa chủ trì vừa phối hợp: Sở Nội vụ (SNV)." in html
    assert "Nội dung mới đã gõ" in html and 'value="31/02/2027"' in html
    response = client.post(f"/hang-muc/{item.id}/sua", data={"lock_version": item.lock_version, "text": "", "deadline": ""})
    html = response.get_data(as_text=True)
    assert "Vui lòng nhập nội dung hạng mục." in html
    assert "Vui lòng chọn ít nhất một đơn vị chủ trì." in html
    db.session.expire_all()
    assert item.text == "Triển khai chữ ký số"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.entity_id == item.id)) is None


def test_coordinator_adds_and_removes_indicator_links(client, db, coordinator, data):
    item, other = data["item"], data["indicators"]["6.4"]
    response = client.post(f"/hang-muc/{item.id}/chi-so", data={"link-indicator_id": other.id, "link-note": "DVC"})
    assert response.status_code == 302
    new_link = db.session.scalar(select(ItemIndicatorLink).where(ItemIndicatorLink.indicator_id == other.id))
    assert new_link.item_id == item.id and new_link.created_by_id == coordinator.id
    # The same link twice is refused with a message on the field.
    response = client.post(f"/hang-muc/{item.id}/chi-so", data={"link-indicator_id": other.id})
    assert response.status_code == 400
    assert "Hạng mục đã được liên kết với chỉ số này." in response.get_data(as_text=True)
    # An indicator that does not exist.
    response = client.post(f"/hang-muc/{item.id}/chi-so", data={"link-indicator_id": "999999"})
    assert response.status_code == 400 and "Lựa chọn không hợp lệ." in response.get_data(as_text=True)

    assert client.post(f"/hang-muc/{item.id}/chi-so/{data['link'].id}/xoa",
                       data={"lock_version": data["link"].lock_version}).status_code == 302
    assert db.session.get(ItemIndicatorLink, data["link"].id) is None
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == item.id,
                                                                 AuditEntry.entity_type == "plan_item")).all()
    assert sorted(actions) == ["link_indicator", "unlink_indicator"]
    # A link of another item cannot be removed through this item's URL.
    assert client.post(f"/hang-muc/{item.id + 1000}/chi-so/{new_link.id}/xoa",
                       data={"lock_version": new_link.lock_version}).status_code == 404


def test_reporter_of_the_owning_unit_cannot_edit(client, factory, login, data):
    login(factory.user(role="reporter", unit=data["owner"]))
    item = data["item"]
    assert client.get(f"/hang-muc/{item.id}/sua").status_code == 403
    assert client.post(f"/hang-muc/{item.id}/sua", data={"lock_version": item.lock_version, "text": "x",
                                                          "owners": [f"u:{data['owner'].id}"]}).status_code == 403
    assert client.post(f"/hang-muc/{item.id}/chi-so", data={"link-indicator_id": 1}).status_code == 403
    assert client.post(f"/hang-muc/{item.id}/chi-so/{data['link'].id}/xoa").status_code == 403


def test_long_history_shows_recent_periods_and_links_to_the_rest(client, db, factory, login, data):
    item, owner = data["item"], data["owner"]
    for year in range(2019, 2022):
        for quarter in range(1, 5):
            update(db, item, factory.period(year, quarter), owner, state="accepted", done_text=f"Báo cáo {quarter}/{year}")
    db.session.commit()
    login(factory.user(role="viewer"))
    html = client.get(f"/hang-muc/{item.id}").get_data(as_text=True)
    assert "Xem toàn bộ lịch sử (13 kỳ; đang hiện 8 kỳ gần nhất)" in html
    assert "Báo cáo 1/2019" not in html
    full = client.get(f"/hang-muc/{item.id}?lich-su=tat-ca").get_data(as_text=True)
    assert "Báo cáo 1/2019" in full and "Xem toàn bộ lịch sử" not in full


def test_audit_trail_shows_labels_not_codes(client, db, factory, login, data):
    # What an accepted update records on the item (recompute_item_state): codes, đồng, percent.
    db.session.add(AuditEntry(action="update_state", entity_type="plan_item", entity_id=data["item"].id,
                              summary="Cập nhật tình trạng hạng mục theo báo cáo được chấp nhận",
                              changes={"status": ["not_started", "in_progress"], "progress": [0, 55],
                                       "amount_committed": [None, 750000000], "achieved_value": ["12.5", "45.5"],
                                       "completed_on": [None, "2026-03-31"]}))
    db.session.commit()
    login(factory.user(role="viewer"))
    html = " ".join(client.get(f"/hang-muc/{data['item'].id}").get_data(as_text=True).split())
    audit = html[html.index('id="nhat-ky"'):]
    for text in ("Tình trạng: Chưa triển khai → Đang triển khai", "Tiến độ: 0 % → 55 %",
                 "Kinh phí đã cam kết: (trống) → 750.000.000 đ", "Giá trị đạt được: 12,5 → 45,5",
                 "Ngày hoàn thành: (trống) → 31/03/2026"):
        assert text in audit, text
    for code in ("not_started", "in_progress", "amount_committed", "750000000"):
        assert code not in audit, code


def test_audit_value_translates_known_codes_without_a_field_name():
    from tracker.main.navigation import audit_value

    assert audit_value("reporter") == "Báo cáo viên đơn vị"
    assert audit_value("returned") == "Bị trả lại"
    assert audit_value("Kế hoạch số 1") == "Kế hoạch số 1"
    assert audit_value("abc", "achieved_value") == "abc"


def test_coordinating_reporter_finds_the_contribution_form_from_the_item(client, factory, login, data):
    # A phối hợp unit's reporter had no way to the contribution form but typing its address.
    login(factory.user(role="reporter", unit=data["partner"]))
    html = client.get(f"/hang-muc/{data['item'].id}").get_data(as_text=True)
    href = f"/cap-nhat/{data['item'].id}/{data['current'].code}#y-kien-phoi-hop"
    assert f'href="{href}"' in html and "Ghi ý kiến phối hợp" in html
    page = client.get(href.split("#")[0]).get_data(as_text=True)
    assert 'id="y-kien-phoi-hop"' in page
    client.post("/dang-xuat")
    login(factory.user(role="reporter", unit=data["owner"]))
    html = client.get(f"/hang-muc/{data['item'].id}").get_data(as_text=True)
    assert "Ghi ý kiến phối hợp" not in html and "Cập nhật tiến độ" in html
