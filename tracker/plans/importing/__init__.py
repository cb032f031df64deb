"""One import pipeline for plans, units and indicator frameworks, whatever the file's format.

    readers   (YAML | XLSX | DOCX, `READERS` by suffix) -> SourceDoc, the one plan document
    values    money, decimals, years, several target values ("-" is no amount fixed, never 0)
    names     unit names as written -> the area's units and groups
    validate  checks that need no database
    diff      preview: every step inside a savepoint rolled back (what applying would do)
    pipeline  apply, in dependency order, all or nothing (apply_units, apply_frameworks,
              apply_plans, apply_links)
    result    what was (or would be) done; `load-plans --json`
"""
from tracker.plans.importing.pipeline import apply_documents, load_paths  # noqa: F401
from tracker.plans.importing.result import LoadResult, framework_summary, plan_summary  # noqa: F401
