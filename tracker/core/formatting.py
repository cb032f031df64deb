"""Vietnamese display formats: 2.732.000.000.000 đ, 21/10/2020, 12,5 %."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from tracker.core.time import to_local


def group_thousands(value: int) -> str:
    sign = "-" if value < 0 else ""
    return sign + f"{abs(int(value)):,}".replace(",", ".")


def format_number(value, decimals: int | None = None) -> str:
    """12.5 -> "12,5"; 1234567 -> "1.234.567"; trailing zeros of decimals dropped."""
    if value is None:
        return ""
    value = Decimal(str(value))
    if decimals is not None:
        value = round(value, decimals)
    integer = int(value)
    fraction = abs(value - integer)
    text = group_thousands(integer)
    if value < 0 and integer == 0:
        text = "-0"
    if fraction:
        digits = format(fraction.normalize(), "f").split(".")[1]
        text += "," + digits
    return text


def format_money(value: int | None, none_text: str = "-") -> str:
    """Exact đồng: 2.732.000.000.000 đ; None (the documents' "-") stays "-"."""
    if value is None:
        return none_text
    return f"{group_thousands(value)} đ"


def format_percent(value, decimals: int = 1) -> str:
    if value is None:
        return ""
    return f"{format_number(value, decimals)} %"


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return to_local(value).strftime("%H:%M %d/%m/%Y")
