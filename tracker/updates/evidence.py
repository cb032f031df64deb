"""Evidence files of an update: checked on upload (extension, signature, size), stored under a uuid."""
from __future__ import annotations

import mimetypes
import unicodedata
import uuid
from datetime import date
from pathlib import Path

from flask import current_app

from tracker.audit.services import record
from tracker.core.time import today_local
from tracker.extensions import db
from tracker.updates.errors import EvidenceError, NotAllowed, flush, summary
from tracker.updates.models import Evidence, StatusUpdate
from tracker.updates.policy import can_edit


SIGNATURES = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",), "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",), "ods": (b"PK\x03\x04",), "odp": (b"PK\x03\x04",), "zip": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",), "xls": (b"\xd0\xcf\x11\xe0",), "ppt": (b"\xd0\xcf\x11\xe0",),
    "tif": (b"II*\x00", b"MM\x00*"), "tiff": (b"II*\x00", b"MM\x00*"),
    "webp": (b"RIFF",),
}
EXTENSION_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}


def clean_filename(name: str | None) -> str:
    """The name as the user gave it (Vietnamese kept), without a path or control characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    return name


def evidence_path(evidence: Evidence, upload_dir: str | Path | None = None) -> Path:
    directory = Path(upload_dir or current_app.config["UPLOAD_DIR"]).resolve()
    path = (directory / evidence.stored_name).resolve()
    if path.parent != directory:  # a stored name is a uuid; anything else is refused
        raise EvidenceError("Tên tệp lưu trữ không hợp lệ.")
    return path


def store_upload(upload, *, upload_dir: str | None = None, max_size: int | None = None,
                 allowed: set[str] | None = None) -> tuple[str, str, str, int, Path]:
    """Check and store an uploaded file (a werkzeug FileStorage) under a generated name: its clean
    name, stored name, content type, size and path. Refused (`EvidenceError`) when its name, type,
    size or first bytes are wrong; nothing stays on disk then. Also used by the DTI campaign."""
    config = current_app.config
    name = clean_filename(upload.filename)
    if not name:
        raise EvidenceError("Tệp tải lên không có tên.")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = allowed or config["ALLOWED_EVIDENCE_EXTENSIONS"]
    if extension not in allowed:
        raise EvidenceError(
            f"Tệp \"{name}\": định dạng không được chấp nhận. Chỉ nhận tệp PDF, văn bản, bảng tính, "
            "trình chiếu (Word, Excel, PowerPoint, OpenDocument), ảnh, txt, csv, zip."
        )
    max_size = max_size or config["MAX_CONTENT_LENGTH"]
    directory = Path(upload_dir or config["UPLOAD_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    stored = uuid.uuid4().hex
    path = directory / stored
    size = 0
    head = b""
    try:
        with open(path, "wb") as out:
            while True:
                chunk = upload.stream.read(64 * 1024)
                if not chunk:
                    break
                if len(head) < 16:
                    head += chunk[: 16 - len(head)]
                size += len(chunk)
                if size > max_size:
                    raise EvidenceError(
                        f"Tệp \"{name}\" vượt quá dung lượng cho phép ({max_size // (1024 * 1024)} MB)."
                    )
                out.write(chunk)
        if size == 0:
            raise EvidenceError(f"Tệp \"{name}\" rỗng.")
        signatures = SIGNATURES.get(extension)
        if signatures and not any(head.startswith(s) for s in signatures):
            raise EvidenceError(f"Nội dung tệp \"{name}\" không đúng định dạng .{extension}.")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    content_type = EXTENSION_TYPES.get(extension) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return name, stored, content_type, size, path


def attach_evidence(user, update: StatusUpdate, upload, *, today: date | None = None,
                    upload_dir: str | None = None, max_size: int | None = None,
                    allowed: set[str] | None = None) -> tuple[Evidence, Path]:
    """Store an uploaded file (a werkzeug FileStorage) for an editable update.

    Returns the evidence and the file's path (the caller deletes the file if it rolls back)."""
    today = today or today_local()
    if not can_edit(user, update, today):
        raise NotAllowed("Không thêm được tệp minh chứng vào báo cáo này.")
    name, stored, content_type, size, path = store_upload(upload, upload_dir=upload_dir, max_size=max_size,
                                                          allowed=allowed)
    evidence = Evidence(update=update, original_name=name, stored_name=stored, content_type=content_type,
                        size=size, uploaded_by=user)
    db.session.add(evidence)
    flush()
    record(actor=user, action="attach_evidence", entity_type="evidence", entity_id=evidence.id,
           summary=f"Đính kèm tệp minh chứng \"{name}\" vào " + summary(update, "").strip(),
           changes={"file": [None, name]})
    return evidence, path


def delete_evidence(user, evidence: Evidence, *, today: date | None = None) -> Path:
    """Remove an evidence file of an editable update; returns the path to delete after commit."""
    update = evidence.update
    if not can_edit(user, update, today):
        raise NotAllowed("Không xóa được tệp minh chứng của báo cáo này.")
    path = evidence_path(evidence)
    record(actor=user, action="delete_evidence", entity_type="evidence", entity_id=evidence.id,
           summary=f"Xóa tệp minh chứng \"{evidence.original_name}\" của " + summary(update, "").strip(),
           changes={"file": [evidence.original_name, None]})
    db.session.delete(evidence)
    db.session.flush()
    return path
