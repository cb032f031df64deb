"""Numbers written the Vietnamese way: the one reading, for the update form and the plan loader alike.

The comma is the decimal mark and dots group thousands ("45,5", "1.234,5", "1.234.567"). "1.500" could be
1500 or 1,5: both readings are common, so it is refused with a hint rather than guessed.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MAX_DECIMAL = Decimal("9999999999999999.9999")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_DOT_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$")
_PLAIN_NUMBER = re.compile(r"^\d+(\.\d+)?$")


class InputError(ValueError):
    """A value that cannot be read; the message says how to write it."""


# "1.500": a thousands dot or a decimal one? Both readings are common, so neither is guessed.
_AMBIGUOUS_DOT = re.compile(r"^\d{1,3}\.\d{3}$")
_NOT_A_NUMBER = "Giá trị phải là một số, ví dụ 45,5 (dấu phẩy là dấu thập phân, dấu chấm ngăn cách hàng nghìn)."


def parse_vn_number(text: str | None) -> Decimal | None:
    """A number written the Vietnamese way, as amounts are: the comma is the decimal mark and dots
    group thousands ("45,5", "1.234,5", "1.234.567"). A single dot that cannot group thousands is
    read as a decimal mark ("45.5"); "1.500" could be either, so it is refused with a hint."""
    value = _SPACES.sub("", text or "")
    if value == "":
        return None
    sign = ""
    if value[0] in "+-":
        sign, value = ("-" if value[0] == "-" else ""), value[1:]
    if _AMBIGUOUS_DOT.match(value):
        raise InputError(
            f"Không rõ \"{value}\" là {value.replace('.', '')} hay {value.replace('.', ',')}: "
            f"viết {value.replace('.', '')} hoặc {value.replace('.', ',')} "
            "(dấu phẩy là dấu thập phân, dấu chấm ngăn cách hàng nghìn)."
        )
    if "," in value and "." in value:
        integer, _, fraction = value.rpartition(",")
        if value.rfind(",") < value.rfind(".") or not _DOT_GROUPED.match(integer):  # e.g. 1,234.5
            raise InputError(_NOT_A_NUMBER)
        value = integer.replace(".", "") + "." + fraction
    elif "," in value:
        if value.count(",") > 1:
            raise InputError(_NOT_A_NUMBER)
        value = value.replace(",", ".")
    elif value.count(".") > 1:
        if not _DOT_GROUPED.match(value):
            raise InputError(_NOT_A_NUMBER)
        value = value.replace(".", "")
    if not _PLAIN_NUMBER.match(value):
        raise InputError(_NOT_A_NUMBER)
    if "." in value and len(value.split(".")[1]) > 4:
        raise InputError("Giá trị chỉ được có tối đa 4 chữ số thập phân.")
    try:
        number = Decimal(sign + value)
    except InvalidOperation as error:  # pragma: no cover - the pattern above rules this out
        raise InputError("Giá trị phải là một số.") from error
    if abs(number) > MAX_DECIMAL:
        raise InputError("Giá trị quá lớn.")
    return number
