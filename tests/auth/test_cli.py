"""`flask --app wsgi tracker create-user`."""
from sqlalchemy import select

from tracker.auth.models import User


def test_create_reporter_by_unit_alias(seeded, runner, db):
    result = runner.invoke(args=["tracker", "create-user", "--email", "BaoCao@Hue.gov.vn", "--password", "mat-khau-dai",
                                 "--role", "reporter", "--unit", "Sở TT&TT", "--area", "thua-thien-hue"])
    assert result.exit_code == 0, result.output
    assert "Đã tạo người dùng baocao@hue.gov.vn (vai trò reporter, đơn vị Sở Thông tin và Truyền thông)." in result.output
    user = db.session.scalar(select(User).where(User.email == "baocao@hue.gov.vn"))
    assert user.unit.name == "Sở Thông tin và Truyền thông" and user.check_password("mat-khau-dai")


def test_reporter_needs_a_unit(runner, db):
    result = runner.invoke(args=["tracker", "create-user", "--email", "a@b.vn", "--password", "mat-khau-dai", "--role", "reporter"])
    assert result.exit_code == 1
    assert "Báo cáo viên phải thuộc một đơn vị (--unit)." in result.output
    assert db.session.scalar(select(User)) is None


def test_a_name_in_two_provinces_asks_for_the_area(seeded, runner, db):
    args = ["tracker", "create-user", "--email", "nv@b.vn", "--password", "mat-khau-dai", "--role", "reporter",
            "--unit", "Sở Nội vụ"]
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert "trùng với nhiều đơn vị" in result.output and "dong-nai" in result.output
    result = runner.invoke(args=args + ["--area", "dong-nai"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "nv@b.vn")).unit.area.code == "dong-nai"


def test_bad_role_and_duplicate_email(factory, runner):
    user = factory.user(role="viewer")
    result = runner.invoke(args=["tracker", "create-user", "--email", user.email, "--password", "mat-khau-dai", "--role", "viewer"])
    assert result.exit_code == 1 and "Đã có người dùng" in result.output
    result = runner.invoke(args=["tracker", "create-user", "--email", "x@y.vn", "--password", "mat-khau-dai", "--role", "boss"])
    assert result.exit_code == 2
