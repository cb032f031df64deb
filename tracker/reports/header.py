"""The report's header: the title, place and date line, recipients, and the options a draft sets."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tracker.core.formatting import format_date
from tracker.core.time import today_local
from tracker.periods.models import ReportingPeriod
from tracker.plans.models import Plan
from tracker.reports.data import Header
from tracker.units.models import Unit


ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
# The consolidated report's header, signer and recipients come from the area (tracker.reports.profiles).
DEFAULT_UNIT_RECIPIENTS = ["Như trên;", "Lưu: VT."]


@dataclass
class ReportOptions:
    """What the coordinator enters before issuing (stored in ReportDraft)."""

    number: str = ""
    report_date: date | None = None
    signer_title: str = ""
    signer_name: str = ""
    recipients: list[str] = field(default_factory=list)
    summary: str = ""
    proposals: str = ""


# --------------------------------------------------------------------------- small helpers

def quarter_title(period: ReportingPeriod) -> str:
    return f"quý {ROMAN[period.quarter - 1]} năm {period.year}"


def place_date_line(place: str, day: date) -> str:
    """Decree 30/2020: days below 10 and months 1 and 2 take a leading zero."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def normalize_recipients(lines: list[str]) -> list[str]:
    """"- ...;" lines ending with "Lưu: VT, ...": dashes dropped (the template adds them)."""
    cleaned = []
    for line in lines:
        text = line.strip().lstrip("-–").strip()
        if text:
            cleaned.append(text.rstrip(";.").strip())
    archive = [line for line in cleaned if line.casefold().startswith("lưu")]
    others = [line for line in cleaned if not line.casefold().startswith("lưu")]
    result = [f"{line};" for line in others]
    result.append(f"{archive[-1]}." if archive else "Lưu: VT.")
    return result


# --------------------------------------------------------------------------- the header

def build_header(plan: Plan, period: ReportingPeriod, unit: Unit | None, options: ReportOptions,
                 config) -> Header:
    from tracker.reports.profiles import header_profile

    report_date = options.report_date or today_local()
    # The plan's area as it was named on the report date, and its administrator's profile then.
    profile = header_profile(plan, report_date)
    place = profile.place
    parent_body = profile.parent_body
    if unit is None:
        short = profile.issuer_short
        issuing_body = profile.issuing_body
        issuer_name = profile.issuer_name
        addressee = profile.addressee
        default_recipients, default_signer = profile.recipients, profile.signer_title
    else:
        short = "\u2026\u2026"
        issuing_body = unit.name.upper()
        issuer_name = unit.name
        addressee = profile.issuer_name
        default_recipients, default_signer = DEFAULT_UNIT_RECIPIENTS, "THỦ TRƯỞNG ĐƠN VỊ"
    number = options.number.strip()
    blank = "\u00a0" * 8
    if "/" in number:
        full_number = number
    else:
        full_number = f"{number or blank}/BC-{short}"
    from tracker.plans.identity import plan_reference

    subject = f"Kết quả thực hiện {plan_reference(plan)}"
    subject += f" của {plan.issuing_body} trong {quarter_title(period)}"
    recipients = normalize_recipients(options.recipients or default_recipients)
    return Header(
        parent_body=parent_body.upper(),
        issuing_body=issuing_body,
        number_line=f"Số: {full_number}",
        place_date_line=place_date_line(place, report_date),
        title="BÁO CÁO",
        summary_line=subject,
        addressee=addressee,
        recipients=recipients,
        signer_title_lines=[line.strip().upper() for line in (options.signer_title or default_signer).splitlines()
                            if line.strip()],
        signer_name=options.signer_name.strip(),
        issuer_name=issuer_name,
        annex_reference=f"(Kèm theo Báo cáo số {full_number} ngày {format_date(report_date)} của {issuer_name})",
        report_date=report_date,
    )
