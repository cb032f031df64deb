"""What makes a plan the same plan: its issuing area, its number and its issue date.

Numbers restart every year and every province numbers its own documents, so "222/KH-UBND" of
Thừa Thiên Huế and "222/KH-UBND" of another province are two plans, and so are 222/KH-UBND of
2020 and of 2023 in one province. A plan may be loaded before it has a number ("Số: /KH-UBND")
or a day ("ngày … tháng 02 năm 2021"): both are kept and shown as printed. When the number is
missing, the title tells plans of the same area and date apart.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.units.models import Area

DAY, MONTH = "day", "month"
BLANK = "\u2026"  # "…", what a blank day or number is printed as
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_MY = re.compile(r"^(?:(?:\.{2,}|…+|_+)\s*/\s*)?(\d{1,2})/(\d{4})$")
_WORDS = re.compile(r"^ngày\s+(\d{1,2}|\.{2,}|…+|_+)\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})$", re.IGNORECASE)


class PlanDateError(ValueError):
    pass


def parse_plan_date(value) -> tuple[date | None, str]:
    """(issued_on, precision) from a plan file's `date`: a date, "2021-02-15", "2021-02" (month
    only), "15/02/2021", "02/2021", "…/02/2021" or the document's words ("ngày … tháng 02 năm 2021").
    A month-only date is stored as the 1st of the month with precision "month"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, DAY
    if isinstance(value, datetime):
        return value.date(), DAY
    if isinstance(value, date):
        return value, DAY
    text = " ".join(str(value).split())
    try:
        if match := _ISO_DAY.match(text):
            year, month, day = map(int, match.groups())
            return date(year, month, day), DAY
        if match := _DMY.match(text):
            day, month, year = map(int, match.groups())
            return date(year, month, day), DAY
        if match := _ISO_MONTH.match(text):
            year, month = map(int, match.groups())
            return date(year, month, 1), MONTH
        if match := _MY.match(text):
            month, year = map(int, match.groups())
            return date(year, month, 1), MONTH
        if match := _WORDS.match(text):
            day_text, month, year = match.group(1), int(match.group(2)), int(match.group(3))
            if day_text.isdigit():
                return date(year, month, int(day_text)), DAY
            return date(year, month, 1), MONTH
    except ValueError as error:
        raise PlanDateError(f"Ngày ban hành '{value}' không có thật ({error}).") from error
    raise PlanDateError(
        f"Ngày ban hành '{value}' không hợp lệ: ghi YYYY-MM-DD (2020-10-21), hoặc YYYY-MM (2021-02) khi văn bản "
        "chưa ghi ngày (\"ngày … tháng 02 năm 2021\")."
    )


def normalize_number(value) -> str | None:
    """Số/ký hiệu as printed, spaces around "/" removed; None when nothing is printed."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    text = re.sub(r"\s*/\s*", "/", text)
    text = text.removeprefix("Số:").removeprefix("số:").strip()
    return text or None


def has_number(number: str | None) -> bool:
    """The number part is filled in ("222/KH-UBND"), not left blank ("/KH-UBND", "…/KH-UBND")."""
    if not number:
        return False
    head = number.split("/", 1)[0].strip(" .…_")
    return bool(head)


def number_label(number: str | None) -> str:
    if not number:
        return "(không số)"
    if not has_number(number):
        return f"{BLANK}/{number.split('/', 1)[1]}" if "/" in number else number
    return number


def date_label(issued_on: date | None, precision: str | None) -> str:
    """21/10/2020, or …/02/2021 for a month-only date, "" when unknown."""
    if issued_on is None:
        return ""
    if precision == MONTH:
        return f"{BLANK}/{issued_on:%m/%Y}"
    return f"{issued_on:%d/%m/%Y}"


def date_words(issued_on: date | None, precision: str | None) -> str:
    """"ngày 21 tháng 10 năm 2020", "ngày … tháng 02 năm 2021" (Decree 30/2020: 0 before days < 10, months 1-2)."""
    if issued_on is None:
        return ""
    month = f"{issued_on.month:02d}" if issued_on.month <= 2 else str(issued_on.month)
    day = BLANK if precision == MONTH else f"{issued_on.day:02d}"
    return f"ngày {day} tháng {month} năm {issued_on.year}"


def plan_reference(plan: Plan) -> str:
    """"Kế hoạch số 222/KH-UBND ngày 21/10/2020", as the report's subject line cites a plan."""
    text = f"Kế hoạch số {number_label(plan.number)}" if plan.number else "Kế hoạch"
    when = date_label(plan.issued_on, plan.issued_precision)
    return f"{text} ngày {when}" if when else text


@dataclass
class Match:
    plan: Plan | None  # the same plan, to update; None: a new plan
    conflict: str | None = None  # why the file cannot be applied (names both plans)
    warning: str | None = None


def describe(plan: Plan) -> str:
    when = date_label(plan.issued_on, plan.issued_precision) or "không ghi ngày"
    return f"kế hoạch {number_label(plan.number)} ngày {when} của {plan.area.name} (mã địa bàn {plan.area.code}): \"{plan.title}\""


def match_plan(area: Area, number: str | None, issued_on: date | None, precision: str, title: str) -> Match:
    """The plan of `area` a file describes, if it is already loaded.

    Only plans issued by the same area are candidates: another province's plan with the same
    number is never touched. Same number and same date: the same plan. Same number in another
    year: another plan (numbers restart each year). Same number, same year, another date: refused,
    naming both, because it is either a typo or a second plan that needs telling apart.
    """
    candidates = db.session.scalars(select(Plan).where(Plan.area_id == area.id).order_by(Plan.id)).all()
    numbered = has_number(number)
    if numbered:
        same = [p for p in candidates if p.number == number]
    else:
        same = [p for p in candidates if not has_number(p.number) and (p.number or None) == (number or None)
                and " ".join(p.title.split()).casefold() == " ".join(title.split()).casefold()]
    exact = [p for p in same if p.issued_on == issued_on and (issued_on is None or p.issued_precision == precision)]
    if exact:
        return Match(exact[0])
    undated = [p for p in same if p.issued_on is None]
    if undated and issued_on is not None:
        return Match(undated[0], warning=f"Bổ sung ngày ban hành {date_label(issued_on, precision)} cho {describe(undated[0])}.")
    if issued_on is None and same:
        return Match(None, conflict=(
            f"Tệp không ghi ngày ban hành nhưng {describe(same[0])} đã có: ghi ngày ban hành để phân biệt, "
            "hoặc sửa tệp cho đúng kế hoạch đã nạp."))
    clash = [p for p in same if p.issued_on is not None and p.issued_on.year == issued_on.year]
    if clash:
        return Match(None, conflict=(
            f"Kế hoạch trong tệp ({number_label(number)} ngày {date_label(issued_on, precision)}) trùng số với "
            f"{describe(clash[0])} nhưng khác ngày ban hành: nếu là cùng một kế hoạch, sửa ngày trong tệp; "
            "nếu là hai kế hoạch, kiểm tra lại số, ký hiệu."))
    return Match(None)


class PlanLookupError(LookupError):
    pass


def find_plan(reference, area_code: str | None = None) -> Plan:
    """The plan a command names: its id, or its number (with `--area CODE` when several areas have
    one). The area code may be the issuing area's or its province's."""
    text = str(reference).strip()
    if text.isdigit():
        plan = db.session.get(Plan, int(text))
        if plan is None:
            raise PlanLookupError(f"Không có kế hoạch mã số {text}.")
        if area_code and area_code not in (plan.area.code, plan.tenant.code):
            raise PlanLookupError(f"Kế hoạch mã số {text} không thuộc địa bàn '{area_code}'.")
        return plan
    number = normalize_number(text)
    plans = db.session.scalars(select(Plan).where(Plan.number == number).order_by(Plan.id)).all()
    if area_code:
        if db.session.scalar(select(Area.id).where(Area.code == area_code)) is None:
            raise PlanLookupError(f"Không có địa bàn mã '{area_code}'.")
        plans = [p for p in plans if area_code in (p.area.code, p.tenant.code)]
    if not plans:
        where = f" của địa bàn '{area_code}'" if area_code else ""
        raise PlanLookupError(f"Không tìm thấy kế hoạch '{text}'{where}.")
    if len(plans) > 1:
        names = "; ".join(f"{describe(p)} — mã số {p.id}" for p in plans)
        raise PlanLookupError(f"Có {len(plans)} kế hoạch số {text}: {names}. Chọn bằng --area MÃ_ĐỊA_BÀN (hoặc mã số).")
    return plans[0]
