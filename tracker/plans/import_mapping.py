"""The preview's mapping step: what the Word reader could not recognise, asked of the user.

A problem of the reader with `choices` (an appendix whose kind it cannot infer, a column whose
label it does not know, a field no column gives) becomes one form control; the user's choices
are written into the reader's mapping ({"appendices": {key: {"kind": ..., "columns": {label:
field}}}}, tracker/plans/docx_source.py), the same stored upload is read again with it, and on
confirmation the mapping is kept for the next import of that plan (`PlanImportMapping`, keyed
by the plan's area and number, scoped to the area's tenant like every other row).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

from sqlalchemy import select

from tracker.areas.services import find_area
from tracker.extensions import db
from tracker.plans.docx_tables import FIELD_LABELS
from tracker.plans.models import PlanImportMapping
from tracker.plans.sources import KIND_LABELS

# Problem codes a choice settles, and what the choice says.
MAPPABLE = ("unknown_kind", "unknown_column", "unused_column", "missing_column")
PREFIX = "anh-xa|"


class MappingError(Exception):
    """A choice the form may not make (Vietnamese message); nothing is changed."""


@dataclass
class Choice:
    """One control of the mapping form."""

    name: str                          # the form field: "anh-xa|loai|2", "anh-xa|cot|2|6", "anh-xa|thieu|2|owner"
    what: str                          # kind | column | missing
    appendix: str                      # the appendix's mapping key ("2", "I", "bảng 7")
    table: int | None
    column: int | None
    label: str                         # the column as printed, or the field that is missing
    message: str
    options: list[tuple[str, str]]     # (value, Vietnamese label)

    @property
    def appendix_label(self) -> str:
        return self.appendix if self.appendix.startswith("bảng") else f"Phụ lục {self.appendix}"


def choices_of(problems) -> list[Choice]:
    """The mapping controls for a read's problems, once each, in the document's order."""
    found: dict[str, Choice] = {}
    for problem in problems:
        code = getattr(problem, "code", "")
        if code not in MAPPABLE or not problem.choices or problem.appendix is None:
            continue
        if code == "unknown_kind":
            name = f"{PREFIX}loai|{problem.appendix}"
            options = [(kind, KIND_LABELS.get(kind, kind)) for kind in problem.choices]
            choice = Choice(name, "kind", problem.appendix, problem.table, None, "", problem.message, options)
        elif code == "missing_column":
            missing = getattr(problem, "missing", None)
            labels = [label for label in dict.fromkeys(problem.choices) if label]
            if not missing or not labels:
                continue
            name = f"{PREFIX}thieu|{problem.appendix}|{missing}"
            choice = Choice(name, "missing", problem.appendix, problem.table, None, FIELD_LABELS.get(missing, missing),
                            problem.message, [(label, label) for label in labels])
        else:
            if problem.column is None:
                continue
            name = f"{PREFIX}cot|{problem.appendix}|{problem.column}"
            options = [(field, FIELD_LABELS.get(field, field)) for field in problem.choices]
            choice = Choice(name, "column", problem.appendix, problem.table, problem.column,
                            problem.column_label or "", problem.message, options)
        found.setdefault(choice.name, choice)
    return list(found.values())


def apply_choices(mapping: dict | None, form: dict[str, str], offered: list[Choice]) -> tuple[dict, int]:
    """The mapping with the form's choices added, and how many there were. Raises MappingError
    (and changes nothing) on a choice the reader did not offer."""
    by_name = {choice.name: choice for choice in offered}
    updated = copy.deepcopy(mapping or {})
    appendices = updated.setdefault("appendices", {})
    done = 0
    for name, value in form.items():
        if not name.startswith(PREFIX) or not value:
            continue
        choice = by_name.get(name)
        if choice is None:
            raise MappingError("Lựa chọn ánh xạ không còn áp dụng cho tệp này (bảng hoặc cột không có trong bản xem "
                               "trước): tải lại trang rồi chọn lại. Chưa có gì thay đổi.")
        allowed = dict(choice.options)
        if value not in allowed:
            raise MappingError(f"'{value}' không phải lựa chọn hợp lệ cho {choice.appendix_label}"
                               + (f", cột '{choice.label}'" if choice.label else "")
                               + f" (chọn một trong: {', '.join(allowed.values())}). Chưa có gì thay đổi.")
        entry = appendices.setdefault(choice.appendix, {})
        if choice.what == "kind":
            entry["kind"] = value
        elif choice.what == "missing":
            entry.setdefault("columns", {})[value] = name.rsplit("|", 1)[1]
        else:
            entry.setdefault("columns", {})[choice.label or f"cột {choice.column}"] = value
        done += 1
    return updated, done


def describe(mapping: dict | None) -> list[str]:
    """The mapping in words, one line per choice ("Phụ lục 2: loại Văn bản, chương trình")."""
    lines = []
    for key, entry in ((mapping or {}).get("appendices") or {}).items():
        where = key if str(key).startswith("bảng") else f"Phụ lục {key}"
        if entry.get("ignore"):
            lines.append(f"{where}: bỏ qua")
        if entry.get("kind"):
            lines.append(f"{where}: loại {KIND_LABELS.get(entry['kind'], entry['kind'])}")
        for label, field in (entry.get("columns") or {}).items():
            lines.append(f"{where}: cột '{label}' là {FIELD_LABELS.get(field or 'ignore', field)}")
    return lines


def has_choices(mapping: dict | None) -> bool:
    return bool(describe(mapping))


# -- kept for the next import ------------------------------------------------------------------


def saved_mapping(area_code: str | None, number: str | None) -> PlanImportMapping | None:
    """The mapping kept by the last import of the plan (area + number), as the current scope sees it."""
    if not area_code or not number:
        return None
    area = find_area(str(area_code))
    if area is None:
        return None
    return db.session.scalar(select(PlanImportMapping).where(PlanImportMapping.area_id == area.id,
                                                             PlanImportMapping.number == number))


def keep_mapping(user, plan, mapping: dict | None, source_name: str) -> PlanImportMapping | None:
    """Keep the mapping an import used for the plan's next import (removed when it had none)."""
    if not plan.number:
        return None
    current = db.session.scalar(select(PlanImportMapping).where(PlanImportMapping.area_id == plan.area_id,
                                                                PlanImportMapping.number == plan.number))
    if not has_choices(mapping):
        if current is not None:
            db.session.delete(current)
        return None
    if current is None:
        current = PlanImportMapping(area_id=plan.area_id, tenant_id=plan.tenant_id, number=plan.number)
        db.session.add(current)
    current.mapping = {"appendices": copy.deepcopy(mapping["appendices"])}
    current.source_name = source_name
    current.saved_by_id = user.id if user is not None else None
    db.session.flush()
    return current


def forget_mapping(area_code: str | None, number: str | None) -> bool:
    """Remove the kept mapping of a plan; False when there was none in scope."""
    current = saved_mapping(area_code, number)
    if current is None:
        return False
    db.session.delete(current)
    db.session.flush()
    return True
