"""What a backup holds and how both sides describe a database the same way.

A backup is one `.tar.gz`:

    database/tracker.pgdump      pg_dump's custom format (PostgreSQL), or
    database/tracker.sqlite3     a consistent copy made with SQLite's backup API
    files/evidence/<stored name> every uploaded evidence file, byte for byte
    manifest.json                row counts per table, SHA-256 and size of every file above,
                                 SHA-256 of every issued report's PDF, Excel and HTML (stored in
                                 the database), the schema revision, the tools and versions

`summarize` reads the same figures from a live database and from a restored one, so that a
restore can prove it got back what the backup saw.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from sqlalchemy import Connection, inspect, text

FORMAT = "tracker-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"postgresql": "database/tracker.pgdump", "sqlite": "database/tracker.sqlite3"}
DIALECT_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
EVIDENCE_PREFIX = "files/evidence/"
# Stored names are generated (uuid4 hex); anything else in the upload folder must at least be a plain name.
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Vietnamese."""


@dataclass
class DatabaseSummary:
    tables: dict[str, int]  # every table, alembic_version included: row count
    revision: str | None
    evidence: list[str]  # stored names the evidence table refers to
    reports: dict[str, dict[str, str]] = field(default_factory=dict)  # issued report id: sha256 per file

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def sha256_file(path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def quoted(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


def summarize(connection: Connection) -> DatabaseSummary:
    """Counts, schema revision, evidence names and issued-report checksums, read on `connection`
    (inside the caller's transaction: for a backup, the snapshot the dump is taken from)."""
    names = sorted(inspect(connection).get_table_names())
    tables = {name: connection.execute(text(f"SELECT count(*) FROM {quoted(connection, name)}")).scalar_one()
              for name in names}
    revision = None
    if "alembic_version" in tables:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    evidence = []
    if "evidence" in tables:
        evidence = sorted(connection.execute(text("SELECT stored_name FROM evidence")).scalars())
    reports = {}
    if "issued_report" in tables:
        ids = connection.execute(text("SELECT id FROM issued_report ORDER BY id")).scalars().all()
        for report_id in ids:  # one at a time: each holds megabytes of files
            row = connection.execute(text("SELECT pdf, xlsx, html FROM issued_report WHERE id = :id"),
                                     {"id": report_id}).one()
            reports[str(report_id)] = {kind: hashlib.sha256(bytes(value or b"")).hexdigest()
                                       for kind, value in zip(("pdf", "xlsx", "html"), row)}
    return DatabaseSummary(tables=tables, revision=revision, evidence=evidence, reports=reports)


def differences(expected: dict, found: DatabaseSummary) -> list[str]:
    """How a restored database differs from the manifest, in Vietnamese (empty: identical)."""
    problems = []
    wanted = expected["tables"]
    for name in sorted(set(wanted) | set(found.tables)):
        if wanted.get(name) != found.tables.get(name):
            problems.append(f"bảng {name}: cần {wanted.get(name, 'không có')}, có {found.tables.get(name, 'không có')}")
    for report_id, files in sorted(expected.get("issued_reports", {}).items()):
        if found.reports.get(report_id) != files:
            problems.append(f"báo cáo đã ban hành số {report_id}: tệp khác với bản sao lưu")
    return problems
