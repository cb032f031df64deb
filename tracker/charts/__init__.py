"""Charts drawn on the server as SVG, the same markup in the pages and in the report PDF.

Why pygal (requirements.txt): it is pure Python, writes SVG text (no browser, no JavaScript needed
to see a chart), and WeasyPrint renders that SVG inline, so the printed report shows the very
chart the dashboard shows. Its interactive script is switched off (`js=[]`): the pages' policy
forbids inline and foreign scripts, and a printed chart must say everything without hovering.
Every series has a hatch pattern as well as a colour and every bar prints its value, so a chart
reads in black and white; every chart comes with the table of its numbers (`ChartSpec.rows`).
"""
from tracker.charts.svg import ChartSpec, Series, render_svg

__all__ = ["ChartSpec", "Series", "render_svg"]
