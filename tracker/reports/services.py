"""Gathering the report's figures, the coordinator's draft, and issuing frozen versions.

`gather_report_data` is the only place figures are computed; the PDF, HTML and Excel builders
only lay them out. It runs a constant number of queries whatever the size of the plan.

"As of the period" means: the updates of this period and of every earlier one, never a later
one. For each (item, period, unit) chain of versions the accepted version counts, or, while none
is accepted yet, the latest submitted one; drafts and returned versions never count. An item's
state is that of the latest counted update of each unit owing it (after mergers, the unit that
carries the work), combined when several units share the item.

The work is split by job: `header` (title, date line, recipients, options), `gather` (the data of
one report), `figures` (what is computed from it), `issuing` (the draft and the frozen versions).
This module keeps the names others import.
"""
from __future__ import annotations

from tracker.reports.header import (  # noqa: F401 - re-exported
    build_header,
    DEFAULT_UNIT_RECIPIENTS,
    normalize_recipients,
    place_date_line,
    quarter_title,
    ReportOptions,
    ROMAN,
)
from tracker.reports.gather import (  # noqa: F401 - re-exported
    gather_report_data,
    _agencies,
    _annexes,
    _difficulties,
    _due_text,
    _item_row,
    _owner_text,
    _period_key,
)
from tracker.reports.figures import (  # noqa: F401 - re-exported
    ASSESSMENT_LABELS,
    BEHIND,
    COUNTED_STATES,
    FINISHED,
    NOT_REPORTED_LABEL,
    RESULT_TEXT_LIMIT,
    RISK_LABELS,
    SUMMARY_KINDS,
    _add,
    _assess_target,
    _assignment_label,
    _budget,
    _completion,
    _indicators,
    _overview,
    _owner_keys,
    _plain_decimal,
    _project_summary,
)
from tracker.reports.issuing import (  # noqa: F401 - re-exported
    find_plan,
    get_draft,
    issue_report,
    issued_versions,
    options_from_draft,
    report_index,
    save_draft,
)
