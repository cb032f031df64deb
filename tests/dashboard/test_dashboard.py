"""The dashboard: progress per appendix, timeliness, reporting completeness, most overdue items."""
import html as htmllib
import re
from datetime import date, timedelta

import pytest

from tests.browsing import recent_quarters, update
from tracker.core.time import today_local
from tracker.periods.obligations import obligations_for_period


@pytest.fixture
def board(db, factory):
    today = today_local()
    area = factory.area()
    current, previous = recent_quarters(factory, today, 2, tenant=area)
    unit_a = factory.unit("Sở Nội vụ", area=area)
    unit_b = factory.unit("Sở Tài chính", area=area)
    plan = factory.plan(area=area, period_start=today.year - 5, period_end=today.year + 2)
    y = today.year

    def project(text, owner, **kwargs):
        return factory.item(plan, kind="project", owner=owner, text=text, **kwargs)

    items = {
        "on_time": project("Dự án xong đúng hạn", unit_a, start_year=y - 1, end_year=y + 1, status="done",
                           progress=100, completed_on=today - timedelta(days=1)),
        "late_done": project("Dự án xong trễ", unit_a, start_year=y - 3, end_year=y - 2, status="done", progress=100,
                             completed_on=date(y - 1, 3, 1)),
        "running": project("Dự án đang làm", unit_a, start_year=y - 1, end_year=y + 1, status="in_progress",
                           progress=40, amount_disbursed=500_000_000),
        "not_due": project("Dự án chưa đến hạn", unit_a, start_year=y, end_year=y + 1),
        "overdue": project("Dự án quá hạn gần", unit_a, start_year=y - 3, end_year=y - 1, status="late", progress=10),
        "oldest": project("Dự án quá hạn lâu nhất", unit_b, start_year=y - 5, end_year=y - 4),
        "target": factory.item(plan, kind="target", owner=unit_a, text="Chỉ tiêu đạt", target_year=y + 1,
                               status="done", progress=100, completed_on=today - timedelta(days=1)),
    }
    factory.item(plan, kind="budget", owner=unit_a, text="Kinh phí dự án đang làm", budget_state=1_000_000_000,
                 budget_other=1_000_000_000, budget_total=2_000_000_000, funded_project_id=items["running"].id)
    factory.item(plan, kind="budget", owner=unit_b, text="Kinh phí doanh nghiệp", budget_state=None,
                 budget_other=None, budget_total=None)
    # Unit A reports everything on time in the current period and late in the previous one; B never reports.
    for period, day in ((current, current.submission_deadline - timedelta(days=1)),
                        (previous, previous.submission_deadline + timedelta(days=2))):
        for obligation in obligations_for_period(period, plan_id=plan.id, unit_ids={unit_a.id}):
            update(db, obligation.item, period, unit_a, state="submitted", submitted_on=day)
    db.session.commit()
    return dict(plan=plan, unit_a=unit_a, unit_b=unit_b, current=current, previous=previous, **items)


@pytest.fixture
def viewer(factory, login):
    user = factory.user(role="viewer")
    login(user)
    return user


def test_root_redirects_signed_in_users_to_the_dashboard(client, viewer):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/tong-quan")


def test_anonymous_users_only_see_the_sign_in_page(client, db):
    for url in ("/", "/tong-quan", "/ke-hoach", "/don-vi", "/bo-chi-so", "/quan-tri"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/dang-nhap" in response.headers["Location"], url


def test_dashboard_without_plans_says_how_to_load_them(client, viewer):
    html = client.get("/tong-quan").get_data(as_text=True)
    assert "Chưa có kế hoạch nào" in html


def _row(html: str, marker: str) -> str:
    start = html.index(marker)
    return html[start: html.index("</tr>", start)]


def test_timeliness_and_status_figures(client, viewer, board):
    html = client.get(f"/tong-quan?ke-hoach={board['plan'].id}").get_data(as_text=True)
    plan_id = board["plan"].id

    def total(key: str, value: str) -> int:
        match = re.search(rf'href="/ke-hoach/{plan_id}\?phu-luc=tat-ca&amp;{key}={value}">(\d+)</a>', html)
        assert match, (key, value)
        return int(match.group(1))

    assert total("tien-do", "done_on_time") == 2
    assert total("tien-do", "done_late") == 1
    assert total("tien-do", "in_progress") == 1
    assert total("tien-do", "not_due") == 1
    assert total("tien-do", "overdue") == 2
    assert total("trang-thai", "done") == 3
    assert total("trang-thai", "late") == 1


def test_every_figure_links_to_the_items_behind_it(client, viewer, board):
    html = client.get(f"/tong-quan?ke-hoach={board['plan'].id}").get_data(as_text=True)
    links = re.findall(r'<a [^>]*href="(/ke-hoach/\d+\?[^"]*)"[^>]*>(\d+)</a>', html)
    assert len(links) > 20
    for href, figure in links:
        page = client.get(htmllib.unescape(href)).get_data(as_text=True)
        rows = re.findall(r'<tr id="hm-\d+"', page)
        assert len(rows) == int(figure), href


def test_budget_planned_against_disbursed(client, viewer, board):
    html = client.get(f"/tong-quan?ke-hoach={board['plan'].id}").get_data(as_text=True)
    assert "2.000.000.000 đ" in html  # planned (the "-" line is not counted as zero)
    assert "500.000.000 đ" in html  # disbursed, from the project the line funds
    assert "25 %" in html
    assert '1 dòng "-"' in html


def test_reporting_completeness_per_unit_and_period(client, viewer, board):
    html = client.get(f"/tong-quan?ke-hoach={board['plan'].id}").get_data(as_text=True)
    grid = html[html.index('<table class="table grid">'):]
    row_a = _row(grid, f'/don-vi/{board["unit_a"].id}#bao-cao')
    row_b = _row(grid, f'/don-vi/{board["unit_b"].id}#bao-cao')
    # Columns run oldest to newest: previous period, then the current one.
    assert row_a.index("Gửi đủ, có báo cáo muộn") < row_a.index("Đã gửi đủ")
    assert row_b.index("Quá hạn, chưa gửi đủ") < row_b.index("Chưa bắt đầu")
    assert "0/1" in row_b
    assert board["current"].label in html and "kỳ hiện tại" in html
    summary = html[html.index('id="nop-bao-cao"'): html.index('<table class="table grid">')]
    assert re.search(r"Đã gửi đủ</span> <strong>1</strong>", summary)
    assert re.search(r"Chưa bắt đầu</span> <strong>1</strong>", summary)


def test_reporting_cells_link_to_the_units_row_for_that_period(client, viewer, board):
    # A cell "sent/owed" used to link to the plan's item list of the unit: no period, budget lines
    # included, the same list for every column. It now opens the unit's row for that period.
    html = client.get(f"/tong-quan?ke-hoach={board['plan'].id}").get_data(as_text=True)
    grid = html[html.index('<table class="table grid">'):]
    for unit, period in ((board["unit_b"], board["previous"]), (board["unit_a"], board["current"])):
        href = f'/don-vi/{unit.id}#ky-{period.code}'
        cell = re.search(rf'href="{re.escape(href)}"[^>]*>(\d+)/(\d+)</a>', grid)
        assert cell, href
        sent, owed = cell.groups()
        page = client.get(f"/don-vi/{unit.id}").get_data(as_text=True)
        row = re.sub(r"\s+", " ", _row(page, f'id="ky-{period.code}"'))
        assert f'<td class="num">{owed}</td><td class="num">{sent}</td>' in row, row


def test_most_overdue_items_first(client, viewer, board):
    html = client.get(f"/tong-quan?ke-hoach={board['plan'].id}").get_data(as_text=True)
    section = html[html.index("Hạng mục quá hạn lâu nhất"):]
    assert section.index("Dự án quá hạn lâu nhất") < section.index("Dự án quá hạn gần")
    assert "Dự án đang làm" not in section


def test_default_plan_is_the_users_area(client, db, factory, login, board):
    # A district's plan of the same province: selectable, but not the province's users' default.
    district = factory.area(level="district", parent=board["unit_a"].area, name="Huyện Khác")
    other_area_plan = factory.plan(title="Kế hoạch huyện khác", area=district)
    db.session.commit()
    reporter = factory.user(role="reporter", unit=board["unit_a"])
    login(reporter)
    html = client.get("/tong-quan").get_data(as_text=True)
    assert f'<option value="{board["plan"].id}" selected>' in html
    assert other_area_plan.number in html  # still selectable
    assert client.get("/tong-quan?ke-hoach=999999").status_code == 404


def test_sample_data_is_labelled_on_the_dashboard_and_item_page(client, db, viewer, board):
    html = client.get(f"/tong-quan?ke-hoach={board['plan'].id}").get_data(as_text=True)
    assert "dữ liệu mẫu" not in html.lower()
    item = board["running"]
    update(db, item, board["current"], board["unit_a"], state="accepted", version=2, is_sample=True)
    db.session.commit()
    html = client.get(f"/tong-quan?ke-hoach={board['plan'].id}").get_data(as_text=True)
    assert "1 hạng mục có trạng thái lấy từ dữ liệu mẫu" in html
    page = client.get(f"/hang-muc/{item.id}").get_data(as_text=True)
    assert 'badge-sample" title="Tình trạng lấy từ dữ liệu mẫu' in page


def test_disbursement_rate_leaves_out_spending_on_lines_without_an_amount(db, factory):
    from datetime import date

    from tracker.dashboard.services import build_dashboard

    plan = factory.plan()
    fixed = factory.item(plan=plan, kind="project", amount_disbursed=800)
    open_ended = factory.item(plan=plan, kind="project", amount_disbursed=5000)
    factory.item(plan=plan, kind="budget", budget_state=1000, budget_other=0, budget_total=1000,
                 funded_project=fixed, owner=fixed.owners[0].unit)
    factory.item(plan=plan, kind="budget", funded_project=open_ended, owner=open_ended.owners[0].unit)  # "-"
    db.session.expire_all()
    board = build_dashboard(plan, date(2025, 9, 30))
    budget = next(a for a in board.appendices if a.appendix.kind == "budget")
    assert budget.planned_total == 1000 and budget.disbursed == 5800
    assert round(budget.disbursed_percent, 1) == 80.0  # not 580 %
