"""Reporting periods: quarter dates per Decree 09/2019/NĐ-CP and the province's deadlines."""
from __future__ import annotations

import re
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

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


def get_period(code: str) -> ReportingPeriod | None:
    return db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.code == code))


def ensure_period(year: int, quarter: int) -> ReportingPeriod:
    """The period for a quarter, created with default dates if it does not exist yet."""
    code = f"{year}-Q{quarter}"
    period = get_period(code)
    if period is None:
        period = ReportingPeriod(code=code, year=year, quarter=quarter, **period_dates(year, quarter))
        db.session.add(period)
        db.session.flush()
    return period
