"""Evidence files of an update: download (also used by the DTI campaigns) and deletion."""
from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from urllib.parse import quote

from flask import abort, flash, redirect, send_file, url_for
from flask_login import current_user, login_required

from tracker.core import unit_of_work
from tracker.extensions import db
from tracker.updates import services
from tracker.updates.forms import CsrfForm
from tracker.updates.models import Evidence
from tracker.updates.routes import bp


def content_disposition(name: str) -> str:
    """attachment; an ASCII fallback name, and the original (Vietnamese) one per RFC 5987/6266."""
    ascii_name = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = "".join(ch for ch in ascii_name if not unicodedata.combining(ch))
    ascii_name = "".join(ch if (ch.isascii() and (ch.isalnum() or ch in " ._-()")) else "_" for ch in ascii_name)
    ascii_name = ascii_name.strip() or "minh-chung"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


# --- evidence ------------------------------------------------------------------------------------


@bp.get("/minh-chung/<int:evidence_id>")
@login_required
def evidence(evidence_id: int):
    record = db.get_or_404(Evidence, evidence_id)
    if not services.can_read_evidence(current_user, record):
        abort(403)
    return evidence_download(services.evidence_path(record), record)


def evidence_download(path: Path, record):
    """A stored evidence file as an attachment under its original name (also the DTI campaign's)."""
    if not path.is_file():
        abort(404)
    # Read whole (files are at most MAX_CONTENT_LENGTH): no file handle outlives the request.
    response = send_file(io.BytesIO(path.read_bytes()), mimetype=record.content_type, as_attachment=True,
                         download_name=record.original_name, max_age=0)
    response.headers["Content-Disposition"] = content_disposition(record.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/minh-chung/<int:evidence_id>/xoa")
@login_required
def delete_evidence(evidence_id: int):
    record = db.get_or_404(Evidence, evidence_id)
    update = record.update
    if not services.can_edit(current_user, update):
        abort(403)
    form = CsrfForm()
    if not form.validate_on_submit():
        abort(400)
    name = record.original_name
    try:
        path = services.delete_evidence(current_user, record)
    except services.NotAllowed:
        abort(403)
    unit_of_work.after_commit(lambda: path.unlink(missing_ok=True))  # the file goes only with its row
    flash(f"Đã xóa tệp minh chứng \"{name}\".", "success")
    return redirect(url_for("updates.edit", item_id=update.item_id, period_code=update.period.code))
