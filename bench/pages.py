"""Server time and SQL queries of the browsing pages on a large synthetic dataset.

    .venv/bin/python bench/pages.py [--dataset national|seed] [--database-url URL] [--requests 60] [--reuse]
                                    [--provinces 34]

The dataset: 34 provinces, each with ~60 units (one merged into another on 01/03/2025, one unit
group of ten), one plan of 300 items (30 targets, 30 documents, 120 projects in sections,
120 budget lines), links to a 55-indicator framework, and five years of quarterly reporting
periods (2022-Q1 .. 2026-Q4) with an update of every owed item in every period (a fifth of them
in two versions: returned, then resubmitted) — about 10,000 items and 150,000 updates.

The database is a temporary SQLite file unless --database-url names another (e.g.
postgresql+psycopg://postgres@127.0.0.1/tracker_bench): its tables are dropped and created
unless --reuse is given and the data is already there.

`--dataset seed`: the seed plans (`flask tracker load-plans`) with the demo data (`flask tracker
demo`) instead, read by the demo coordinator (dieuphoi@demo.vn).

For the dashboard, a plan tab, the plan's "all items" tab with a search, the review queue, the
reports index, an item page and a unit page it signs in a coordinator with Flask's test client,
sends a warm-up request, then times --requests requests and prints p50 / p95 / max server time, the
CPU time of the process (p50 / p95; on a busy machine wall time includes waiting for a core) and the
number of SQL queries of one request. The dashboard and plan tabs are served from the kept parts of
tracker/core/fragments.py while the data does not change; their rows marked "dựng mới" are timed
with that cache off: what the first request after a change costs.
Goal: p95 under 150 ms, CPU ≤ 12 ms a request (issue 13).
"""
from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import Config  # noqa: E402

GOAL_MS = 150
YEARS = range(2022, 2027)
UNITS_PER_PROVINCE = 60
WORDS = ("triển khai hoàn thiện hệ thống nền tảng dữ liệu số hóa chuyển đổi số cơ quan nhà nước người dân "
         "doanh nghiệp dịch vụ công trực tuyến kết nối liên thông đào tạo kỹ năng hạ tầng an toàn thông tin "
         "thủ tục hành chính đô thị thông minh chữ ký số kinh phí nghiệm thu vận hành").split()
UNIT_NAMES = ("Sở Nội vụ", "Sở Tài chính", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Công Thương", "Sở Xây dựng",
              "Sở Tư pháp", "Sở Nông nghiệp và Môi trường", "Sở Văn hóa, Thể thao và Du lịch", "Sở Dân tộc và Tôn giáo")


def make_config(url: str):
    # A bench key of its own: the production-by-default check refuses the shared development key.
    class BenchConfig(Config):
        SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_hex(32)
        SQLALCHEMY_DATABASE_URI = url
        SQLALCHEMY_ENGINE_OPTIONS = {}
        WTF_CSRF_ENABLED = False
        TESTING = False
        SERVER_NAME = "bench.local"
        MAIL_SUPPRESS_SEND = True

    return BenchConfig


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def build(db, provinces: int, seed: int = 7) -> dict:
    """Insert the dataset with bulk Core inserts and explicit ids; returns the ids the pages need."""
    from sqlalchemy import insert

    from tracker.auth.models import User
    from tracker.core.text import fold_search
    from tracker.indicators.models import Framework, Indicator, ItemIndicatorLink
    from tracker.periods.models import ReportingPeriod
    from tracker.periods.services import period_dates
    from tracker.plans.models import Appendix, ItemAssignment, Plan, PlanItem, Section
    from tracker.units.models import Area, Unit, UnitGroup, UnitGroupMember
    from tracker.updates.models import StatusUpdate

    rng = random.Random(seed)
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    config = {"SUBMISSION_DAYS_AFTER_CUTOFF": 4, "CONSOLIDATED_DAYS_AFTER_SUBMISSION": 5}
    # Every province has its own reporting calendar: the same quarters, one period each.
    all_periods = []

    framework_rows, indicator_rows = [dict(id=1, name="DTI cấp tỉnh (bench)", level="province", year=2024,
                                           declared={}, general_info=[], max_points=1000)], []
    for pillar in range(1, 9):
        pid = len(indicator_rows) + 1
        indicator_rows.append(dict(id=pid, framework_id=1, parent_id=None, code=str(pillar), key=str(pillar),
                                   name=words(rng, 5), max_points=125, depth=0, position=len(indicator_rows)))
        for child in range(1, 7):
            code = f"{pillar}.{child}"
            indicator_rows.append(dict(id=len(indicator_rows) + 1, framework_id=1, parent_id=pid, code=code, key=code,
                                       name=words(rng, 12), max_points=20, depth=1, position=len(indicator_rows),
                                       scoring=words(rng, 30), evidence=words(rng, 10)))
    db.session.execute(insert(Framework), framework_rows)
    db.session.execute(insert(Indicator), indicator_rows)
    leaves = [row["id"] for row in indicator_rows if row["depth"] == 1]

    areas, units, groups, members, plans, appendices, sections = [], [], [], [], [], [], []
    items, assignments, links, updates = [], [], [], []
    unit_id = group_id = section_id = item_id = assignment_id = update_id = 0
    sample = {}
    for province in range(1, provinces + 1):
        areas.append(dict(id=province, code=f"tinh-{province}", name=f"Tỉnh Mẫu {province}", level="province",
                          tenant_id=province))
        periods = []
        for year in YEARS:
            for quarter in range(1, 5):
                periods.append(dict(id=len(all_periods) + 1, tenant_id=province, code=f"{year}-Q{quarter}", year=year,
                                    quarter=quarter, created_at=now, **period_dates(year, quarter, config)))
                all_periods.append(periods[-1])
        first_unit = unit_id + 1
        for n in range(UNITS_PER_PROVINCE):
            unit_id += 1
            name = UNIT_NAMES[n] if n < len(UNIT_NAMES) else f"Đơn vị {n} tỉnh {province}"
            units.append(dict(id=unit_id, area_id=province, tenant_id=province, name=name, short_name=f"ĐV{n}",
                              kind="department"))
        province_units = list(range(first_unit, unit_id + 1))
        # Unit 0 (Sở TT&TT's role) merged into unit 1 (Sở KH&CN's) on 01/03/2025.
        units[first_unit - 1].update(successor_id=first_unit + 1, succeeded_on=date(2025, 3, 1),
                                     succession_type="merged", name="Sở Thông tin và Truyền thông")
        units[first_unit].update(name="Sở Khoa học và Công nghệ")
        group_id += 1
        groups.append(dict(id=group_id, area_id=province, tenant_id=province, name="Các Sở, ban, ngành"))
        for position, member in enumerate(province_units[2:12]):
            members.append(dict(id=len(members) + 1, group_id=group_id, unit_id=member, position=position))

        plans.append(dict(id=province, number=f"{province}/KH-UBND", issued_on=date(2021, 3, 1), issuing_body=f"UBND Tỉnh Mẫu {province}",
                          area_id=province, tenant_id=province, title="Kế hoạch chuyển đổi số giai đoạn 2021–2025",
                          period_start=2021,
                          period_end=2025, vision_year=2030, legal_bases=[], recipients=[], created_at=now, updated_at=now))
        base = (province - 1) * 5
        kinds = (("1", "target", 30), ("2", "document", 30), ("3", "project", 120), ("5", "budget", 120))
        appendix_ids = {}
        for position, (number, kind, _) in enumerate(kinds):
            appendix_ids[kind] = base + position + 1
            appendices.append(dict(id=base + position + 1, plan_id=province, number=number, kind=kind,
                                   title=f"Phụ lục {number}: {words(rng, 6)}", position=position))
        section_ids = {}
        for kind in ("project", "budget"):
            for s_pos, letter in enumerate("ABCDE"):
                section_id += 1
                top = section_id
                sections.append(dict(id=top, appendix_id=appendix_ids[kind], parent_id=None, code=letter, title=words(rng, 5),
                                     path=letter, depth=0, position=s_pos * 10))
                for sub in ("I", "II"):
                    section_id += 1
                    sections.append(dict(id=section_id, appendix_id=appendix_ids[kind], parent_id=top, code=sub,
                                         title=words(rng, 6), path=f"{letter}/{sub}", depth=1, position=s_pos * 10 + len(sub)))
                    section_ids.setdefault(kind, []).append((section_id, f"{letter}/{sub}"))
        projects = []
        for number, kind, count in kinds:
            for n in range(count):
                item_id += 1
                text = words(rng, 18)
                section, path = (section_ids[kind][n % 10] if kind in section_ids else (None, None))
                code = str(n // 10 + 1) if section else f"{n + 1}."
                ref = "/".join(x for x in (number, path, code.rstrip(".")) if x)
                row = dict(id=item_id, plan_id=province, tenant_id=province, appendix_id=appendix_ids[kind],
                           section_id=section, kind=kind,
                           ref=ref, code=code, position=n, text=text, search_text=fold_search(f"{code} {text}"),
                           owner_text="", coordinators_text="", created_at=now, updated_at=now, status="not_started",
                           progress=0)
                if kind == "target":
                    row.update(target_value=100, measure_unit="%", target_text="100%", target_year=2025)
                elif kind == "document":
                    row.update(doc_type=rng.choice(["Nghị quyết", "Kế hoạch", "Quyết định", None]))
                elif kind == "project":
                    start = rng.choice([2021, 2022, 2023, 2024])
                    row.update(start_year=start, end_year=start + rng.choice([1, 2, 3]), years_text="")
                    projects.append(item_id)
                else:
                    state = rng.choice([None, 10_000_000_000, 5_000_000_000])
                    row.update(budget_state=state, budget_other=None if state is None else 2_000_000_000,
                               budget_total=None if state is None else state + 2_000_000_000,
                               funded_project_id=projects[n % len(projects)])
                if kind != "budget":
                    roll = rng.random()
                    if roll < 0.35:
                        row.update(status="done", progress=100, completed_on=date(rng.choice([2022, 2023, 2024, 2025]), 6, 30))
                    elif roll < 0.8:
                        row.update(status=rng.choice(["in_progress", "in_progress", "late", "stalled"]),
                                   progress=rng.randint(5, 95))
                    row["last_update_at"] = now
                    if kind == "project":
                        row.update(amount_committed=rng.randint(1, 9) * 1_000_000_000,
                                   amount_disbursed=rng.randint(0, 5) * 1_000_000_000)
                items.append(row)
                # Owner: the merged unit for a tenth, the group for a tenth, else a unit of the province.
                pick = n % 10
                if pick == 0:
                    owner = dict(unit_id=first_unit, group_id=None, name_as_written="Sở Thông tin và Truyền thông")
                elif pick == 1:
                    owner = dict(unit_id=None, group_id=group_id, name_as_written="Các Sở, ban, ngành")
                else:
                    chosen = rng.choice(province_units[1:])
                    owner = dict(unit_id=chosen, group_id=None, name_as_written=units[chosen - 1]["name"])
                assignment_id += 1
                assignments.append(dict(id=assignment_id, item_id=item_id, role="owner", position=0, **owner))
                for position in range(rng.choice([0, 1, 2])):
                    chosen = rng.choice(province_units[1:])
                    assignment_id += 1
                    assignments.append(dict(id=assignment_id, item_id=item_id, role="coordinator", position=position,
                                            unit_id=chosen, group_id=None, name_as_written=units[chosen - 1]["name"]))
                if kind in ("target", "project") and rng.random() < 0.5:
                    for indicator in rng.sample(leaves, 2):
                        links.append(dict(id=len(links) + 1, item_id=item_id, indicator_id=indicator, created_at=now))
                if kind == "budget":
                    continue
                owners = ([first_unit] if pick == 0 else province_units[2:12] if pick == 1 else [owner["unit_id"]])
                for period in periods:
                    if period["year"] < row.get("start_year", 2021):
                        continue
                    if row.get("completed_on") and row["completed_on"] < period["data_start"]:
                        continue
                    for reporter in owners:
                        carrier = (first_unit + 1 if reporter == first_unit and period["submission_deadline"] >= date(2025, 3, 1)
                                   else reporter)
                        if rng.random() < 0.08:
                            continue  # never reported
                        late = rng.random() < 0.15
                        submitted = datetime.combine(period["submission_deadline"] + timedelta(days=3 if late else -2),
                                                     datetime.min.time(), tzinfo=timezone.utc)
                        versions = 2 if rng.random() < 0.2 else 1
                        for version in range(1, versions + 1):
                            update_id += 1
                            final = version == versions
                            updates.append(dict(
                                id=update_id, item_id=item_id, period_id=period["id"], unit_id=carrier, version=version,
                                state=("accepted" if period["year"] < 2026 else rng.choice(["submitted", "accepted", "draft"]))
                                if final else "returned",
                                status=rng.choice(["in_progress", "late", "done"]), progress=rng.randint(0, 100),
                                done_text=words(rng, 25), difficulties=words(rng, 10), proposals=words(rng, 8),
                                submitted_at=submitted, created_at=submitted, updated_at=submitted, lock_version=1,
                                review_comment=None if final else "Bổ sung minh chứng.",
                            ))
        sample.setdefault("plan_id", province)
    start = time.perf_counter()
    # Successors point forward: insert units first, then link them.
    successions = [dict(b_id=u["id"], successor_id=u.pop("successor_id"), succeeded_on=u.pop("succeeded_on"),
                        succession_type=u.pop("succession_type")) for u in units if "successor_id" in u]
    for model, rows in ((Area, areas), (ReportingPeriod, all_periods), (Unit, units), (UnitGroup, groups),
                        (UnitGroupMember, members), (Plan, plans),
                        (Appendix, appendices), (Section, sections), (PlanItem, items), (ItemAssignment, assignments),
                        (ItemIndicatorLink, links), (StatusUpdate, updates)):
        keys = sorted({key for row in rows for key in row})
        rows = [{key: row.get(key) for key in keys} for row in rows]  # one key set: one batched statement
        for chunk in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[chunk: chunk + 5000])
    from sqlalchemy import bindparam, update

    db.session.execute(
        update(Unit.__table__).where(Unit.__table__.c.id == bindparam("b_id"))
        .values(successor_id=bindparam("successor_id"), succeeded_on=bindparam("succeeded_on"),
                succession_type=bindparam("succession_type")),
        successions,
    )
    coordinator = User(email="dieuphoi@bench.vn", role="coordinator", unit_id=2, tenant_id=1, full_name="Điều phối")
    coordinator.set_password("matkhau123")
    db.session.add(coordinator)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy import text

        for table in db.metadata.sorted_tables:
            if "id" in table.c:
                db.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 1))"))
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    else:
        from sqlalchemy import text

        db.session.execute(text("ANALYZE"))
        db.session.commit()
    print(f"Dữ liệu: {len(areas)} tỉnh, {len(units)} đơn vị, {len(items)} hạng mục, {len(assignments)} phân công, "
          f"{len(links)} liên kết chỉ số, {len(all_periods)} kỳ, {len(updates)} báo cáo (ghi trong {time.perf_counter() - start:.1f} s).")
    return sample


COORDINATORS = {"national": ("dieuphoi@bench.vn", "matkhau123"), "seed": ("dieuphoi@demo.vn", "matkhau123")}
KEPT = ("Tổng quan", "Kế hoạch", "Kế hoạch, phụ lục 3", "Kế hoạch, tìm kiếm")  # timed again with the cache off


def pick_targets(db, email: str) -> dict[str, str]:
    """The URLs to time, chosen among the busiest rows of the coordinator's province."""
    from sqlalchemy import func, select

    from tracker.auth.models import User
    from tracker.indicators.models import Framework
    from tracker.plans.models import Appendix, Plan, PlanItem
    from tracker.units.models import Unit
    from tracker.updates.models import StatusUpdate

    user = db.session.scalar(select(User).where(User.email == email))
    plan = db.session.scalar(select(Plan).where(Plan.tenant_id == user.tenant_id).order_by(Plan.id))
    appendix = db.session.scalar(select(Appendix).where(Appendix.plan_id == plan.id, Appendix.kind == "project")
                                 .order_by(Appendix.position)) or plan.appendices[0]
    item_id = db.session.scalar(
        select(StatusUpdate.item_id).join(PlanItem).where(PlanItem.plan_id == plan.id)
        .group_by(StatusUpdate.item_id).order_by(func.count().desc(), StatusUpdate.item_id).limit(1))
    carrier = (db.session.scalar(select(Unit).where(Unit.area_id == plan.area_id, Unit.name == "Sở Khoa học và Công nghệ"))
               or db.session.scalar(select(Unit).where(Unit.area_id == plan.area_id).order_by(Unit.id)))
    framework_id = db.session.scalar(select(Framework.id).order_by(Framework.id))
    targets = {
        "Tổng quan": "/tong-quan",
        "Kế hoạch": f"/ke-hoach/{plan.id}",
        "Kế hoạch, phụ lục 3": f"/ke-hoach/{plan.id}?phu-luc={appendix.number}",
        "Kế hoạch, tìm kiếm": f"/ke-hoach/{plan.id}?phu-luc=tat-ca&q=chu+ky+so&tien-do=overdue",
        "Chờ duyệt": "/cho-duyet",
        "Danh sách báo cáo": "/bao-cao",
        "Hạng mục": f"/hang-muc/{item_id}",
        "Đơn vị (kế thừa)": f"/don-vi/{carrier.id}",
        "Danh sách đơn vị": f"/don-vi?khu-vuc={plan.area_id}",
    }
    if framework_id is not None:
        targets["Bộ chỉ số"] = f"/bo-chi-so/{framework_id}"
    return targets


def percentile(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(pct / 100 * len(ordered))) - 1))]


def measure(app, db, targets: dict[str, str], requests: int, email: str, password: str) -> list[tuple]:
    from sqlalchemy import event

    client = app.test_client()
    response = client.post("/dang-nhap", data={"email": email, "password": password})
    assert response.status_code == 302, response.status_code
    counter = {"n": 0}

    def count(*_args, **_kwargs):
        counter["n"] += 1

    runs = [(label, url, True) for label, url in targets.items()]
    runs += [(f"{label} · dựng mới", targets[label], False) for label in KEPT if label in targets]
    rows = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        for label, url, kept in runs:
            app.config["PAGE_FRAGMENT_CACHE"] = kept
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            counter["n"] = 0
            client.get(url)
            queries = counter["n"]
            times, cpu = [], []
            for _ in range(requests):
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
                assert response.status_code == 200
            rows.append((label, url, percentile(times, 50), percentile(times, 95), max(times),
                         percentile(cpu, 50), percentile(cpu, 95), queries, len(response.data)))
    finally:
        event.remove(engine, "before_cursor_execute", count)
        app.config["PAGE_FRAGMENT_CACHE"] = True
    return rows


def load_seed(app) -> None:
    runner = app.test_cli_runner()
    for args in (["tracker", "load-plans"], ["tracker", "demo"]):
        result = runner.invoke(args=args)
        if result.exit_code != 0:
            raise SystemExit(f"{' '.join(args)}: {result.output}\n{result.exception!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=("national", "seed"), default="national")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--reuse", action="store_true", help="keep the data already in the database")
    args = parser.parse_args()
    temp_dir = None
    url = args.database_url
    if not url:
        temp_dir = tempfile.TemporaryDirectory(prefix="bench-pages-")
        url = f"sqlite:///{Path(temp_dir.name) / 'bench.sqlite3'}"

    from sqlalchemy import func, inspect, select

    from tracker import create_app
    from tracker.extensions import db
    from tracker.plans.models import PlanItem

    app = create_app(make_config(url))
    with app.app_context():
        if not (args.reuse and inspect(db.engine).has_table("plan_item")
                and db.session.scalar(select(func.count()).select_from(PlanItem))):
            db.drop_all()
            db.create_all()
            if args.dataset == "seed":
                db.session.remove()
                load_seed(app)
            else:
                build(db, args.provinces)
        email, password = COORDINATORS[args.dataset]
        targets = pick_targets(db, email)
        dialect = db.engine.dialect.name
        db.session.remove()
    rows = measure(app, db, targets, args.requests, email, password)
    print(f"\nDữ liệu: {args.dataset} · cơ sở dữ liệu: {dialect} · {args.requests} yêu cầu mỗi trang · "
          f"mục tiêu p95 < {GOAL_MS} ms\n")
    header = (f"{'Trang':<32} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'CPU p50':>8} {'CPU p95':>8} "
              f"{'truy vấn':>9} {'kB':>6}  p95 < {GOAL_MS}?")
    print(header)
    print("-" * len(header))
    ok = True
    for label, url, p50, p95, worst, cpu50, cpu95, queries, size in rows:
        passed = p95 < GOAL_MS
        ok &= passed
        print(f"{label:<32} {p50:8.1f} {p95:8.1f} {worst:8.1f} {cpu50:8.1f} {cpu95:8.1f} {queries:9d} {size / 1024:6.0f}  "
              f"{'có' if passed else 'KHÔNG'}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nTải máy (load average 1 phút) khi đo: {load:.2f} trên {os.cpu_count()} lõi. "
          "Thời gian là thời gian thực phía máy chủ (test client, không có mạng); CPU là thời gian CPU của tiến trình.")
    with app.app_context():
        db.engine.dispose()
    if temp_dir is not None:
        temp_dir.cleanup()
    print("Kết quả: " + ("mọi trang đạt mục tiêu." if ok else "CÓ TRANG KHÔNG ĐẠT mục tiêu p95 (xem cột cuối)."))
    return 0  # a measurement, not a test: `make bench` goes on to the next script either way


if __name__ == "__main__":
    sys.exit(main())
