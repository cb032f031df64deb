"""The batch save of "Việc của tôi": every touched row of a unit's period form saved as a draft,
then submitted when asked, each row's problem kept on the row (tracker/updates/routes/my_work.py
shows them back).

A row with errors still saves, as a draft, what could be read; it is not sent. A row changed under
the form (StaleUpdate without a current version) stops the whole batch: the caller rolls back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from tracker.core import unit_of_work
from tracker.core.security import optional_id
from tracker.updates import services
from tracker.updates.validation import FIELDS, validate_update


@dataclass
class BatchResult:
    saved: int = 0
    submitted: int = 0
    typed: dict[str, Any] = field(default_factory=dict)  # row key -> the row, shown back with its problem


def save_rows(user, period, rows, form, files_of: Callable[[str], list], *, action: str, today) -> BatchResult:
    """Save (and with `action` "submit", send) the rows present in `form`; `files_of(name)` gives
    the uploads of a form field. Raises StaleUpdate (nothing may be kept) and NotAllowed."""
    result = BatchResult()
    for row in rows:
        prefix = f"r-{row.key}-"
        if f"{prefix}present" not in form or not row.editable:
            continue
        raw = {name: form.get(prefix + name, "") for name in FIELDS}
        files = [f for f in files_of(prefix + "evidence") if f and f.filename]
        ids = (optional_id(form.get(prefix + "update_id")), optional_id(form.get(prefix + "lock_version")))
        if not files and raw == row.values and (row.update is None or action == "draft"):
            continue  # never touched (an unchanged saved row is still sent when submitting)
        item = row.obligation.item
        check = validate_update(item, raw, budget=row.budget, for_submit=action == "submit")
        # A row with errors still saves, as a draft, what could be read; it is not sent.
        draft = check if action == "draft" else validate_update(item, raw, budget=row.budget)
        row.warnings = check.warnings
        update = row.update
        values = draft.partial(services.values_of(update) if update is not None else row.defaults)
        try:
            # Every touched row is checked against the version its form was built from, even
            # when nothing is saved: a report returned meanwhile must not be sent unseen.
            services.check_fresh(update, ids[0], ids[1])
            lock_version = ids[1]
            if update is None or values.as_dict() != services.values_of(update):
                update = services.save_draft(user, item, period, values, update_id=ids[0],
                                             lock_version=ids[1], today=today)
                lock_version = update.lock_version
                result.saved += 1
            for upload in files:
                path = services.attach_evidence(user, update, upload, today=today)[1]
                unit_of_work.after_rollback(lambda path=path: path.unlink(missing_ok=True))
            if check.errors:
                row.values, row.errors, row.typed = raw, check.errors, True
                row.form_ids = (update.id, update.lock_version)
                row.message = ("Đã lưu nháp phần hợp lệ; các ô đánh dấu đỏ chưa được lưu, dòng này chưa được gửi."
                               if draft.errors else
                               "Chưa gửi được: vui lòng bổ sung các ô đánh dấu đỏ (nội dung đã được lưu nháp).")
                result.typed[row.key] = row
            elif action == "submit":
                services.submit(user, update, lock_version=lock_version, today=today)
                result.submitted += 1
        except services.StaleUpdate as error:
            if error.current is None:
                raise
            row.values, row.files_lost, row.message, row.typed = raw, bool(files), str(error), True
            row.errors = check.errors
            row.form_ids = (error.current.id, error.current.lock_version)
            result.typed[row.key] = row
        except services.PeriodClosed as error:
            row.message = f"{error} Nội dung đã được lưu nháp."
            result.typed[row.key] = row
        except (services.ValidationFailed, services.InvalidState, services.EvidenceError) as error:
            # Saved as a draft already when the file or the submission fails: show the saved
            # version's ids with the typed text, which is what was saved.
            row.message, row.errors = str(error), getattr(error, "errors", {})
            row.values, row.files_lost, row.typed = raw, bool(files), True
            row.form_ids = (update.id, update.lock_version) if update is not None and update.id else ids
            result.typed[row.key] = row
    return result
