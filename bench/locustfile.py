"""The HTTP load mix of bench/load.py, per role (Locust; run by bench/load.py, not alone).

Accounts come from LOAD_ACCOUNTS (JSON: {"reporter": [...], "coordinator": [...], "viewer": [...]},
password LOAD_PASSWORD); each virtual user signs in once with its own account (round robin).
- reporters: "Việc của tôi", an update form of an item they owe, and saving it as a draft;
- coordinators: dashboard, review queue, plan pages (an appendix, the search), item pages;
- viewers: the report list, a report page and its files (a queued render is followed to its file).
LOAD_MAX_REQUESTS stops the run after that many requests (the run time bounds it too).
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
from html.parser import HTMLParser

from locust import HttpUser, between, events, task

ACCOUNTS = json.loads(os.environ.get("LOAD_ACCOUNTS", "{}"))
PASSWORD = os.environ.get("LOAD_PASSWORD", "matkhau123")
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "0"))
# Session cookies of accounts signed in once by bench/load.py: the run measures browsing, not the
# password hash of 50 sign-ins at once (bench/sign_in.py times signing in).
COOKIES = json.loads(os.environ.get("LOAD_COOKIES", "{}"))
# Like a browser, each virtual user keeps the pages it has seen and revalidates them (If-None-Match);
# LOAD_BROWSER_CACHE=0 sends every request as if for the first time.
BROWSER_CACHE = os.environ.get("LOAD_BROWSER_CACHE", "1") != "0"
_counters = {role: itertools.count() for role in ("reporter", "coordinator", "viewer")}
_lock = threading.Lock()
_requests = itertools.count(1)


@events.request.add_listener
def _bounded(**_kwargs):
    if MAX_REQUESTS and next(_requests) >= MAX_REQUESTS:
        runner = _env.runner if _env is not None else None
        if runner is not None:
            runner.quit()


_env = None


@events.init.add_listener
def _remember(environment, **_kwargs):
    global _env
    _env = environment


class FormParser(HTMLParser):
    """The fields of the first form posting to `action` (inputs, textareas, selected options)."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.done = action, False, False
        self.fields: dict[str, str] = {}
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


def form_fields(html: str, action: str) -> dict[str, str]:
    parser = FormParser(action)
    parser.feed(html)
    return parser.fields


class Signed(HttpUser):
    abstract = True
    role = ""
    wait_time = between(0.5, 1.5)

    def on_start(self):
        accounts = ACCOUNTS.get(self.role) or []
        if not accounts:
            raise RuntimeError(f"no {self.role} account")
        with _lock:
            self.email = accounts[next(_counters[self.role]) % len(accounts)]
        if self.email in COOKIES:
            for name, value in COOKIES[self.email].items():
                self.client.cookies.set(name, value)
            self.prepare()
            return
        page = self.client.get("/dang-nhap", name="đăng nhập (trang)")
        token = form_fields(page.text, "").get("csrf_token", "")
        response = self.client.post("/dang-nhap", data={"email": self.email, "password": PASSWORD, "csrf_token": token},
                                    name="đăng nhập", allow_redirects=False)
        if response.status_code != 302:
            raise RuntimeError(f"sign-in of {self.email} failed: {response.status_code}")
        self.prepare()

    def prepare(self):
        pass

    def page(self, url: str, name: str):
        """GET a page as a browser would, with the ETag of the copy it has; the page's text."""
        cache = self.__dict__.setdefault("_cache", {})
        headers = {"If-None-Match": cache[url][0]} if BROWSER_CACHE and url in cache else {}
        response = self.client.get(url, name=name, headers=headers)
        if response.status_code == 304 and url in cache:
            return cache[url][1]
        etag = response.headers.get("ETag")
        if etag and response.status_code == 200:
            cache[url] = (etag, response.text)
        return response.text

    def links(self, html: str, pattern: str) -> list[str]:
        return sorted(set(re.findall(pattern, html)))


class Reporter(Signed):
    role = "reporter"
    weight = 4

    def prepare(self):
        html = self.page("/viec-cua-toi", "Việc của tôi")
        self.forms = self.links(html, r'href="(/cap-nhat/\d+/[0-9A-Za-z-]+)"')
        random.shuffle(self.forms)

    @task(4)
    def my_work(self):
        self.page("/viec-cua-toi", "Việc của tôi")

    @task(3)
    def open_form(self):
        if self.forms:
            self.page(random.choice(self.forms), "form cập nhật")

    @task(1)
    def save_draft(self):
        if not self.forms:
            return
        url = self.forms[0]  # each virtual user saves its own first item: no edit conflicts between them
        html = self.client.get(url, name="form cập nhật").text
        fields = form_fields(html, url)
        if "csrf_token" not in fields:
            return
        fields["done_text"] = (fields.get("done_text") or "").split(" [lưu ")[0] + f" [lưu {random.randint(1, 999)}]"
        fields["action"] = "draft"
        with self.client.post(url, data=fields, name="lưu nháp cập nhật", allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code in (302, 422):  # saved (422: saved, with fields to fix)
                response.success()
            elif response.status_code == 403:  # the item is not (or no longer) writable this period
                self.forms.pop(0)
                response.success()


class Coordinator(Signed):
    role = "coordinator"
    weight = 4

    def prepare(self):
        html = self.page("/ke-hoach", "danh sách kế hoạch")
        self.plans = self.links(html, r'href="/ke-hoach/(\d+)"') or []
        self.items = []
        if self.plans:
            # Every appendix at once: a province's plan need not have a "Phụ lục 3" (Triệu Sơn's has one).
            page = self.page(f"/ke-hoach/{self.plans[0]}?phu-luc=tat-ca", "kế hoạch, phụ lục")
            self.items = self.links(page, r'href="(/hang-muc/\d+)"')

    @task(4)
    def dashboard(self):
        self.page("/tong-quan", "tổng quan")

    @task(2)
    def review_queue(self):
        self.page("/cho-duyet", "chờ duyệt")

    @task(3)
    def plan(self):
        if self.plans:
            self.page(f"/ke-hoach/{random.choice(self.plans)}", "kế hoạch")

    @task(1)
    def plan_search(self):
        if self.plans:
            self.page(f"/ke-hoach/{random.choice(self.plans)}?phu-luc=tat-ca&q=chu+ky+so", "kế hoạch, tìm kiếm")

    @task(3)
    def item(self):
        if self.items:
            self.page(random.choice(self.items), "hạng mục")


class Viewer(Signed):
    role = "viewer"
    weight = 2

    def prepare(self):
        html = self.page("/bao-cao", "danh sách báo cáo")
        self.reports = [u for u in self.links(html, r'href="(/bao-cao/\d+/\d{4}-Q\d)"')][:4]

    @task(3)
    def report_list(self):
        self.page("/bao-cao", "danh sách báo cáo")

    @task(2)
    def report_page(self):
        if self.reports:
            self.page(random.choice(self.reports), "trang báo cáo")

    @task(2)
    def report_file(self):
        if not self.reports:
            return
        url = random.choice(self.reports) + random.choice([".pdf", ".xlsx", ".html"])
        response = self.client.get(url, name="tệp báo cáo")
        if response.status_code == 202:
            status = re.search(r'data-job-status="([^"]+)"', response.text)
            if status:
                self.client.get(status.group(1), name="tiến độ tệp báo cáo")


# --- CPU of the server, over the same window as the statistics (from spawning complete to stop) ---

def cpu_seconds() -> dict:
    """CPU time (user + system) of the gunicorn workers and of the database's backends of our database."""
    import time

    import psutil

    def total(process) -> float:
        try:
            times = process.cpu_times()
            return times.user + times.system
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return 0.0

    app = 0.0
    master = os.environ.get("LOAD_SERVER_PID")
    if master:
        try:
            parent = psutil.Process(int(master))
            app = total(parent) + sum(total(child) for child in parent.children(recursive=True))
        except psutil.NoSuchProcess:
            pass
    database, db = os.environ.get("LOAD_DATABASE_NAME"), 0.0
    if database:
        for process in psutil.process_iter(["name", "cmdline"]):
            cmdline = " ".join(process.info.get("cmdline") or [])
            if cmdline.startswith("postgres: ") and f" {database} " in cmdline:
                db += total(process)
    return {"app": app, "db": db, "t": time.time()}


def _write_cpu(key: str) -> None:
    path = os.environ.get("LOAD_CPU_FILE")
    if not path:
        return
    data = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    data[key] = cpu_seconds()
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle)


@events.spawning_complete.add_listener
def _cpu_start(**_kwargs):
    _write_cpu("start")


@events.test_stop.add_listener
def _cpu_stop(**_kwargs):
    _write_cpu("stop")
