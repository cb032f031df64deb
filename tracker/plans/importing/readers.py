"""Step 1 of the import: every format read into the same plan document (`SourceDoc`).

`READERS` maps a file suffix to its reader; every reader returns the documents of one file in
the shape documented in seed_plans/README.md (a Word plan also yields the frameworks its
criteria appendices define), each mapping knowing its place (line, sheet and row, table and row).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from tracker.plans.sources import LoadError, Problem, SourceDoc, collect_files, read_workbook, read_yaml


def _read_yaml(path: Path, mapping: dict | None) -> list[SourceDoc]:
    return [read_yaml(path)]


def _read_xlsx(path: Path, mapping: dict | None) -> list[SourceDoc]:
    doc = read_workbook(path)
    return [*doc.companions, doc]


def _read_docx(path: Path, mapping: dict | None) -> list[SourceDoc]:
    from tracker.plans.docx_source import read_docx

    doc = read_docx(path, mapping)
    return [*doc.frameworks, doc]


READERS: dict[str, Callable[[Path, dict | None], list[SourceDoc]]] = {
    ".yaml": _read_yaml,
    ".yml": _read_yaml,
    ".xlsx": _read_xlsx,
    ".docx": _read_docx,
}
SUFFIXES = tuple(READERS)

# Dependency order: units before what names them, frameworks before the plans that cite them.
ORDER = {"units": 0, "framework": 1, "plan": 2, "links": 3}


def read_source(path: Path, mapping: dict | None = None) -> list[SourceDoc]:
    """The documents of one file, by its suffix (anything else is read as YAML). Raises LoadError."""
    return READERS.get(path.suffix.lower(), _read_yaml)(path, mapping)


def read_paths(paths: list, mapping: dict | None = None) -> tuple[list[SourceDoc], list[Problem]]:
    """Every document under `paths`, in the order they apply, and every problem reading them."""
    problems: list[Problem] = []
    docs: list[SourceDoc] = []
    files = collect_files(paths)
    if not files:
        raise LoadError([Problem(", ".join(map(str, paths)), "", "", "Không tìm thấy tệp .yaml, .xlsx hoặc .docx nào.")])
    for path in files:
        if not path.exists():
            problems.append(Problem(str(path), "", "", "Tệp không tồn tại."))
            continue
        try:
            read = read_source(path, mapping)
        except LoadError as error:
            problems.extend(error.problems)
            continue
        for doc in read:
            problems.extend(doc.extra_problems)
            docs.append(doc)
    docs.sort(key=lambda d: (ORDER[d.kind], _area_depth(d), d.path))
    return docs, problems


def _area_depth(doc: SourceDoc) -> int:
    if doc.kind != "units":
        return 0
    area = doc.data.get("area") or {}
    depth = {"province": 0, "city": 0, "district": 1, "commune": 2}.get(area.get("level"), 3)
    # A province merged into another loads after the provinces, so that its successor exists.
    return 2 * depth + (1 if isinstance(area, dict) and area.get("merged_into") else 0)
