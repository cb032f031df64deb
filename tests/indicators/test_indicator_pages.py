"""Indicator frameworks: the tree with points, inputs and providers; linked items; linking from the tree."""
import pytest
from sqlalchemy import select

from tests.browsing import framework, link
from tracker.audit.models import AuditEntry
from tracker.indicators.models import IndicatorInput, IndicatorProvider, ItemIndicatorLink


@pytest.fixture
def tree(db, factory):
    area = factory.area()
    office = factory.unit("Văn phòng UBND tỉnh", area=area)
    khcn = factory.unit("Sở Khoa học và Công nghệ", area=area)
    plan = factory.plan(area=area, number="222/KH-UBND")
    overdue = factory.item(plan, kind="project", owner=khcn, text="Nâng cấp hệ thống điều hành", end_year=2022)
    fresh = factory.item(plan, kind="project", owner=office, text="Cổng dữ liệu mở", start_year=2030, end_year=2031)
    fw, ind = framework(db, name="DTI cấp tỉnh thử", indicators=(
        ("1", "Nhận thức số", 50, None),
        ("1.1", "Người đứng đầu là Trưởng ban chỉ đạo", 10, "1"),
        ("1.2", "Ban hành văn bản chỉ đạo", 30, "1"),
        ("2", "Thể chế số", 60, None),
    ))
    ind["1.1"].scoring = "- Là Trưởng ban: Điểm tối đa;\n- Không: 0 điểm."
    ind["1.1"].evidence = "Quyết định thành lập Ban chỉ đạo"
    source = IndicatorInput(indicator=ind["1.1"], symbol="a", text="Số văn bản chỉ đạo chuyên đề", position=0)
    db.session.add(source)
    db.session.flush()
    db.session.add(IndicatorProvider(indicator=ind["1.1"], input=source, unit=office, name_as_written="Văn phòng UBND tỉnh"))
    db.session.add(IndicatorProvider(indicator=ind["1.1"], unit=khcn, name_as_written="Sở KH&CN"))
    the_link = link(db, overdue, ind["1.1"], note="Điều hành số")
    db.session.commit()
    return dict(fw=fw, ind=ind, plan=plan, overdue=overdue, fresh=fresh, link=the_link)


def test_framework_list(client, factory, login, tree):
    login(factory.user(role="viewer"))
    html = client.get("/bo-chi-so").get_data(as_text=True)
    assert "DTI cấp tỉnh thử" in html and f"/bo-chi-so/{tree['fw'].id}" in html


def test_framework_list_counts_linked_items(client, factory, login, tree):
    # The row is a dict: `row.items` gave the dict's method, printed as "<built-in method items ...>".
    login(factory.user(role="viewer"))
    html = " ".join(client.get("/bo-chi-so").get_data(as_text=True).split())
    assert "built-in method" not in html
    row = html[html.index("DTI cấp tỉnh thử"):]
    row = row[: row.index("</tr>")]
    assert row.endswith('<td class="num">4</td><td class="num">1</td>'), row  # 4 indicators, 1 linked item


def test_framework_tree_with_points_inputs_providers_and_items(client, factory, login, tree):
    login(factory.user(role="reporter"))
    html = " ".join(client.get(f"/bo-chi-so/{tree['fw'].id}").get_data(as_text=True).split())
    for text in ("Nhận thức số", "50 điểm", "Người đứng đầu là Trưởng ban chỉ đạo", "10 điểm",
                 "Số văn bản chỉ đạo chuyên đề", "Văn phòng UBND tỉnh", "Sở KH&amp;CN",
                 "Quyết định thành lập Ban chỉ đạo", "Là Trưởng ban: Điểm tối đa",
                 "Nâng cấp hệ thống điều hành", "Điều hành số", "có hạng mục quá hạn"):
        assert text in html, text
    # Children's points (10 + 30) differ from the pillar's 50: shown, not fixed.
    assert "(chỉ số con: 40)" in html
    # Points at risk: the indicator with an overdue item.
    assert "10 điểm có nguy cơ bị ảnh hưởng" in html
    # Children sit under their parent in order.
    assert html.index("Nhận thức số") < html.index("Người đứng đầu") < html.index("Ban hành văn bản") < html.index("Thể chế số")
    assert "Liên kết hạng mục kế hoạch với chỉ số" not in html  # reporters do not link


def test_coordinator_links_an_item_by_its_reference(client, db, factory, login, tree):
    coordinator = factory.user(role="coordinator")
    login(coordinator)
    fw, target = tree["fw"], tree["ind"]["1.2"]
    response = client.post(f"/bo-chi-so/{fw.id}/lien-ket", data={
        "indicator_id": target.id, "plan_id": tree["plan"].id, "item_ref": tree["fresh"].ref, "note": "Dữ liệu mở"})
    assert response.status_code == 302
    row = db.session.scalar(select(ItemIndicatorLink).where(ItemIndicatorLink.indicator_id == target.id))
    assert row.item_id == tree["fresh"].id and row.note == "Dữ liệu mở"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_id == tree["fresh"].id))
    assert entry.action == "link_indicator" and entry.actor_id == coordinator.id
    html = client.get(f"/bo-chi-so/{fw.id}").get_data(as_text=True)
    assert "Cổng dữ liệu mở" in html


def test_bad_reference_returns_the_form_with_a_message(client, db, factory, login, tree):
    login(factory.user(role="coordinator"))
    response = client.post(f"/bo-chi-so/{tree['fw'].id}/lien-ket", data={
        "indicator_id": tree["ind"]["1.2"].id, "plan_id": tree["plan"].id, "item_ref": "9/Z/99"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Không tìm thấy hạng mục &#39;9/Z/99&#39;" in html and 'value="9/Z/99"' in html
    response = client.post(f"/bo-chi-so/{tree['fw'].id}/lien-ket", data={"plan_id": tree["plan"].id})
    html = response.get_data(as_text=True)
    assert "Vui lòng nhập mã hạng mục" in html


def test_coordinator_removes_a_link_from_the_tree(client, db, factory, login, tree):
    login(factory.user(role="coordinator"))
    response = client.post(f"/bo-chi-so/{tree['fw'].id}/lien-ket/{tree['link'].id}/xoa",
                           data={"lock_version": tree["link"].lock_version})
    assert response.status_code == 302
    assert db.session.get(ItemIndicatorLink, tree["link"].id) is None
    other_fw, _ = framework(db, name="Bộ khác")
    db.session.commit()
    assert client.post(f"/bo-chi-so/{other_fw.id}/lien-ket/{tree['link'].id}/xoa").status_code == 404
