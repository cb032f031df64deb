"""ChartSpec (plain data) -> SVG text, through pygal. Pure functions: no database, no request.

A chart and the table beside it come from the same `ChartSpec`: the SVG prints `format_value`
of each value on its bar and the table shows the same strings (`rows`), so they cannot disagree.
"""
from __future__ import annotations

import re
import sys
from collections import OrderedDict
from dataclasses import astuple, dataclass, field

import pygal
from pygal.style import Style

# pygal puts an import hook for its map plugins (pygal.maps.*) on sys.meta_path; it lacks
# find_spec, so every later import warns (an error under the tests' warning policy). No map here.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"]

from tracker.core.formatting import format_number

# Colour and pattern together: series stay apart in black-and-white print and for colour-blind
# readers. Pattern: (base colour, overlay drawn in white or black).
PATTERNS = [
    ("#1d4f91", ""),  # solid dark blue
    ("#7fa7d9", '<path d="M-1,1 l2,-2 M0,8 l8,-8 M7,9 l2,-2" stroke="#000" stroke-width="1.2"/>'),  # hatched
    ("#f2b134", '<circle cx="4" cy="4" r="1.6" fill="#000"/>'),  # dotted
    ("#c0392b", '<path d="M0,4 h8" stroke="#fff" stroke-width="1.5"/>'),  # striped
    ("#6c757d", '<path d="M0,0 l8,8 M8,0 l-8,8" stroke="#fff" stroke-width="1"/>'),  # cross-hatched
    ("#2e8b57", '<path d="M4,0 v8" stroke="#fff" stroke-width="1.5"/>'),  # vertical stripes
]
FONT = '"Report Serif", "Liberation Serif", "Times New Roman", serif'


@dataclass
class Series:
    name: str
    values: list  # numbers or None (no value), one per category
    links: list = field(default_factory=list)  # an URL per category (the items behind the bar), or None


@dataclass
class ChartSpec:
    key: str  # stable, unique on a page: the SVG's id and its patterns' ids derive from it
    title: str
    categories: list[str]
    series: list[Series]
    horizontal: bool = False
    stacked: bool = False
    value_format: str = "number"  # number | percent | billions (tỷ đồng)
    caption: str = ""  # what the numbers are, under the chart and the table
    max_value: float | None = None  # the axis' top (100 for percentages)
    category_links: list = field(default_factory=list)  # a link per category, for the table's first column

    def format_value(self, value) -> str:
        if value is None:
            return "–"
        if self.value_format == "percent":
            return f"{format_number(value, 0)} %"
        if self.value_format == "billions":
            return f"{format_number(value, 1)} tỷ"
        return format_number(value, 1)

    @property
    def empty(self) -> bool:
        return not self.categories or all(v in (None, 0) for s in self.series for v in s.values)

    def rows(self) -> list[tuple[str, str | None, list[tuple[str, str | None]]]]:
        """The chart's table: (category, its link, [(formatted value, link) per series])."""
        result = []
        for index, category in enumerate(self.categories):
            cells = []
            for series in self.series:
                value = series.values[index] if index < len(series.values) else None
                link = series.links[index] if index < len(series.links) else None
                cells.append((self.format_value(value), link))
            link = self.category_links[index] if index < len(self.category_links) else None
            result.append((category, link, cells))
        return result


def _defs(key: str, count: int) -> list[str]:
    defs = []
    for index in range(count):
        colour, overlay = PATTERNS[index % len(PATTERNS)]
        defs.append(f'<pattern id="{key}-p{index}" width="8" height="8" patternUnits="userSpaceOnUse">'
                    f'<rect width="8" height="8" fill="{colour}"/>{overlay}</pattern>')
    return defs


# pygal costs 15–20 ms of CPU a chart and the dashboard draws five: the same chart data (a province's
# unchanged figures, seen by each of its users) is drawn once per process. The key is the whole spec.
_RENDERED: OrderedDict[tuple, str] = OrderedDict()
_RENDERED_MAX = 256


def render_svg(spec: ChartSpec, *, width: int = 720, height: int | None = None) -> str:
    """The chart as an inline <svg> element (no XML declaration, no script, a stable id)."""
    key = (repr(astuple(spec)), width, height)
    svg = _RENDERED.get(key)
    if svg is None:
        svg = _render_svg(spec, width=width, height=height)
        _RENDERED[key] = svg
        while len(_RENDERED) > _RENDERED_MAX:
            _RENDERED.popitem(last=False)
    else:
        _RENDERED.move_to_end(key)
    return svg


def _render_svg(spec: ChartSpec, *, width: int, height: int | None) -> str:
    count = max(len(spec.series), 1)
    columns = min(count, 4)
    legend_rows = -(-count // columns) if count > 1 else 0
    if height is None:
        bars = len(spec.categories) * (count if not spec.stacked else 1)
        height = (max(220, 70 + 16 * bars) if spec.horizontal else 300) + 22 * legend_rows
    style = Style(
        background="white", plot_background="white", foreground="#000", foreground_strong="#000",
        foreground_subtle="#666", opacity="1", opacity_hover="1", transition="0s",
        colors=tuple(f"url(#{spec.key}-p{i})" for i in range(count)),
        font_family=FONT, label_font_size=12, major_label_font_size=12, value_font_size=11,
        legend_font_size=12, title_font_size=14, tooltip_font_size=12,
        value_colors=("#000",) * count,  # values printed beside the bars, black on white
    )
    kind = {
        (False, False): pygal.Bar, (False, True): pygal.StackedBar,
        (True, False): pygal.HorizontalBar, (True, True): pygal.HorizontalStackedBar,
    }[(spec.horizontal, spec.stacked)]
    chart = kind(
        style=style, width=width, height=height, explicit_size=True,
        disable_xml_declaration=True, js=[],  # no script: the pages' CSP forbids it, print needs none
        defs=_defs(spec.key, count), print_values=True, print_zeroes=not spec.stacked,  # a stacked 0 has no bar to label: the table says it print_values_position="top",
        value_formatter=spec.format_value, legend_at_bottom=True, legend_at_bottom_columns=columns,
        show_legend=count > 1, truncate_label=-1, truncate_legend=60, show_minor_x_labels=True,
        range=(0, spec.max_value) if spec.max_value else None, include_x_axis=True,
        margin=8, spacing=8,
        # Few value ticks on a horizontal chart: "1.200 tỷ" labels side by side must not overlap.
        max_scale=5 if spec.horizontal else 10, min_scale=2, tooltip_border_radius=0, no_data_text="Chưa có số liệu",
    )
    chart.title = spec.title
    # pygal lists horizontal bars bottom-up; reversed, they read top-down like the table.
    categories = list(spec.categories)
    order = list(range(len(categories)))
    if spec.horizontal:
        order.reverse()
    # Long names (agencies, funding sources) would squeeze the plot: shortened on the axis, whole
    # in the table beside the chart.
    limit = 30 if spec.horizontal else 24
    chart.x_labels = [_short(categories[i], limit) for i in order]
    for series in spec.series:
        points = []
        for i in order:
            value = series.values[i] if i < len(series.values) else None
            link = series.links[i] if i < len(series.links) else None
            point = {"value": value}
            if link and value is not None:
                point["xlink"] = {"href": link, "target": "_top"}
            points.append(point)
        chart.add(series.name, points)
    svg = chart.render(is_unicode=True)
    svg = re.sub(r"<!--.*?-->", "", svg)  # pygal's banner carries the rendering date
    # pygal writes its configuration as an inline <script> even with js=[]: the CSP would refuse it
    # (a console violation on every page) and nothing needs it.
    svg = re.sub(r"<script\b.*?</script>", "", svg, flags=re.S)
    # pygal names each chart with a random uuid: a stable id keeps the output reproducible.
    svg = re.sub(r"chart-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", f"chart-{spec.key}", svg)
    # pygal's legend ids repeat in every chart: unique per chart, or a page with two charts has
    # duplicate ids (and the PDF duplicate anchors).
    svg = re.sub(r'id="activate-serie-(\d+)"', rf'id="{spec.key}-serie-\1"', svg)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(spec.title)}" ', 1)
    return svg


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def svg_values(svg: str) -> list[str]:
    """The values printed on the bars, in the SVG's order (for tests: they equal the table's)."""
    return [v for v in re.findall(r'<text[^>]*class="value[^"]*"[^>]*>([^<]*)</text>', svg) if v]
