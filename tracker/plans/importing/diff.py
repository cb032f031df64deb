"""The diff against the database: what applying the files would do, with nothing written.

The preview runs the very steps that apply (pipeline.apply_documents) inside a savepoint and
rolls it back, so the dry run and the web preview can never disagree with the import itself.
Everything it returns is plain data (no ORM rows), read before the rollback.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from tracker.extensions import db
from tracker.plans.importing.pipeline import apply_documents, with_area
from tracker.plans.importing.readers import read_paths
from tracker.plans.importing.result import LoadResult
from tracker.plans.sources import LoadError, Problem, SourceDoc

ACTIONS = ("created", "updated", "unchanged", "not_in_file")


@dataclass
class Preview:
    documents: list[dict] = field(default_factory=list)  # what each file holds (describe_document)
    plans: list[dict] = field(default_factory=list)  # per plan: header and item changes
    summary: dict = field(default_factory=dict)  # LoadResult.as_json() shape
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unresolved_units: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict:
        summary = dict(self.summary) if self.summary else {
            "plans": [], "frameworks": [], "warnings": self.warnings, "changes": 0}
        summary["dry_run"] = True
        summary["unresolved_units"] = self.unresolved_units
        summary["errors"] = [problem_json(p) for p in self.problems]
        return summary


def problem_json(problem: Problem) -> dict:
    return {"file": problem.file, "where": problem.where, "field": problem.field, "message": problem.message}


def _count_items(node) -> tuple[int, int]:
    items = len(node.get("items") or [])
    sections = 0
    for section in node.get("sections") or []:
        sub_items, sub_sections = _count_items(section)
        items += sub_items
        sections += 1 + sub_sections
    return items, sections


def describe_document(doc: SourceDoc) -> dict:
    """What one read document holds, from the document alone (shown even when it has errors)."""
    data = doc.data
    described = {"file": doc.name, "kind": doc.kind}
    if doc.kind == "plan":
        appendices = []
        for node in data.get("appendices") or []:
            if not isinstance(node, dict):
                continue
            items, sections = _count_items(node)
            appendices.append({"number": str(node.get("number") or ""), "kind": node.get("kind"),
                               "title": str(node.get("title") or ""), "items": items, "sections": sections})
        date = data.get("date")
        described.update({
            "number": data.get("number"), "date": date.strftime("%d/%m/%Y") if hasattr(date, "strftime") else date,
            "issuing_body": data.get("issuing_body"), "area": data.get("area"), "title": data.get("title"),
            "appendices": appendices,
        })
    elif doc.kind == "framework":
        def count(nodes):
            return sum(1 + count(n.get("children")) for n in nodes or [] if isinstance(n, dict))

        described.update({"name": data.get("name"), "area": data.get("area"), "indicators": count(data.get("indicators"))})
    elif doc.kind == "units":
        area = data.get("area") if isinstance(data.get("area"), dict) else {}
        described.update({"area": area.get("code"), "name": area.get("name"), "units": len(data.get("units") or [])})
    return described


def _plans_of(result: LoadResult) -> list[dict]:
    from tracker.plans.identity import number_label

    plans = []
    for plan in result.plans:
        changes = result.plan_changes.get(plan.id)
        items = [asdict(change) for change in changes.items] if changes else []
        plans.append({
            "id": None if changes and changes.created_plan else plan.id,
            "number": plan.number, "number_label": number_label(plan.number), "title": plan.title,
            "area": plan.area.code if plan.area else None, "area_name": plan.area.name if plan.area else None,
            "date_label": plan.date_label, "issuing_body": plan.issuing_body,
            "created": bool(changes and changes.created_plan),
            "plan_fields": changes.plan_fields if changes else {},
            "counts": {a: sum(1 for i in items if i["action"] == a) for a in ACTIONS},
            "items": items,
        })
    return plans


def preview_documents(docs: list[SourceDoc], problems: list[Problem], actor=None, check=None) -> Preview:
    preview = Preview(documents=[describe_document(d) for d in docs])
    savepoint = db.session.begin_nested()
    try:
        try:
            result = apply_documents(docs, problems, actor, check)
        except LoadError as error:
            result = getattr(error, "result", None)
            preview.problems = list(error.problems)
            preview.unresolved_units = list(getattr(error, "unresolved_units", []))
        else:
            preview.summary = result.as_json()
            preview.unresolved_units = list(result.unresolved_units)
        if result is not None:
            preview.plans = _plans_of(result)
            preview.warnings = list(result.warnings)
    finally:
        savepoint.rollback()
    return preview


def preview_paths(paths: list, mapping: dict | None = None, actor=None, check=None, area: str | None = None) -> Preview:
    """What loading `paths` would do; nothing is written. A file that cannot be found or read
    is a problem of the preview, not an exception. `area`: as load_paths'."""
    try:
        docs, problems = read_paths(paths, mapping)
    except LoadError as error:
        return Preview(problems=list(error.problems))
    with_area(docs, problems, area)
    return preview_documents(docs, problems, actor, check)
