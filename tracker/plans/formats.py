"""Which reader reads a plan source, by the file's extension: see tracker/plans/importing/readers.py."""
from __future__ import annotations

from tracker.plans.importing.readers import READERS, read_source  # noqa: F401 - kept for importers
