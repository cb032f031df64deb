"""Values as the documents write them: money in đồng, decimals, years, year ranges, target values.

Pure functions: each returns the parsed value or raises `ValueError` with the Vietnamese message
the importer reports against the file, row and field. A literal "-" (or an empty cell) in a money
column means "no amount fixed", which is `None`, never 0.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from tracker.core.numbers import InputError, parse_vn_number
from tracker.plans.sources import parse_year_range

NO_AMOUNT = "-"


def strip_code(code) -> str:
    return str(code).strip().rstrip(".").strip()


def _grouped(text: str) -> bool:
    groups = text.replace(" ", "").split(".")
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def parse_money(value) -> int | None:
    """Exact đồng. None, "" and "-" are "no amount fixed"; a number is a non-negative integer."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"Số tiền '{value}' không hợp lệ.")
    if isinstance(value, int):
        result = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"Số tiền '{value}' phải là số nguyên đồng.")
        result = int(value)
    else:
        text = str(value).strip().removesuffix("đ").strip()
        if text in (NO_AMOUNT, ""):
            return None
        digits = text.replace(".", "").replace(" ", "")
        if not digits.isdigit() or ("." in text and not _grouped(text)):
            raise ValueError(f"Số tiền '{value}' không hợp lệ (ví dụ đúng: 5.000.000.000 hoặc 5000000000).")
        result = int(digits)
    if result < 0:
        raise ValueError(f"Số tiền không được âm: {value}.")
    return result


def parse_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"'{value}' không phải là số.")
    if isinstance(value, str):  # written by a person: the one Vietnamese reading (tracker.core.numbers)
        try:
            return parse_vn_number(value)
        except InputError as error:
            raise ValueError(f"'{value}': {error}") from None
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"'{value}' không phải là số.") from None
    if not result.is_finite():
        raise ValueError(f"'{value}' không phải là số.")
    return result


def parse_year(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        year = int(str(value).strip())
    except ValueError:
        raise ValueError(f"Năm '{value}' không hợp lệ.") from None
    if not 1900 <= year <= 2100:
        raise ValueError(f"Năm '{value}' ngoài khoảng 1900–2100.")
    return year


# "100 % cấp tỉnh, cấp huyện; 90 % cấp xã", "100%", "80 % (cấp xã)": a number, its unit, its scope.
_TARGET_PART = re.compile(r"\s*(\d+(?:[.,]\d+)?)\s*(%|[^\s\d;,()]+)?\s*(.*?)\s*")


def parse_target_values(value) -> list[dict]:
    """Several target values with their scope, from a YAML list or the document's wording
    ("100 % cấp tỉnh, cấp huyện; 90 % cấp xã" -> two values). Each is {value, unit, scope}
    with `value` as text (exact decimal)."""
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, list):
        rows = []
        for entry in value:
            if isinstance(entry, dict):
                number = parse_decimal(entry.get("value"))
                if number is None:
                    raise ValueError("Mỗi giá trị mục tiêu cần 'value'.")
                rows.append({"value": format(number.normalize(), "f"), "unit": entry.get("unit") or None,
                             "scope": (str(entry.get("scope") or "").strip() or None)})
            else:
                rows.extend(parse_target_values(str(entry)))
        return rows
    rows = []
    for part in str(value).split(";"):
        if not part.strip():
            continue
        match = _TARGET_PART.fullmatch(part)
        if not match:
            raise ValueError(f"Giá trị mục tiêu '{part.strip()}' không đúng dạng 'số đơn vị phạm vi' "
                             "(ví dụ: 100 % cấp tỉnh, cấp huyện; 90 % cấp xã).")
        number = parse_decimal(match.group(1))
        scope = match.group(3).strip().strip("()").strip() or None
        rows.append({"value": format(number.normalize(), "f"), "unit": match.group(2) or None, "scope": scope})
    return rows


def target_values_text(rows: list[dict] | None) -> str:
    """The wording `parse_target_values` reads back: "100 % cấp tỉnh, cấp huyện; 90 % cấp xã"."""
    parts = []
    for row in rows or []:
        parts.append(" ".join(p for p in (row.get("value"), row.get("unit"), row.get("scope")) if p))
    return "; ".join(parts)


def check_years_text(years_text, start: int | None, end: int | None) -> str | None:
    """The message when the printed years ("2021 - 20222") are malformed or disagree with the
    start/end years written beside them; None when they agree, or when the wording is not a
    range but names only those years ("Năm 2022")."""
    if not years_text:
        return None
    text = str(years_text)
    parsed = parse_year_range(text)
    if parsed is not None:
        if start is not None and end is not None and parsed != (start, end):
            return f"Năm thực hiện '{years_text}' khác năm bắt đầu/kết thúc {start} - {end}."
        return None
    runs = re.findall(r"\d+", text)
    if any(len(run) > 4 for run in runs) or any(len(run) == 4 and int(run) not in (start, end) for run in runs):
        return f"Năm thực hiện '{years_text}' không đúng dạng 'YYYY - YYYY' hoặc khác năm {start} - {end}."
    return None


def text_or_none(value) -> str | None:
    if value is None:
        return None
    text = str(value).rstrip()
    return text or None


def joined(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def plain(value):
    """YAML mappings (LDict) and dates as JSON-friendly values."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def plain_value(value):
    """A value as stored in `loaded_values` (JSON): decimals and dates as text."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return value
