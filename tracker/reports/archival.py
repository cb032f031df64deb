"""Archival, accessible PDF: WeasyPrint's PDF/A-3a output, tagged, with attached data files.

PDF/A-3a is the archival level that also requires a logical structure (the tags a screen reader
follows: headings, paragraphs, tables with header cells, in reading order, in the document's
language from `<html lang>`), embedded fonts and an sRGB output intent. PDF/A-3 is the part that
allows attachments of any type: the report's figures travel inside the file as JSON, declared
with the relationship "Data" (the data the pages were drawn from).

The renderer may read nothing but what `fetch` (a policy function, url -> dict with `string`,
`mime_type`, `redirected_url`, raising ValueError otherwise) allows. Any builder of an archival
document (the consolidated report, the DTI forms) goes through `write_archival_pdf`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Callable

PDF_VARIANT = "pdf/a-3a"
# The sRGB output intent PDF/A requires, declared as a CSS colour profile: WeasyPrint's own "srgb"
# shortcut leaves the profile file open (a ResourceWarning each render, WeasyPrint 70).
OUTPUT_INTENT = "--archival-srgb"


@dataclass(frozen=True)
class DataAttachment:
    """A file embedded in the PDF (an "associated file" of the document, PDF/A-3)."""

    name: str  # file name shown by PDF readers, e.g. "so-lieu-bao-cao.json"
    content: bytes
    description: str
    created: datetime  # fixed by the caller, so that the same data gives the same bytes
    relationship: str = "Data"


@lru_cache(maxsize=1)
def _srgb_profile() -> tuple[str, bytes]:
    """WeasyPrint's bundled sRGB ICC profile (ICC: free to copy and embed): its URL and bytes."""
    from importlib.resources import files

    path = files("weasyprint.pdf") / "sRGB2014.icc"
    return Path(str(path)).as_uri(), path.read_bytes()


@lru_cache(maxsize=1)
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PolicyFetcher(URLFetcher):
        """WeasyPrint's fetcher, narrowed to what the policy function serves (never the network)."""

        def __init__(self, policy: Callable[[str], dict]):
            super().__init__()
            self._policy = policy

        def fetch(self, url, headers=None):
            profile_url, profile = _srgb_profile()
            if url == profile_url:
                return URLFetcherResponse(url, profile, {"Content-Type": "application/vnd.iccprofile"})
            resource = self._policy(url)
            return URLFetcherResponse(resource["redirected_url"], resource["string"],
                                      {"Content-Type": resource["mime_type"]})

    return PolicyFetcher


def policy_fetcher(fetch: Callable[[str], dict]):
    return _fetcher_class()(fetch)


def write_archival_pdf(html: str, *, base_url: str, fetch: Callable[[str], dict],
                       attachments: tuple[DataAttachment, ...] = (), extra_css: str = "",
                       inspect: Callable | None = None, id_prefix: str = "") -> bytes:
    """The HTML rendered as a tagged PDF/A-3a, with `attachments` embedded.

    `extra_css` is one more stylesheet; `inspect(document)` sees WeasyPrint's laid-out document
    before it is written (tracker/reports/pdfparts.py reads the pages' names and bookmarks);
    `id_prefix` starts the table header ids, unique across the parts of a joined PDF."""
    from weasyprint import CSS, HTML, Attachment
    from weasyprint.text.fonts import FontConfiguration

    fetcher = policy_fetcher(fetch)
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    color_profiles: dict = {}  # filled by the @color-profile rule, read when the PDF is written
    rule = f'@color-profile {OUTPUT_INTENT} {{ src: url("{_srgb_profile()[0]}"); components: r, g, b }}'
    font_config = FontConfiguration()
    stylesheets = [CSS(string=rule, url_fetcher=fetcher, color_profiles=color_profiles)]
    if extra_css:
        stylesheets.append(CSS(string=extra_css, url_fetcher=fetcher, font_config=font_config))
    files = [
        Attachment(string=a.content, name=a.name, description=a.description, relationship=a.relationship,
                   created=_utc_naive(a.created), modified=_utc_naive(a.created))
        for a in attachments
    ]
    options = dict(stylesheets=stylesheets, pdf_variant=PDF_VARIANT, output_intent=OUTPUT_INTENT, attachments=files)
    # HTML.write_pdf's two steps, so that the laid-out pages can be seen in between
    rendered = document.render(font_config=font_config, color_profiles=color_profiles, **options)
    if inspect is not None:
        inspect(rendered)
    return rendered.write_pdf(finisher=lambda doc, pdf: _finish(doc, pdf, id_prefix), **options)


def _finish(document, pdf, id_prefix: str = "") -> None:
    """Corrections to what WeasyPrint 69 writes, made on the PDF objects before they are serialised."""
    import pydyf

    # Each attachment is listed twice in the catalogue's /AF array; once is what PDF/A-3 means.
    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))
    # A transparency group (the tiles of a chart's hatch patterns) names the output intent's colour
    # space as a resource name; a group's /CS must be the colour space itself (readers reject the name).
    spaces = next((obj[OUTPUT_INTENT] for obj in pdf.objects
                   if isinstance(obj, pydyf.Dictionary) and OUTPUT_INTENT in obj), None)
    if spaces is not None:
        for obj in pdf.objects:
            if isinstance(obj, (pydyf.Dictionary, pydyf.Stream)):
                extra = obj.extra if isinstance(obj, pydyf.Stream) else obj
                group = extra.get("Group")
                if isinstance(group, dict) and group.get("CS") == f"/{OUTPUT_INTENT}":
                    group["CS"] = spaces
    elements = {obj.reference: obj for obj in pdf.objects
                if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/StructElem"}
    header_ids = {}
    for element in elements.values():
        parent = elements.get(element.get("P"))
        if element["S"] in ("/TD", "/TH") and parent is not None and parent["S"] in ("/TD", "/TH"):
            # The anonymous block inside a cell is tagged as a second cell nested in the first.
            element["S"] = "/NonStruct"
        elif element["S"] == "/TH" and "ID" in element:
            # Header ids are memory addresses: number them, so that the same data gives the same bytes.
            header_ids[element["ID"].string] = element["ID"] = pydyf.String(f"{id_prefix}th{element.number}")
    for element in elements.values():
        headers = element.get("A", {}).get("Headers") if isinstance(element.get("A"), dict) else None
        if headers:
            element["A"]["Headers"] = pydyf.Array(header_ids.get(h.string, h) for h in headers)


def _utc_naive(moment: datetime) -> datetime:
    # WeasyPrint writes attachment dates as "D:...Z" from the naive value: give it UTC.
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment
