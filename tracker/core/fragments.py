"""Rendered page parts kept per process, keyed by the data they were built from.

The aggregate pages (the dashboard, a plan's tabs) cost 50-200 ms of CPU for a 300-item plan with
five years of reports, and 20 coordinators of a province ask for the same plan's page over and over
between two changes of its data. The part of such a page that depends only on the province's data,
the day and the user's role and area (not on the user's session: no CSRF token, no flashed message)
is rendered once and kept here under a key naming all of that (tracker.ops.freshness.shared_page_key,
which includes the version counters every write bumps in its own transaction): a change makes a new
key, so nothing is ever invalidated by hand, and old entries fall off the end of a bounded LRU.
"""
from __future__ import annotations

import secrets
from collections import OrderedDict
from threading import Lock

# A kept part with forms carries this in place of the CSRF token (render it with
# `csrf_token=csrf_placeholder`); `with_csrf` puts the session's own token back. Random per process:
# no data can contain it.
CSRF_PLACEHOLDER = f"csrf-placeholder-{secrets.token_hex(16)}"
MAX_ENTRIES = 64  # a dashboard's part is ~400 kB on the national bench dataset: ~25 MB at most


class FragmentCache:
    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries: OrderedDict[str, str] = OrderedDict()
        self._lock = Lock()
        self.hits = self.misses = 0

    def get_or_render(self, key: str | None, render) -> str:
        """The entry under `key`, else `render()` kept under it (an empty result is not kept); a None
        key renders every time."""
        if key is None:
            return render()
        with self._lock:
            html = self._entries.get(key)
            if html is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return html
            self.misses += 1
        html = render()
        if not html:
            return html
        with self._lock:
            self._entries[key] = html
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return html

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0


fragments = FragmentCache()


def csrf_placeholder() -> str:
    return CSRF_PLACEHOLDER


def with_csrf(html: str) -> str:
    """A kept part with the current session's CSRF token in its forms."""
    if CSRF_PLACEHOLDER not in html:
        return html
    from flask_wtf.csrf import generate_csrf

    return html.replace(CSRF_PLACEHOLDER, generate_csrf())
