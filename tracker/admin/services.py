"""User administration. Every change is audited (passwords never appear in the trail); the caller commits."""
from __future__ import annotations

from sqlalchemy import func, select

from tracker.audit.services import diff, record
from tracker.core.locking import UNCHECKED, claim
from tracker.auth.models import NATIONAL_ROLES, Role, User
from tracker.extensions import db
from tracker.units.models import Unit


class AdminError(ValueError):
    """A change refused, with the form field it concerns and a Vietnamese message."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def user_values(user: User) -> dict:
    return {
        "email": user.email, "full_name": user.full_name, "role": user.role,
        "unit": user.unit.name if user.unit is not None else None, "active": user.active,
    }


def _check(actor: User, user: User | None, email: str, role: str, unit: Unit | None, active: bool) -> None:
    if role not in {r.value for r in Role}:
        raise AdminError("role", "Vai trò không hợp lệ.")
    if role in NATIONAL_ROLES:
        raise AdminError("role", "Vai trò này không thuộc địa bàn nào; chỉ quản trị các địa bàn tạo được.")
    if unit is not None and actor.tenant_id is not None and unit.tenant_id != actor.tenant_id:
        raise AdminError("unit_id", "Đơn vị không thuộc tỉnh, thành phố của bạn.")
    if role == Role.REPORTER and unit is None:
        raise AdminError("unit_id", "Báo cáo viên phải thuộc một đơn vị.")
    other = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if other is not None and other is not user:
        raise AdminError("email", f"Đã có người dùng với email {email}.")
    if user is not None and user.id == actor.id:
        if role != Role.ADMIN:
            raise AdminError("role", "Bạn không thể tự bỏ vai trò quản trị của mình.")
        if not active:
            raise AdminError("active", "Bạn không thể tự khóa tài khoản của mình.")


def save_user(
    actor: User, user: User | None, *, email: str, full_name: str, role: str, unit: Unit | None, active: bool,
    password: str | None = None, lock_version=UNCHECKED,
) -> User:
    """Create (user None) or change a user; `lock_version` is the one the form was built from
    (StaleEdit when the user changed since)."""
    if user is not None:
        claim(user, lock_version)
    email = email.strip().lower()
    _check(actor, user, email, role, unit, active)
    created = user is None
    before = {} if created else user_values(user)
    access_before = None if created else (user.unit_id, user.role, user.active)
    if created:
        # A user of the administrator's own province (a unit's user: of the unit's).
        user = User(email=email, role=role, tenant_id=unit.tenant_id if unit is not None else actor.tenant_id)
        user.set_password(password or "")
        db.session.add(user)
    if not created and (user.active and not active):
        user.end_sessions()  # a deactivated account's open sessions end now
    user.email = email
    user.full_name = (full_name or "").strip()
    user.role = role
    user.unit = unit
    user.active = active
    db.session.flush()
    changes = diff(before, user_values(user))
    if changes:
        record(actor=actor, action="create" if created else "update", entity_type="user", entity_id=user.id,
               summary=f"{'Tạo' if created else 'Sửa'} người dùng {user.email}", changes=changes)
    if access_before is not None:
        from tracker.calendar.services import after_access_change

        old_unit_id, old_role, was_active = access_before
        after_access_change(user, old_unit_id=old_unit_id, old_role=old_role, was_active=was_active, actor=actor)
    return user


def reset_password(actor: User, user: User, password: str) -> None:
    if len(password) < 8:
        raise AdminError("password", "Mật khẩu phải có ít nhất 8 ký tự.")
    from tracker.auth.throttle import forget_account

    from tracker.calendar.services import rotate_user_token

    user.set_password(password)  # ends every session of the account
    forget_account(user.email)
    rotate_user_token(user, actor=actor)  # whoever had the account had its feed URL too
    record(actor=actor, action="reset_password", entity_type="user", entity_id=user.id,
           summary=f"Đặt lại mật khẩu cho {user.email}")
    db.session.flush()


# --- The audit trail, readable: Vietnamese field names and labels instead of stored codes ---------
# The field names are `tracker.audit.labels` (one table for every page).


def audit_field_label(key: str) -> str:
    from tracker.audit.labels import audit_field

    return audit_field(key)


def audit_change_value(entity_type: str, key: str, value) -> str:
    """One old or new value of an audit entry as a user reads it; "kind" depends on what changed."""
    from tracker.main.navigation import audit_value
    from tracker.plans.models import ITEM_KIND_LABELS
    from tracker.units.models import UNIT_KIND_LABELS

    if key == "kind" and isinstance(value, str):
        labels = UNIT_KIND_LABELS if entity_type == "unit" else ITEM_KIND_LABELS
        return labels.get(value, value)
    return audit_value(value, key)
