"""A long report's PDF rendered in parts on several processes, then joined into one PDF/A-3a.

WeasyPrint is pure Python (threads would queue on the GIL), so a large report is laid out by a
pool of processes: the body and each annex (each already starts a new page, `.annex` in
templates/reports/_document.css) are rendered on their own, then joined page for page.

What makes the join give the single render's layout and tags:
- parts are rendered *without margin boxes* (the page numbers) and the numbers are stamped
  afterwards from a numbers-only render of the same CSS with the joined document's pages (same
  sizes, same page names, so `@page :first`, `@page annex` and `counter(page)` put each number
  exactly where a single render does); the stamp is marked as a pagination artifact;
- WeasyPrint builds its structure tree page by page (`/Document` gets the top elements of each
  page in turn, each page's marked content mapped under /ParentTree by its page number), so the
  joined tree is the parts' trees one after the other, with page keys shifted;
- the outline is rebuilt from the parts' bookmarks (their heading levels) by WeasyPrint's own
  rule, so the annexes' headings nest under the body's title as in a single render;
- the first part carries the attachments, the output intent, the metadata and the language.

The pool lives in the process that renders reports (the job runner, tracker/reports/jobs.py):
`configure(processes)` sizes it, it starts on the first large render and stops with the process.
Parts get HTML strings only, never the database.
"""
from __future__ import annotations

import atexit
import io
import multiprocessing
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from types import SimpleNamespace

from tracker.reports.archival import DataAttachment

# Each annex section starts a new page (break-before: page), so the document splits before each.
PART_MARK = '<section class="annex'
MARGIN_BOXES = ("top-left-corner", "top-left", "top-center", "top-right", "top-right-corner",
                "bottom-left-corner", "bottom-left", "bottom-center", "bottom-right", "bottom-right-corner",
                "left-top", "left-middle", "left-bottom", "right-top", "right-middle", "right-bottom")
# Parts are drawn without any margin box: the page numbers depend on the pages before the part.
NO_MARGIN_BOXES = "@page { " + " ".join(f"@{box} {{ content: none !important; }}" for box in MARGIN_BOXES) + " }"
# The stamp: nothing but the margin boxes, one empty block per page of the joined document.
STAMP_STYLE = "body > div { break-before: page; height: 0; margin: 0; padding: 0; border: 0; }"
ARTIFACT = b"/Artifact <</Type /Pagination /Subtype /Header>> BDC"


@dataclass(frozen=True)
class RenderedPart:
    pdf: bytes
    page_names: tuple[str, ...]  # the CSS page name of each page ("" for the default page)
    bookmarks: tuple[tuple, ...]  # per page: WeasyPrint's (level, label, (x, y), state) bookmarks
    heights: tuple[float, ...]  # per page, in CSS px (the outline's y is measured from the bottom)
    cpu: float = 0.0  # seconds of CPU the part took in its process


def split_parts(html: str) -> list[str]:
    """The document as self-standing HTML documents: the body, then each annex section."""
    body_end = html.rindex("</body>")
    tail_at = html.rindex("</div>", 0, body_end)  # closes <div class="doc">
    head_end = html.index('<div class="doc">') + len('<div class="doc">')
    head, content, tail = html[:head_end], html[head_end:tail_at], html[tail_at:]
    chunks = content.split(PART_MARK)
    return [head + chunks[0] + tail] + [head + PART_MARK + chunk + tail for chunk in chunks[1:]]


def render_part(html: str, attachments: tuple[DataAttachment, ...] = (), index: int = 0) -> RenderedPart:
    """One part as a tagged PDF/A-3a without margin boxes (run in a pool process)."""
    started = time.process_time()
    seen = {}

    def keep(document):
        seen["pages"] = [(page._page_box.page_type.name or "", tuple(page.bookmarks), page.height)
                         for page in document.pages]

    from tracker.reports.builders import html_to_pdf

    pdf = html_to_pdf(html, attachments=attachments, extra_css=NO_MARGIN_BOXES, inspect=keep,
                      id_prefix=f"p{index}-" if index else "")
    names, bookmarks, heights = zip(*seen["pages"])
    return RenderedPart(pdf=pdf, page_names=names, bookmarks=bookmarks, heights=heights,
                        cpu=time.process_time() - started)


def stamp_html(html: str, page_names: list[str], start: int = 0, end: int | None = None) -> tuple[str, int]:
    """The page furniture alone (page numbers) of pages `start`..`end` of a document whose pages are
    named `page_names`, with the report's CSS; and how many leading pages to skip in its render.

    A run of pages after the first is preceded by one or two blank pages (the first page stays the
    document's `:first`, left and right pages keep their sides), its first page's counter set."""
    end = len(page_names) if end is None else end
    head = html[:html.index("<body")]
    skip = 0 if start == 0 else (1 if start % 2 else 2)
    style = STAMP_STYLE
    if start:
        style += f" @page :nth({skip + 1}) {{ counter-set: page {start + 1}; }}"
    names = [page_names[0]] * skip + page_names[start:end]
    pages = "".join(f'<div style="page: {name or "auto"}"></div>' for name in names)
    return f"{head}<style>{style}</style><body>{pages}</body></html>", skip


def render_parallel(html: str, attachments: tuple[DataAttachment, ...] = (), executor: Executor | None = None,
                    stats: dict | None = None, stamp_runs: int = 2) -> bytes:
    """The report rendered in parts (on `executor`'s processes, or one after the other) and joined.

    The page numbers are rendered in `stamp_runs` runs of pages, in parallel too.
    `stats`, when given, receives the parts' CPU seconds ("parts_cpu", spent in other processes)."""
    parts = split_parts(html)
    submit = executor.submit if executor is not None else _now
    # The largest parts first, so that the last one to start is a short one.
    order = sorted(range(len(parts)), key=lambda i: -len(parts[i]))
    futures = {i: submit(render_part, parts[i], attachments if i == 0 else (), i) for i in order}
    rendered = [futures[i].result() for i in range(len(parts))]
    names = [name for part in rendered for name in part.page_names]
    bounds = [len(names) * k // stamp_runs for k in range(stamp_runs + 1)]
    runs = [stamp_html(html, names, a, b) for a, b in zip(bounds, bounds[1:]) if b > a]
    stamp_futures = [(submit(render_stamp, run_html), skip) for run_html, skip in runs]
    stamps = [(future.result(), skip) for future, skip in stamp_futures]
    if stats is not None:
        stats["parts_cpu"] = sum(part.cpu for part in rendered) + sum(cpu for (_, cpu), _ in stamps)
        stats["parts"] = len(rendered)
    return join_parts(rendered, [(pdf, skip) for (pdf, _), skip in stamps])


class _now:
    """A finished future: what a part rendered in this process returns."""

    def __init__(self, func, *args):
        self._result = func(*args)

    def result(self):
        return self._result


def render_stamp(html: str) -> tuple[bytes, float]:
    """The stamp's PDF (not tagged: its content is drawn as an artifact) and its CPU seconds."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from tracker.reports.archival import policy_fetcher
    from tracker.reports.builders import FONTS_DIR, restricted_url_fetcher

    started = time.process_time()
    pdf = HTML(string=html, base_url=FONTS_DIR.as_uri() + "/",
               url_fetcher=policy_fetcher(restricted_url_fetcher)).write_pdf(font_config=FontConfiguration())
    return pdf, time.process_time() - started


def join_parts(parts: list[RenderedPart], stamps: list[tuple[bytes, int]]) -> bytes:
    """The parts' pages, tags and outline as one PDF, the stamp's page numbers drawn on each page."""
    import pikepdf

    target = pikepdf.open(io.BytesIO(parts[0].pdf))
    tree = target.Root.StructTreeRoot
    document = tree.K[0]
    page_keys, annotation_keys = _split_nums(tree.ParentTree.Nums, len(target.pages))
    dests = _flat_names(target.Root.get("/Names", {}).get("/Dests"))
    sources = []  # copied streams are read from their sources when the target is saved: keep them open
    for part in parts[1:]:
        source = pikepdf.open(io.BytesIO(part.pdf))
        sources.append(source)
        offset = len(target.pages)
        target.pages.extend(source.pages)
        source_tree = source.Root.StructTreeRoot
        source_document = source_tree.K[0]
        # Parts have no margin boxes: every element whose parent is /Document is in its /K.
        copied_document = target.copy_foreign(source_document)  # and every element under it
        kids = list(copied_document.K)
        source_nums = target.copy_foreign(source_tree.ParentTree).Nums
        for kid in kids:
            kid.P = document
            document.K.append(kid)
        part_pages, part_annotations = _split_nums(source_nums, len(source.pages))
        page_keys += [(key + offset, value) for key, value in part_pages]
        annotation_keys += part_annotations
        for page in target.pages[offset:]:
            page.obj.StructParents = page.obj.StructParents + offset
        if "/Names" in source.Root and "/Dests" in source.Root.Names:
            dests += _flat_names(target.copy_foreign(source.make_indirect(source.Root.Names.Dests)))
    # annotations' keys follow the pages' keys, as WeasyPrint numbers them
    key = len(target.pages)
    new_nums = pikepdf.Array([item for pair in page_keys for item in pair])
    for _, link in annotation_keys:
        new_nums.extend([key, link])
        kids = link.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.OBJR:
                kid.Obj.StructParent = key
        key += 1
    tree.ParentTree = target.make_indirect(pikepdf.Dictionary(Nums=new_nums))
    tree.ParentTreeNextKey = key
    if dests:
        dests.sort(key=lambda pair: bytes(pair[0]))
        if "/Names" not in target.Root:
            target.Root.Names = pikepdf.Dictionary()
        target.Root.Names.Dests = target.make_indirect(pikepdf.Dictionary(
            Names=pikepdf.Array([item for pair in dests for item in pair])))
    _write_outline(target, parts)
    sources += _stamp(target, stamps)
    out = io.BytesIO()
    # streams as they are (qpdf would inflate and deflate each again); an id from the content
    target.save(out, deterministic_id=True, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()


def _split_nums(nums, page_count: int) -> tuple[list, list]:
    """A /ParentTree's (key, value) pairs: the pages' (keys 0..pages-1), then the annotations'."""
    pairs = [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)]
    return [p for p in pairs if p[0] < page_count], [p for p in pairs if p[0] >= page_count]


def _flat_names(tree) -> list[list]:
    """A name tree's (name, value) pairs."""
    if tree is None:
        return []
    pairs = []
    names = tree.get("/Names")
    if names is not None:
        pairs += [[names[i], names[i + 1]] for i in range(0, len(names), 2)]
    for kid in tree.get("/Kids", []):
        pairs += _flat_names(kid)
    return pairs


def _write_outline(target, parts: list[RenderedPart]) -> None:
    """The bookmarks of all pages as WeasyPrint nests them in a single render (its own rule)."""
    import pikepdf
    from weasyprint.document import Document
    from weasyprint.matrix import Matrix  # noqa: F401 (used by make_bookmark_tree)

    pages = [SimpleNamespace(bookmarks=list(b), height=h)
             for part in parts for b, h in zip(part.bookmarks, part.heights)]
    tree = Document.make_bookmark_tree(SimpleNamespace(pages=pages), 1, transform_pages=True)
    references = [page.obj for page in target.pages]

    def add(items, parent):
        made, count = [], len(items)
        for title, (page, x, y), children, state in items:
            outline = target.make_indirect(pikepdf.Dictionary(
                Title=pikepdf.String(title), Dest=pikepdf.Array([references[page], pikepdf.Name.XYZ, x, y, 0])))
            children_made, children_count = add(children, outline)
            outline.Count = -children_count if state == "closed" else children_count
            if state != "closed":
                count += children_count
            if made:
                outline.Prev = made[-1]
                made[-1].Next = outline
            if children_made:
                outline.First, outline.Last = children_made[0], children_made[-1]
            outline.Parent = parent
            made.append(outline)
        return made, count

    if "/Outlines" in target.Root:
        del target.Root["/Outlines"]
    if tree:
        root = target.make_indirect(pikepdf.Dictionary())
        made, count = add(tree, root)
        root.Count, root.First, root.Last = count, made[0], made[-1]
        target.Root.Outlines = root


def _stamp(target, stamps: list[tuple[bytes, int]]) -> list:
    """The stamps' pages (after their leading blank ones) drawn over `target`'s, as pagination
    artifacts; the stamps' PDFs, to keep open until `target` is saved."""
    import pikepdf

    sources = [pikepdf.open(io.BytesIO(pdf)) for pdf, _ in stamps]
    stamp_pages = [page for source, (_, skip) in zip(sources, stamps) for page in source.pages[skip:]]
    if len(stamp_pages) != len(target.pages):
        raise RuntimeError(f"Số trang: {len(stamp_pages)} trang số cho {len(target.pages)} trang báo cáo")
    for number, (page, stamp_page) in enumerate(zip(target.pages, stamp_pages), start=1):
        if not _has_drawing(stamp_page):
            continue  # the first page: no number
        form = target.copy_foreign(stamp_page.as_form_xobject())
        # named by the page (WeasyPrint's pages may share one /Resources), never at random: same bytes
        name = page.add_resource(form, pikepdf.Name.XObject, pikepdf.Name(f"/PageNumber{number}"))
        page.contents_add(target.make_stream(b"q"), prepend=True)
        page.contents_add(target.make_stream(b"Q q " + ARTIFACT + b" " + bytes(name) + b" Do EMC Q"))
    return sources


def _has_drawing(page) -> bool:
    import pikepdf

    return any(op in (pikepdf.Operator("Tj"), pikepdf.Operator("TJ"))
               for _, op in pikepdf.parse_content_stream(page))


# --------------------------------------------------------------------------- the pool

_lock = threading.Lock()
_processes = 0
_executor: ProcessPoolExecutor | None = None


def configure(processes: int | None) -> None:
    """How many processes render parts (0 or 1: none, every PDF is rendered in one piece)."""
    global _processes
    with _lock:
        if processes != _processes and _executor is not None:
            _shutdown_locked()
        _processes = processes or 0


def executor() -> ProcessPoolExecutor | None:
    """The pool, started on first use ("forkserver": the caller may run threads, e.g. APScheduler's)."""
    global _executor
    with _lock:
        if _processes < 2:
            return None
        if _executor is None:
            _executor = ProcessPoolExecutor(max_workers=_processes,
                                            mp_context=multiprocessing.get_context("forkserver"))
        return _executor


def shutdown() -> None:
    with _lock:
        _shutdown_locked()


def _shutdown_locked() -> None:
    global _executor
    if _executor is not None:
        _executor.shutdown(wait=True, cancel_futures=True)
        _executor = None


atexit.register(shutdown)
