"""The dashboard's charts: server-side SVG (pygal) without script, the numbers on the bars equal the
table beside each chart, the bars link to the items behind them, and one province sees only its own."""
from __future__ import annotations

import html as htmllib
import re
from collections import Counter
from decimal import Decimal

import pytest

from tests.dashboard.test_dashboard import board, viewer  # noqa: F401 - fixtures
from tracker.charts.svg import ChartSpec, Series, render_svg, svg_values


def _figures(html: str) -> dict[str, tuple[str, str]]:
    """chart key -> (its SVG, its table)."""
    found = {}
    for key, body in re.findall(r'<figure class="chart-figure" id="bieu-do-([^"]+)">(.*?)</figure>', html, re.S):
        svg = re.search(r"<svg.*?</svg>", body, re.S).group(0)
        table = re.search(r"<table.*?</table>", body, re.S).group(0)
        found[key] = (svg, table)
    return found


def _table_values(table: str) -> list[str]:
    cells = re.findall(r'<td class="num">(.*?)</td>', table, re.S)
    values = [htmllib.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]
    return [v for v in values if v != "–"]


def test_svg_has_no_script_no_declaration_and_a_stable_id():
    spec = ChartSpec("thu", "Thử", ["A", "B"], [Series("Kỳ 1", [Decimal(10), None], ["/a", None]),
                                                 Series("Kỳ 2", [0, 5])], value_format="percent")
    svg = render_svg(spec)
    assert svg.startswith("<svg ") and "<?xml" not in svg
    assert "<script" not in svg and "javascript" not in svg.lower()
    assert 'id="chart-thu"' in svg and svg == render_svg(spec)  # reproducible: no uuid, no date
    assert 'xlink:href="/a"' in svg
    assert Counter(svg_values(svg)) == Counter(["10 %", "0 %", "5 %"])
    # Colour is not the only difference between series: each has its own hatch pattern.
    assert 'id="thu-p0"' in svg and 'id="thu-p1"' in svg and "url(#thu-p1)" in svg


def test_every_chart_number_equals_its_table(client, viewer, board):
    html = client.get(f"/tong-quan?ke-hoach={board['plan'].id}").get_data(as_text=True)
    figures = _figures(html)
    assert {"tien-do-theo-ky", "kinh-phi-nguon", "kinh-phi-don-vi", "dung-han-don-vi"} <= set(figures)
    for key, (svg, table) in figures.items():
        assert "<script" not in svg, key
        assert Counter(svg_values(svg)) == Counter(_table_values(table)), key
    # Known figures: unit A sent everything on time this period, late the one before; B never.
    _svg, table = figures["dung-han-don-vi"]
    rows = dict(re.findall(r'<th scope="row"><a [^>]*>([^<]+)</a></th>(.*?)</tr>', table, re.S))
    assert _table_values(rows["Sở Nội vụ"])[-2:] == ["0 %", "100 %"]
    assert set(_table_values(rows["Sở Tài chính"])) == {"0 %"}
    # 2 tỷ planned for the running project's line (unit A), its 0,5 tỷ disbursed.
    _svg, table = figures["kinh-phi-don-vi"]
    rows = dict(re.findall(r'<th scope="row"><a [^>]*>([^<]+)</a></th>(.*?)</tr>', table, re.S))
    assert _table_values(rows["Sở Nội vụ"]) == ["2 tỷ", "0 tỷ", "0,5 tỷ"]


def test_bars_link_to_the_items_behind_them(client, viewer, board):
    html = client.get(f"/tong-quan?ke-hoach={board['plan'].id}").get_data(as_text=True)
    svg, _table = _figures(html)["kinh-phi-don-vi"]
    links = {htmllib.unescape(h) for h in re.findall(r'xlink:href="([^"]+)"', svg)}
    budget = next(a for a in board["plan"].appendices if a.kind == "budget")
    unit_a = f"/ke-hoach/{board['plan'].id}?phu-luc={budget.number}&don-vi={board['unit_a'].id}&vai-tro=chu-tri"
    assert unit_a in links
    page = client.get(unit_a).get_data(as_text=True)
    assert "Kinh phí dự án đang làm" in page and "Kinh phí doanh nghiệp" not in page


def test_the_dashboard_leads_with_the_dti_card(client, db, factory, viewer, board):
    from tracker.indicators.models import Framework, Indicator, ItemIndicatorLink

    framework = Framework(name="DTI cấp tỉnh 2024", level="province", year=2024)
    pillar = Indicator(framework=framework, code="1", key="1", name="Nhận thức số", depth=0, position=1)
    child = Indicator(framework=framework, parent=pillar, code="1.1", key="1.1", name="Chỉ số con",
                      max_points=Decimal(30), depth=1, position=2)
    db.session.add_all([framework, pillar, child,
                        ItemIndicatorLink(item_id=board["oldest"].id, indicator=child)])
    db.session.commit()
    html = client.get(f"/tong-quan?ke-hoach={board['plan'].id}").get_data(as_text=True)
    assert html.index("30 điểm có nguy cơ") < html.index('id="bieu-do-tien-do-theo-ky"')
    assert f'href="/bo-chi-so/{framework.id}?ke-hoach={board["plan"].id}"' in html
    svg, table = _figures(html)[f"dti-{framework.id}"]
    assert svg_values(svg) == ["30"] == _table_values(table)
    assert f"/bo-chi-so/{framework.id}?ke-hoach={board['plan'].id}#cs-{pillar.id}" in htmllib.unescape(svg)
    # The framework page says the same figure.
    page = client.get(f"/bo-chi-so/{framework.id}?ke-hoach={board['plan'].id}").get_data(as_text=True)
    assert "30 điểm có nguy cơ" in page


def test_each_province_charts_only_its_own_units(client, factory, login, provinces):
    hue, thanh_hoa = provinces
    only_there = factory.unit("Sở Ngoại vụ", area=thanh_hoa.area)
    factory.item(thanh_hoa.plan, kind="budget", owner=only_there, text="Kinh phí riêng Thanh Hóa",
                 budget_state=7_000_000_000)
    login(hue.viewer)
    html = client.get(f"/tong-quan?ke-hoach={hue.plan.id}").get_data(as_text=True)
    figures = _figures(html)
    assert "dung-han-don-vi" in figures or "tien-do-theo-ky" in figures
    assert "Sở Ngoại vụ" not in html and "7 tỷ" not in html


def test_the_budget_appendix_total_disbursed_equals_the_dashboard(client, viewer, board):
    budget = next(a for a in board["plan"].appendices if a.kind == "budget")
    dashboard = client.get(f"/tong-quan?ke-hoach={board['plan'].id}").get_data(as_text=True)
    assert "Đã giải ngân <a" in dashboard and ">500.000.000 đ</a>" in dashboard
    page = client.get(f"/ke-hoach/{board['plan'].id}?phu-luc={budget.number}").get_data(as_text=True)
    total = page.split("<tfoot>", 1)[1].split("</tr>", 1)[0]
    assert total.rstrip().endswith('<th class="num">500.000.000 đ</th>')


def test_a_chart_is_drawn_once_for_the_same_data_and_again_when_it_changes():
    from tracker.charts.svg import ChartSpec, Series, render_svg

    def spec(value):
        return ChartSpec(key="kiem-tra", title="Tiến độ", categories=["Phụ lục 1"], series=[Series("Quý 1/2026", [value])],
                         value_format="percent")

    first = render_svg(spec(37))
    assert render_svg(spec(37)) == first
    changed = render_svg(spec(63))
    assert changed != first and ">63 %<" in changed and ">37 %<" not in changed
