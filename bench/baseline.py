"""CPU per request of the reporter-side pages and of the per-request baseline, on the national dataset.

    .venv/bin/python bench/baseline.py [--database-url URL] [--requests 40] [--reuse] [--provinces 34]
                                       [--profile LABEL] [--only LABEL]

The dataset is bench/pages.py's (34 provinces, ~10,000 items, ~180,000 updates; built once, kept
with --reuse and a --database-url such as sqlite:////tmp/bench.sqlite3). A reporter of the busiest
unit of province 1 and the province's coordinator sign in with Flask's test client; for each page
one warm-up request, then --requests timed ones: CPU ms p50 / p95 of the process (a worker's cost
per request: what saturates two cores), wall ms p95 and SQL queries of one request.

"Trang tối thiểu" is a signed-in page that renders only base.html (a route the bench adds to its own
app): what every page costs before it reads any data (session, user, scope, navigation, CSRF,
hooks). "Hạng mục (304)" is the item page revalidated with its ETag (tracker/ops/freshness.py).
"Lưu nháp" is the update form's POST saving a draft (the form is read again, untimed, between saves).

--profile LABEL prints the cProfile of that page's timed requests (top functions by cumulative time).
Goal: CPU ≤ 12 ms per request (issue 13: 20 clients p95 < 150 ms on two cores).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import build, make_config, percentile  # noqa: E402

GOAL_CPU_MS = 12
PASSWORD = "matkhau123"
REPORTER = "baocao.baseline@bench.vn"
COORDINATOR = "dieuphoi@bench.vn"


class FormFields(HTMLParser):
    """The fields of the first form posting to `action`."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.done, self.fields = action, False, False, {}
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and (attrs.get("action") or "") in (self.action, ""):
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("file", "submit", "button"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and ("selected" in attrs or self._select not in self.fields):
            self.fields[self._select] = attrs.get("value") or ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_fields(html: str, action: str) -> dict:
    parser = FormFields(action)
    parser.feed(html)
    return parser.fields


def ensure_reporter(db) -> None:
    """A reporter of province 1's busiest unit still in office (the dataset has only a coordinator)."""
    from sqlalchemy import func, select

    from tracker.auth.models import User
    from tracker.plans.models import ItemAssignment, PlanItem
    from tracker.units.models import Unit

    if db.session.scalar(select(User).where(User.email == REPORTER)) is not None:
        return
    unit_id = db.session.scalar(
        select(ItemAssignment.unit_id).join(PlanItem).join(Unit, Unit.id == ItemAssignment.unit_id)
        .where(PlanItem.tenant_id == 1, ItemAssignment.role == "owner", PlanItem.kind != "budget",
               Unit.successor_id.is_(None))
        .group_by(ItemAssignment.unit_id).order_by(func.count().desc(), ItemAssignment.unit_id).limit(1))
    user = User(email=REPORTER, role="reporter", unit_id=unit_id, tenant_id=1, full_name="Báo cáo viên (bench)")
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()


def add_minimal_page(app) -> None:
    """A signed-in page with nothing but base.html: the cost every page pays before its own data."""
    from flask import render_template
    from flask_login import login_required

    # Compiled once, as a template file would be.
    template = app.jinja_env.from_string('{% extends "base.html" %}{% block content %}<p>Trống.</p>{% endblock %}')

    @login_required
    def minimal():
        return render_template(template)

    app.add_url_rule("/_bench/trong", "bench_minimal", minimal)


def sign_in(app, email: str):
    client = app.test_client()
    response = client.post("/dang-nhap", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, (email, response.status_code)
    return client


def targets(app, db, client, role: str) -> list[tuple[str, str, str]]:
    """(label, method, url) of the pages to time for this role."""
    from sqlalchemy import func, select

    from tracker.auth.models import User
    from tracker.plans.models import PlanItem
    from tracker.updates.models import StatusUpdate

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == (REPORTER if role == "reporter" else COORDINATOR)))
        unit_id = user.unit_id
        busiest = db.session.scalar(
            select(StatusUpdate.item_id).join(PlanItem).where(PlanItem.tenant_id == 1, PlanItem.kind == "project")
            .group_by(StatusUpdate.item_id).order_by(func.count().desc(), StatusUpdate.item_id).limit(1))
        db.session.remove()
    pages = [("Trang tối thiểu", "GET", "/_bench/trong")]
    if role == "reporter":
        html = client.get("/viec-cua-toi").get_data(as_text=True)
        forms = sorted(set(re.findall(r'href="(/cap-nhat/\d+/[0-9A-Za-z-]+)"', html)))
        assert forms, "the reporter owes nothing this period"
        form = forms[0]
        item = "/hang-muc/" + form.split("/")[2]
        pages += [("Việc của tôi", "GET", "/viec-cua-toi"), ("Hạng mục", "GET", item), ("Hạng mục (304)", "304", item),
                  ("Form cập nhật", "GET", form), ("Lưu nháp", "POST", form)]
    else:
        html = client.get(f"/hang-muc/{busiest}").get_data(as_text=True)
        forms = sorted(set(re.findall(r'href="(/cap-nhat/\d+/[0-9A-Za-z-]+)"', html)))
        pages += [("Hạng mục", "GET", f"/hang-muc/{busiest}"), ("Hạng mục (304)", "304", f"/hang-muc/{busiest}")]
        if forms:
            pages.append(("Form cập nhật", "GET", forms[-1]))
    pages += [("Đơn vị", "GET", f"/don-vi/{unit_id}"), ("Bộ chỉ số (danh sách)", "GET", "/bo-chi-so"),
              ("Bộ chỉ số", "GET", "/bo-chi-so/1")]
    return pages


def measure(app, db, client, method: str, url: str, requests: int, profile: bool):
    from sqlalchemy import event

    counter = {"n": 0}

    def count(*_args, **_kwargs):
        counter["n"] += 1

    def once():
        if method == "GET":
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        elif method == "304":
            response = client.get(url, headers={"If-None-Match": etag})
            assert response.status_code == 304, (url, response.status_code)
        else:
            response = client.post(url, data=fields[0])
            assert response.status_code == 302, (url, response.status_code, response.get_data(as_text=True)[-2000:])
        return response

    etag, fields = None, [None]
    if method == "304":
        etag = client.get(url).headers["ETag"].strip('"')

    def prepare():
        if method == "POST":  # the form as the browser has it now (its lock version), untimed
            data = form_fields(client.get(url).get_data(as_text=True), url)
            data["done_text"] = (data.get("done_text") or "").split(" [lưu ")[0] + f" [lưu {time.time_ns() % 1000}]"
            data["action"] = "draft"
            fields[0] = data

    with app.app_context():
        engine = db.engine
    prepare()
    once()  # warm-up
    prepare()
    event.listen(engine, "before_cursor_execute", count)
    try:
        counter["n"] = 0
        response = once()
        queries = counter["n"]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    profiler = cProfile.Profile() if profile else None
    walls, cpus = [], []
    for _ in range(requests):
        prepare()
        start, start_cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        response = once()
        if profiler:
            profiler.disable()
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - start_cpu) * 1000)
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
        print(out.getvalue())
    return percentile(cpus, 50), percentile(cpus, 95), percentile(walls, 95), queries, len(response.data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--reuse", action="store_true", help="keep the data already in the database")
    parser.add_argument("--profile", help="cProfile this page (its label, e.g. 'Hạng mục')")
    parser.add_argument("--only", help="time only the pages whose label contains this")
    parser.add_argument("--role", choices=("reporter", "coordinator"), help="only this role")
    args = parser.parse_args()
    temp_dir = None
    url = args.database_url
    if not url:
        temp_dir = tempfile.TemporaryDirectory(prefix="bench-baseline-")
        url = f"sqlite:///{Path(temp_dir.name) / 'bench.sqlite3'}"

    from sqlalchemy import func, inspect, select

    from tracker import create_app
    from tracker.extensions import db
    from tracker.plans.models import PlanItem

    app = create_app(make_config(url))
    add_minimal_page(app)
    with app.app_context():
        if not (args.reuse and inspect(db.engine).has_table("plan_item")
                and db.session.scalar(select(func.count()).select_from(PlanItem))):
            db.drop_all()
            db.create_all()
            build(db, args.provinces)
        ensure_reporter(db)
        dialect = db.engine.dialect.name
        db.session.remove()
    print(f"\nCơ sở dữ liệu: {dialect} · {args.requests} yêu cầu mỗi trang · mục tiêu CPU ≤ {GOAL_CPU_MS} ms/yêu cầu\n")
    header = (f"{'Vai trò':<12} {'Trang':<22} {'CPU p50':>8} {'CPU p95':>8} {'p95 ms':>8} {'truy vấn':>9} {'kB':>5}"
              f"  CPU ≤ {GOAL_CPU_MS}?")
    print(header)
    print("-" * len(header))
    for role, email in (("reporter", REPORTER), ("coordinator", COORDINATOR)):
        if args.role and role != args.role:
            continue
        client = sign_in(app, email)
        for label, method, page_url in targets(app, db, client, role):
            if args.only and args.only not in label:
                continue
            cpu50, cpu95, wall95, queries, size = measure(app, db, client, method, page_url, args.requests,
                                                          args.profile == label)
            name = "báo cáo viên" if role == "reporter" else "điều phối"
            print(f"{name:<12} {label:<22} {cpu50:8.1f} {cpu95:8.1f} {wall95:8.1f} {queries:9d} {size / 1024:5.0f}  "
                  f"{'có' if cpu95 <= GOAL_CPU_MS else 'KHÔNG'}", flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nTải máy (load average 1 phút) khi đo: {load:.2f} trên {os.cpu_count()} lõi. "
          "CPU là thời gian CPU của tiến trình cho một yêu cầu (test client, không có mạng).")
    with app.app_context():
        db.engine.dispose()
    if temp_dir is not None:
        temp_dir.cleanup()
    return 0  # a measurement, not a test: `make bench` goes on to the next script either way


if __name__ == "__main__":
    sys.exit(main())
