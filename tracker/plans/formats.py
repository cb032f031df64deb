"""Which reader reads a plan source, by the file's extension: YAML, Excel (.xlsx) or Word (.docx)."""
from __future__ import annotations

from pathlib import Path

from tracker.plans.sources import SourceDoc, read_workbook, read_yaml


def read_source(path: Path, mapping: dict | None = None) -> list[SourceDoc]:
    """The documents of one file: one, or for a Word plan (read with `mapping`, see
    docx_source) the plan and the frameworks its criteria appendices define. Raises LoadError."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return [read_workbook(path)]
    if suffix == ".docx":
        from tracker.plans.docx_source import read_docx

        doc = read_docx(path, mapping)
        return [*doc.frameworks, doc]
    return [read_yaml(path)]
