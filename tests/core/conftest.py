"""Fixtures of the core tests."""
from __future__ import annotations

import pytest

from tracker.core.fragments import fragments


@pytest.fixture
def kept(app):
    """The page-body cache turned on (TestConfig keeps it off: rolled-back data would outlive it)."""
    fragments.clear()
    app.config["PAGE_FRAGMENT_CACHE"] = True
    try:
        yield fragments
    finally:
        app.config["PAGE_FRAGMENT_CACHE"] = False
        fragments.clear()
