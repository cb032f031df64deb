"""Figures as the calculator reads and writes them: Vietnamese decimal comma, exact fractions."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from tracker.core.formatting import format_number
from tracker.core.text import fold_search
from tracker.indicators.rules import parse_fraction

AMBIGUOUS = re.compile(r"^\d{1,3}\.\d{3}$")  # "1.234": a thousand and more, or one point two three four?
_YES = {"co", "yes", "true"}
_NO = {"khong", "no", "false"}


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def round_points(value: Fraction) -> Decimal:
    return _decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize() + Decimal(0)


def number(value: Fraction | Decimal | int, decimals: int = 2) -> str:
    """12.5 -> "12,5"; 1234 -> "1.234" (Vietnamese decimal comma and thousands dots)."""
    value = _decimal(value) if isinstance(value, Fraction) else Decimal(value)
    return format_number(value, decimals)


def percent(value: Fraction, decimals: int = 2) -> str:
    return f"{number(value * 100, decimals)} %"


def share(value: Fraction) -> str:
    """A printed share of the maximum: 1/2, 4/5 (as the document writes them)."""
    return str(value)


def points_text(value: Decimal | Fraction) -> str:
    if isinstance(value, Fraction):
        value = round_points(value)
    return f"{format_number(value)} điểm"


def parse_amount(value) -> Fraction | None:
    """A figure as a provider writes it: 45, 12.5, "12,5", "1.234.567", "1.234,5"; None if not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, Decimal)):
        return parse_fraction(value)
    text = str(value).strip().replace(" ", "")
    if not text or "/" in text or "%" in text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".") if text.count(",") == 1 else ""
    elif text.count(".") == 1 and len(text.split(".")[1]) == 3:
        return None  # "1.234": a thousand and thirty-four, or one point two three four?
    elif text.count(".") > 1:
        groups = text.split(".")
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            return None
        text = text.replace(".", "")
    return parse_fraction(text) if text else None


def parse_answer(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    folded = fold_search(str(value))
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    return None
