"""HTTP load benchmark: gunicorn (workers = cores) + PostgreSQL, driven by Locust, headless, on loopback.

    .venv/bin/python bench/load.py [--clients 20,50] [--run-time 30] [--max-requests 6000]
                                   [--datasets seed,national] [--provinces 34] [--port 5804]

Datasets, each loaded afresh into its own PostgreSQL database (LOAD_DATABASE_URL, default
postgresql+psycopg://postgres@127.0.0.1:5432/tracker_load; created if missing, its tables dropped):
- `seed`: the seed plans (`flask tracker load-plans`) with the demo data (`flask tracker demo`);
- `national`: bench/pages.py's synthetic nation (34 provinces, ≈10,000 items, ≈150,000 updates),
  with a coordinator, a viewer and reporters in each province.
The server runs in production mode (a random SECRET_KEY, JSON logs off), next to the scheduler
and the background worker that renders report files (`tracker worker`). For each number of clients, Locust runs the
per-role mix of bench/locustfile.py for --run-time seconds or --max-requests requests, whichever
comes first, and the script prints requests/s, p50/p95/p99 per page, errors and the CPU time per
request of the server processes (gunicorn) and of the database backends serving them, measured
over the same window as the statistics. On a shared machine wall times include waiting for a core;
CPU per request is the steadier figure. Goal at 20 clients: p95 < 150 ms, 0 errors, ≤ 12 ms CPU/request.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_P95_MS = 150
GOAL_CPU_MS = 12
PASSWORD = "matkhau123"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/tracker_load"
DEMO_ACCOUNTS = {
    "reporter": ["baocao.skhcn@demo.vn", "baocao.vpubnd@demo.vn", "baocao.skhcn.thanhhoa@demo.vn"],
    "coordinator": ["dieuphoi@demo.vn", "dieuphoi.thanhhoa@demo.vn"],
    "viewer": ["xem@demo.vn", "xem.thanhhoa@demo.vn"],
}


def ensure_database(url: str) -> str:
    """Create the database if it is missing; its name."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = parsed.database
    conninfo = f"host={parsed.host or '127.0.0.1'} port={parsed.port or 5432} user={parsed.username or 'postgres'} dbname=postgres"
    with psycopg.connect(conninfo, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
    return name


def bench_config(url: str):
    from config import Config

    class LoadConfig(Config):
        SECRET_KEY = secrets.token_hex(32)
        SQLALCHEMY_DATABASE_URI = url
        MAIL_SUPPRESS_SEND = True

    return LoadConfig


def reset(app, db) -> None:
    from sqlalchemy import text

    with app.app_context():
        db.session.execute(text("DROP SCHEMA public CASCADE"))
        db.session.execute(text("CREATE SCHEMA public"))
        db.session.commit()
        db.create_all()


def load_seed(url: str) -> dict:
    from tracker import create_app
    from tracker.extensions import db

    app = create_app(bench_config(url))
    reset(app, db)
    runner = app.test_cli_runner()
    for args in (["tracker", "load-plans"], ["tracker", "demo"]):
        result = runner.invoke(args=args)
        if result.exit_code != 0:
            raise SystemExit(f"{' '.join(args)}: {result.output}\n{result.exception!r}")
    with app.app_context():
        analyze(db)
        db.engine.dispose()
    return DEMO_ACCOUNTS


def load_national(url: str, provinces: int) -> dict:
    from sqlalchemy import func, select

    from bench.pages import build
    from tracker import create_app
    from tracker.auth.models import User
    from tracker.extensions import db
    from tracker.plans.models import ItemAssignment, PlanItem
    from tracker.units.models import Unit

    app = create_app(bench_config(url))
    reset(app, db)
    accounts = {"reporter": [], "coordinator": [], "viewer": []}
    with app.app_context():
        build(db, provinces)
        accounts["coordinator"].append("dieuphoi@bench.vn")
        for province in range(1, provinces + 1):
            units = db.session.scalars(select(Unit).where(Unit.tenant_id == province).order_by(Unit.id)).all()
            by_id = {u.id: u for u in units}
            busiest = db.session.execute(
                select(ItemAssignment.unit_id, func.count()).join(PlanItem)
                .where(PlanItem.tenant_id == province, ItemAssignment.role == "owner", ItemAssignment.unit_id.is_not(None),
                       PlanItem.kind != "budget")
                .group_by(ItemAssignment.unit_id).order_by(func.count().desc()).limit(3)
            ).all()
            users = []
            if province > 1:
                users.append(User(email=f"dieuphoi{province}@bench.vn", role="coordinator", unit_id=units[1].id,
                                  tenant_id=province, full_name=f"Điều phối {province}"))
            users.append(User(email=f"xem{province}@bench.vn", role="viewer", unit_id=units[2].id, tenant_id=province,
                              full_name=f"Xem {province}"))
            for unit_id, _count in busiest:
                if by_id.get(unit_id) is not None and by_id[unit_id].successor_id is None:
                    users.append(User(email=f"baocao{province}.{unit_id}@bench.vn", role="reporter", unit_id=unit_id,
                                      tenant_id=province, full_name=f"Báo cáo {province}.{unit_id}"))
            for user in users:
                user.set_password(PASSWORD)
                db.session.add(user)
                accounts[user.role].append(user.email)
        db.session.commit()
        analyze(db)
        db.engine.dispose()
    # Spread the virtual users over the provinces (each province's pages cost one province's data).
    return accounts


def create_missing_tables(url: str) -> None:
    from tracker import create_app
    from tracker.extensions import db

    app = create_app(bench_config(url))
    with app.app_context():
        db.create_all()
        db.engine.dispose()


def analyze(db) -> None:
    from sqlalchemy import text

    db.session.execute(text("ANALYZE"))
    db.session.commit()


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.3)
    raise SystemExit(f"Máy chủ không trả lời: {url}")


def start_server(url: str, port: int, workers: int, threads: int, log_dir: Path, app_dir: Path = ROOT):
    env = dict(os.environ, TRACKER_ENV="production", SECRET_KEY=secrets.token_hex(32), DATABASE_URL=url,
               SESSION_COOKIE_SECURE="0", MAIL_SUPPRESS_SEND="1", LOG_LEVEL="WARNING", LOG_FORMAT="text",
               JOB_POLL_SECONDS="1")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--timeout", "60", "wsgi:app"],
        cwd=app_dir, env=env, stdout=open(log_dir / "gunicorn.log", "w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    # The scheduler and, as in production, the background worker that renders the report files (a
    # checkout from before the worker command, --app-dir, has the scheduler's runner alone).
    commands = ["scheduler"] + (["worker"] if (Path(app_dir) / "tracker" / "queue" / "cli.py").exists() else [])
    background = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "tracker", command],
            cwd=app_dir, env=env, stdout=open(log_dir / f"{command}.log", "w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for command in commands
    ]
    wait_for(f"http://127.0.0.1:{port}/dang-nhap")
    return server, background


def stop(process) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def sign_in_all(port: int, accounts: dict) -> dict:
    """Sign every account in once; {email: {cookie: value}}."""
    import http.cookiejar
    import re
    import urllib.parse

    cookies = {}
    for email in sorted({e for emails in accounts.values() for e in emails}):
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"http://127.0.0.1:{port}/dang-nhap", timeout=60).read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        body = urllib.parse.urlencode({"email": email, "password": PASSWORD,
                                       "csrf_token": token.group(1) if token else ""}).encode()
        opener.open(f"http://127.0.0.1:{port}/dang-nhap", data=body, timeout=60).read()
        cookies[email] = {c.name: c.value for c in jar}
        if "session" not in cookies[email]:
            raise SystemExit(f"Không đăng nhập được {email}")
    return cookies


def run_locust(port: int, clients: int, run_time: int, max_requests: int, accounts: dict, cookies: dict,
               server_pid: int, database: str, work: Path) -> dict:
    prefix = work / f"locust-{clients}"
    cpu_file = work / f"cpu-{clients}.json"
    cpu_file.unlink(missing_ok=True)
    env = dict(os.environ, LOAD_ACCOUNTS=json.dumps(accounts), LOAD_PASSWORD=PASSWORD,
               LOAD_MAX_REQUESTS=str(max_requests), LOAD_SERVER_PID=str(server_pid), LOAD_DATABASE_NAME=database,
               LOAD_CPU_FILE=str(cpu_file), LOAD_COOKIES=json.dumps(cookies),
               LOAD_BROWSER_CACHE=os.environ.get("LOAD_BROWSER_CACHE", "1"))
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
         "--users", str(clients), "--spawn-rate", str(clients), "--run-time", f"{run_time}s",
         "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--reset-stats", "--only-summary",
         "--stop-timeout", "5", "--loglevel", "WARNING", "--exit-code-on-error", "0"],
        cwd=ROOT, env=env, check=False, stdout=open(work / f"locust-{clients}.log", "w"), stderr=subprocess.STDOUT,
    )
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))
    cpu = json.loads(cpu_file.read_text()) if cpu_file.exists() else {}
    return {"rows": rows, "cpu": cpu, "failures": _failures(Path(f"{prefix}_failures.csv"))}


def _failures(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [f"{r['Method']} {r['Name']}: {r['Error']} ×{r['Occurrences']}" for r in csv.DictReader(open(path, encoding="utf-8"))]


def report(dataset: str, clients: int, result: dict, workers: int, threads: int) -> dict:
    rows = result["rows"]
    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    pages = [r for r in rows if r["Name"] != "Aggregated"]
    print(f"\n== {dataset} · {clients} người dùng đồng thời · gunicorn {workers} worker × {threads} luồng ==")
    header = f"   {'Trang':<26}{'yêu cầu':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'lỗi':>6}"
    print(header)
    print("   " + "-" * (len(header) - 3))
    for r in sorted(pages, key=lambda r: -int(r["Request Count"])):
        print(f"   {r['Name'][:25]:<26}{int(r['Request Count']):>8}{r['50%']:>8}{r['95%']:>8}{r['99%']:>8}"
              f"{int(r['Failure Count']):>6}")
    if total is None:
        print("   (không có yêu cầu nào)")
        return {}
    count, errors = int(total["Request Count"]), int(total["Failure Count"])
    cpu = result["cpu"]
    app_ms = db_ms = float("nan")
    if "start" in cpu and "stop" in cpu and count:
        app_ms = (cpu["stop"]["app"] - cpu["start"]["app"]) * 1000 / count
        db_ms = (cpu["stop"]["db"] - cpu["start"]["db"]) * 1000 / count
    p95 = float(total["95%"]) if total["95%"] != "N/A" else float("nan")
    print(f"   {'Tổng':<26}{count:>8}{total['50%']:>8}{total['95%']:>8}{total['99%']:>8}{errors:>6}")
    print(f"   {float(total['Requests/s']):.1f} yêu cầu/s · lỗi {errors} · CPU máy chủ {app_ms:.1f} ms/yêu cầu "
          f"(+ PostgreSQL {db_ms:.1f} ms) · tải máy {os.getloadavg()[0]:.2f} trên {os.cpu_count()} lõi")
    if clients == 20:
        verdict = p95 < GOAL_P95_MS and errors == 0 and app_ms <= GOAL_CPU_MS
        print(f"   Mục tiêu (p95 < {GOAL_P95_MS} ms, 0 lỗi, CPU ≤ {GOAL_CPU_MS} ms/yêu cầu): "
              + ("đạt" if verdict else "CHƯA ĐẠT"))
    for line in result["failures"][:10]:
        print(f"   lỗi: {line}")
    return {"dataset": dataset, "clients": clients, "rps": float(total["Requests/s"] or 0), "p50": total["50%"],
            "p95": total["95%"], "p99": total["99%"], "errors": errors, "cpu_ms": app_ms, "db_cpu_ms": db_ms}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("LOAD_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--clients", default="20,50")
    parser.add_argument("--run-time", type=int, default=60, help="seconds per run")
    parser.add_argument("--max-requests", type=int, default=6000, help="stop a run after this many requests")
    parser.add_argument("--datasets", default="seed,national")
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--port", type=int, default=int(os.environ.get("LOAD_PORT", 5804)))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="keep the data already loaded (one dataset)")
    parser.add_argument("--app-dir", type=Path, default=ROOT,
                        help="serve the application from this checkout (e.g. an export of main, for a before/after)")
    parser.add_argument("--keep", type=Path, help="keep Locust's CSV files and the server logs there")
    args = parser.parse_args(argv)
    if shutil.which("psql") is None and "postgresql" not in args.database_url:
        raise SystemExit("Cần PostgreSQL (LOAD_DATABASE_URL).")
    database = ensure_database(args.database_url)
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-load-"))
    work.mkdir(parents=True, exist_ok=True)
    summary = []
    for dataset in [d.strip() for d in args.datasets.split(",") if d.strip()]:
        started = time.perf_counter()
        if args.reuse:
            create_missing_tables(args.database_url)
        if args.reuse and dataset == "seed":
            accounts = DEMO_ACCOUNTS
        elif args.reuse:
            accounts = json.loads((work / "national-accounts.json").read_text())
        elif dataset == "seed":
            accounts = load_seed(args.database_url)
        else:
            accounts = load_national(args.database_url, args.provinces)
            (work / "national-accounts.json").write_text(json.dumps(accounts))
        print(f"\nDữ liệu «{dataset}» sẵn sàng ({time.perf_counter() - started:.0f} s); cơ sở dữ liệu {database}.")
        server, background = start_server(args.database_url, args.port, args.workers, args.threads, work, args.app_dir)
        try:
            cookies = sign_in_all(args.port, accounts)
            for clients in [int(c) for c in args.clients.split(",")]:
                result = run_locust(args.port, clients, args.run_time, args.max_requests, accounts, cookies,
                                    server.pid, database, work)
                summary.append(report(dataset, clients, result, args.workers, args.threads))
        finally:
            stop(server)
            for process in background:
                stop(process)
    print("\nTóm tắt:")
    print(f"   {'dữ liệu':<10}{'người':>6}{'yêu cầu/s':>10}{'p50':>6}{'p95':>6}{'p99':>6}{'lỗi':>5}{'CPU ms':>8}{'PG ms':>7}")
    for s in summary:
        if s:
            print(f"   {s['dataset']:<10}{s['clients']:>6}{s['rps']:>10.1f}{s['p50']:>6}{s['p95']:>6}{s['p99']:>6}"
                  f"{s['errors']:>5}{s['cpu_ms']:>8.1f}{s['db_cpu_ms']:>7.1f}")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0  # a measurement: `make bench` goes on either way


if __name__ == "__main__":
    sys.exit(main())
