"""Time helpers: storage is timezone-aware UTC, display is Asia/Ho_Chi_Minh."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """SQLite drops tzinfo on the way back; treat naive values as the UTC they were stored as."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def to_local(value: datetime) -> datetime:
    return as_utc(value).astimezone(VN_TZ)


def today_local() -> date:
    return datetime.now(VN_TZ).date()
