"""Reporting periods: quarter dates per Decree 09/2019/NĐ-CP and the province's deadlines.

Each tenant (province) has its own calendar: every lookup and creation names the tenant, as an
area (a district gives its province) or an id.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from tracker.core.locking import UNCHECKED, claim
from tracker.extensions import db
from tracker.periods.models import ReportingPeriod

PERIOD_CODE = re.compile(r"^(\d{4})-Q([1-4])$")


def parse_period_code(code: str) -> tuple[int, int]:
    match = PERIOD_CODE.match(code.strip())
    if not match:
        raise ValueError(f"Kỳ báo cáo '{code}' không đúng dạng NNNN-QN (ví dụ 2025-Q3).")
    return int(match.group(1)), int(match.group(2))


def period_dates(year: int, quarter: int, config: dict | None = None) -> dict[str, date]:
    """Data cut-off: the 15th of the month before the quarter to the 14th of its last month.

    2025-Q3 runs 15/06/2025–14/09/2025. Deadlines follow the configured offsets.
    """
    config = config if config is not None else current_app.config
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    start = date(year - 1, 12, 15) if first_month == 1 else date(year, first_month - 1, 15)
    end = date(year, last_month, 14)
    submission = end + timedelta(days=config["SUBMISSION_DAYS_AFTER_CUTOFF"])
    consolidated = submission + timedelta(days=config["CONSOLIDATED_DAYS_AFTER_SUBMISSION"])
    return {
        "data_start": start,
        "data_end": end,
        "submission_deadline": submission,
        "consolidated_deadline": consolidated,
    }


def quarter_of(day: date) -> tuple[int, int]:
    """The reporting quarter whose data window contains `day` (15/12 belongs to next year's Q1)."""
    if day.month == 12 and day.day >= 15:
        return day.year + 1, 1
    month = day.month + (1 if day.day >= 15 else 0)
    return day.year, (month - 1) // 3 + 1 if month <= 12 else 4


def tenant_id_of(tenant) -> int:
    """The tenant's id from an id, a tenant-level area, or any area (its province)."""
    if isinstance(tenant, int):
        return tenant
    from tracker.areas.tenancy import tenant_area

    area = tenant_area(tenant)
    if area is None or area.id is None:
        raise ValueError(f"{tenant!r} không thuộc tỉnh, thành phố nào.")
    return area.id


def get_period(code: str, tenant) -> ReportingPeriod | None:
    return db.session.scalar(select(ReportingPeriod).where(
        ReportingPeriod.tenant_id == tenant_id_of(tenant), ReportingPeriod.code == code))


def tenant_periods(tenant):
    """A select() of one tenant's periods (the caller orders and filters it)."""
    return select(ReportingPeriod).where(ReportingPeriod.tenant_id == tenant_id_of(tenant))


def ensure_period(year: int, quarter: int, tenant) -> ReportingPeriod:
    """The tenant's period for a quarter, created with default dates if it does not exist yet."""
    code = f"{year}-Q{quarter}"
    tenant_id = tenant_id_of(tenant)
    period = get_period(code, tenant_id)
    if period is None:
        period = ReportingPeriod(code=code, year=year, quarter=quarter, tenant_id=tenant_id,
                                 **period_dates(year, quarter))
        db.session.add(period)
        db.session.flush()
    return period


# --- Managing periods: creation, deadlines, closing, late-submission exceptions. The caller commits.


class PeriodError(ValueError):
    """A change refused for a reason the user can act on (message in Vietnamese)."""


def current_period(today: date, tenant) -> ReportingPeriod | None:
    """The tenant's period agencies report on today: the one whose data window contains today, else
    the latest one whose window has begun."""
    year, quarter = quarter_of(today)
    period = get_period(f"{year}-Q{quarter}", tenant)
    if period is not None:
        return period
    return db.session.scalar(
        tenant_periods(tenant)
        .where(ReportingPeriod.data_start <= today)
        .order_by(ReportingPeriod.year.desc(), ReportingPeriod.quarter.desc())
        .limit(1)
    )


def _require_role(actor, role: str, what: str) -> None:
    if actor is None or getattr(actor, "role", None) != role:
        raise PeriodError(f"Bạn không có quyền {what}.")


def _audit(actor, action: str, entity_type: str, entity_id, summary: str, changes: dict | None = None):
    from tracker.audit.services import record

    record(actor=actor, action=action, entity_type=entity_type, entity_id=entity_id, summary=summary,
           changes=changes or {})


def create_period(actor, year: int, quarter: int) -> ReportingPeriod:
    """Admin: a new quarter of the admin's own province, with the default (Decree 09) dates."""
    _require_role(actor, "admin", "tạo kỳ báo cáo")
    if actor.tenant_id is None:
        raise PeriodError("Tài khoản quản trị chưa thuộc tỉnh, thành phố nào.")
    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= 2100:
        raise PeriodError("Năm hoặc quý không hợp lệ.")
    if get_period(f"{year}-Q{quarter}", actor.tenant_id) is not None:
        raise PeriodError(f"Đã có kỳ báo cáo Quý {quarter}/{year}.")
    period = ensure_period(year, quarter, actor.tenant_id)
    _audit(actor, "create", "reporting_period", period.id, f"Tạo kỳ báo cáo {period.label}",
           {"data_start": [None, period.data_start.isoformat()], "data_end": [None, period.data_end.isoformat()],
            "submission_deadline": [None, period.submission_deadline.isoformat()],
            "consolidated_deadline": [None, period.consolidated_deadline.isoformat()]})
    return period


def set_deadlines(actor, period: ReportingPeriod, submission_deadline: date, consolidated_deadline: date,
                  lock_version=UNCHECKED) -> dict:
    """Admin: override the province's deadlines of a period. Returns the changes. `lock_version`:
    the period's version the form was built from (StaleEdit when it changed since)."""
    from tracker.audit.services import diff

    _require_role(actor, "admin", "đổi hạn của kỳ báo cáo")
    claim(period, lock_version)
    if submission_deadline < period.data_start:
        raise PeriodError("Hạn gửi báo cáo không được trước ngày bắt đầu chốt số liệu "
                          f"({period.data_start:%d/%m/%Y}).")
    if consolidated_deadline < submission_deadline:
        raise PeriodError("Hạn gửi báo cáo tổng hợp không được trước hạn các đơn vị gửi báo cáo.")
    before = {"submission_deadline": period.submission_deadline, "consolidated_deadline": period.consolidated_deadline}
    period.submission_deadline = submission_deadline
    period.consolidated_deadline = consolidated_deadline
    changes = diff(before, {"submission_deadline": submission_deadline, "consolidated_deadline": consolidated_deadline})
    if changes:
        _audit(actor, "update_deadlines", "reporting_period", period.id, f"Đổi hạn kỳ báo cáo {period.label}", changes)
    db.session.flush()
    return changes


def close_period(actor, period: ReportingPeriod) -> None:
    """Coordinator: no more submissions, except from units granted a late-submission exception."""
    from tracker.core.time import utcnow

    _require_role(actor, "coordinator", "khóa kỳ báo cáo")
    if period.is_closed:
        raise PeriodError(f"Kỳ báo cáo {period.label} đã khóa.")
    period.closed_at = utcnow()
    period.closed_by_id = actor.id
    _audit(actor, "close", "reporting_period", period.id, f"Khóa kỳ báo cáo {period.label}",
           {"closed": [False, True]})
    db.session.flush()


def reopen_period(actor, period: ReportingPeriod) -> None:
    _require_role(actor, "coordinator", "mở lại kỳ báo cáo")
    if not period.is_closed:
        raise PeriodError(f"Kỳ báo cáo {period.label} đang mở.")
    period.closed_at = None
    period.closed_by_id = None
    _audit(actor, "reopen", "reporting_period", period.id, f"Mở lại kỳ báo cáo {period.label}",
           {"closed": [True, False]})
    db.session.flush()


def grant_late_exception(actor, period: ReportingPeriod, unit, until: date, reason: str, today: date):
    """Coordinator: let one unit submit in this (closed) period until a date; granting again replaces it."""
    from tracker.periods.models import LateException

    _require_role(actor, "coordinator", "cho phép nộp muộn")
    reason = (reason or "").strip()
    if not reason:
        raise PeriodError("Vui lòng ghi lý do cho phép nộp muộn.")
    if until < today:
        raise PeriodError("Ngày hết hạn nộp muộn phải từ hôm nay trở đi.")
    exception = db.session.scalar(
        select(LateException).where(LateException.period_id == period.id, LateException.unit_id == unit.id)
    )
    before = {"until": exception.until, "reason": exception.reason} if exception else {}
    if exception is None:
        exception = LateException(period=period, unit=unit)
        db.session.add(exception)
    exception.until = until
    exception.reason = reason
    exception.granted_by_id = actor.id
    db.session.flush()
    from tracker.audit.services import diff

    _audit(actor, "grant_late_exception", "late_exception", exception.id,
           f"Cho phép {unit.name} nộp muộn báo cáo {period.label} đến hết ngày {until:%d/%m/%Y}",
           diff(before, {"until": until, "reason": reason}))
    return exception


def active_exception(period: ReportingPeriod, unit_ids, today: date):
    """The late-submission exception letting one of `unit_ids` submit today, if any."""
    for exception in period.exceptions:
        if exception.unit_id in set(unit_ids) and exception.covers(today):
            return exception
    return None


def submission_refusal(period: ReportingPeriod, unit_ids, today: date) -> str | None:
    """Why a unit may not submit in the period today (None when it may)."""
    if not period.is_closed or active_exception(period, unit_ids, today) is not None:
        return None
    from tracker.core.formatting import format_date

    expired = [e for e in period.exceptions if e.unit_id in set(unit_ids)]
    if expired:
        return (f"Thời hạn nộp muộn báo cáo {period.label} của đơn vị đã hết ngày "
                f"{format_date(max(e.until for e in expired))}; không gửi được báo cáo. "
                "Liên hệ Sở KH&CN nếu cần gia hạn thêm.")
    return (f"Kỳ báo cáo {period.label} đã khóa ngày {format_date(period.closed_at)}; đơn vị chưa được "
            "cho phép nộp muộn nên không gửi được báo cáo. Liên hệ Sở KH&CN để được gia hạn.")


def deadline_info(period: ReportingPeriod, today: date, unit_ids=()) -> dict:
    """What a page asking for a submission says about the deadline."""
    days_left = (period.submission_deadline - today).days
    exception = active_exception(period, unit_ids, today) if unit_ids else None
    return {
        "period": period,
        "deadline": period.submission_deadline,
        "days_left": days_left,
        "overdue": days_left < 0,
        "closed": period.is_closed,
        "exception": exception,
        "refusal": submission_refusal(period, unit_ids, today) if unit_ids else None,
    }
