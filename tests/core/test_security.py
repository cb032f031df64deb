"""Hardening every page shares: security headers on every kind of response, ids out of range
answered 404 (never a database error), no inline script left in the templates."""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.permissions.test_matrix import PASSWORD, build_scenario

ROOT = Path(__file__).resolve().parents[2]
HUGE = "99999999999999999999"


def csp_directives(response) -> dict[str, str]:
    policy = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


def assert_hardened(response, what: str) -> None:
    csp = csp_directives(response)
    assert csp, f"{what}: no Content-Security-Policy"
    assert csp.get("script-src") == "script-src 'self'", f"{what}: {csp.get('script-src')}"
    assert "'unsafe-inline'" not in csp.get("default-src", "")
    assert csp.get("frame-ancestors") == "frame-ancestors 'none'", what
    assert csp.get("object-src") == "object-src 'none'" and csp.get("base-uri") == "base-uri 'none'", what
    assert response.headers.get("X-Frame-Options") == "DENY", what
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what
    assert response.headers.get("Referrer-Policy") == "same-origin", what
    assert "Strict-Transport-Security" not in response.headers, f"{what}: HSTS outside production"


@pytest.fixture
def scenario(app, db, factory):
    return build_scenario(db, factory, app)


def _as(client, login, scenario, role):
    client.post("/dang-xuat")
    if role != "anonymous":
        login(SimpleNamespace(email=scenario["emails"][role]), PASSWORD)


def test_every_kind_of_response_carries_the_security_headers(client, login, scenario, db):
    """An HTML page, the sign-in page, a redirect, 403, 404, a form error, a static file, an
    evidence download, a calendar feed and a one-off .ics, a PDF, a JSON snapshot."""
    from tracker.calendar.services import regenerate_unit_token
    from tests.permissions.matrix_reports import issued_report

    token = regenerate_unit_token(scenario["objects"]["unit_own"], actor=scenario["objects"]["users"]["admin"])
    issued = issued_report(scenario)["issued"]
    db.session.commit()
    pages = {
        "anonymous": [("/dang-nhap", 200), ("/tong-quan", 302), ("/khong-co-trang-nay", 404),
                      ("/static/app.css", 200), ("/static/app.js", 200), (f"/lich/don-vi/{token}.ics", 200)],
        "coordinator": [("/tong-quan", 200), (f"/hang-muc/{scenario['item_own']}", 200), ("/quan-tri", 403),
                        (f"/minh-chung/{scenario['evidence_own']}", 200),
                        (f"/lich/han/nop/{scenario['period']}.ics", 200),
                        (f"/bao-cao/da-ban-hanh/{issued}.pdf", 200), (f"/bao-cao/da-ban-hanh/{issued}.json", 200),
                        (f"/bao-cao/{scenario['plan']}/{scenario['period']}", 200)],
    }
    for role, urls in pages.items():
        _as(client, login, scenario, role)
        for url, status in urls:
            response = client.get(url)
            response.close()  # static files are streamed
            assert response.status_code == status, (role, url, response.status_code)
            assert_hardened(response, f"{role} GET {url}")
    _as(client, login, scenario, "coordinator")
    response = client.post(f"/hang-muc/{scenario['item_own']}/sua", data={"text": ""})  # a form error
    assert response.status_code == 400
    assert_hardened(response, "POST with errors")


def test_production_asks_for_https_only(tmp_path):
    from config import ProductionConfig
    from tracker import create_app

    class Config(ProductionConfig):
        SECRET_KEY = "x" * 40
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'p.sqlite3'}"

    response = create_app(Config).test_client().get("/dang-nhap")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_inline_script_in_the_templates():
    """What the CSP forbids: inline <script> blocks and on*= handlers (they live in static/app.js)."""
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b[^>]*>", text, re.I):
            if "src=" not in match.group(0):
                found.append(f"{path.name}: {match.group(0)}")
        found += [f"{path.name}: {m.group(0)}" for m in re.finditer(r"\son[a-z]+\s*=", text, re.I)]
        found += [f"{path.name}: javascript: URL" for _ in re.finditer(r"javascript:", text, re.I)]
    assert not found, found


def test_a_file_name_with_quotes_cannot_become_script(client, login, scenario, db):
    """The delete confirmation names the file in a data attribute, escaped; before, it sat in an
    inline onsubmit handler, where a quote in the name ended the string."""
    evidence = scenario["objects"]["evidence_own"]
    evidence.update.state = "draft"
    evidence.original_name = "x');alert(document.cookie);('.pdf"
    db.session.commit()
    _as(client, login, scenario, "reporter_own")
    html = client.get(f"/cap-nhat/{scenario['item_own']}/{scenario['period']}").get_data(as_text=True)
    assert 'data-confirm="Xóa tệp “x&#39;);alert(document.cookie);(&#39;.pdf”?"' in html
    assert "onsubmit" not in html


# --- ids and page numbers out of range -------------------------------------------------------------


def _fill(rule, scenario) -> str:
    """The rule's URL with every integer argument out of range and the others plausible."""
    values = {}
    for argument, converter in rule._converters.items():
        if type(converter).__name__ in ("IntegerConverter", "IdConverter"):
            values[argument] = HUGE
        elif argument == "period_code" or argument == "code":
            values[argument] = scenario["period"]
        elif argument == "fmt":
            values[argument] = "pdf"
        elif argument == "kind":
            values[argument] = "hang-muc"
        elif argument == "ref":
            values[argument] = HUGE
        else:
            values[argument] = "x"
    url = rule.rule
    for argument, value in values.items():
        url = re.sub(r"<(?:[^:<>]+:)?" + argument + r">", value, url)
    return url


@pytest.mark.parametrize("role", ["admin", "coordinator", "reporter_own"])
def test_ids_out_of_range_answer_404(app, client, login, scenario, role):
    _as(client, login, scenario, role)
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not (set(rule.arguments) & {"item_id", "unit_id", "user_id", "group_id",
                                                                    "link_id", "framework_id", "update_id",
                                                                    "evidence_id", "notification_id", "plan_id",
                                                                    "report_id", "ref"}):
            continue
        url = _fill(rule, scenario)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method, data={})
            if response.status_code != 404:
                failures.append(f"{method} {url}: {response.status_code}")
    assert not failures, failures


QUERY_ARGUMENTS = [
    "/thong-bao?trang={huge}", "/quan-tri/nhat-ky?trang={huge}", "/quan-tri/nhat-ky?trang=-{huge}",
    "/don-vi?khu-vuc={huge}", "/quan-tri/don-vi?khu-vuc={huge}", "/quan-tri/don-vi/moi?khu-vuc={huge}",
    "/quan-tri/nhom-don-vi/moi?khu-vuc={huge}", "/tong-quan?ke-hoach={huge}", "/bo-chi-so/{framework}?ke-hoach={huge}",
    "/bo-chi-so/{framework}?chi-so={huge}", "/ke-hoach/{plan}?don-vi={huge}&muc={huge}&nam={huge}&chi-so={huge}",
    "/ke-hoach/{plan}?trang={huge}", "/viec-cua-toi?ke-hoach={huge}&phu-luc={huge}",
]


@pytest.mark.parametrize("role", ["admin", "coordinator", "reporter_own"])
def test_numbers_out_of_range_in_query_arguments_are_no_error(client, login, scenario, role):
    _as(client, login, scenario, role)
    failures = []
    for template in QUERY_ARGUMENTS:
        url = template.format(huge=HUGE, framework=scenario["framework"], plan=scenario["plan"])
        status = client.get(url).status_code
        if status not in (200, 403, 404):
            failures.append(f"{url}: {status}")
    assert not failures, failures


def test_ids_out_of_range_in_forms_are_no_error(client, login, scenario):
    """Form fields naming records (a unit, an indicator, an update...) with a number too large."""
    failures = []
    posts = {
        "admin": [("/quan-tri/nguoi-dung/moi", {"email": "a@b.vn", "role": "viewer", "unit_id": HUGE,
                                                  "password": "matkhau-dai-1", "confirm": "matkhau-dai-1"}),
                  ("/quan-tri/nhom-don-vi/moi", {"area_id": HUGE, "name": "Nhóm", "members": [HUGE]}),
                  ("/quan-tri/ke-thua", {"source_id": HUGE, "target_id": HUGE, "on": "01/03/2025"}),
                  ("/quan-tri/don-vi/moi", {"area_id": HUGE, "name": "Sở Mới", "kind": "department"})],
        "coordinator": [(f"/hang-muc/{scenario['item_own']}/chi-so", {"link-indicator_id": HUGE}),
                        (f"/bo-chi-so/{scenario['framework']}/lien-ket", {"indicator_id": HUGE, "plan_id": HUGE,
                                                                          "item_ref": HUGE}),
                        (f"/ky-bao-cao/{scenario['period']}/nop-muon", {"unit_id": HUGE, "until": "01/01/2030",
                                                                       "reason": "x"}),
                        (f"/cap-nhat/{scenario['update_own']}/duyet", {"decision": "accept", "lock_version": HUGE})],
        "reporter_own": [(f"/cap-nhat/{scenario['item_own']}/{scenario['period']}",
                          {"status": "in_progress", "progress": "10", "update_id": HUGE, "lock_version": HUGE,
                           "action": "draft"}),
                         ("/viec-cua-toi", {"action": "draft"})],
    }
    for role, forms in posts.items():
        _as(client, login, scenario, role)
        for url, data in forms:
            status = client.post(url, data=data).status_code
            if status >= 500:
                failures.append(f"{role} POST {url}: {status}")
    assert not failures, failures


def test_a_number_too_large_for_the_database_is_a_404_even_where_unchecked(app, db):
    """The safety net under the checks above: the database's own out-of-range error is a 404."""
    from sqlalchemy import text

    with app.test_request_context("/hang-muc/1"):
        statement = (text("SELECT CAST(:v AS integer)") if db.engine.dialect.name == "postgresql"
                     else text("SELECT :v"))
        with pytest.raises(Exception) as raised:  # SQLite: OverflowError; PostgreSQL: DataError 22003
            db.session.execute(statement, {"v": int(HUGE) if db.engine.dialect.name == "sqlite" else 99999999999})
        response = app.make_response(app.handle_user_exception(raised.value))
        assert response.status_code == 404
        assert "Không tìm thấy" in response.get_data(as_text=True)
