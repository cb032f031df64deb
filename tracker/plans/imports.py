"""Importing a plan from the web: upload -> preview (nothing written) -> confirm (one transaction).

The uploaded file is stored on disk under a random token (UPLOAD_DIR/imports/<token>/), with who
uploaded it and for which area; the preview and the confirmation read that file again, so the
form never loses it, and it stays there after the import, downloadable. A file may only hold
documents of the uploader's own area (a plan, its units, the frameworks of its criteria
appendices): a file naming another area is refused, naming the area it names.

Parsing runs inside the request: a big Word plan takes about 1 s to read and the preview about
as long again (bench/docx_import.py prints the figures); see docs/IMPORT.md.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from tracker.areas.scope import SYSTEM, using
from tracker.areas.services import find_area
from tracker.areas.tenancy import tenant_area
from tracker.audit.services import record
from tracker.auth.models import User
from tracker.core.formatting import format_datetime
from tracker.core.unit_of_work import after_commit
from tracker.core.text import fold_name
from tracker.core.time import utcnow
from tracker.extensions import db
from tracker.plans import import_mapping
from tracker.plans.importing.diff import Preview, preview_documents
from tracker.plans.importing.pipeline import load_paths
from tracker.plans.importing.readers import SUFFIXES, read_paths
from tracker.plans.sources import LoadError, SourceDoc
from tracker.units.models import Area, Unit, UnitAlias
from tracker.units.services import name_taken_message, other_units_named

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_BYTES = 20 * 1024 * 1024
# What a .docx/.xlsx (a zip) may unpack to, and how many parts it may have: a few MB of zip can
# declare gigabytes of XML (a zip bomb), which the Word and Excel readers would parse in memory.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_PARTS = 5000
ALLOWED = (".docx", ".xlsx", ".yaml", ".yml")


class ImportError_(Exception):
    """A refusal with a message for the user (Vietnamese)."""


@dataclass
class StoredUpload:
    token: str
    directory: Path
    meta: dict

    @property
    def path(self) -> Path:
        return self.directory / self.meta["stored_name"]

    @property
    def original_name(self) -> str:
        return self.meta["original_name"]

    @property
    def confirmed(self) -> bool:
        return bool(self.meta.get("confirmed_at"))

    @property
    def mapping(self) -> dict | None:
        """The Word reader's mapping for this file: the user's choices (and the kept one's)."""
        return self.meta.get("mapping") or None

    @property
    def fingerprint(self) -> str:
        """What the preview showed was read from: the file's bytes and the mapping it was read
        with. The confirm form carries it, so that a confirmation applies what its page previewed."""
        digest = hashlib.sha256(self.path.read_bytes())
        digest.update(json.dumps(self.mapping or {}, sort_keys=True, ensure_ascii=False).encode())
        return digest.hexdigest()[:32]

    def save_meta(self) -> None:
        (self.directory / "meta.json").write_text(json.dumps(self.meta, ensure_ascii=False), encoding="utf-8")


def _root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "imports"


def store_upload(user, filename: str, data: bytes) -> StoredUpload:
    """Keep an uploaded file under a new token; refuses what no reader reads."""
    name = Path(filename or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED:
        raise ImportError_("Chỉ nhận tệp Word (.docx), Excel (.xlsx) hoặc YAML (.yaml).")
    if not data:
        raise ImportError_("Tệp rỗng.")
    if len(data) > MAX_BYTES:
        raise ImportError_("Tệp lớn hơn 20 MB.")
    if suffix in (".docx", ".xlsx"):
        _check_unpacked_size(data)
    token = secrets.token_urlsafe(16)
    directory = _root() / token
    directory.mkdir(parents=True)
    stored_name = f"tep{suffix}"
    (directory / stored_name).write_bytes(data)
    meta = {"original_name": name, "stored_name": stored_name, "user_id": user.id,
            "tenant_id": user.tenant_id, "uploaded_at": utcnow().isoformat()}
    (directory / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return StoredUpload(token, directory, meta)


def _check_unpacked_size(data: bytes) -> None:
    """Refuse a zip that unpacks to too much (the sizes it declares bound what zipfile reads). A
    file that is no zip passes: the reader reports it in the preview."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
        raise ImportError_(f"Tệp giải nén ra quá lớn (hơn {MAX_UNPACKED_BYTES // (1024 * 1024)} MB hoặc hơn {MAX_PARTS} "
                           "phần): không phải một văn bản kế hoạch thông thường.")


def find_upload(user, token: str) -> StoredUpload | None:
    """The upload if it exists and belongs to the user's area (any staff member of that area)."""
    if not TOKEN.match(token or ""):
        return None
    directory = _root() / token
    try:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if user.tenant_id is None or meta.get("tenant_id") != user.tenant_id:
        return None
    return StoredUpload(token, directory, meta)


def _doc_area_code(doc: SourceDoc) -> str | None:
    area = doc.data.get("area")
    if isinstance(area, dict):
        return area.get("code")
    return str(area) if area else None


def area_check(user):
    """The refusal of a document that is not of the user's area (None when it is)."""
    tenant = user.tenant

    def check(doc: SourceDoc) -> str | None:
        if doc.kind == "links":
            return "Nhập trên web chỉ nhận kế hoạch, đơn vị và bộ tiêu chí; liên kết chỉ số nạp bằng lệnh load-plans."
        code = _doc_area_code(doc)
        if not code:
            if doc.kind == "framework":
                return "Bộ chỉ số không ghi địa bàn (bộ chỉ số quốc gia) chỉ nạp bằng lệnh load-plans."
            return None  # the importer reports the missing area
        # Areas are public names: the file's own area is found wherever it is, so that the refusal
        # can say which area the file is of (nothing of that area is read).
        with using(SYSTEM):
            area = find_area(code)
            area_tenant = tenant_area(area) if area is not None else None
            parent_code = area.parent.code if area is not None and area.parent is not None else None
        if area is None:
            if doc.kind == "units":  # the importer would create the area: a new province is the superadmin's
                return (f"Chưa có địa bàn mã '{code}': nhập trên web chỉ thêm, sửa đơn vị của địa bàn đã có; "
                        "địa bàn mới do quản trị hệ thống tạo.")
            return None  # the importer reports the unknown code, with the closest ones
        if tenant is None or area_tenant is None or area_tenant.id != tenant.id:
            return f"Tệp ghi địa bàn '{area.name}' ({code}), không thuộc {tenant.name if tenant else 'địa bàn của bạn'}: không nhập được."
        if doc.kind == "units":
            return _area_change_refusal(doc, area, parent_code)
        return None

    return check


def _area_change_refusal(doc: SourceDoc, area: Area, parent_code: str | None) -> str | None:
    """A units file on the web changes units, not the area itself: its name, level, the area above
    it and a merger are the superadmin's (or load-plans'). A workbook's units sheet only adds units."""
    node = doc.data["area"]
    if node.get("merged_into"):
        return "Hợp nhất địa bàn (merged_into) chỉ do quản trị hệ thống thực hiện hoặc nạp bằng lệnh load-plans."
    if doc.data.get("additive"):
        return None
    name = " ".join(str(node.get("name") or "").split())
    if (name and name != area.name) or (node.get("level") or area.level) != area.level \
            or (node.get("parent") or None) != parent_code:
        return (f"Tệp ghi tên, cấp hoặc địa bàn cấp trên của {area.name} khác với hệ thống: nhập trên web không đổi "
                "được các thông tin này của địa bàn (việc của quản trị hệ thống).")
    return None


def _plan_keys(docs) -> list[tuple[str | None, str | None]]:
    from tracker.plans.identity import normalize_number

    return [(_doc_area_code(d), normalize_number(d.data.get("number"))) for d in docs if d.kind == "plan"]


def _read(user, upload: StoredUpload):
    """The upload's documents read with its mapping. On the first preview of a Word file, the
    mapping kept by the last import of the same plan (same area and number) is applied and
    remembered with the upload; the preview says so."""
    docs, problems = read_paths([upload.path], upload.mapping)
    if upload.path.suffix.lower() != ".docx" or "mapping" in upload.meta:
        return docs, problems
    for area_code, number in _plan_keys(docs):
        kept = import_mapping.saved_mapping(area_code, number)
        if kept is None or not import_mapping.has_choices(kept.mapping):
            continue
        upload.meta["mapping"] = kept.mapping
        who = db.session.get(User, kept.saved_by_id) if kept.saved_by_id else None
        upload.meta["kept_mapping"] = {"saved_at": kept.saved_at.isoformat(), "file": kept.source_name,
                                       "area": area_code, "number": number,
                                       "label": f"tệp {kept.source_name or '(không rõ)'}, {format_datetime(kept.saved_at)}"
                                                + (f", {who.display_name}" if who is not None else "")}
        upload.save_meta()
        return read_paths([upload.path], upload.mapping)
    return docs, problems


def preview_upload(user, upload: StoredUpload) -> Preview:
    try:
        docs, problems = _read(user, upload)
    except LoadError as error:
        preview = Preview(problems=list(error.problems))
    else:
        preview = preview_documents(docs, problems, actor=user, check=area_check(user))
    for problem in preview.problems:  # the user knows the file by its own name
        if problem.file in (upload.path.name, str(upload.path)):
            problem.file = upload.original_name
    for entry in preview.unresolved_units:
        if entry.get("file") == upload.path.name:
            entry["file"] = upload.original_name
    for described in preview.documents:  # the area by its name, as the user knows it
        area = find_area(str(described["area"])) if described.get("kind") == "plan" and described.get("area") else None
        described["area_name"] = area.name if area is not None else None
    return preview


def map_upload(user, upload: StoredUpload, form: dict[str, str]) -> int:
    """Add the preview form's mapping choices to the upload; the choices must be ones the reader
    offers for this very file read with its current mapping (MappingError otherwise, nothing kept)."""
    if upload.confirmed:
        raise import_mapping.MappingError("Tệp này đã được nhập: tải lên lại tệp để nhập với ánh xạ khác.")
    try:
        _, problems = read_paths([upload.path], upload.mapping)
    except LoadError as error:
        problems = list(error.problems)
    mapping, done = import_mapping.apply_choices(upload.mapping, form, import_mapping.choices_of(problems))
    if done:
        upload.meta["mapping"] = mapping
        upload.save_meta()
    return done


def clear_mapping(user, upload: StoredUpload) -> bool:
    """Read the upload again without any mapping; the mapping kept for its plan is removed.
    Returns whether a kept mapping was removed (the caller commits)."""
    if upload.confirmed:
        raise import_mapping.MappingError("Tệp này đã được nhập: không bỏ ánh xạ được nữa.")
    kept = upload.meta.get("kept_mapping") or {}
    removed = import_mapping.forget_mapping(kept.get("area"), kept.get("number")) if kept else False
    if not kept and upload.path.suffix.lower() == ".docx":
        docs, _ = read_paths([upload.path], None)
        removed = any([import_mapping.forget_mapping(a, n) for a, n in _plan_keys(docs)])
    upload.meta["mapping"] = {}
    upload.meta.pop("kept_mapping", None)
    upload.save_meta()
    return removed


def group_unknown(preview: Preview) -> list[dict]:
    """Each unknown name once (per area), with every place the file writes it."""
    grouped: dict[tuple[str, str], dict] = {}
    for entry in preview.unresolved_units:
        key = (entry["area"], fold_name(entry["name"]))
        row = grouped.setdefault(key, {"name": entry["name"], "area": entry["area"], "closest": entry["closest"],
                                       "places": []})
        row["places"].append(f"{entry['where']}, trường '{entry['field']}'" if entry["where"] else f"trường '{entry['field']}'")
    return list(grouped.values())


def group_problems(problems, shown: int = 3) -> list[dict]:
    """The preview's error list: the same message of the same field, in the same file, once, with
    its places (a column the reader missed leaves every row without an owner: one line, not 56)."""
    grouped: dict[tuple, dict] = {}
    for problem in problems:
        key = (problem.file, problem.field, problem.message)
        row = grouped.setdefault(key, {"file": problem.file, "field": problem.field, "message": problem.message,
                                       "places": []})
        if problem.where:
            row["places"].append(problem.where)
    for row in grouped.values():
        places = row["places"]
        row["count"] = max(len(places), 1)
        row["where"] = "; ".join(places[:shown]) + (f" và {len(places) - shown} chỗ khác" if len(places) > shown else "")
    return list(grouped.values())


def confirm_upload(user, upload: StoredUpload, previewed: str | None = None):
    """Apply the stored file (the caller commits, or rolls back on LoadError). `previewed`: the
    fingerprint of what the confirming page showed; another one (the mapping changed in another tab
    since) refuses with ImportError_, nothing written."""
    if previewed is not None and previewed != upload.fingerprint:
        raise ImportError_("Ánh xạ của tệp đã thay đổi sau khi trang xem trước này được mở (ở một thẻ khác?): "
                           "xem lại bản xem trước rồi xác nhận. Chưa có gì được ghi.")
    result = load_paths([upload.path], upload.mapping, actor=user, check=area_check(user))
    for plan in result.plans:
        if upload.path.suffix.lower() == ".docx":
            import_mapping.keep_mapping(user, plan, upload.mapping, upload.original_name)
        counts = result.plan_changes.get(plan.id)
        record(actor=user, action="plan.import", entity_type="plan", entity_id=plan.id,
               summary=f"Nhập kế hoạch {plan.number_label} từ tệp {upload.original_name}",
               changes={"file": [None, upload.original_name], "token": [None, upload.token],
                        **({"items": [None, counts.counts()]} if counts else {})})
    upload.meta["confirmed_at"] = utcnow().isoformat()
    upload.meta["confirmed_by"] = user.id
    upload.meta["plan_ids"] = [plan.id for plan in result.plans]
    # Marked as imported on disk only once the import is committed: a failed commit leaves the
    # upload confirmable again, not "đã nhập" with nothing written.
    after_commit(upload.save_meta)
    return result


def _area_for(user, code: str) -> Area | None:
    area = find_area(code)
    if area is None or user.tenant is None or tenant_area(area) is not user.tenant:
        return None
    return area


def map_name(user, area_code: str, name: str, unit_id: int) -> Unit:
    """Save a name the document writes as an alias of one of the area's units."""
    area = _area_for(user, area_code)
    unit = db.session.get(Unit, unit_id) if area is not None else None
    if unit is None or tenant_area(unit.area) is not user.tenant:
        raise ImportError_("Đơn vị được chọn không thuộc địa bàn của bạn.")
    _check_free(name, unit.area, unit)
    folded = fold_name(name)
    if folded not in {a.folded for a in unit.aliases}:
        unit.aliases.append(UnitAlias(alias=name, folded=folded))
        record(actor=user, action="unit.alias", entity_type="unit", entity_id=unit.id,
               summary=f"Thêm tên gọi '{name}' cho {unit.name} (khi nhập kế hoạch)")
    return unit


def _check_free(name: str, area: Area, unit: Unit | None = None) -> None:
    """A name may not already answer to another unit of the area: a second unit of that name would
    fail the unique constraint (an error page), an alias would make the name ambiguous."""
    if len(name) > 255:
        raise ImportError_("Tên đơn vị dài quá 255 ký tự.")
    others = other_units_named(name, db.session.scalars(select(Unit).where(Unit.area_id == area.id)).all(), unit)
    if others:
        raise ImportError_(name_taken_message(" ".join(name.split()), others[0]))


def create_unit(user, area_code: str, name: str) -> Unit:
    area = _area_for(user, area_code)
    if area is None:
        raise ImportError_("Địa bàn không thuộc địa bàn của bạn.")
    name = " ".join(name.split())
    _check_free(name, area)
    unit = Unit(area=area, name=name, kind="other")
    db.session.add(unit)
    db.session.flush()
    record(actor=user, action="unit.create", entity_type="unit", entity_id=unit.id,
           summary=f"Tạo đơn vị '{name}' ở {area.name} (khi nhập kế hoạch)")
    return unit


def area_units(area_code: str) -> list[Unit]:
    area = find_area(area_code)
    if area is None:
        return []
    ids = []
    current = area
    while current is not None:
        ids.append(current.id)
        current = current.parent
    return db.session.scalars(select(Unit).where(Unit.area_id.in_(ids)).order_by(Unit.name)).all()


__all__ = ["ImportError_", "SUFFIXES", "store_upload", "find_upload", "preview_upload", "confirm_upload"]
