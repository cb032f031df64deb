"""User management services. The caller commits."""
from __future__ import annotations

from sqlalchemy import select

from tracker.auth.models import NATIONAL_ROLES, Role, User
from tracker.extensions import db
from tracker.units.services import find_units


class UserError(ValueError):
    pass


def create_user(
    *, email: str, password: str, role: str, unit_name: str | None = None, full_name: str = "",
    area_code: str | None = None,
) -> User:
    """A user of an area (`area_code`: the province or centrally-run city, or one of its districts;
    a reporter's unit gives it too), or a national viewer / superadmin, who belong to none."""
    from tracker.areas.services import find_area, tenants
    from tracker.areas.tenancy import tenant_area

    email = email.strip().lower()
    if role not in {r.value for r in Role}:
        raise UserError(
            f"Vai trò '{role}' không hợp lệ; chọn một trong: {', '.join(r.value for r in Role)}."
        )
    if "@" not in email:
        raise UserError(f"Địa chỉ email '{email}' không hợp lệ.")
    if len(password) < 8:
        raise UserError("Mật khẩu phải có ít nhất 8 ký tự.")
    if db.session.scalar(select(User).where(User.email == email)) is not None:
        raise UserError(f"Đã có người dùng với email {email}.")
    if role in NATIONAL_ROLES:
        if unit_name or area_code:
            raise UserError(f"Vai trò {role} không thuộc địa bàn, đơn vị nào: bỏ --area và --unit.")
        user = User(email=email, role=role, full_name=full_name)
        user.set_password(password)
        db.session.add(user)
        return user
    area = None
    if area_code:
        area = find_area(area_code)
        if area is None:
            raise UserError(f"Không có địa bàn mã '{area_code}'.")
    tenant = tenant_area(area) if area is not None else None
    unit = None
    if unit_name:
        matches = find_units(unit_name)
        if area is not None:
            matches = [u for u in matches if u.area_id == area.id or u.tenant_id == tenant.id]
        if not matches:
            raise UserError(f"Không tìm thấy đơn vị '{unit_name}'" + (f" ở địa bàn '{area_code}'." if area_code else "."))
        if len(matches) > 1:
            names = "; ".join(f"{u.name} ({u.area.name}, mã địa bàn {u.area.code})" for u in matches)
            raise UserError(f"Tên đơn vị '{unit_name}' trùng với nhiều đơn vị: {names}. Chọn địa bàn bằng --area.")
        unit = matches[0]
        tenant = unit.tenant
    if role == Role.REPORTER and unit is None:
        raise UserError("Báo cáo viên phải thuộc một đơn vị (--unit).")
    if tenant is None:
        known = tenants()
        if len(known) != 1:
            codes = ", ".join(t.code for t in known) or "chưa có; nạp tệp đơn vị trước"
            raise UserError(f"Chọn tỉnh, thành phố của người dùng bằng --area MÃ_ĐỊA_BÀN ({codes}).")
        tenant = known[0]  # an installation with one province
    user = User(email=email, role=role, unit=unit, full_name=full_name, tenant=tenant)
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
