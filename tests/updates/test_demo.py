"""`flask --app wsgi tracker demo`: accounts, succession, periods and labelled sample updates, idempotent."""
from collections import Counter

from sqlalchemy import func, select

from tests.updates.world import build_world
from tracker.auth.models import User
from tracker.core.time import today_local
from tracker.periods.models import ReportingPeriod
from tracker.periods.services import quarter_of
from tracker.units.models import Unit
from tracker.updates.models import StatusUpdate

EMAILS = {"admin@demo.vn": "admin", "dieuphoi@demo.vn": "coordinator", "xem@demo.vn": "viewer",
          "baocao.skhcn@demo.vn": "reporter", "baocao.vpubnd@demo.vn": "reporter"}


def counts(db):
    return (db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(ReportingPeriod)),
            db.session.scalar(select(func.count()).select_from(StatusUpdate)))


def check_demo(db, runner, client):
    result = runner.invoke(args=["tracker", "demo"])
    assert result.exit_code == 0, result.output
    for email in EMAILS:
        assert email in result.output
    assert "matkhau123" in result.output
    first = counts(db)

    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(EMAILS)))}
    assert {email: u.role for email, u in users.items()} == EMAILS
    assert users["baocao.skhcn@demo.vn"].unit.name == "Sở Khoa học và Công nghệ"
    assert users["baocao.vpubnd@demo.vn"].unit.name == "Văn phòng Ủy ban nhân dân tỉnh"
    assert users["dieuphoi@demo.vn"].check_password("matkhau123")

    tttt = db.session.scalars(select(Unit).where(Unit.name == "Sở Thông tin và Truyền thông",
                                                 Unit.area.has(code="thua-thien-hue"))).one()
    assert tttt.successor.name == "Sở Khoa học và Công nghệ" and tttt.succeeded_on.isoformat() == "2025-03-01"

    codes = set(db.session.scalars(select(ReportingPeriod.code)))
    year, quarter = quarter_of(today_local())
    assert {"2024-Q1", "2024-Q4", "2025-Q2", f"{year}-Q{quarter}"} <= codes

    samples = db.session.scalars(select(StatusUpdate)).all()
    assert samples and all(u.is_sample for u in samples)
    states = Counter(u.state for u in samples)
    assert {"draft", "submitted", "returned", "accepted", "superseded"} <= set(states)
    assert all(u.difficulties and u.proposals for u in samples)
    # A sample is written before it is sent, and reviewed after ("Soạn 15:05 · Gửi 15:00" read oddly).
    assert all(u.created_at <= u.submitted_at for u in samples if u.submitted_at is not None)
    assert all(u.submitted_at <= u.reviewed_at for u in samples if u.reviewed_at is not None)
    # Each area's samples are on its own plan: Huế's on 222/KH-UBND, Thanh Hóa's on the Triệu Sơn plan.
    assert all(u.item.plan.number == "222/KH-UBND" for u in samples if u.item.tenant.code == "thua-thien-hue")
    assert all(u.item.tenant.code in ("thua-thien-hue", "thanh-hoa") for u in samples)
    assert any(u.unit_id == tttt.id and u.period.year == 2024 for u in samples)  # the history before the merger

    # Idempotent.
    again = runner.invoke(args=["tracker", "demo"])
    assert again.exit_code == 0, again.output
    assert "(đã có)" in again.output and "không tạo thêm" in again.output
    assert counts(db) == first

    # The demo reporter signs in and sees its work, the samples labelled as such.
    response = client.post("/dang-nhap", data={"email": "baocao.skhcn@demo.vn", "password": "matkhau123"})
    assert response.status_code == 302
    html = client.get("/viec-cua-toi").get_data(as_text=True)
    assert "Dữ liệu mẫu" in html
    client.post("/dang-xuat")
    client.post("/dang-nhap", data={"email": "dieuphoi@demo.vn", "password": "matkhau123"})
    html = client.get("/cho-duyet").get_data(as_text=True)
    assert "Dữ liệu mẫu" in html and "Đã gửi, chờ duyệt" in html
    return samples


def test_demo_on_factory_data_with_the_seed_names(db, factory, runner, client):
    world = build_world(factory, merged=False)
    for number in range(5, 9):  # a few more of each unit's projects
        factory.item(world.plan, owner=world.khcn if number % 2 else world.office, code=f"{number}.",
                     text=f"Dự án mẫu số {number}")
    db.session.commit()
    samples = check_demo(db, runner, client)
    assert any(u.unit_id == world.office.id for u in samples)


def test_demo_refuses_without_seeds(runner):
    result = runner.invoke(args=["tracker", "demo"])
    assert result.exit_code != 0
    assert "load-plans" in result.output


def test_demo_on_the_loaded_seeds(db, seeded, runner, client):
    check_demo(db, runner, client)
