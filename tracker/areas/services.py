"""Areas as tenants: finding them, their names over time, and mergers of provinces. The caller commits."""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select, update

from tracker.audit.services import record
from tracker.extensions import db
from tracker.units.models import TENANT_LEVELS, Area


class AreaError(ValueError):
    """A change refused for a reason the user can act on (message in Vietnamese)."""


def find_area(code: str) -> Area | None:
    return db.session.scalar(select(Area).where(Area.code == (code or "").strip()))


def tenants() -> list[Area]:
    """Every area that is a tenant today (provinces and centrally-run cities not merged away)."""
    areas = db.session.scalars(select(Area).where(Area.level.in_(TENANT_LEVELS)).order_by(Area.name)).all()
    return [a for a in areas if a.tenant_id in (None, a.id)]


def tenant_area_on(area: Area, day: date) -> Area:
    """The province-level area that speaks for `area` on a date: its province (a district's), and after
    a merger of provinces, the province that took it over from that date."""
    lineage = area.lineage()
    current = next((a for a in lineage if a.is_tenant_level), lineage[-1])
    return current.carrier_on(day)


# --- mergers ---------------------------------------------------------------------------------

def _tenant_tables():
    from tracker.audit.models import AuditEntry
    from tracker.auth.models import User
    from tracker.indicators.models import Framework
    from tracker.plans.models import Plan, PlanItem
    from tracker.reports.models import ReportProfile
    from tracker.units.models import Unit, UnitGroup

    return [Unit, UnitGroup, Plan, PlanItem, User, Framework, ReportProfile, AuditEntry]


def _merge_periods(old_tenant: int, new_tenant: int) -> dict[str, int]:
    """The predecessor's reporting periods join the successor's calendar: a quarter both have keeps
    the successor's period (the predecessor's updates, drafts and notices point to it); the others move."""
    from tracker.periods.models import LateException, ReportingPeriod
    from tracker.reminders.models import Notice
    from tracker.reports.models import IssuedReport, ReportDraft
    from tracker.updates.models import ContributionNote, StatusUpdate

    theirs = {(p.year, p.quarter): p.id for p in db.session.scalars(
        select(ReportingPeriod).where(ReportingPeriod.tenant_id == new_tenant))}
    joined = moved = 0
    rows = db.session.execute(select(ReportingPeriod.id, ReportingPeriod.year, ReportingPeriod.quarter)
                              .where(ReportingPeriod.tenant_id == old_tenant)).all()
    for period in rows:
        target = theirs.get((period.year, period.quarter))
        if target is None:
            db.session.execute(update(ReportingPeriod).where(ReportingPeriod.id == period.id)
                               .values(tenant_id=new_tenant).execution_options(synchronize_session=False))
            moved += 1
            continue
        for model in (StatusUpdate, ContributionNote, LateException, ReportDraft, IssuedReport, Notice):
            db.session.execute(update(model).where(model.period_id == period.id).values(period_id=target)
                               .execution_options(synchronize_session=False))
        db.session.execute(delete(ReportingPeriod).where(ReportingPeriod.id == period.id)
                           .execution_options(synchronize_session=False))
        joined += 1
    return {"periods_joined": joined, "periods_moved": moved}


def merge_area(actor, source: Area, target: Area, on: date, *, basis: str | None = None) -> dict:
    """From `on`, `source` (a province) is part of `target`: the successor carries its plans, units,
    unit groups, frameworks, periods and users, which move to the successor's tenant now. Plans keep
    their issuing area (their title and history still name the province that issued them), and a
    report dated before `on` is still headed by the predecessor (Area.carrier_on). Returns counts."""
    if not source.is_tenant_level or not target.is_tenant_level:
        raise AreaError("Chỉ hợp nhất được tỉnh, thành phố trực thuộc trung ương vào một tỉnh, thành phố khác.")
    if source.id == target.id:
        raise AreaError("Không thể hợp nhất một địa bàn vào chính nó.")
    if target.successor_id is not None:
        raise AreaError(f"{target.name} đã hợp nhất vào {target.successor.name}; chọn địa bàn tiếp nhận hiện nay.")
    if source.successor_id is not None and source.successor_id != target.id:
        raise AreaError(f"{source.name} đã hợp nhất vào {source.successor.name} từ {source.merged_on:%d/%m/%Y}.")
    old_tenant, new_tenant = source.tenant_id or source.id, target.tenant_id or target.id
    db.session.flush()
    counts: dict[str, int] = {}
    # Every area whose tenant was the source's (the source itself, its districts and communes).
    counts["areas"] = db.session.execute(
        update(Area).where(Area.tenant_id == old_tenant).values(tenant_id=new_tenant)
        .execution_options(synchronize_session=False)).rowcount
    for model in _tenant_tables():
        counts[model.__tablename__] = db.session.execute(
            update(model).where(model.tenant_id == old_tenant).values(tenant_id=new_tenant)
            .execution_options(synchronize_session=False)).rowcount
    counts.update(_merge_periods(old_tenant, new_tenant))
    db.session.expire_all()
    source = db.session.get(Area, source.id)
    target = db.session.get(Area, target.id)
    source.successor_id = target.id
    source.merged_on = on
    source.merge_note = (basis or "").strip() or None
    summary = f"{source.name} hợp nhất vào {target.name} từ ngày {on:%d/%m/%Y}"
    changes = {"successor": [None, target.name], "merged_on": [None, on.isoformat()],
               "merge_note": [None, source.merge_note], "moved": [None, counts]}
    record(actor=actor, actor_label="" if actor is not None else "merge-area", action="area.merge",
           entity_type="area", entity_id=source.id, summary=summary, changes=changes)
    record(actor=actor, actor_label="" if actor is not None else "merge-area", action="area.receive",
           entity_type="area", entity_id=target.id, summary=summary, changes={"predecessor": [None, source.name]})
    db.session.flush()
    return counts


# --- the superadmin: areas and their administrators -------------------------------------------

AREA_CODE_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")


def _require_superadmin(actor) -> None:
    if actor is not None and getattr(actor, "role", None) != "superadmin":
        raise AreaError("Chỉ quản trị các địa bàn (superadmin) thực hiện được việc này.")


def create_area(actor, *, code: str, name: str, level: str) -> Area:
    """A new province or centrally-run city (its units then come from its units file or the admin)."""
    _require_superadmin(actor)
    code, name = (code or "").strip().lower(), " ".join((name or "").split())
    if not code or not set(code) <= AREA_CODE_CHARS:
        raise AreaError("Mã địa bàn chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang (ví dụ khanh-hoa).")
    if not name:
        raise AreaError("Vui lòng nhập tên địa bàn (ví dụ Tỉnh Khánh Hòa).")
    if level not in TENANT_LEVELS:
        raise AreaError("Cấp của địa bàn phải là tỉnh hoặc thành phố trực thuộc trung ương.")
    if find_area(code) is not None:
        raise AreaError(f"Đã có địa bàn mã '{code}'.")
    area = Area(code=code, name=name, level=level)
    db.session.add(area)
    db.session.flush()
    record(actor=actor, action="area.create", entity_type="area", entity_id=area.id,
           summary=f"Tạo địa bàn {name} ({code})", changes={"name": [None, name], "level": [None, level]})
    return area


def create_area_admin(actor, area: Area, *, email: str, full_name: str, password: str):
    """The first (or another) administrator of an area."""
    from tracker.auth.services import UserError, create_user

    _require_superadmin(actor)
    if area is None or not area.is_tenant_level or area.successor_id is not None:
        raise AreaError("Vui lòng chọn một tỉnh, thành phố đang hoạt động.")
    try:
        user = create_user(email=email, password=password, role="admin", full_name=(full_name or "").strip(),
                           area_code=area.code)
    except UserError as error:
        raise AreaError(str(error)) from error
    db.session.flush()
    record(actor=actor, action="create", entity_type="user", entity_id=user.id,
           summary=f"Tạo quản trị {user.email} của {area.current_name}",
           changes={"email": [None, user.email], "role": [None, "admin"], "area": [None, area.current_name]})
    return user
