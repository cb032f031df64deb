"""The demo shows two areas side by side: Huế with plan 222, Thanh Hóa with the Triệu Sơn plan, each
with its coordinator and reporters, plus a national viewer and a superadmin (README lists them)."""
from pathlib import Path

from sqlalchemy import select

from tracker.auth.models import User
from tracker.items.models import ItemReassignment
from tracker.periods.models import ReportingPeriod
from tracker.updates.demo import ACCOUNTS as HUE_ACCOUNTS
from tracker.updates.demo_areas import ACCOUNTS as THANH_HOA_ACCOUNTS, NATIONAL_ACCOUNTS
from tracker.updates.models import StatusUpdate

README = Path(__file__).resolve().parents[2] / "README.md"


def test_two_areas_national_accounts_and_the_readme(db, seeded, runner, client):
    result = runner.invoke(args=["tracker", "demo"])
    assert result.exit_code == 0, result.output
    users = {u.email: u for u in db.session.scalars(select(User))}
    readme = README.read_text(encoding="utf-8")
    for email, *_ in HUE_ACCOUNTS:
        assert users[email].tenant.code == "thua-thien-hue" and f"`{email}`" in readme
    for email, *_ in THANH_HOA_ACCOUNTS:
        assert users[email].tenant.code == "thanh-hoa" and f"`{email}`" in readme
    for email, role, _ in NATIONAL_ACCOUNTS:
        assert users[email].role == role and users[email].tenant_id is None and f"`{email}`" in readme
    tenants = set(db.session.scalars(select(ReportingPeriod.tenant_id).where(ReportingPeriod.code == "2025-Q3")))
    assert tenants == {users["dieuphoi@demo.vn"].tenant_id, users["dieuphoi.thanhhoa@demo.vn"].tenant_id}
    assert db.session.scalars(select(ItemReassignment)).all()
    thanh_hoa = [u for u in db.session.scalars(select(StatusUpdate)) if u.item.tenant.code == "thanh-hoa"]
    assert thanh_hoa and all(u.is_sample for u in thanh_hoa)
    assert {u.unit.name for u in thanh_hoa if u.period.code == "2025-Q2"} >= {"Phòng Văn hóa và Thông tin"}

    # Thanh Hóa's coordinator lands on its own plan and sees the items nobody carries any more.
    client.post("/dang-nhap", data={"email": "dieuphoi.thanhhoa@demo.vn", "password": "matkhau123"})
    board = client.get("/tong-quan").get_data(as_text=True)
    assert "Triển khai Bộ chỉ số đánh giá chuyển đổi số" in board
    assert "Hạng mục không còn đơn vị thực hiện" in board
    client.post("/dang-xuat")
    # The Sở KH&CN reporter of Thanh Hóa has the items given to it from 01/07/2025 in its work.
    client.post("/dang-nhap", data={"email": "baocao.skhcn.thanhhoa@demo.vn", "password": "matkhau123"})
    work = client.get("/viec-cua-toi").get_data(as_text=True)
    assert "KH-UBND Triệu Sơn" in work and "222/KH-UBND" not in work
