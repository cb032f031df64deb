"""Compatibility: the loader is now the import pipeline in tracker/plans/importing/."""
from __future__ import annotations

from tracker.plans.importing.pipeline import Importer as _Loader  # noqa: F401
from tracker.plans.importing.pipeline import apply_documents, load_paths  # noqa: F401
from tracker.plans.importing.readers import ORDER  # noqa: F401
from tracker.plans.importing.result import LoadResult, framework_summary, plan_summary  # noqa: F401
from tracker.plans.importing.validate import APPENDIX_KINDS, ITEM_KEYS, UNIT_KINDS  # noqa: F401
from tracker.plans.importing.values import strip_code  # noqa: F401

ACTOR = "load-plans"
