"""Tokens created (shown once) and revoked by the area's admin, and by the CLI."""
from __future__ import annotations

import re

from tests.api.conftest import bearer
from tracker.api.models import ApiToken
from tracker.audit.models import AuditEntry
from sqlalchemy import select

SECRET = re.compile(r"trk_[A-Za-z0-9_-]{43}")


def test_admin_creates_a_token_shown_once_and_revokes_it(client, db, login, provinces):
    hue, thanhhoa = provinces
    login(hue.admin)
    page = client.post("/quan-tri/khoa-api", data={"name": "Hệ thống báo cáo tỉnh"})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    (secret,) = set(SECRET.findall(html))
    assert "chỉ hiện một lần" in html
    assert client.get("/api/v1/plans", headers=bearer(secret)).get_json()["data"][0]["id"] == hue.plan.id
    # the list shows the token's prefix, never the secret again
    listing = client.get("/quan-tri/khoa-api").get_data(as_text=True)
    assert secret not in listing and secret[:12] in listing
    token = db.session.scalar(select(ApiToken).where(ApiToken.tenant_id == hue.area.id))
    assert client.post(f"/quan-tri/khoa-api/{token.id}/thu-hoi").status_code == 302
    assert client.get("/api/v1/plans", headers=bearer(secret)).status_code == 401
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "api_token")).all()
    assert sorted(actions) == ["api_token.created", "api_token.revoked"]
    assert set(db.session.scalars(select(AuditEntry.tenant_id).where(AuditEntry.entity_type == "api_token"))) \
        == {hue.area.id}


def test_an_admin_sees_and_revokes_only_the_tokens_of_its_area(client, db, login, provinces):
    from tracker.api.tokens import create_token

    hue, thanhhoa = provinces
    other, _ = create_token(thanhhoa.area, "Bảng điều hành Thanh Hóa", actor=thanhhoa.admin)
    db.session.commit()
    login(hue.admin)
    assert "Bảng điều hành Thanh Hóa" not in client.get("/quan-tri/khoa-api").get_data(as_text=True)
    assert client.post(f"/quan-tri/khoa-api/{other.id}/thu-hoi").status_code == 404
    assert db.session.get(ApiToken, other.id).revoked_at is None


def test_a_token_needs_a_name(client, login, provinces):
    hue, _ = provinces
    login(hue.admin)
    page = client.post("/quan-tri/khoa-api", data={"name": "  "})
    assert page.status_code == 400 and "Vui lòng đặt tên cho khóa" in page.get_data(as_text=True)
    assert not SECRET.search(page.get_data(as_text=True))


def test_cli_prints_a_new_token_of_the_area(runner, client, provinces):
    hue, thanhhoa = provinces
    result = runner.invoke(args=["tracker", "api-token", "--area", "thanh-hoa", "--name", "Hệ thống báo cáo tỉnh"])
    assert result.exit_code == 0, result.output
    (secret,) = SECRET.findall(result.stdout)
    plans = client.get("/api/v1/plans", headers=bearer(secret)).get_json()["data"]
    assert [p["id"] for p in plans] == [thanhhoa.plan.id]
    unknown = runner.invoke(args=["tracker", "api-token", "--area", "khong-co", "--name", "X"])
    assert unknown.exit_code != 0 and "Không có địa bàn" in unknown.output
