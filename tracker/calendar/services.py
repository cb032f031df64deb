"""Which deadlines go in whose calendar, and the secret feed tokens. The caller commits.

Every feed has every submission deadline and the consolidated report deadline of the periods
around today (the current and next quarters are included with their default dates even before an
admin has created them; the UID stays the same once created). A unit's feed, and the feed of a
reporter of that unit, also has the deadlines of the items the unit carries (project end, target
year, document deadline). UIDs are derived from ids, so a client that fetches twice updates
events instead of duplicating them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.core.text import shorten as core_shorten
from tracker.audit.services import record
from tracker.auth.models import Role, User
from tracker.calendar.ical import DeadlineEvent
from tracker.calendar.models import UnitCalendarToken, new_token
from tracker.core.formatting import format_date
from tracker.extensions import db
from tracker.plans.listing import assignment_options
from tracker.periods.models import ReportingPeriod
from tracker.periods.obligations import REPORTING_KINDS, owner_units
from tracker.periods.services import period_dates, quarter_of
from tracker.plans.models import STATUS_LABELS, ItemAssignment, ItemKind, ItemStatus, Plan, PlanItem
from tracker.reminders import links
from tracker.units.models import Area, Unit, UnitGroup, UnitGroupMember


@dataclass(frozen=True)
class PeriodDates:
    """A reporting period as the calendar needs it: stored, or the default for a future quarter."""

    code: str
    label: str
    data_start: date
    data_end: date
    submission_deadline: date
    consolidated_deadline: date
    # Who receives the consolidated report: the area's People's Committee as named on the deadline.
    committee: str = "UBND tỉnh, thành phố"

    @classmethod
    def of(cls, period: ReportingPeriod) -> PeriodDates:
        return cls(period.code, period.label, period.data_start, period.data_end,
                   period.submission_deadline, period.consolidated_deadline,
                   period.tenant.committee_on(period.consolidated_deadline))

    @classmethod
    def default(cls, year: int, quarter: int, tenant=None) -> PeriodDates:
        dates = period_dates(year, quarter)
        if tenant is not None:
            dates["committee"] = tenant.committee_on(dates["consolidated_deadline"])
        return cls(f"{year}-Q{quarter}", f"Quý {quarter}/{year}", **dates)


def uid_domain() -> str:
    return current_app.config.get("CALENDAR_UID_DOMAIN", "tracker")


def shorten(text: str, limit: int = 90) -> str:
    return core_shorten(text, limit)


def _next_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def calendar_periods(today: date, tenant_id: int | None) -> list[PeriodDates]:
    """The province's stored periods from last year on, plus the current and next quarters if not
    stored yet (only those for a user of no province)."""
    stored = db.session.scalars(
        select(ReportingPeriod).where(ReportingPeriod.tenant_id == tenant_id, ReportingPeriod.year >= today.year - 1)
        .order_by(ReportingPeriod.data_start)
    ).all() if tenant_id is not None else []
    periods = {p.code: PeriodDates.of(p) for p in stored}
    tenant = db.session.get(Area, tenant_id) if tenant_id is not None else None
    current = quarter_of(today)
    for year, quarter in (current, _next_quarter(*current)):
        if f"{year}-Q{quarter}" not in periods:
            periods[f"{year}-Q{quarter}"] = PeriodDates.default(year, quarter, tenant)
    return sorted(periods.values(), key=lambda p: p.data_start)


def find_period(code: str, today: date, tenant_id: int | None) -> PeriodDates | None:
    period = db.session.scalar(select(ReportingPeriod).where(
        ReportingPeriod.tenant_id == tenant_id, ReportingPeriod.code == code)) if tenant_id is not None else None
    if period is not None:
        return PeriodDates.of(period)
    return next((p for p in calendar_periods(today, tenant_id) if p.code == code), None)


def submission_event(period: PeriodDates, unit: Unit | None = None) -> DeadlineEvent:
    uid = f"han-nop-{period.code}" + (f"-unit-{unit.id}" if unit is not None else "") + f"@{uid_domain()}"
    who = f" ({unit.display_name})" if unit is not None else ""
    description = (
        f"Hạn các đơn vị nộp báo cáo định kỳ {period.label} về tiến độ thực hiện Kế hoạch chuyển đổi số"
        + (f" — {unit.name}" if unit is not None else "")
        + f".\nThời gian chốt số liệu: từ {format_date(period.data_start)} đến {format_date(period.data_end)}"
        " (Nghị định 09/2019/NĐ-CP)."
        f"\nHạn nộp: {format_date(period.submission_deadline)}."
    )
    return DeadlineEvent(
        uid=uid, day=period.submission_deadline, summary=f"Hạn nộp báo cáo {period.label}{who}",
        description=description, url=links.period_url(period.code), categories=("Hạn nộp báo cáo",),
        alarm=f"Ngày mai là hạn nộp báo cáo {period.label}",
    )


def consolidated_event(period: PeriodDates) -> DeadlineEvent:
    return DeadlineEvent(
        uid=f"han-tong-hop-{period.code}@{uid_domain()}",
        day=period.consolidated_deadline,
        summary=f"Hạn gửi báo cáo tổng hợp {period.label} lên {period.committee}",
        description=(f"Sở Khoa học và Công nghệ tổng hợp báo cáo {period.label} của các đơn vị và gửi "
                     f"{period.committee} trước ngày {format_date(period.consolidated_deadline)}."),
        url=links.period_url(period.code),
        categories=("Báo cáo tổng hợp",),
        alarm=f"Ngày mai là hạn gửi báo cáo tổng hợp {period.label}",
    )


ITEM_EVENT_KINDS = {
    ItemKind.PROJECT: ("du-an", "Hạn hoàn thành dự án"),
    ItemKind.TARGET: ("chi-tieu", "Hạn đạt chỉ tiêu"),
    ItemKind.DOCUMENT: ("van-ban", "Hạn ban hành văn bản"),
    ItemKind.TASK: ("nhiem-vu", "Hạn hoàn thành nhiệm vụ"),
}


def item_event(item: PlanItem, today: date) -> DeadlineEvent | None:
    """The deadline of an item: project end, target year, document deadline (None if it has none)."""
    kind = ITEM_EVENT_KINDS.get(item.kind)
    due = item.due_date
    if kind is None or due is None:
        return None
    slug, label = kind
    year, quarter = quarter_of(today)
    status = STATUS_LABELS.get(item.status, item.status)
    lines = [f"{item.plan.number_label} · {item.display_code}", item.text.strip()]
    if item.kind == ItemKind.PROJECT and item.years_text:
        lines.append(f"Thời gian thực hiện: {item.years_text}")
    if item.kind == ItemKind.TARGET and item.target_text:
        lines.append(f"Chỉ tiêu: {item.target_text}" + (f" (năm {item.target_year})" if item.target_year else ""))
    if item.kind == ItemKind.DOCUMENT and item.doc_type:
        lines.append(f"Loại văn bản: {item.doc_type}")
    if item.owner_text:
        lines.append(f"Đơn vị chủ trì: {item.owner_text}")
    lines.append(f"Hạn: {format_date(due)}. Trạng thái: {status} ({item.progress} %).")
    prefix = "[Đã hoàn thành] " if item.status == ItemStatus.DONE else ""
    return DeadlineEvent(
        uid=f"han-{slug}-{item.id}@{uid_domain()}",
        day=due,
        summary=f"{prefix}{label}: {shorten(item.text)}",
        description="\n".join(lines),
        url=links.update_form_url(item.id, f"{year}-Q{quarter}"),
        categories=(label,),
        alarm=f"Ngày mai: {label.lower()} {shorten(item.text, 60)}",
    )


def unit_items(unit: Unit, today: date) -> list[PlanItem]:
    """Items the unit carries today (groups expanded, successions followed), not cancelled."""
    query = (
        select(PlanItem)
        .where(PlanItem.tenant_id == unit.tenant_id, PlanItem.kind.in_([k.value for k in REPORTING_KINDS]),
               PlanItem.status != ItemStatus.CANCELLED.value)
        .options(
            selectinload(PlanItem.plan).selectinload(Plan.area),
            *assignment_options(),
        )
        .order_by(PlanItem.plan_id, PlanItem.position)
    )
    carrier = unit.carrier_on(today)
    return [item for item in db.session.scalars(query) if carrier.id in {u.id for u in owner_units(item, today)}]


SUMMARY_LIST_LIMIT = 40  # items listed by name in a year-end summary; the rest are counted


def year_end_summary(items: list[PlanItem], due: date, scope: str, today: date) -> DeadlineEvent:
    """One event for the items due only "by the end of the year" (the plan gives no day): 54 of them
    on 31/12/2025 would bury the real deadlines of that day."""
    counts: dict[str, int] = {}
    for item in items:
        label = {ItemKind.PROJECT: "dự án", ItemKind.TARGET: "chỉ tiêu", ItemKind.DOCUMENT: "văn bản, hoạt động",
                 ItemKind.TASK: "nhiệm vụ"}.get(item.kind, "hạng mục")
        counts[label] = counts.get(label, 0) + 1
    done = sum(1 for item in items if item.status == ItemStatus.DONE)
    lines = [f"{len(items)} hạng mục có thời hạn đến hết năm {due.year} (kế hoạch không ghi ngày cụ thể): "
             + ", ".join(f"{n} {label}" for label, n in counts.items()) + f"; đã hoàn thành {done}."]
    for item in items[:SUMMARY_LIST_LIMIT]:
        mark = "[Đã hoàn thành] " if item.status == ItemStatus.DONE else ""
        lines.append(f"- {mark}{item.plan.number_label} · {item.display_code}: {shorten(item.text, 120)}")
    if len(items) > SUMMARY_LIST_LIMIT:
        lines.append(f"… và {len(items) - SUMMARY_LIST_LIMIT} hạng mục khác.")
    return DeadlineEvent(
        uid=f"han-cuoi-nam-{due.year}-{scope}@{uid_domain()}",
        day=due,
        summary=f"Hạn cuối năm {due.year}: {len(items)} hạng mục ({len(items) - done} chưa hoàn thành)",
        description="\n".join(lines),
        url=links.my_work_url(),
        categories=("Hạn hoàn thành hạng mục",),
        alarm=f"Ngày mai hết hạn năm {due.year} của {len(items) - done} hạng mục chưa hoàn thành",
    )


def item_events(items: list[PlanItem], today: date, scope: str) -> list[DeadlineEvent]:
    """An event per item with a deadline of its own; the items due only by a year's end, one summary
    event per year (an item alone on its day keeps its own event)."""
    events, year_end = [], {}
    for item in items:
        if item.deadline is None and item.due_date is not None and ITEM_EVENT_KINDS.get(item.kind) is not None:
            year_end.setdefault(item.due_date, []).append(item)
            continue
        event = item_event(item, today)
        if event is not None:
            events.append(event)
    for due, group in sorted(year_end.items()):
        events.append(item_event(group[0], today) if len(group) == 1 else year_end_summary(group, due, scope, today))
    return events


def unit_events(unit: Unit, today: date) -> list[DeadlineEvent]:
    events = []
    for period in calendar_periods(today, unit.tenant_id):
        events.append(submission_event(period, unit))
        events.append(consolidated_event(period))
    events.extend(item_events(unit_items(unit, today), today, f"unit-{unit.id}"))
    return events


def user_events(user: User, today: date) -> list[DeadlineEvent]:
    """A reporter: the unit's calendar. Coordinators and others: every period's deadlines (and
    the items of their own unit, if they belong to one)."""
    if user.role == Role.REPORTER and user.unit is not None:
        return unit_events(user.unit, today)
    events = []
    for period in calendar_periods(today, user.tenant_id):
        events.append(submission_event(period))
        events.append(consolidated_event(period))
    if user.unit is not None:
        events.extend(item_events(unit_items(user.unit, today), today, f"unit-{user.unit.id}"))
    return events


def user_calendar_name(user: User) -> str:
    return f"Hạn báo cáo chuyển đổi số — {user.display_name}"


def unit_calendar_name(unit: Unit) -> str:
    return f"Hạn báo cáo chuyển đổi số — {unit.name}"


# --- tokens ------------------------------------------------------------------------------------


def user_by_token(token: str) -> User | None:
    if not token:
        return None
    return db.session.scalar(select(User).where(User.calendar_token == token, User.active.is_(True)))


def unit_by_token(token: str) -> Unit | None:
    if not token:
        return None
    row = db.session.scalar(select(UnitCalendarToken).where(UnitCalendarToken.token == token))
    return row.unit if row is not None else None


def regenerate_user_token(user: User, *, actor: User) -> str:
    """A new secret; the old URL stops working at once (404)."""
    had = user.calendar_token is not None
    token = user.regenerate_calendar_token()
    record(actor=actor, action="calendar_token", entity_type="user", entity_id=user.id,
           summary="Tạo lại đường dẫn lịch cá nhân" if had else "Tạo đường dẫn lịch cá nhân")
    return token


def revoke_user_token(user: User, *, actor: User) -> None:
    user.calendar_token = None
    record(actor=actor, action="calendar_token_revoked", entity_type="user", entity_id=user.id,
           summary="Thu hồi đường dẫn lịch cá nhân")


def unit_token(unit: Unit) -> UnitCalendarToken | None:
    return db.session.scalar(select(UnitCalendarToken).where(UnitCalendarToken.unit_id == unit.id))


def regenerate_unit_token(unit: Unit, *, actor: User) -> str:
    row = unit_token(unit)
    if row is None:
        row = UnitCalendarToken(unit_id=unit.id, created_by_id=actor.id)
        db.session.add(row)
    row.token = new_token()
    row.created_by_id = actor.id
    record(actor=actor, action="unit_calendar_token", entity_type="unit", entity_id=unit.id,
           summary=f"Tạo (lại) đường dẫn lịch của đơn vị {unit.name}")
    db.session.flush()
    return row.token


def revoke_unit_token(unit: Unit, *, actor: User) -> None:
    """The unit's feed URL stops working (404) until someone makes a new one."""
    row = unit_token(unit)
    if row is not None:
        db.session.delete(row)
        record(actor=actor, action="unit_calendar_token_revoked", entity_type="unit", entity_id=unit.id,
               summary=f"Thu hồi đường dẫn lịch của đơn vị {unit.name}")
        db.session.flush()


def can_manage_unit_feed(user: User, unit: Unit) -> bool:
    """The unit's own reporters and the admin create, rotate and revoke its feed."""
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.REPORTER and user.unit_id == unit.id


# --- tokens follow access: whoever loses it loses the URLs they knew --------------------------


def rotate_unit_token(unit: Unit, *, actor: User) -> None:
    """A new URL for a unit that has one (the old one is dead); none is created otherwise."""
    if unit_token(unit) is not None:
        regenerate_unit_token(unit, actor=actor)


def rotate_user_token(user: User, *, actor: User) -> None:
    if user.calendar_token is not None:
        regenerate_user_token(user, actor=actor)


def after_access_change(user: User, *, old_unit_id: int | None, old_role: str, was_active: bool, actor: User) -> None:
    """After an admin changed a user: a reporter who left the unit (deactivated, moved, another
    role) no longer opens its feed; a deactivated user's personal feed ends."""
    left = (old_role == Role.REPORTER and old_unit_id is not None
            and (not user.active or user.role != Role.REPORTER or user.unit_id != old_unit_id))
    if left:
        old_unit = db.session.get(Unit, old_unit_id)
        if old_unit is not None:
            rotate_unit_token(old_unit, actor=actor)
    if was_active and not user.active and user.calendar_token is not None:
        revoke_user_token(user, actor=actor)


def feed_url(path: str) -> str:
    return links.base_url() + path


def unit_feed_url(unit: Unit) -> str | None:
    from flask import url_for

    row = unit_token(unit)
    return feed_url(url_for("calendar.unit_feed", token=row.token)) if row is not None else None


def webcal_url(https_url: str) -> str:
    return "webcal://" + https_url.split("://", 1)[-1]
