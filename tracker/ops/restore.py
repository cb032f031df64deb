"""`tracker restore`: a backup into an empty database and an empty evidence folder, all or nothing.

1. Unpack into a staging folder beside the evidence folder, checking every member against the
   manifest (name, size, SHA-256): a damaged or altered archive stops here, before anything else.
2. Check the target: same kind of database, a schema revision this code knows, no row in any
   table, no file in the evidence folder. A non-empty target is refused.
3. Move the evidence files in, then restore the database in one transaction that also checks
   every table's row count (PostgreSQL: pg_restore's SQL run by psql with --single-transaction;
   SQLite: a verified copy renamed over the target). If the database step fails, the files are
   moved back out: the instance is left as it was found.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, text

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
    differences,
    quoted,
    summarize,
)

NOTHING_CHANGED = "Không có gì bị thay đổi."
FOLDERS = {"database", "files", EVIDENCE_PREFIX.rstrip("/")}


@dataclass
class RestoreResult:
    manifest: dict
    restored: bool  # False for a dry run


def restore_backup(archive: Path, *, engine: Engine, upload_dir: Path, migrations_dir: str | Path,
                   dry_run: bool = False) -> RestoreResult:
    upload_dir = Path(upload_dir).resolve()
    upload_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=upload_dir.parent, prefix=".tracker-restore-"))
    try:
        manifest = unpack(Path(archive), staging)
        check_target(manifest, engine, upload_dir, migrations_dir)
        if dry_run:
            return RestoreResult(manifest, restored=False)
        undo = _move_evidence(staging / EVIDENCE_PREFIX, upload_dir)
        try:
            dump = staging / manifest["database"]["member"]
            if engine.dialect.name == "postgresql":
                _restore_postgresql(engine, dump, manifest)
            else:
                _restore_sqlite(engine, dump, manifest)
        except BackupError as error:
            undo()
            message = str(error)
            raise BackupError(message if message.endswith(NOTHING_CHANGED) else f"{message} {NOTHING_CHANGED}") \
                from error
        except BaseException:
            undo()
            raise
        return RestoreResult(manifest, restored=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# --- 1. the archive --------------------------------------------------------------------------------

def _allowed(name: str) -> bool:
    if name == MANIFEST or name in DATABASE_MEMBERS.values():
        return True
    return name.startswith(EVIDENCE_PREFIX) and bool(SAFE_NAME.fullmatch(name[len(EVIDENCE_PREFIX):]))


def unpack(archive: Path, staging: Path) -> dict:
    """Every member into `staging`, checked against the manifest; returns the manifest."""
    found: dict[str, dict] = {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                name = member.name
                if member.isdir() and name.rstrip("/") in FOLDERS:  # an archive repacked with `tar -c`
                    continue
                if not member.isfile() or not _allowed(name) or name in found:
                    raise BackupError(f"Bản sao lưu {archive} có mục không hợp lệ: {name!r}. {NOTHING_CHANGED}")
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with tar.extractfile(member) as source, open(target, "xb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                found[name] = {"sha256": digest.hexdigest(), "size": size}
    except FileNotFoundError:
        raise BackupError(f"Không tìm thấy tệp {archive}.") from None
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(f"Không đọc được {archive}: tệp hỏng, không trọn vẹn hoặc không phải bản sao lưu "
                          f"của lệnh backup ({error}). {NOTHING_CHANGED}") from error
    if MANIFEST not in found:
        raise BackupError(f"{archive} không có {MANIFEST}: không phải bản sao lưu của lệnh backup. {NOTHING_CHANGED}")
    try:
        manifest = json.loads((staging / MANIFEST).read_text(encoding="utf-8"))
        expected = manifest["files"]
        dialect = manifest["database"]["dialect"]
        version = (manifest["format"], manifest["format_version"])
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{MANIFEST} của {archive} không đọc được ({error}). {NOTHING_CHANGED}") from error
    if version != (FORMAT, FORMAT_VERSION):
        raise BackupError(f"{archive}: định dạng {version[0]} phiên bản {version[1]} không được hỗ trợ "
                          f"(cần {FORMAT} phiên bản {FORMAT_VERSION}). {NOTHING_CHANGED}")
    if manifest["database"].get("member") != DATABASE_MEMBERS.get(dialect) or DATABASE_MEMBERS[dialect] not in expected:
        raise BackupError(f"{archive}: manifest không ghi tệp cơ sở dữ liệu. {NOTHING_CHANGED}")
    for name, entry in sorted(expected.items()):
        if name not in found:
            raise BackupError(f"{archive} thiếu tệp {name} mà manifest liệt kê. {NOTHING_CHANGED}")
        if found[name] != {"sha256": entry.get("sha256"), "size": entry.get("size")}:
            raise BackupError(f"Tệp {name} trong {archive} không khớp tổng kiểm SHA-256 của manifest: bản sao lưu "
                              f"bị hỏng hoặc đã bị sửa. {NOTHING_CHANGED}")
    extra = sorted(set(found) - set(expected) - {MANIFEST})
    if extra:
        raise BackupError(f"{archive} có tệp {extra[0]} không có trong manifest. {NOTHING_CHANGED}")
    return manifest


# --- 2. the target ---------------------------------------------------------------------------------

def _sqlite_path(engine: Engine) -> Path:
    path = engine.url.database
    if not path or path == ":memory:":
        raise BackupError("Cơ sở dữ liệu đích là SQLite trong bộ nhớ: đặt DATABASE_URL là một tệp "
                          f"(sqlite:////đường/dẫn/tracker.sqlite3). {NOTHING_CHANGED}")
    return Path(path).resolve()


def check_target(manifest: dict, engine: Engine, upload_dir: Path, migrations_dir: str | Path) -> None:
    source, target = manifest["database"]["dialect"], engine.dialect.name
    if source != target:
        raise BackupError(f"Bản sao lưu là của {DIALECT_NAMES.get(source, source)}, cơ sở dữ liệu đích là "
                          f"{DIALECT_NAMES.get(target, target)}: chỉ khôi phục vào cùng loại cơ sở dữ liệu. "
                          f"{NOTHING_CHANGED}")
    revision = manifest["database"].get("schema_revision")
    if revision:
        from alembic.script import ScriptDirectory
        from alembic.util import CommandError

        try:
            known = ScriptDirectory(str(migrations_dir)).get_revision(revision) is not None
        except CommandError:
            known = False
        if not known:
            raise BackupError(f"Bản sao lưu có lược đồ phiên bản {revision}, mã nguồn này không có phiên bản đó "
                              f"(bản sao lưu của phiên bản mới hơn?): cập nhật mã nguồn rồi khôi phục. "
                              f"{NOTHING_CHANGED}")
    if target == "sqlite":
        path = _sqlite_path(engine)
        for suffix in ("-journal", "-wal"):
            if path.with_name(path.name + suffix).exists():
                raise BackupError(f"Có tệp nhật ký {path.name}{suffix} bên cạnh cơ sở dữ liệu đích: dừng ứng dụng "
                                  f"và bộ lập lịch trước khi khôi phục. {NOTHING_CHANGED}")
    occupied = _tables_with_rows(engine)
    if occupied:
        listed = "; ".join(f"bảng {name}: {count} dòng" for name, count in occupied[:5])
        more = f" và {len(occupied) - 5} bảng khác" if len(occupied) > 5 else ""
        raise BackupError(f"Cơ sở dữ liệu đích không trống ({listed}{more}). Lệnh restore chỉ khôi phục vào một "
                          f"cơ sở dữ liệu trống: tạo một cơ sở dữ liệu mới rồi chạy lại lệnh. {NOTHING_CHANGED}")
    if upload_dir.exists():
        entries = list(upload_dir.iterdir()) if upload_dir.is_dir() else [upload_dir]
        if entries:
            raise BackupError(f"Thư mục tệp minh chứng {upload_dir} không trống ({len(entries)} mục): chỉ khôi phục "
                              f"vào thư mục trống. {NOTHING_CHANGED}")


def _tables_with_rows(engine: Engine) -> list[tuple[str, int]]:
    if engine.dialect.name == "sqlite" and not _sqlite_path(engine).exists():
        return []
    with engine.connect() as connection:
        counts = [(name, connection.execute(text(f"SELECT count(*) FROM {quoted(connection, name)}")).scalar_one())
                  for name in sorted(inspect(connection).get_table_names()) if name != "alembic_version"]
    return sorted(((name, count) for name, count in counts if count), key=lambda entry: -entry[1])


# --- 3. restoring ----------------------------------------------------------------------------------

def _move_evidence(source: Path, upload_dir: Path):
    """Move the staged files in; returns the function that moves them back out."""
    created = not upload_dir.exists()
    upload_dir.mkdir(parents=True, exist_ok=True)
    moved: list[tuple[Path, Path]] = []

    def undo():
        for placed, original in reversed(moved):
            shutil.move(placed, original)
        if created:
            upload_dir.rmdir()

    try:
        for path in sorted(source.iterdir()) if source.is_dir() else []:
            placed = upload_dir / path.name
            shutil.move(path, placed)  # a rename: the staging folder sits beside the evidence folder
            moved.append((placed, path))
    except BaseException:
        undo()
        raise
    return undo


def _count_checks(manifest: dict) -> str:
    """PL/pgSQL run last in the restore transaction: any count off and the whole restore rolls back."""
    lines = ["DO $tracker_restore$", "DECLARE found bigint;", "BEGIN"]
    for name, count in sorted(manifest["tables"].items()):
        table = '"' + name.replace('"', '""') + '"'
        lines += [f"  SELECT count(*) INTO found FROM public.{table};",
                  f"  IF found <> {int(count)} THEN RAISE EXCEPTION 'bảng % có % dòng, bản sao lưu ghi %', "
                  f"'{name}', found, {int(count)}; END IF;"]
    lines += ["END", "$tracker_restore$;", ""]
    return "\n".join(lines)


def _restore_postgresql(engine: Engine, dump: Path, manifest: dict) -> None:
    with engine.connect() as connection:
        # Only empty tables can be here (checked): a schema made by `db upgrade` is replaced.
        existing = sorted(inspect(connection).get_table_names())
    before = "".join(f'DROP TABLE IF EXISTS public."{name}" CASCADE;\n' for name in existing)
    engine.dispose()
    postgres.restore(engine.url, dump, before=before, after=_count_checks(manifest))
    with engine.connect() as connection:
        problems = differences(manifest, summarize(connection))
    if problems:  # the target was empty: taking the tables away again leaves it as it was
        with engine.begin() as connection:
            for name in manifest["tables"]:
                connection.execute(text(f"DROP TABLE IF EXISTS public.{quoted(connection, name)} CASCADE"))
        raise BackupError("Dữ liệu khôi phục không khớp với bản sao lưu (" + "; ".join(problems[:5]) + "). "
                          + NOTHING_CHANGED)


def _restore_sqlite(engine: Engine, dump: Path, manifest: dict) -> None:
    target = _sqlite_path(engine)
    target.parent.mkdir(parents=True, exist_ok=True)
    candidate = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(dump, candidate)
    try:
        check = create_engine(f"sqlite:///{candidate}")
        try:
            with check.connect() as connection:
                integrity = connection.execute(text("PRAGMA integrity_check")).scalar()
                problems = differences(manifest, summarize(connection))
        finally:
            check.dispose()
        if integrity != "ok":
            problems.insert(0, f"kiểm tra toàn vẹn SQLite: {integrity}")
        if problems:
            raise BackupError("Dữ liệu khôi phục không khớp với bản sao lưu (" + "; ".join(problems[:5]) + "). "
                              + NOTHING_CHANGED)
        engine.dispose()  # no pooled connection may keep the old file open
        os.replace(candidate, target)
    finally:
        candidate.unlink(missing_ok=True)

