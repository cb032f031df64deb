"""The import pipeline: read (readers) -> one plan document -> validate -> diff -> apply.

`load_paths` applies every file to the session in dependency order (units, frameworks, plans,
links), collects every problem instead of stopping at the first, and raises `LoadError` if there
is any: the caller then rolls back, so a failed load leaves the database exactly as it was.
Loading the same files again changes nothing; a changed row updates its item in place and the
audit trail keeps the earlier values. `preview_paths` (diff.py) runs the same steps inside a
savepoint it rolls back: what a dry run or the web preview shows is exactly what applying does.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from tracker.audit.services import diff
from tracker.core.locking import claim
from tracker.extensions import db
from tracker.plans.importing import values as v
from tracker.plans.importing.apply_frameworks import FrameworksApplier
from tracker.plans.importing.apply_links import LinksApplier
from tracker.plans.importing.apply_plans import PlansApplier
from tracker.plans.importing.apply_units import UnitsApplier
from tracker.plans.importing.names import NameResolver, unique
from tracker.plans.importing.readers import read_paths
from tracker.plans.importing.result import LoadResult
from tracker.plans.sources import LoadError, Problem, SourceDoc, where_of
from tracker.units.models import Area


class Importer(NameResolver, UnitsApplier, FrameworksApplier, PlansApplier, LinksApplier):
    def __init__(self, problems: list[Problem], actor=None):
        super().__init__()
        self.problems = problems
        self.result = LoadResult()
        self.unresolved = self.result.unresolved_units
        self.actor = actor  # the signed-in user of a web import; None from the command line
        self.actor_label = "" if actor is not None else "load-plans"

    # -- reporting -------------------------------------------------------------------------

    def problem(self, doc: SourceDoc, node: Any, field_name: str, message: str) -> None:
        self.problems.append(Problem(doc.name, where_of(node), field_name, message))

    def warn(self, doc: SourceDoc, node: Any, message: str) -> None:
        where = where_of(node)
        self.result.warnings.append(f"{doc.name}: {where + ': ' if where else ''}{message}")

    # -- writing ---------------------------------------------------------------------------

    def set_fields(self, obj, values: dict[str, Any]) -> dict[str, list]:
        """Assign changed values only; returns {field: [old, new]} for the audit trail."""
        old = {key: getattr(obj, key) for key in values}
        changes = diff(old, values)
        for key in changes:
            setattr(obj, key, values[key])
        if changes:
            self.result.changes += 1
            if hasattr(obj, "lock_version"):
                claim(obj)  # edit forms opened before this load are refused, not silently applied
        return changes

    def upsert(self, current, make, values: dict[str, Any]):
        """The row as the file describes it: created (and counted) when missing, else only its
        changed fields assigned. Returns (row, changes)."""
        if current is None:
            current = make(**values)
            db.session.add(current)
            db.session.flush()
            self.result.changes += 1
            return current, {}
        return current, self.set_fields(current, values)

    # -- values, reported against the node -------------------------------------------------

    def _parsed(self, parse, doc, node, field_name: str, value):
        try:
            return parse(value)
        except ValueError as error:
            self.problem(doc, node, field_name, str(error))
            return None

    def money(self, doc, node, field_name: str, value) -> int | None:
        return self._parsed(v.parse_money, doc, node, field_name, value)

    def decimal(self, doc, node, field_name: str, value):
        return self._parsed(v.parse_decimal, doc, node, field_name, value)

    def year(self, doc, node, field_name: str, value) -> int | None:
        return self._parsed(v.parse_year, doc, node, field_name, value)

    def declared_totals(self, doc, node) -> dict[str, int | None]:
        """The totals an appendix or section prints about itself (declared_totals)."""
        declared = node.get("declared_totals") or {}
        return {
            f"declared_{key}": self.money(doc, declared, f"declared_totals.{key}", declared.get(key))
            for key in ("state", "other", "total")
        }

    def require(self, doc, node, key: str, label: str | None = None):
        value = node.get(key) if isinstance(node, dict) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            self.problem(doc, node, key, f"Thiếu {label or key}.")
            return None
        return value

    def area(self, doc, node, code: str | None) -> Area | None:
        if not code:
            return None
        area = db.session.scalar(select(Area).where(Area.code == code))
        if area is None:
            self.problem(doc, node, "area", area_problem(code))
        return area

    # -- documents -------------------------------------------------------------------------

    def apply(self, doc: SourceDoc) -> None:
        getattr(self, f"apply_{doc.kind}")(doc)


def apply_documents(docs: list[SourceDoc], problems: list[Problem], actor=None, check=None) -> LoadResult:
    """Apply read documents in order; raise LoadError with every problem. `check(doc)` may refuse
    a document before it applies (the web import refuses a plan of another area)."""
    importer = Importer(problems, actor)
    with db.session.no_autoflush:
        for doc in docs:
            if check is not None:
                refusal = check(doc)
                if refusal:
                    problems.append(Problem(doc.name, where_of(doc.data), "area", refusal))
                    continue
            try:
                importer.apply(doc)
            except (AttributeError, TypeError, KeyError, ValueError, RecursionError) as error:
                # A mapping where a list belongs, a string where a mapping belongs...
                problems.append(Problem(doc.name, "", "", f"Cấu trúc tệp không đúng định dạng ({type(error).__name__}: {error}); xem seed_plans/README.md."))
    if problems:
        error = LoadError(problems)
        error.unresolved_units = importer.unresolved  # for the preview's "map or create" choices
        error.result = importer.result  # what applied before the problems (the preview shows it)
        raise error
    db.session.flush()
    return importer.result


def area_problem(code: str) -> str:
    """"No area with this code", with the closest codes (each once)."""
    import difflib

    known = db.session.scalars(select(Area.code)).all()
    hint = unique(difflib.get_close_matches(code, known, n=3))
    return f"Không có địa bàn mã '{code}'." + (f" Có phải: {', '.join(hint)}?" if hint else "")


def _file_area(doc: SourceDoc) -> str | None:
    area = doc.data.get("area")
    if isinstance(area, dict):
        area = area.get("code")
    return str(area).strip() if area else None


def with_area(docs: list[SourceDoc], problems: list[Problem], code: str | None) -> None:
    """`load-plans --area CODE`: the area of every plan (and of the frameworks its Word file
    defines) that does not name one; a plan naming another area is a problem, as is an unknown
    CODE (the files are still checked: every other error is listed too). A Word file's area is
    read from its issuing body: a name that is no known area counts as not naming one."""
    if not code:
        return
    code = code.strip()
    if db.session.scalar(select(Area).where(Area.code == code)) is None:
        problems.append(Problem("--area", "", "area", area_problem(code)))
        return
    for doc in docs:
        if doc.kind not in ("plan", "framework") or (doc.kind == "framework" and not doc.data.get("plan")):
            continue  # a framework file of its own (national or an area's) says its own area
        written = _file_area(doc)
        guessed = doc.path.lower().endswith(".docx")
        if written and written != code and not (
                guessed and db.session.scalar(select(Area.id).where(Area.code == written)) is None):
            if doc.kind == "plan":
                problems.append(Problem(doc.name, where_of(doc.data), "area",
                                        f"Tệp ghi địa bàn '{written}', khác địa bàn --area '{code}': "
                                        "sửa tệp hoặc bỏ --area."))
            continue
        doc.data["area"] = code


def load_paths(paths: list[str | Path], mapping: dict | None = None, actor=None, check=None,
               area: str | None = None) -> LoadResult:
    """Read and apply every file under `paths`. Raises LoadError listing all problems.

    `mapping` tells the Word reader what it could not recognise (tracker/plans/docx_source.py);
    `area` is the area of a plan that does not say (`with_area`)."""
    docs, problems = read_paths(paths, mapping)
    with_area(docs, problems, area)
    return apply_documents(docs, problems, actor, check)
