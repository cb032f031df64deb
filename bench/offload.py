"""No request renders a report: the requests that used to, on a 1,000-item plan (issue 13, item 4).

    .venv/bin/python bench/offload.py

The synthetic 1,000-item plan of bench/report.py with a year of updates (SQLite in memory unless
BENCH_DATABASE_URL names an empty database). Signed in as the province's coordinator, it times the
report page, its preview frame, issuing a version, an issued version's PDF and a draft PDF: the
request that queues the render (goal under 1 s), the background worker's render (for reference),
and the same request once the file is stored and the data unchanged (goal under 0,1 s). Goals are
judged on the CPU time (the figure to compare on a shared machine); wall-clock time is printed too.
"""
from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import TestConfig  # noqa: E402

REQUEST_GOAL = 1.0
STORED_GOAL = 0.1


class BenchConfig(TestConfig):
    SQLALCHEMY_DATABASE_URI = os.environ.get("BENCH_DATABASE_URL", "sqlite://")
    SERVER_NAME = None


def timed(action):
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    from flask import g

    from bench.report import generate_updates, synthetic_plan
    from tests.factories import Factory
    from tracker import create_app
    from tracker.extensions import db
    from tracker.periods.services import ensure_period
    from tracker.queue.services import run_jobs
    from tracker.reports.models import IssuedReport

    app = create_app(BenchConfig)
    with app.app_context():
        db.drop_all()
        db.create_all()
        try:
            started = time.perf_counter()
            plan = synthetic_plan(random.Random(1000))
            n = generate_updates(plan, random.Random(1001))
            period = ensure_period(2025, 3, plan.tenant_id)
            coordinator = Factory(db).user("coordinator", tenant=plan.tenant)
            db.session.commit()
            print(f"Kế hoạch tổng hợp 1.000 mục, {n} cập nhật ({time.perf_counter() - started:.1f} s chuẩn bị).")
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = coordinator.get_id()
                session["_fresh"] = True
            base = f"/bao-cao/{plan.id}/{period.code}"
            client.get("/")  # the process's first request (templates compiled, modules imported) is not timed
            g.pop("_login_user", None)

            def request(label, method, url, status, goal, **kwargs):
                db.session.remove()
                # The bench holds one app context, which requests reuse: forget the last one's user
                # (a new session loads it again, as each request of a server does).
                g.pop("_login_user", None)
                response, wall, cpu = timed(lambda: client.open(url, method=method, **kwargs))
                assert response.status_code == status, (url, response.status_code)
                verdict = "đạt" if cpu <= goal else "CHƯA ĐẠT"
                print(f"  {label}: {wall:.3f} s ({cpu:.3f} s CPU; mục tiêu {goal} s: {verdict})")
                return response

            def worker(label):
                db.session.remove()
                ran, wall, cpu = timed(run_jobs)
                assert ran and all(outcome == "done" for _, outcome in ran), ran
                print(f"  máy chủ nền, {label} ({len(ran)} việc): {wall:.3f} s ({cpu:.3f} s CPU; tham khảo)")

            print("Trang báo cáo và bản xem trước:")
            request("trang báo cáo (xếp việc tạo bản xem trước)", "GET", base, 200, REQUEST_GOAL)
            request("khung xem trước, chưa có (202)", "GET", f"{base}/xem-truoc", 202, REQUEST_GOAL)
            worker("bản xem trước HTML")
            request("trang báo cáo, bản xem trước đã lưu", "GET", base, 200, REQUEST_GOAL)
            request("khung xem trước, từ tệp đã lưu", "GET", f"{base}/xem-truoc", 200, STORED_GOAL)

            print("Ban hành:")
            request("ban hành (chốt số liệu, xếp việc tạo tệp)", "POST", f"{base}/ban-hanh", 302, REQUEST_GOAL)
            issued = db.session.query(IssuedReport).one()
            request("PDF bản ban hành, chưa có (202)", "GET", f"/bao-cao/da-ban-hanh/{issued.id}.pdf", 202,
                    REQUEST_GOAL)
            worker("PDF, Excel, HTML bản ban hành")
            request("PDF bản ban hành, đã lưu", "GET", f"/bao-cao/da-ban-hanh/{issued.id}.pdf", 200, STORED_GOAL)

            print("PDF dự thảo:")
            request("PDF dự thảo, chưa có (202)", "GET", f"{base}.pdf", 202, REQUEST_GOAL)
            worker("PDF dự thảo")
            request("PDF dự thảo, từ tệp đã lưu", "GET", f"{base}.pdf", 200, STORED_GOAL)
        finally:
            db.session.rollback()
            db.drop_all()
    return 0  # a measurement, not a test: the figures say which goal is missed; `make bench` goes on


if __name__ == "__main__":
    sys.exit(main())
