"""The quarterly update workflow: drafts, submission, review, corrections, evidence, contributions.

Plain functions taking the acting user; the caller (a route or a CLI command) commits, and rolls
back after an `UpdateError` that leaves the session dirty (`StaleUpdate`, `EvidenceError`).

Chains. An update belongs to (item, period, unit); its versions form a chain. A version is edited in
place while it is a draft or returned (the coordinator's reason stays on it until it is accepted).
An accepted version is never edited: a correction is a new version (`supersedes_id` pointing to the
accepted one); when the correction is accepted, the earlier version becomes `superseded`. Both stay
in the history.

Whose update. A reporter writes for the unit that owed the item in that period (the item's owner
as of the period's submission deadline) when the reporter's unit carries that unit's work today:
after Sở TT&TT was merged into Sở KH&CN, a Sở KH&CN reporter writes the 2025 updates as Sở KH&CN,
and a late correction of a 2024 update stays Sở TT&TT's, so the 2024 history keeps naming Sở TT&TT.
The author column records who actually wrote it.

Locking. Every form carries the version's `id` and `lock_version`. A save is refused (`StaleUpdate`)
when they no longer match what is stored, and also when the database finds the row changed between
our read and our write (SQLAlchemy's StaleDataError on the versioned UPDATE). Nothing is ever
overwritten silently; the route shows the user's typed text back.

Item state. On each acceptance the item's current state is recomputed from the accepted updates:
  - per owning unit (carriers of today, so a merged unit's last report counts for its successor),
    the unit's latest accepted update (latest period, then highest version);
  - one owner: the item takes that update's status, progress, achieved value and amounts;
  - several owners (a group such as "Các Sở, ban, ngành", or a row naming two units), each member
    owes its own part:
      progress  = the mean of the members' progress (members not reported yet count 0, cancelled
                  members are left out), rounded down; 100 when every remaining member is done;
      status    = cancelled if every member cancelled; done if every other member is done;
                  else stalled if any member is stalled, else late if any is late; else in progress
                  if any member reported progress; else not started;
      achieved  = targets in "%": the mean of the members' reported values; other units: their sum;
      committed, disbursed = the sum of the members' amounts (each reports its own share);
  - completed_on is the day the (last) member reported done, capped at that period's data cut-off
    (so the item stops owing reports after that period), and kept when later reports stay done;
  - last_update_at is the latest acceptance among those updates.

The code lives in one module per job: `errors` (refusals), `queries`, `policy` (who may read and
write), `workflow`, `item_state`, `evidence`. This module re-exports their public names, so
`from tracker.updates import services` keeps working.
"""
from __future__ import annotations

from tracker.updates.errors import (  # noqa: F401
    EDITABLE,
    EvidenceError,
    InvalidState,
    NotAllowed,
    PeriodClosed,
    StaleUpdate,
    UpdateError,
    ValidationFailed,
    stale_message,
)
from tracker.updates.evidence import (  # noqa: F401
    EXTENSION_TYPES,
    SIGNATURES,
    attach_evidence,
    clean_filename,
    delete_evidence,
    evidence_path,
    store_upload,
)
from tracker.updates.item_state import item_state, recompute_item_state  # noqa: F401
from tracker.updates.policy import (  # noqa: F401
    can_edit,
    can_read_evidence,
    can_read_update,
    can_review,
    can_write_contribution,
    can_write_existing,
    can_write_update,
    owns_update,
)
from tracker.updates.queries import (  # noqa: F401
    budget_of,
    budgets_for,
    carried_unit_ids,
    chain,
    default_values,
    default_values_for,
    item_history,
    latest_update,
    other_periods_history,
    reporting_unit_for,
    sample_item_ids,
    submitted_late,
    values_of,
)
from tracker.updates.validation import Budget  # noqa: F401
from tracker.updates.workflow import (  # noqa: F401
    accept,
    add_contribution,
    check_fresh,
    request_correction,
    return_update,
    save_draft,
    start_correction,
    submit,
)
