"""Nhập kế hoạch on the web: upload -> preview (nothing written) -> confirm (one transaction).

Plan 222 as its signed .docx (tests/plans/docx_builder.py) uploaded by a coordinator of Thừa
Thiên Huế, with Thanh Hóa loaded beside it: its coordinator may not import a plan naming Thừa
Thiên Huế, nor see the other province's upload.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.plans.docx_builder import plan_222
from tests.updates.world import make_user
from tracker.audit.models import AuditEntry
from tracker.plans.loader import load_paths
from tracker.plans.models import Plan, PlanItem
from tracker.units.models import Area, Unit

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "seed_plans" / "units"


@pytest.fixture(scope="module")
def docx_222(tmp_path_factory) -> Path:
    return plan_222(tmp_path_factory.mktemp("docx-web") / "222-KH-UBND.docx")


@pytest.fixture
def two_areas(db, factory):
    load_paths([UNITS / "thua-thien-hue.yaml", UNITS / "thanh-hoa.yaml"])
    hue = db.session.scalar(select(Area).where(Area.code == "thua-thien-hue"))
    thanh_hoa = db.session.scalar(select(Area).where(Area.code == "thanh-hoa"))

    def unit(area, name):
        return db.session.scalar(select(Unit).where(Unit.area_id == area.id, Unit.name == name))

    users = {
        "hue": make_user(factory, "coordinator", unit(hue, "Sở Thông tin và Truyền thông"), "dp.hue@test.vn", "Điều phối Huế"),
        "thanh_hoa": make_user(factory, "coordinator", unit(thanh_hoa, "Sở Thông tin và Truyền thông"),
                               "dp.th@test.vn", "Điều phối Thanh Hóa"),
        "reporter": make_user(factory, "reporter", unit(hue, "Sở Tài chính"), "bc.hue@test.vn", "Báo cáo Huế"),
    }
    db.session.commit()
    return hue, thanh_hoa, users


def upload(client, path: Path, name: str | None = None):
    with path.open("rb") as handle:
        return client.post("/ke-hoach/nhap", data={"tep": (handle, name or path.name)},
                           content_type="multipart/form-data")


def token_of(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return re.search(r"/ke-hoach/nhap/([A-Za-z0-9_-]+)$", response.headers["Location"]).group(1)


def plan_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Plan))


def test_coordinator_uploads_previews_and_confirms_the_word_plan(client, db, login, two_areas, docx_222):
    hue, _, users = two_areas
    login(users["hue"])
    token = token_of(upload(client, docx_222))
    before = plan_count(db)
    page = client.get(f"/ke-hoach/nhap/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:3000]
    assert "222/KH-UBND" in html and "Xác nhận nạp" in html
    assert '<strong data-action="created">154</strong>' in html  # 14 + 28 + 56 + 56 items, all new
    assert "PHỤ LỤC" in html.upper()
    assert plan_count(db) == before  # the preview wrote nothing

    confirmed = client.post(f"/ke-hoach/nhap/{token}/xac-nhan")
    assert confirmed.status_code == 302
    plan = db.session.scalar(select(Plan).where(Plan.number == "222/KH-UBND", Plan.area_id == hue.id))
    assert plan is not None
    assert db.session.scalar(select(func.count()).where(PlanItem.plan_id == plan.id)) == 154
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "plan.import"))
    assert entry.actor_id == users["hue"].id and "222-KH-UBND.docx" in entry.summary
    assert client.get(f"/ke-hoach/nhap/{token}/tep").data == docx_222.read_bytes()  # kept with the import

    # The same file again: nothing to add or change.
    again = token_of(upload(client, docx_222))
    html = client.get(f"/ke-hoach/nhap/{again}").get_data(as_text=True)
    assert '<strong data-action="created">0</strong>' in html
    assert '<strong data-action="unchanged">154</strong>' in html


def test_a_plan_of_another_province_is_refused_and_nothing_is_written(client, db, login, two_areas, docx_222):
    _, thanh_hoa, users = two_areas
    login(users["thanh_hoa"])
    token = token_of(upload(client, docx_222))
    html = client.get(f"/ke-hoach/nhap/{token}").get_data(as_text=True)
    assert "không thuộc Tỉnh Thanh Hóa" in html
    assert "Xác nhận nạp" not in html
    before = plan_count(db)
    client.post(f"/ke-hoach/nhap/{token}/xac-nhan")
    assert plan_count(db) == before


def test_an_upload_is_not_seen_from_another_province(client, db, login, two_areas, docx_222, as_user):
    _, _, users = two_areas
    as_user(users["hue"])
    token = token_of(upload(client, docx_222))
    as_user(users["thanh_hoa"])
    assert client.get(f"/ke-hoach/nhap/{token}").status_code == 404
    assert client.post(f"/ke-hoach/nhap/{token}/xac-nhan").status_code == 404
    assert client.get(f"/ke-hoach/nhap/{token}/tep").status_code == 404


def test_reporters_may_not_import(client, login, two_areas):
    login(two_areas[2]["reporter"])
    assert client.get("/ke-hoach/nhap").status_code == 403


BAD_PLAN = """kind: plan
number: 5/KH-UBND
date: 2026-02-10
issuing_body: UBND tỉnh Thừa Thiên Huế
area: thua-thien-hue
title: Chuyển đổi số năm 2026
appendices:
- number: "1"
  kind: project
  title: Dự án
  items:
  - code: "1"
    text: Nền tảng dữ liệu
    owner: Sở Thông tin và Truyền thông
    years_text: 2021 - 20222
  - code: "2"
    text: Kho dữ liệu
    owner: Sở Khoa Học Công Nghệ Tỉnh
    years_text: 2026 - 2027
"""


def test_errors_name_file_row_and_field_and_the_file_is_kept(client, db, login, two_areas, tmp_path):
    hue, _, users = two_areas
    login(users["hue"])
    path = tmp_path / "ke-hoach-5.yaml"
    path.write_text(BAD_PLAN, encoding="utf-8")
    token = token_of(upload(client, path))
    html = client.get(f"/ke-hoach/nhap/{token}").get_data(as_text=True)
    assert "ke-hoach-5.yaml" in html and "dòng 12" in html and "years_text" in html and "2021 - 20222" in html
    assert "Không tìm thấy đơn vị &#39;Sở Khoa Học Công Nghệ Tỉnh&#39;" in html  # with a choice of units:
    assert 'name="chon-1"' in html and "Sở Khoa học và Công nghệ (gần đúng)" in html
    assert "Xác nhận nạp" not in html
    client.post(f"/ke-hoach/nhap/{token}/xac-nhan")
    assert db.session.scalar(select(Plan).where(Plan.number == "5/KH-UBND")) is None

    # Fix the unknown name in the preview: saved as an alias of Sở KH&CN; the file is still there.
    khcn = db.session.scalar(select(Unit).where(Unit.area_id == hue.id, Unit.name == "Sở Khoa học và Công nghệ"))
    response = client.post(f"/ke-hoach/nhap/{token}/don-vi", data={
        "ten-1": "Sở Khoa Học Công Nghệ Tỉnh", "dia-ban-1": "thua-thien-hue", "chon-1": str(khcn.id)})
    assert response.status_code == 302
    html = client.get(f"/ke-hoach/nhap/{token}").get_data(as_text=True)
    assert "Không tìm thấy đơn vị &#39;Sở Khoa Học Công Nghệ Tỉnh&#39;" not in html
    assert "2021 - 20222" in html  # the year error remains: still nothing to confirm
    assert "Xác nhận nạp" not in html


def test_a_file_no_reader_reads_is_refused_in_the_form(client, login, two_areas, tmp_path):
    login(two_areas[2]["hue"])
    path = tmp_path / "ke-hoach.pdf"
    path.write_bytes(b"%PDF-1.4")
    response = upload(client, path)
    assert response.status_code == 400
    assert "Chỉ nhận tệp Word (.docx), Excel (.xlsx) hoặc YAML (.yaml)." in response.get_data(as_text=True)
