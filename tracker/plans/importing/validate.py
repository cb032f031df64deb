"""Step 2 of the import: what a plan document must satisfy before anything is applied.

The checks here need no database; the importer runs them on every node as it goes, with the
checks that do (unit names, areas, plan identity), and collects every problem instead of
stopping at the first: a wrong area code does not hide the other errors of the file.
"""
from __future__ import annotations

from tracker.plans.importing import values as v

UNIT_KINDS = {
    "department", "committee_office", "people_committee", "press", "state_firm",
    "association", "business", "central_agency", "other",
}
APPENDIX_KINDS = {"target", "document", "project", "budget", "task", "framework"}
ITEM_KEYS = {
    "code", "key", "text", "owner", "owner_text", "coordinators", "coordinators_text", "note",
    "inconsistencies", "target_value", "target_values", "measure_unit", "target_year", "target_text",
    "doc_type", "deadline_year", "start_year", "end_year", "years_text", "state", "other", "total",
    "project", "indicator", "framework", "max_points",
}


def item_problems(node) -> list[tuple[str, str]]:
    """(field, message) for an item row: its shape, code, text and owner."""
    if not isinstance(node, dict):
        return [("", "Dòng không hợp lệ.")]
    problems = []
    unknown = set(node) - ITEM_KEYS
    if unknown:
        problems.append((", ".join(sorted(unknown)), "Trường không được hỗ trợ (xem seed_plans/README.md)."))
    code = node.get("code")
    if code is None or str(code).strip() == "":
        problems.append(("code", "Thiếu số thứ tự (TT) của dòng."))
        return problems
    text = node.get("text")
    if text is None or not str(text).strip():
        problems.append(("text", "Thiếu nội dung của dòng."))
    if node.get("owner") in (None, "", []):
        problems.append(("owner", "Thiếu đơn vị chủ trì."))
    return problems


def appendix_problem(node) -> tuple[str, str] | None:
    if node.get("number") is None or node.get("kind") not in APPENDIX_KINDS:
        return ("kind" if node.get("number") is not None else "number",
                f"Phụ lục cần 'number' và 'kind' (một trong: {', '.join(sorted(APPENDIX_KINDS))}).")
    return None


def project_years(node) -> tuple[int | None, int | None, str | None, list[tuple[str, str]]]:
    """A project's start and end years, from start_year/end_year or the printed years text,
    cross-checked against each other ("2021 - 20222" is refused, naming the field)."""
    problems: list[tuple[str, str]] = []
    start, end = node.get("start_year"), node.get("end_year")
    years_text = node.get("years_text")
    explicit = start is not None or end is not None
    if not explicit and years_text:
        parsed = v.parse_year_range(str(years_text))
        if parsed is None:
            problems.append(("years_text", f"Năm thực hiện '{years_text}' không đúng dạng 'YYYY - YYYY'."))
        else:
            start, end = parsed
    try:
        start = v.parse_year(start)
    except ValueError as error:
        problems.append(("start_year", str(error)))
        start = None
    try:
        end = v.parse_year(end)
    except ValueError as error:
        problems.append(("end_year", str(error)))
        end = None
    if start is None or end is None:
        if not years_text or v.parse_year_range(str(years_text)) is not None:
            problems.append(("start_year", "Thiếu năm bắt đầu hoặc năm kết thúc của dự án."))
    elif start > end:
        problems.append(("end_year", f"Năm kết thúc {end} trước năm bắt đầu {start}."))
    elif explicit and years_text:
        message = v.check_years_text(years_text, start, end)
        if message:
            problems.append(("years_text", message))
    return start, end, years_text or (f"{start} - {end}" if start else None), problems
