"""Plan pages: tabs per appendix, the document's order and headings, filters, diacritic-insensitive search."""
import re
from datetime import date

import pytest

from tests.browsing import framework, link
from tracker.core.time import today_local


@pytest.fixture
def viewer(factory, login):
    user = factory.user(role="viewer")
    login(user)
    return user


@pytest.fixture
def plan_data(db, factory):
    area = factory.area(name="Tỉnh Thử")
    tttt = factory.unit("Sở Thông tin và Truyền thông", area=area, short_name="Sở TT&TT")
    khcn = factory.unit("Sở Khoa học và Công nghệ", area=area, short_name="Sở KH&CN")
    noivu = factory.unit("Sở Nội vụ", area=area)
    taichinh = factory.unit("Sở Tài chính", area=area)
    group = factory.group("Các Sở, ban, ngành", [noivu, taichinh], area=area)
    tttt.successor, tttt.succeeded_on, tttt.succession_type = khcn, date(2025, 3, 1), "merged"
    plan = factory.plan(number="222/KH-UBND", area=area, title="Triển khai chương trình Chuyển đổi số")
    targets = factory.appendix(plan, "target", title="PHÂN CÔNG THEO DÕI CÁC CHỈ TIÊU")
    projects = factory.appendix(plan, "project", title="DANH MỤC DỰ ÁN TRIỂN KHAI")
    budget = factory.appendix(plan, "budget", title="DỰ ƯỚC KINH PHÍ")
    fw_appendix = factory.appendix(plan, "framework", number="4", title="BỘ TIÊU CHÍ")
    fw, indicators = framework(db, name="Bộ tiêu chí thử")
    fw_appendix.framework_id = fw.id
    sec_a = factory.section(projects, "A", "Phát triển nền tảng")
    sec_a1 = factory.section(projects, "I", "Nhóm dự án nhận thức", parent=sec_a)
    sec_b = factory.section(projects, "B", "Phát triển Chính quyền số")
    today = today_local()
    t1 = factory.item(plan, kind="target", owner=noivu, code="1.", text="100% văn bản điện tử có Chữ ký số",
                      target_text="100%", target_year=2025, coordinators=[tttt])
    p1 = factory.item(plan, kind="project", owner=tttt, section=sec_a1, code="1",
                      text="Triển khai chữ ký số cho cán bộ", start_year=2021, end_year=2022, years_text="2021 - 2022",
                      status="in_progress", progress=40)
    p2 = factory.item(plan, kind="project", owner=group, section=sec_b, code="1",
                      text="Xây dựng kho dữ liệu dùng chung", start_year=2024, end_year=today.year + 1,
                      status="done", completed_on=date(2024, 6, 1))
    p3 = factory.item(plan, kind="project", owner=taichinh, section=sec_b, code="2",
                      text="Số hóa hồ sơ tài chính", start_year=2026, end_year=today.year + 2)
    b1 = factory.item(plan, kind="budget", owner=tttt, code="1", text="Triển khai chữ ký số cho cán bộ",
                      budget_state=554_500_000_000, budget_other=2_177_500_000_000, budget_total=2_732_000_000_000,
                      funded_project_id=p1.id)
    b2 = factory.item(plan, kind="budget", owner=taichinh, code="2", text="Hạ tầng doanh nghiệp",
                      budget_state=None, budget_other=None, budget_total=None)
    link(db, p1, indicators["1.1"])
    p1.search_text = ""  # the loader may leave it empty: the page computes it
    db.session.commit()
    return dict(plan=plan, t1=t1, p1=p1, p2=p2, p3=p3, b1=b1, b2=b2, tttt=tttt, khcn=khcn, noivu=noivu,
                taichinh=taichinh, group=group, sec_a=sec_a, sec_a1=sec_a1, sec_b=sec_b, fw=fw,
                indicator=indicators["1.1"])


def item_ids(html: str) -> set[int]:
    return {int(m) for m in re.findall(r'<tr id="hm-(\d+)"', html)}


def test_plan_list_shows_plans_with_counts(client, viewer, plan_data):
    html = client.get("/ke-hoach").get_data(as_text=True)
    assert "222/KH-UBND" in html
    assert "21/10/2020" in html
    assert f'/ke-hoach/{plan_data["plan"].id}' in html


def test_plan_page_follows_the_document(client, viewer, plan_data):
    plan = plan_data["plan"]
    response = client.get(f"/ke-hoach/{plan.id}?phu-luc=3")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    # Section headings in document order, the project under its subsection.
    table = html[html.index('<table class="table items'):]
    assert table.index("A Phát triển nền tảng") < table.index("I Nhóm dự án nhận thức") < table.index(
        "Triển khai chữ ký số cho cán bộ") < table.index("B Phát triển Chính quyền số")
    assert item_ids(html) == {plan_data["p1"].id, plan_data["p2"].id, plan_data["p3"].id}
    assert "2021 - 2022" in html
    # Owner as written, and who carries it today.
    assert "Sở Thông tin và Truyền thông" in html and "→ nay: Sở KH&amp;CN" in html
    # A group owner stays as written.
    assert "Các Sở, ban, ngành" in html
    # Tabs, one per appendix, with counts.
    for number in ("1", "3", "4", "5"):
        assert f"phu-luc={number}" in html


def test_budget_tab_shows_money_and_dash(client, viewer, plan_data):
    html = client.get(f"/ke-hoach/{plan_data['plan'].id}?phu-luc=5").get_data(as_text=True)
    assert "2.732.000.000.000 đ" in html
    assert "554.500.000.000 đ" in html
    # The document's "-" is not zero.
    row = html[html.index(f'id="hm-{plan_data["b2"].id}"'):]
    row = row[: row.index("</tr>")]
    assert "0 đ" not in row and "-" in row
    assert 'dòng "-" chưa xác định kinh phí' in html


def test_framework_appendix_links_to_its_framework(client, viewer, plan_data):
    html = client.get(f"/ke-hoach/{plan_data['plan'].id}?phu-luc=4").get_data(as_text=True)
    assert f"/bo-chi-so/{plan_data['fw'].id}" in html


@pytest.mark.parametrize("query", ["chu ky so", "CHỮ KÝ", "Chữ ký số", "chữ KY so", "CHU KY SO"])
def test_search_ignores_diacritics_and_case(client, viewer, plan_data, query):
    html = client.get(f"/ke-hoach/{plan_data['plan'].id}", query_string={"q": query, "phu-luc": "tat-ca"}).get_data(
        as_text=True)
    found = item_ids(html)
    assert plan_data["t1"].id in found  # "Chữ ký số"
    assert plan_data["p1"].id in found  # search_text was empty: computed on the fly
    assert plan_data["p3"].id not in found


def test_search_with_no_match_says_so(client, viewer, plan_data):
    html = client.get(f"/ke-hoach/{plan_data['plan'].id}?q=khong+co+gi+ca&phu-luc=3").get_data(as_text=True)
    assert "Không có hạng mục nào phù hợp" in html
    assert not item_ids(html)


def test_search_jumps_to_the_first_tab_with_results(client, viewer, plan_data):
    html = client.get(f"/ke-hoach/{plan_data['plan'].id}?q=so+hoa+ho+so").get_data(as_text=True)
    assert item_ids(html) == {plan_data["p3"].id}


def test_filters(client, viewer, plan_data):
    plan, d = plan_data["plan"], plan_data

    def ids(**args):
        args.setdefault("phu-luc", "tat-ca")
        return item_ids(client.get(f"/ke-hoach/{plan.id}", query_string=args).get_data(as_text=True))

    # Unit: owner, coordinator, through a group, or as today's carrier of a merged unit.
    assert ids(**{"don-vi": d["noivu"].id}) == {d["t1"].id, d["p2"].id}
    assert ids(**{"don-vi": d["noivu"].id, "vai-tro": "chu-tri"}) == {d["t1"].id, d["p2"].id}
    assert ids(**{"don-vi": d["khcn"].id, "vai-tro": "chu-tri"}) == {d["p1"].id, d["b1"].id}
    assert ids(**{"don-vi": d["khcn"].id, "vai-tro": "phoi-hop"}) == {d["t1"].id}
    assert ids(**{"trang-thai": "done"}) == {d["p2"].id}
    assert ids(**{"tien-do": "overdue"}) == {d["p1"].id, d["t1"].id}
    assert ids(**{"tien-do": "done_on_time"}) == {d["p2"].id}
    assert ids(**{"muc": d["sec_a"].id}) == {d["p1"].id}  # subsections included
    # A budget line has its project's years; one without a project spans the plan's period.
    assert ids(**{"nam": 2022}) == {d["p1"].id, d["b1"].id, d["b2"].id}
    assert ids(**{"chi-so": d["indicator"].id}) == {d["p1"].id}
    # Unreadable values are ignored, not errors.
    assert client.get(f"/ke-hoach/{plan.id}?nam=abc&don-vi=x").status_code == 200


def test_unknown_plan_or_appendix_is_404(client, viewer, plan_data):
    assert client.get("/ke-hoach/999999").status_code == 404
    assert client.get(f"/ke-hoach/{plan_data['plan'].id}?phu-luc=9").status_code == 404


def test_search_words_match_whole_words_only(client, viewer, plan_data, factory):
    # "chu ky so" once found every item with "chu…", "…ky…" and "…so…" anywhere, e.g. "Chương trình
    # nâng cao kỹ năng số": each word now has to be a whole word, unless the phrase itself matches.
    noise = factory.item(plan_data["plan"], kind="project", owner=plan_data["noivu"], code="9",
                         text="Chương trình nâng cao nhận thức, kỹ năng trong nền kinh tế số")
    reordered = factory.item(plan_data["plan"], kind="project", owner=plan_data["noivu"], code="10",
                             text="Số hóa: ký số văn bản, chữ viết tay")
    found = item_ids(client.get(f"/ke-hoach/{plan_data['plan'].id}", query_string={"q": "chu ky so", "phu-luc": "tat-ca"})
                     .get_data(as_text=True))
    assert plan_data["t1"].id in found and plan_data["p1"].id in found
    assert noise.id not in found
    assert reordered.id in found  # every word, in any order
    # A phrase cut short still finds what starts with it.
    found = item_ids(client.get(f"/ke-hoach/{plan_data['plan'].id}", query_string={"q": "chu ky s", "phu-luc": "tat-ca"})
                     .get_data(as_text=True))
    assert plan_data["t1"].id in found and noise.id not in found


def test_all_tab_gives_budget_lines_no_status_of_their_own(client, viewer, plan_data):
    # A budget line is reported through its project: "Chưa triển khai" next to an in-progress project's
    # money was wrong. The "Tất cả" tab names the project instead.
    html = client.get(f"/ke-hoach/{plan_data['plan'].id}?phu-luc=tat-ca").get_data(as_text=True)
    row = html[html.index(f'id="hm-{plan_data["b1"].id}"'):]
    row = " ".join(row[: row.index("</tr>")].split())
    assert "Chưa triển khai" not in row and "badge" not in row
    assert f'Theo dự án <a href="/hang-muc/{plan_data["p1"].id}">' in row


def test_plan_page_labels_items_whose_state_comes_from_sample_data(client, factory, login, db):
    from tracker.updates.models import StatusUpdate

    plan = factory.plan()
    sample = factory.item(plan=plan, kind="project", text="Dự án có dữ liệu mẫu", status="in_progress")
    factory.item(plan=plan, kind="project", text="Dự án thật")
    period = factory.period(2025, 3)
    db.session.add(StatusUpdate(item=sample, period=period, unit=sample.owners[0].unit, state="accepted",
                                status="in_progress", progress=40, is_sample=True))
    db.session.commit()
    login(factory.user(role="viewer"))
    page = client.get(f"/ke-hoach/{plan.id}?phu-luc=3").get_data(as_text=True)
    assert page.count("Dữ liệu mẫu</span>") == 1
    row = page[page.index("Dự án có dữ liệu mẫu"):]
    assert row.index("Dữ liệu mẫu</span>") < row.index("Dự án thật")
