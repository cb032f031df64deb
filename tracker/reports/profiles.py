"""The header of an area's consolidated reports, as it stood on the report date.

A report is headed by the area that issued its plan (for a district's plan, its province), as that
area was named on the report date: a report of plan 222 dated 05/10/2024 by "UBND TỈNH THỪA THIÊN
HUẾ", one dated 05/10/2026 by "UBND THÀNH PHỐ HUẾ" (Nghị quyết 175/2024/QH15, from 01/01/2025);
after a merger of provinces, by the province that took it over. The area's administrator writes
its profile (tracker.reports.models.ReportProfile) from a date; what a profile leaves empty, and
everything before the first profile, follows from the area's name on that date. No deployment
setting decides a header. Issued versions keep the files they printed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from tracker.audit.services import diff, record
from tracker.extensions import db
from tracker.reports.models import ReportProfile
from tracker.units.models import Area

# The body that writes the consolidated report in every province (Sở KH&CN since 01/03/2025).
DEFAULT_ISSUING_BODY = "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
DEFAULT_ISSUER_SHORT = "SKHCN"
DEFAULT_ISSUER_NAME = "Sở Khoa học và Công nghệ"
DEFAULT_SIGNER_TITLE = "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"
FIELDS = ("parent_body", "issuing_body", "issuer_short", "issuer_name", "place", "addressee", "signer_title",
          "recipients")
FIELD_LABELS = {
    "valid_from": "Áp dụng từ ngày",
    "parent_body": "Cơ quan chủ quản (dòng trên)",
    "issuing_body": "Cơ quan ban hành",
    "issuer_short": "Ký hiệu cơ quan trong số văn bản",
    "issuer_name": "Tên cơ quan trong câu văn",
    "place": "Địa danh",
    "addressee": "Kính gửi",
    "signer_title": "Chức danh người ký",
    "recipients": "Nơi nhận mặc định",
}
_PREFIXES = ("tỉnh ", "thành phố ")


class ProfileError(ValueError):
    """A profile refused for a reason the user can act on (message in Vietnamese)."""


@dataclass
class HeaderProfile:
    """Everything a report's frame takes from its area on a date."""

    area: Area
    day: date
    area_name: str  # "Thành phố Huế"
    parent_body: str
    issuing_body: str
    issuer_short: str
    issuer_name: str
    place: str
    addressee: str
    signer_title: str
    recipients: list[str] = field(default_factory=list)
    profile: ReportProfile | None = None  # the administrator's profile applied, if any


def header_area(plan, day: date) -> Area:
    """The province-level area speaking for the plan's area on `day`."""
    from tracker.areas.services import tenant_area_on

    return tenant_area_on(plan.area, day)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def place_of(name: str) -> str:
    """"Tỉnh Thừa Thiên Huế" -> "Thừa Thiên Huế", "Thành phố Huế" -> "Huế" (the date line's place name)."""
    for prefix in _PREFIXES:
        if name.casefold().startswith(prefix):
            return name[len(prefix):].strip()
    return name


def committee_short(name: str) -> str:
    """"UBND tỉnh" or "UBND thành phố", as the recipients list names the People's Committee."""
    return "UBND thành phố" if name.casefold().startswith("thành phố") else "UBND tỉnh"


def derived(area: Area, day: date) -> dict:
    """The header that follows from the area's name on `day`."""
    name = area.name_on(day)
    committee = committee_short(name)
    return {
        "parent_body": f"UBND {name.upper()}",
        "issuing_body": DEFAULT_ISSUING_BODY,
        "issuer_short": DEFAULT_ISSUER_SHORT,
        "issuer_name": DEFAULT_ISSUER_NAME,
        "place": place_of(name),
        "addressee": f"Ủy ban nhân dân {_lower_first(name)}",
        "signer_title": DEFAULT_SIGNER_TITLE,
        "recipients": "\n".join(["Như trên;", f"Chủ tịch, các Phó Chủ tịch {committee};", f"Văn phòng {committee};",
                                 "Giám đốc Sở;", "Lưu: VT, CĐS."]),
    }


def name_period_start(area: Area, day: date) -> date:
    """The first day the area has had the name it has on `day`."""
    entry = area.name_entry_on(day)
    return entry.valid_from if entry is not None else date.min


def profile_on(area: Area, day: date) -> ReportProfile | None:
    """The administrator's profile in force on `day`: the latest begun, within the current name."""
    start = name_period_start(area, day)
    return db.session.scalar(
        select(ReportProfile)
        .where(ReportProfile.area_id == area.id, ReportProfile.valid_from <= day, ReportProfile.valid_from >= start)
        .order_by(ReportProfile.valid_from.desc())
        .limit(1)
    )


def header_profile(plan, day: date) -> HeaderProfile:
    """The header of `plan`'s reports dated `day`."""
    return area_header(header_area(plan, day), day)


def area_header(area: Area, day: date) -> HeaderProfile:
    values = derived(area, day)
    profile = profile_on(area, day)
    if profile is not None:
        for key in FIELDS:
            text = (getattr(profile, key) or "").strip()
            if text:
                values[key] = text
    recipients = [line.strip() for line in values.pop("recipients").splitlines() if line.strip()]
    return HeaderProfile(area=area, day=day, area_name=area.name_on(day), recipients=recipients, profile=profile,
                         **values)


# --- the administrator's page ---------------------------------------------------------------

def profile_areas(tenant_id: int) -> list[Area]:
    """The province-level areas an administrator writes profiles for: the province, and the
    provinces merged into it (their reports dated before the merger keep their own header)."""
    from tracker.units.models import TENANT_LEVELS

    return list(db.session.scalars(
        select(Area).where(Area.tenant_id == tenant_id, Area.level.in_(TENANT_LEVELS)).order_by(Area.id)))


def tenant_profiles(tenant_id: int) -> list[ReportProfile]:
    return list(db.session.scalars(
        select(ReportProfile).where(ReportProfile.tenant_id == tenant_id)
        .order_by(ReportProfile.area_id, ReportProfile.valid_from)))


def name_periods(area: Area, today: date) -> list[tuple[date | None, date | None, HeaderProfile]]:
    """(from, until, header today or at the period's end) for each name the area has had: the
    header changes with each name, and within one with each profile."""
    starts: list[date | None] = [None] + [entry.valid_from for entry in area.names]
    result = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else None
        until = end - timedelta(days=1) if end is not None else None
        day = min(today, until) if until is not None else max(today, start or today)
        result.append((start, until, area_header(area, day)))
    return result


def _values(profile: ReportProfile) -> dict:
    return {"valid_from": profile.valid_from, **{key: getattr(profile, key) for key in FIELDS}}


def save_profile(actor, profile: ReportProfile | None, *, area: Area, valid_from: date | None, **values) -> ReportProfile:
    """Create (profile None) or change a profile of `area`, one of the actor's own areas; audited."""
    if actor is None or getattr(actor, "role", None) != "admin" or actor.tenant_id is None:
        raise ProfileError("Chỉ quản trị của tỉnh, thành phố sửa được mẫu tiêu đề báo cáo.")
    if area.tenant_id != actor.tenant_id or not area.is_tenant_level:
        raise ProfileError("Địa bàn không thuộc tỉnh, thành phố của bạn.")
    if valid_from is None:
        raise ProfileError("Vui lòng nhập ngày bắt đầu áp dụng (dd/mm/yyyy).")
    cleaned = {}
    for key in FIELDS:
        text = values.get(key) or ""
        if key in ("signer_title", "recipients"):
            text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
        else:
            text = " ".join(text.split())
        cleaned[key] = text
    short = cleaned["issuer_short"]
    if short and (" " in short or "/" in short):
        raise ProfileError("Ký hiệu cơ quan viết liền, không có dấu cách hay dấu \"/\" (ví dụ SKHCN).")
    clash = db.session.scalar(select(ReportProfile).where(
        ReportProfile.area_id == area.id, ReportProfile.valid_from == valid_from))
    if clash is not None and clash is not profile:
        raise ProfileError(f"{area.name} đã có mẫu tiêu đề áp dụng từ ngày {valid_from:%d/%m/%Y}; sửa mẫu đó.")
    created = profile is None
    before = {} if created else _values(profile)
    if created:
        profile = ReportProfile(area=area, valid_from=valid_from)
        db.session.add(profile)
    profile.area = area
    profile.valid_from = valid_from
    for key, text in cleaned.items():
        setattr(profile, key, text)
    profile.updated_by_id = actor.id
    db.session.flush()
    changes = diff(before, _values(profile))
    if changes:
        record(actor=actor, action="create" if created else "update", entity_type="report_profile",
               entity_id=profile.id, changes=changes,
               summary=f"{'Tạo' if created else 'Sửa'} mẫu tiêu đề báo cáo của {area.name} từ {valid_from:%d/%m/%Y}")
    return profile
