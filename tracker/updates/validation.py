"""Reading what a reporter typed: numbers written the Vietnamese way, checked, messages in Vietnamese.

Nothing here touches the database: `validate_update` gets the item and its budget and returns the
parsed values, the errors (per field: the row is not saved) and the warnings (shown, not blocking).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping

from tracker.core.formatting import format_money
from tracker.core.numbers import InputError, parse_vn_number  # noqa: F401 - InputError is this module's too
from tracker.plans.models import STATUS_LABELS, ItemKind, ItemStatus, PlanItem

TEXT_FIELDS = ("done_text", "difficulties", "proposals")
FIELDS = ("status", "progress", "achieved_value", "amount_committed", "amount_disbursed") + TEXT_FIELDS
MAX_TEXT = 20000
# Numeric(20, 4): 16 integer digits, 4 decimals.
# BIGINT
MAX_AMOUNT = 9_223_372_036_854_775_807

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_MONEY_SUFFIX = re.compile(r"(đồng|đ|vnđ|vnd)$", re.IGNORECASE)
_DOT_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$")
_COMMA_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+$")


@dataclass
class Budget:
    """The budget lines (Phụ lục 5) of a project: a project without lines has no money to report."""

    lines: list[PlanItem] = field(default_factory=list)

    @property
    def has_budget(self) -> bool:
        return bool(self.lines)

    @property
    def total(self) -> int | None:
        """Sum of the lines' totals; None when no line fixes an amount (the document's "-")."""
        known = [line.budget_total for line in self.lines if line.budget_total is not None]
        return sum(known) if known else None

    @property
    def business_funded(self) -> bool:
        return self.has_budget and self.total is None


@dataclass
class UpdateValues:
    status: str
    progress: int
    achieved_value: Decimal | None
    amount_committed: int | None
    amount_disbursed: int | None
    done_text: str
    difficulties: str
    proposals: str

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in FIELDS}


EMPTY_VALUES = {"status": ItemStatus.NOT_STARTED.value, "progress": 0, "achieved_value": None,
                "amount_committed": None, "amount_disbursed": None, "done_text": "", "difficulties": "",
                "proposals": ""}


@dataclass
class Validation:
    values: UpdateValues | None
    errors: dict[str, str]
    warnings: list[str]
    parsed: dict = field(default_factory=dict)  # the fields that could be read

    @property
    def ok(self) -> bool:
        return not self.errors

    def partial(self, fallback: Mapping) -> UpdateValues:
        """What a draft can keep: every field that was read, the stored (`fallback`) value for the others."""
        if self.values is not None:
            return self.values
        merged = dict(EMPTY_VALUES)
        merged.update({k: v for k, v in fallback.items() if k in EMPTY_VALUES})
        kept = {k: v for k, v in self.parsed.items() if k not in self.errors}
        if "progress" in self.errors and kept.get("status") == ItemStatus.DONE:
            kept.pop("status")  # "done" goes with 100 %: keep neither until both are right
        merged.update(kept)
        return UpdateValues(**merged)


def clean_text(value: str | None) -> str:
    text = unicodedata.normalize("NFC", value or "")
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def parse_progress(text: str | None) -> int:
    value = _SPACES.sub("", text or "").rstrip("%")
    if value == "":
        return 0
    if not value.isdigit() or int(value) > 100:
        raise InputError("Tiến độ phải là số nguyên từ 0 đến 100 (ví dụ 45).")
    return int(value)


def parse_amount(text: str | None) -> int | None:
    """An exact amount of đồng: "1500000000" or "1.500.000.000" (a trailing "đ" is allowed)."""
    value = _SPACES.sub("", text or "")
    value = _MONEY_SUFFIX.sub("", value)
    if value in ("", "-"):  # a dash is "no amount fixed", as the plan documents (and the loader) read it
        return None
    if value.startswith("-"):
        raise InputError("Số tiền không được âm.")
    if value.isdigit():
        amount = int(value)
    elif _DOT_GROUPED.match(value):
        amount = int(value.replace(".", ""))
    else:
        raise InputError("Số tiền phải là số nguyên đồng, viết liền hoặc có dấu chấm ngăn cách, ví dụ 1.500.000.000.")
    if amount > MAX_AMOUNT:
        raise InputError("Số tiền quá lớn.")
    return amount


# One reading of a Vietnamese number for forms and the loader: `tracker.core.numbers`.
parse_decimal = parse_vn_number


def reports_money(item: PlanItem, budget: Budget | None) -> bool:
    return item.kind == ItemKind.PROJECT and budget is not None and budget.has_budget


def validate_update(
    item: PlanItem, raw: Mapping[str, str | None], *, budget: Budget | None = None, for_submit: bool = False
) -> Validation:
    """Parse and check one update as typed. `for_submit` adds what a submission needs."""
    errors: dict[str, str] = {}
    warnings: list[str] = []

    status = (raw.get("status") or "").strip()
    if status not in STATUS_LABELS:
        errors["status"] = "Vui lòng chọn tình trạng thực hiện."

    progress = 0
    try:
        progress = parse_progress(raw.get("progress"))
    except InputError as error:
        errors["progress"] = str(error)
    if "progress" not in errors and status == ItemStatus.DONE and progress != 100:
        errors["progress"] = "Hạng mục đã hoàn thành thì tiến độ phải là 100."

    achieved = None
    try:
        achieved = parse_decimal(raw.get("achieved_value"))
    except InputError as error:
        errors["achieved_value"] = str(error)
    if achieved is not None and item.kind != ItemKind.TARGET:
        errors["achieved_value"] = "Chỉ nhập giá trị đạt được cho chỉ tiêu."

    amounts: dict[str, int | None] = {}
    for name in ("amount_committed", "amount_disbursed"):
        try:
            amounts[name] = parse_amount(raw.get(name))
        except InputError as error:
            errors[name] = str(error)
            amounts[name] = None
        if amounts[name] is not None and not reports_money(item, budget):
            errors[name] = (
                "Hạng mục này không có dòng dự ước kinh phí (Phụ lục 5) nên không báo cáo số tiền cam kết, giải ngân."
            )

    texts = {name: clean_text(raw.get(name)) for name in TEXT_FIELDS}
    for name, text in texts.items():
        if len(text) > MAX_TEXT:
            errors[name] = f"Nội dung không được dài quá {MAX_TEXT:,} ký tự.".replace(",", ".")
    if for_submit and not texts["done_text"] and "done_text" not in errors:
        errors["done_text"] = "Vui lòng ghi nội dung đã thực hiện trong kỳ trước khi gửi báo cáo."

    committed, disbursed = amounts.get("amount_committed"), amounts.get("amount_disbursed")
    if "amount_disbursed" not in errors and disbursed is not None and budget is not None:
        if budget.total is not None and disbursed > budget.total:
            warnings.append(
                f"Số đã giải ngân {format_money(disbursed)} vượt tổng dự ước kinh phí {format_money(budget.total)} "
                "của dự án. Báo cáo vẫn được lưu; vui lòng giải thích ở phần khó khăn, vướng mắc."
            )
        if committed is not None and "amount_committed" not in errors and disbursed > committed:
            warnings.append(
                f"Số đã giải ngân {format_money(disbursed)} lớn hơn số đã cam kết {format_money(committed)}."
            )

    parsed = {"status": status, "progress": progress, "achieved_value": achieved,
              "amount_committed": committed, "amount_disbursed": disbursed, **texts}
    if errors:
        return Validation(None, errors, warnings, parsed)
    return Validation(UpdateValues(**parsed), errors, warnings, parsed)


def values_as_text(values: Mapping) -> dict[str, str]:
    """Saved values written back into form fields the way a reporter types them."""
    from tracker.core.formatting import group_thousands

    achieved = values.get("achieved_value")
    if achieved is not None:
        achieved_text = format(Decimal(achieved).normalize(), "f").replace(".", ",")
        if "," in achieved_text:
            achieved_text = achieved_text.rstrip("0").rstrip(",")
    else:
        achieved_text = ""
    return {
        "status": values.get("status") or ItemStatus.NOT_STARTED.value,
        "progress": str(values.get("progress") or 0),
        "achieved_value": achieved_text,
        "amount_committed": group_thousands(values["amount_committed"]) if values.get("amount_committed") is not None else "",
        "amount_disbursed": group_thousands(values["amount_disbursed"]) if values.get("amount_disbursed") is not None else "",
        "done_text": values.get("done_text") or "",
        "difficulties": values.get("difficulties") or "",
        "proposals": values.get("proposals") or "",
    }
