"""Backup → restore into a fresh database (SQLite, and PostgreSQL when TEST_DATABASE_URL is one):
the same row counts, the same files byte for byte, issued reports intact, and signing in works.
A non-empty target, a damaged archive or a failing restore changes nothing."""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tarfile
import uuid
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from config import TestConfig
from tests.factories import Factory
from tracker import create_app
from tracker.extensions import db
from tracker.ops.archive import summarize

PASSWORD = "matkhau123"
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
DIALECTS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def make_app(url: str, upload_dir: Path):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        UPLOAD_DIR = str(upload_dir)

    return create_app(Config)


class Databases:
    """Fresh databases of one kind, dropped at the end."""

    def __init__(self, dialect: str, folder: Path):
        self.dialect, self.folder, self.created = dialect, folder, []
        if dialect == "postgresql":
            if not PG_URL.startswith("postgresql"):
                pytest.skip("TEST_DATABASE_URL is not PostgreSQL")
            self.server, self.prefix = PG_URL.rsplit("/", 1)
            self.admin = create_engine(self.server + "/postgres", isolation_level="AUTOCOMMIT")

    def new(self, label: str) -> str:
        if self.dialect == "sqlite":
            return f"sqlite:///{self.folder / f'{label}-{uuid.uuid4().hex[:6]}.sqlite3'}"
        name = f"{self.prefix}_{label}_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return f"{self.server}/{name}"

    def drop_all(self):
        if self.dialect == "postgresql":
            with self.admin.connect() as connection:
                for name in self.created:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            self.admin.dispose()


def populate(app) -> dict:
    """Two provinces with users, plans, updates, evidence files and an issued report."""
    from tracker.reports.services import issue_report
    from tracker.updates.models import Evidence, StatusUpdate

    upload_dir = Path(app.config["UPLOAD_DIR"])
    upload_dir.mkdir(parents=True, exist_ok=True)
    with app.app_context():
        upgrade()
        factory = Factory(db)
        period = factory.period(2025, 3)
        people = {}
        for code, province in (("hue", "Thành phố Huế"), ("dng", "Thành phố Đà Nẵng")):
            area = factory.area(code=code, name=province)
            khcn = factory.unit(f"Sở Khoa học và Công nghệ {province}", area=area)
            owner = factory.unit(f"Sở Nội vụ {province}", area=area)
            coordinator = factory.user("coordinator", unit=khcn, email=f"dieuphoi@{code}.gov.vn")
            reporter = factory.user("reporter", unit=owner, email=f"baocao@{code}.gov.vn")
            plan = factory.plan(number=f"22{len(people)}/KH-UBND", area=area)
            item = factory.item(plan, "project", owner=owner, text=f"Số hóa hồ sơ {province}",
                                start_year=2024, end_year=2026)
            update = StatusUpdate(item=item, period=period, unit=owner, version=1, state="accepted",
                                  status="in_progress", progress=40, done_text="Đã số hóa 40% hồ sơ.",
                                  author_id=reporter.id)
            db.session.add(update)
            db.session.flush()
            for n, content in enumerate([os.urandom(300_000), b"%PDF-1.4 bien ban " + code.encode()]):
                stored = uuid.uuid4().hex
                (upload_dir / stored).write_bytes(content)
                db.session.add(Evidence(update=update, original_name=f"minh-chung-{n}.pdf", stored_name=stored,
                                        content_type="application/pdf", size=len(content),
                                        uploaded_by_id=reporter.id))
            db.session.flush()
            issue_report(plan, period, user=coordinator)
            people[code] = {"coordinator": coordinator.email, "reporter": reporter.email, "plan": plan.id}
        db.session.commit()
        db.session.remove()
    return people


def checksums(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())} \
        if folder.is_dir() else {}


def summary_of(app):
    with app.app_context():
        with db.engine.connect() as connection:
            summary = summarize(connection)
        db.engine.dispose()
    return summary


def invoke(app, *args):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["tracker", *args])
        db.session.remove()
        db.engine.dispose()
    return result


@pytest.fixture(scope="module", params=DIALECTS)
def source(request, tmp_path_factory):
    """One populated instance per kind of database and its backup, shared by the module's tests."""
    folder = tmp_path_factory.mktemp(f"backup-{request.param}")
    databases = Databases(request.param, folder)
    app = make_app(databases.new("src"), folder / "src-uploads")
    people = populate(app)
    archive = folder / "backup.tar.gz"
    result = invoke(app, "backup", str(archive))
    assert result.exit_code == 0, result.output
    yield {"app": app, "archive": archive, "people": people, "databases": databases, "folder": folder,
           "output": result.output}
    databases.drop_all()


def target(source, label="dst"):
    upload_dir = source["folder"] / f"{label}-{uuid.uuid4().hex[:6]}-uploads"
    return make_app(source["databases"].new(label), upload_dir), upload_dir


def rewritten(archive: Path, out: Path, change) -> Path:
    """A copy of `archive` where change(name, data) returns the member's new bytes (None drops it)."""
    with tarfile.open(archive, "r:gz") as old, tarfile.open(out, "w:gz") as new:
        for member in old:
            data = change(member.name, old.extractfile(member).read())
            if data is not None:
                member.size = len(data)
                new.addfile(member, io.BytesIO(data))
    return out


def _edit_manifest(edit):
    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()
    return change


def assert_untouched(app, upload_dir: Path):
    """Nothing restored: no row anywhere, no evidence folder."""
    summary = summary_of(app)
    assert all(count == 0 for name, count in summary.tables.items() if name != "alembic_version"), summary.tables
    assert not upload_dir.exists() or not any(upload_dir.iterdir())


# --- the round trip ---------------------------------------------------------------------------------

def test_backup_holds_the_database_the_files_and_a_manifest(source):
    with tarfile.open(source["archive"], "r:gz") as archive:
        names = archive.getnames()
        manifest = json.loads(archive.extractfile("manifest.json").read())
    dialect = source["databases"].dialect
    assert manifest["database"]["dialect"] == dialect
    assert manifest["database"]["member"] in names
    evidence = [n for n in names if n.startswith("files/evidence/")]
    assert len(evidence) == 4 and manifest["evidence"] == {"referenced": 4, "missing": [], "unreferenced": 0}
    expected = summary_of(source["app"])
    assert manifest["tables"] == expected.tables and manifest["tables"]["user"] == 4
    assert manifest["issued_reports"] == expected.reports and len(expected.reports) == 2
    source_files = checksums(Path(source["app"].config["UPLOAD_DIR"]))
    assert {n[len("files/evidence/"):]: manifest["files"][n]["sha256"] for n in evidence} == source_files
    assert oct(source["archive"].stat().st_mode & 0o777) == "0o600"
    assert "Đã sao lưu vào" in source["output"] and "4 tệp minh chứng" in source["output"]
    assert "2 bản báo cáo đã ban hành" in source["output"]


def test_restore_gives_the_same_counts_files_and_reports_and_sign_in_works(source):
    app, upload_dir = target(source)
    result = invoke(app, "restore", str(source["archive"]))
    assert result.exit_code == 0, result.output
    assert "Đã khôi phục vào" in result.output

    before, after = summary_of(source["app"]), summary_of(app)
    assert after.tables == before.tables
    assert after.reports == before.reports  # issued PDF, Excel and HTML byte for byte
    assert after.revision == before.revision
    assert checksums(upload_dir) == checksums(Path(source["app"].config["UPLOAD_DIR"]))
    assert len(checksums(upload_dir)) == 4

    client = app.test_client()
    with app.app_context():
        for code in ("hue", "dng"):
            for role in ("coordinator", "reporter"):
                response = client.post("/dang-nhap", data={"email": source["people"][code][role],
                                                           "password": PASSWORD})
                assert response.status_code == 302, response.get_data(as_text=True)[:300]
                assert "/dang-nhap" not in response.headers["Location"]
                assert client.get("/tong-quan").status_code == 200
                client.post("/dang-xuat")
        refused = client.post("/dang-nhap", data={"email": source["people"]["hue"]["reporter"],
                                                  "password": "sai-mat-khau"})
        assert refused.status_code == 401
        db.session.remove()
        db.engine.dispose()


def test_restore_over_an_empty_schema_made_by_db_upgrade(source):
    app, upload_dir = target(source, "schema")
    with app.app_context():
        upgrade()
        db.engine.dispose()
    result = invoke(app, "restore", str(source["archive"]))
    assert result.exit_code == 0, result.output
    assert summary_of(app).tables == summary_of(source["app"]).tables


def test_dry_run_checks_and_changes_nothing(source):
    app, upload_dir = target(source, "dry")
    result = invoke(app, "restore", str(source["archive"]), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "chưa khôi phục gì" in result.output
    assert_untouched(app, upload_dir)


# --- refusals: each leaves the target as it was ----------------------------------------------------

def test_a_non_empty_database_is_refused(source):
    app = source["app"]
    before = summary_of(app)
    files = checksums(Path(app.config["UPLOAD_DIR"]))
    result = invoke(app, "restore", str(source["archive"]))
    assert result.exit_code == 1
    assert "Cơ sở dữ liệu đích không trống (bảng " in result.output
    assert re.search(r"bảng \w+: \d+ dòng; bảng \w+: \d+ dòng", result.output)
    assert "Không có gì bị thay đổi." in result.output
    assert summary_of(app).tables == before.tables
    assert checksums(Path(app.config["UPLOAD_DIR"])) == files


def test_a_non_empty_evidence_folder_is_refused(source):
    app, upload_dir = target(source, "files")
    upload_dir.mkdir()
    (upload_dir / ("0" * 32)).write_bytes(b"old")
    result = invoke(app, "restore", str(source["archive"]))
    assert result.exit_code == 1 and "không trống" in result.output
    assert os.listdir(upload_dir) == ["0" * 32]
    summary = summary_of(app)
    assert all(count == 0 for count in summary.tables.values())


def test_a_damaged_file_is_refused_before_anything_is_touched(source, tmp_path):
    def flip(name, data):
        if name.startswith("files/evidence/") and len(data) > 1000:
            return data[:500] + bytes([data[500] ^ 1]) + data[501:]
        return data

    app, upload_dir = target(source, "damaged")
    result = invoke(app, "restore", str(rewritten(source["archive"], tmp_path / "damaged.tar.gz", flip)))
    assert result.exit_code == 1
    assert "không khớp tổng kiểm SHA-256" in result.output and "Không có gì bị thay đổi." in result.output
    assert_untouched(app, upload_dir)


def test_a_missing_or_foreign_member_is_refused(source, tmp_path):
    app, upload_dir = target(source, "members")
    dropped = rewritten(source["archive"], tmp_path / "dropped.tar.gz",
                        lambda name, data: None if name.startswith("files/evidence/") else data)
    result = invoke(app, "restore", str(dropped))
    assert result.exit_code == 1 and "thiếu tệp files/evidence/" in result.output

    escaping = tmp_path / "escaping.tar.gz"
    with tarfile.open(source["archive"], "r:gz") as old, tarfile.open(escaping, "w:gz") as new:
        for member in old:
            new.addfile(member, old.extractfile(member))
        info = tarfile.TarInfo("files/evidence/../../../etc/cron.d/x")
        payload = b"* * * * * root true\n"
        info.size = len(payload)
        new.addfile(info, io.BytesIO(payload))
    result = invoke(app, "restore", str(escaping))
    assert result.exit_code == 1 and "mục không hợp lệ" in result.output
    assert_untouched(app, upload_dir)


def test_a_truncated_or_foreign_file_is_refused(source, tmp_path):
    app, upload_dir = target(source, "truncated")
    truncated = tmp_path / "truncated.tar.gz"
    data = source["archive"].read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    result = invoke(app, "restore", str(truncated))
    assert result.exit_code == 1 and "Không đọc được" in result.output
    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as archive:
        archive.addfile(tarfile.TarInfo("database/tracker.sqlite3"), io.BytesIO(b""))
    result = invoke(app, "restore", str(foreign))
    assert result.exit_code == 1 and "không có manifest.json" in result.output
    assert_untouched(app, upload_dir)


def test_another_kind_of_database_is_refused(source, tmp_path):
    from tracker.ops.archive import DATABASE_MEMBERS

    mine = source["databases"].dialect
    other = {"sqlite": "postgresql", "postgresql": "sqlite"}[mine]
    archive = tmp_path / "other.tar.gz"
    with tarfile.open(source["archive"], "r:gz") as old, tarfile.open(archive, "w:gz") as new:
        for member in old:
            data = old.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["database"].update(dialect=other, member=DATABASE_MEMBERS[other])
                manifest["files"][DATABASE_MEMBERS[other]] = manifest["files"].pop(DATABASE_MEMBERS[mine])
                data = json.dumps(manifest).encode()
            elif member.name == DATABASE_MEMBERS[mine]:
                member.name = DATABASE_MEMBERS[other]
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))
    app, upload_dir = target(source, "dialect")
    result = invoke(app, "restore", str(archive))
    assert result.exit_code == 1, result.output
    assert "chỉ khôi phục vào cùng loại cơ sở dữ liệu" in result.output
    assert_untouched(app, upload_dir)


def test_an_unknown_schema_revision_is_refused(source, tmp_path):
    app, upload_dir = target(source, "revision")
    archive = rewritten(source["archive"], tmp_path / "newer.tar.gz",
                        _edit_manifest(lambda m: m["database"].update(schema_revision="ffffffffffff")))
    result = invoke(app, "restore", str(archive))
    assert result.exit_code == 1 and "lược đồ phiên bản ffffffffffff" in result.output
    assert_untouched(app, upload_dir)


def test_a_restore_that_does_not_add_up_is_rolled_back_whole(source, tmp_path):
    """The counts are checked inside the restore: one off, and neither rows nor files stay behind."""
    app, upload_dir = target(source, "rollback")
    archive = rewritten(source["archive"], tmp_path / "miscounted.tar.gz",
                        _edit_manifest(lambda m: m["tables"].update(user=m["tables"]["user"] + 1)))
    result = invoke(app, "restore", str(archive))
    assert result.exit_code == 1, result.output
    assert "bảng user" in result.output
    assert_untouched(app, upload_dir)
    with app.app_context():
        with db.engine.connect() as connection:
            from sqlalchemy import inspect

            assert inspect(connection).get_table_names() == []  # not even the schema
        db.engine.dispose()


def test_backup_never_overwrites(source):
    result = invoke(source["app"], "backup", str(source["archive"]))
    assert result.exit_code == 1 and "đã có" in result.output


def test_a_referenced_file_missing_from_disk_is_reported(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'gap.sqlite3'}", tmp_path / "uploads")
    populate(app)
    victim = sorted((tmp_path / "uploads").iterdir())[0]
    victim.unlink()
    result = invoke(app, "backup", str(tmp_path / "gap.tar.gz"))
    assert result.exit_code == 0
    assert "Cảnh báo: 1 tệp minh chứng" in result.output and victim.name in result.output
    with tarfile.open(tmp_path / "gap.tar.gz", "r:gz") as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())
    assert manifest["evidence"]["missing"] == [victim.name]


def test_in_memory_sqlite_cannot_be_backed_up(tmp_path):
    app = make_app("sqlite://", tmp_path / "uploads")
    result = invoke(app, "backup", str(tmp_path / "x.tar.gz"))
    assert result.exit_code == 1 and "trong bộ nhớ" in result.output
    assert not (tmp_path / "x.tar.gz").exists()


def test_an_archive_repacked_with_folder_entries_is_accepted(source, tmp_path):
    repacked = tmp_path / "repacked.tar.gz"
    with tarfile.open(source["archive"], "r:gz") as old, tarfile.open(repacked, "w:gz") as new:
        for folder in ("database", "files", "files/evidence"):
            info = tarfile.TarInfo(folder)
            info.type = tarfile.DIRTYPE
            new.addfile(info)
        for member in old:
            new.addfile(member, old.extractfile(member))
    app, upload_dir = target(source, "repacked")
    result = invoke(app, "restore", str(repacked), "--dry-run")
    assert result.exit_code == 0, result.output


def test_missing_postgresql_client_tools_are_named(monkeypatch):
    from tracker.ops import postgres
    from tracker.ops.archive import BackupError

    monkeypatch.setattr(postgres.shutil, "which", lambda name: None)
    with pytest.raises(BackupError, match="Không tìm thấy lệnh pg_dump: cài gói postgresql-client"):
        postgres.tool("pg_dump")
