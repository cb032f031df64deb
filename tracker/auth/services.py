"""User management services. The caller commits."""
from __future__ import annotations

from sqlalchemy import select

from tracker.auth.models import Role, User
from tracker.extensions import db
from tracker.units.services import find_units


class UserError(ValueError):
    pass


def create_user(
    *, email: str, password: str, role: str, unit_name: str | None = None, full_name: str = "",
    area_code: str | None = None,
) -> User:
    email = email.strip().lower()
    if role not in {r.value for r in Role}:
        raise UserError(
            f"Vai trò '{role}' không hợp lệ; chọn một trong: admin, coordinator, reporter, viewer."
        )
    if "@" not in email:
        raise UserError(f"Địa chỉ email '{email}' không hợp lệ.")
    if len(password) < 8:
        raise UserError("Mật khẩu phải có ít nhất 8 ký tự.")
    if db.session.scalar(select(User).where(User.email == email)) is not None:
        raise UserError(f"Đã có người dùng với email {email}.")
    unit = None
    if unit_name:
        matches = find_units(unit_name)
        if area_code:
            matches = [u for u in matches if u.area.code == area_code]
        if not matches:
            raise UserError(f"Không tìm thấy đơn vị '{unit_name}'" + (f" ở địa bàn '{area_code}'." if area_code else "."))
        if len(matches) > 1:
            names = "; ".join(f"{u.name} ({u.area.name}, mã địa bàn {u.area.code})" for u in matches)
            raise UserError(f"Tên đơn vị '{unit_name}' trùng với nhiều đơn vị: {names}. Chọn địa bàn bằng --area.")
        unit = matches[0]
    if role == Role.REPORTER and unit is None:
        raise UserError("Báo cáo viên phải thuộc một đơn vị (--unit).")
    user = User(email=email, role=role, unit=unit, full_name=full_name)
    user.set_password(password)
    db.session.add(user)
    return user


def check_credentials(email: str, password: str, *, now) -> User | None:
    """The active user with this email and password, else None. The cost is the same whether the
    account exists or not (a dummy hash is checked), and so is the answer the caller gives."""
    from tracker.auth.models import check_dummy_password
    from tracker.auth.throttle import normalise_email

    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_dummy_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = now
    return user
