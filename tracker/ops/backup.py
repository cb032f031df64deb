"""`tracker backup`: the database, the evidence files and a manifest, in one .tar.gz.

Consistency: on PostgreSQL the counts, the evidence list and the dump all come from one exported
snapshot (`pg_dump --snapshot`), so the manifest describes exactly what was dumped while the
instance keeps running. On SQLite the backup API copies a consistent image of the file, and the
figures are read from that copy. Evidence files are never rewritten (each upload gets a new
generated name), so copying them after the snapshot loses nothing the snapshot refers to,
unless one is deleted in between: the manifest then lists it as missing and the command says so.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from tracker.ops import postgres
from tracker.ops.archive import (
    CHUNK,
    DATABASE_MEMBERS,
    DIALECT_NAMES,
    EVIDENCE_PREFIX,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    SAFE_NAME,
    BackupError,
    DatabaseSummary,
    summarize,
)


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    sha256: str  # of the archive itself, to check a copy moved elsewhere

    @property
    def missing_evidence(self) -> list[str]:
        return self.manifest["evidence"]["missing"]


def create_backup(out: Path, *, engine: Engine, upload_dir: Path, now: datetime) -> BackupResult:
    out = Path(out)
    if out.exists():
        raise BackupError(f"Tệp {out} đã có: chọn tên khác (lệnh không ghi đè một bản sao lưu).")
    if not out.parent.is_dir():
        raise BackupError(f"Thư mục {out.parent} không tồn tại.")
    dialect = engine.dialect.name
    if dialect not in DATABASE_MEMBERS:
        raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {dialect}.")
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".tracker-backup-") as work:
        dump_file = Path(work) / Path(DATABASE_MEMBERS[dialect]).name
        if dialect == "postgresql":
            summary, database = _dump_postgresql(engine, dump_file)
        else:
            summary, database = _copy_sqlite(engine, dump_file)
        partial = Path(work) / "backup.tar.gz"
        manifest = _write_archive(partial, dump_file, dialect, summary, database, Path(upload_dir), now)
        os.chmod(partial, 0o600)  # password hashes and every province's data
        os.replace(partial, out)
    digest = hashlib.sha256()
    with open(out, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return BackupResult(out, manifest, digest.hexdigest())


def _dump_postgresql(engine: Engine, dump_file: Path) -> tuple[DatabaseSummary, dict]:
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        with connection.begin():
            # The snapshot stays valid while this transaction is open: pg_dump reads exactly it.
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            summary = summarize(connection)
            server = connection.execute(text("SHOW server_version")).scalar_one()
            postgres.dump(engine.url, dump_file, snapshot=snapshot)
    return summary, {"server_version": server, "dump_tool": postgres.version("pg_dump"),
                     "format": "pg_dump custom (-Fc)"}


def _copy_sqlite(engine: Engine, copy: Path) -> tuple[DatabaseSummary, dict]:
    path = engine.url.database
    if not path or path == ":memory:":
        raise BackupError("Cơ sở dữ liệu SQLite nằm trong bộ nhớ: không có tệp để sao lưu.")
    if not Path(path).is_file():
        raise BackupError(f"Không thấy tệp cơ sở dữ liệu {path}.")
    source = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)  # a consistent image, even while the application writes
    finally:
        target.close()
        source.close()
    copy_engine = create_engine(f"sqlite:///{copy}")
    try:
        with copy_engine.connect() as connection:
            summary = summarize(connection)
    finally:
        copy_engine.dispose()
    return summary, {"server_version": sqlite3.sqlite_version, "dump_tool": "sqlite3 backup API",
                     "format": "SQLite database file"}


def _add_file(archive: tarfile.TarFile, path: Path, name: str) -> dict:
    """Add one file, hashing it in the same read; returns its manifest entry."""
    with open(path, "rb") as stream:
        info = tarfile.TarInfo(name)
        info.size = os.fstat(stream.fileno()).st_size
        info.mtime = int(os.fstat(stream.fileno()).st_mtime)
        info.mode = 0o600
        hashing = _HashingReader(stream)
        archive.addfile(info, hashing)
    return {"sha256": hashing.digest.hexdigest(), "size": info.size}


class _HashingReader:
    """A file as tarfile reads it, hashed on the way."""

    def __init__(self, stream):
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        chunk = self.stream.read(size)
        self.digest.update(chunk)
        return chunk


def _write_archive(partial: Path, dump_file: Path, dialect: str, summary: DatabaseSummary, database: dict,
                   upload_dir: Path, now: datetime) -> dict:
    dump_member = DATABASE_MEMBERS[dialect]
    files: dict[str, dict] = {}
    stored = sorted(p.name for p in upload_dir.iterdir() if p.is_file()) if upload_dir.is_dir() else []
    unsafe = [name for name in stored if not SAFE_NAME.fullmatch(name)]
    if unsafe:
        raise BackupError(f"Thư mục tệp minh chứng {upload_dir} có tệp tên lạ: {unsafe[0]!r}.")
    with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
        files[dump_member] = _add_file(archive, dump_file, dump_member)
        for name in stored:
            try:
                files[EVIDENCE_PREFIX + name] = _add_file(archive, upload_dir / name, EVIDENCE_PREFIX + name)
            except FileNotFoundError:  # deleted since it was listed: the manifest says so below
                continue
        present = {name[len(EVIDENCE_PREFIX):] for name in files if name.startswith(EVIDENCE_PREFIX)}
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "database": {"dialect": dialect, "member": dump_member,
                         "schema_revision": summary.revision, **database},
            "tables": summary.tables,
            "rows": summary.rows,
            "evidence": {"referenced": len(summary.evidence),
                         "missing": sorted(set(summary.evidence) - present),
                         "unreferenced": len(present - set(summary.evidence))},
            "issued_reports": summary.reports,
            "files": files,
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode, info.mtime = len(data), 0o600, int(now.timestamp())
        archive.addfile(info, io.BytesIO(data))
    return manifest


def describe(manifest: dict) -> str:
    """One Vietnamese sentence on what a backup holds."""
    files = [f for name, f in manifest["files"].items() if name.startswith(EVIDENCE_PREFIX)]
    size = sum(f["size"] for f in files) / (1024 * 1024)
    return (f"cơ sở dữ liệu {DIALECT_NAMES[manifest['database']['dialect']]} ({len(manifest['tables'])} bảng, "
            f"{manifest['rows']} dòng), {len(files)} tệp minh chứng ({size:.1f} MB), "
            f"{len(manifest['issued_reports'])} bản báo cáo đã ban hành")
