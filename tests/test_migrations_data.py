"""The tenant migration fills in existing rows: every row gets its province, national frameworks
none, and the shared reporting periods are copied per province with each row pointing to its own."""
from __future__ import annotations

from datetime import datetime, timezone

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from config import TestConfig
from tracker import create_app
from tracker.extensions import db

BEFORE = "6e727e5e9a31"
NOW = datetime(2025, 9, 1, tzinfo=timezone.utc)


def _legacy_rows(connection) -> None:
    def insert(table: str, **values):
        columns = ", ".join(f'"{c}"' for c in values)
        marks = ", ".join(f":{c}" for c in values)
        connection.execute(text(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})'), values)

    insert("area", id=1, code="thua-thien-hue", name="Tỉnh Thừa Thiên Huế", level="province")
    insert("area", id=2, code="thanh-hoa", name="Tỉnh Thanh Hóa", level="province")
    insert("area", id=3, code="trieu-son", name="Huyện Triệu Sơn", level="district", parent_id=2)
    insert("unit", id=1, area_id=1, name="Sở Khoa học và Công nghệ", kind="department")
    insert("unit", id=2, area_id=3, name="Phòng Văn hóa và Thông tin", kind="department")
    insert("unit_group", id=1, area_id=3, name="Các phòng, ngành")
    for plan_id, area_id, number in ((1, 1, "222/KH-UBND"), (2, 3, "KH Triệu Sơn")):
        insert("plan", id=plan_id, number=number, issuing_body="UBND", area_id=area_id, title="Kế hoạch",
               legal_bases="[]", recipients="[]", created_at=NOW, updated_at=NOW)
        insert("appendix", id=plan_id, plan_id=plan_id, number="3", kind="project", title="Dự án", position=0)
        insert("plan_item", id=plan_id, plan_id=plan_id, appendix_id=plan_id, kind="project", ref="3/1", code="1",
               position=1, text="Dự án", search_text="", owner_text="", coordinators_text="", status="not_started",
               progress=0, loaded_values="{}", created_at=NOW, updated_at=NOW)
    insert("framework", id=1, name="DTI cấp tỉnh 2024", level="province", area_id=1, declared="{}",
           general_info="[]")
    insert("framework", id=2, name="Bộ tiêu chí KH 222", level="province", area_id=1, plan_number="222/KH-UBND",
           declared="{}", general_info="[]")
    insert("user", id=1, email="admin@x.vn", full_name="", password_hash="x", role="admin", active=True,
           notify_optional=True, failed_logins=0, created_at=NOW)
    insert("user", id=2, email="bc@x.vn", full_name="", password_hash="x", role="reporter", unit_id=2, active=True,
           notify_optional=True, failed_logins=0, created_at=NOW)
    for period_id, quarter in ((1, 3), (2, 4)):
        insert("reporting_period", id=period_id, code=f"2025-Q{quarter}", year=2025, quarter=quarter,
               data_start=datetime(2025, 3 * quarter - 3, 15).date(), data_end=datetime(2025, 3 * quarter, 14).date(),
               submission_deadline=datetime(2025, 3 * quarter, 18).date(),
               consolidated_deadline=datetime(2025, 3 * quarter, 23).date(), created_at=NOW)
    for update_id, item_id, unit_id in ((1, 1, 1), (2, 2, 2)):
        insert("status_update", id=update_id, item_id=item_id, period_id=1, unit_id=unit_id, version=1,
               state="submitted", status="in_progress", progress=10, done_text="", difficulties="", proposals="",
               is_sample=False, created_at=NOW, updated_at=NOW, lock_version=1)
    insert("report_draft", id=1, plan_id=2, period_id=1, number="", signer_title="", signer_name="", recipients="",
           summary="", proposals="", updated_at=NOW)


def _check(url: str) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        try:
            _round_trip()
        finally:
            db.engine.dispose()


def _round_trip() -> None:
    upgrade(revision=BEFORE)
    with db.engine.begin() as connection:
        _legacy_rows(connection)
        if connection.dialect.name == "postgresql":  # the rows above chose their ids: move the sequences on
            for table in ("area", "unit", "unit_group", "plan", "appendix", "plan_item", "framework", "user",
                          "reporting_period", "status_update", "report_draft"):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                                        f"(SELECT max(id) FROM \"{table}\"))"))
    upgrade()
    with db.engine.connect() as connection:
        def rows(sql):
            return connection.execute(text(sql)).all()

        assert rows("SELECT id, tenant_id FROM area ORDER BY id") == [(1, 1), (2, 2), (3, 2)]
        assert rows("SELECT id, tenant_id FROM unit ORDER BY id") == [(1, 1), (2, 2)]
        assert rows("SELECT tenant_id FROM unit_group") == [(2,)]
        assert rows("SELECT id, tenant_id, issued_precision FROM plan ORDER BY id") == [(1, 1, "day"), (2, 2, "day")]
        assert rows("SELECT id, tenant_id FROM plan_item ORDER BY id") == [(1, 1), (2, 2)]
        assert rows("SELECT id, tenant_id FROM framework ORDER BY id") == [(1, None), (2, 1)]
        assert rows('SELECT id, tenant_id FROM "user" ORDER BY id') == [(1, 1), (2, 2)]
        periods = rows("SELECT id, tenant_id, code FROM reporting_period ORDER BY id")
        assert sorted((t, c) for _, t, c in periods) == [(1, "2025-Q3"), (1, "2025-Q4"), (2, "2025-Q3"), (2, "2025-Q4")]
        by_key = {(t, c): i for i, t, c in periods}
        updates = dict(rows("SELECT item_id, period_id FROM status_update"))
        assert updates == {1: by_key[(1, "2025-Q3")], 2: by_key[(2, "2025-Q3")]}
        assert rows("SELECT period_id FROM report_draft") == [(by_key[(2, "2025-Q3")],)]
    downgrade(revision=BEFORE)
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM reporting_period")).scalar() == 2
        assert set(connection.execute(text("SELECT period_id FROM status_update")).scalars()) == {1}
    downgrade(revision="base")


def test_existing_rows_get_their_province_on_sqlite(tmp_path):
    _check(f"sqlite:///{tmp_path / 'data.sqlite3'}")


def test_existing_rows_get_their_province_on_postgresql():
    from tests.test_migrations import scratch_postgresql

    with scratch_postgresql("migration_data") as url:
        _check(url)
