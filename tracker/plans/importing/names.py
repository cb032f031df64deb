"""Unit names as the documents write them, resolved to the area's units and unit groups.

The printed wording is always kept (`owner_text`, `name_as_written`); resolution only decides
which units an item belongs to. A name is looked up in the area and then its enclosing areas
(a closer area wins). Wording that is not itself a known name is split: on ";" and "/", then on
commas (the longest run of pieces that names a unit: "Sở, ban, ngành" is one), then
"Sở A (Trung tâm B)" as A and B, then "X và Y" as X and Y, each only when every part resolves.
"""
from __future__ import annotations

import difflib
import re

from sqlalchemy import select

from tracker.core.text import fold_name
from tracker.extensions import db
from tracker.units.models import Area, Unit, UnitGroup

_PARENTHESISED = re.compile(r"^(?P<outer>[^()]+?)\s*\((?P<inner>[^()]+)\)\s*$")
_AND_SPLIT = re.compile(r"(\s+(?:và|cùng)\s+)", re.IGNORECASE)


def split_major(text: str) -> list[str]:
    parts = [text]
    for separator in (";", "/"):
        parts = [piece for part in parts for piece in part.split(separator)]
    return [p.strip() for p in parts if p.strip()]


def unique(values) -> list:
    """In order, without repeats (hint lists name each unit once)."""
    seen: list = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


class NameResolver:
    """Mixin of the importer: `self.problem(doc, node, field, message)` reports."""

    def __init__(self) -> None:
        self._names: dict[int, dict[str, list[Unit | UnitGroup]]] = {}

    def names(self, area: Area) -> dict[str, list[Unit | UnitGroup]]:
        """folded name -> units/groups, for the area and its enclosing areas."""
        if area.id not in self._names:
            index: dict[str, list] = {}
            current: Area | None = area
            while current is not None:
                # A closer area wins: a district's "Phòng Nội vụ" hides nothing of the province.
                local: dict[str, list] = {}
                for unit in db.session.scalars(select(Unit).where(Unit.area_id == current.id)):
                    keys = {fold_name(unit.name), fold_name(unit.short_name or "")} | {a.folded for a in unit.aliases}
                    for key in keys - {""}:
                        local.setdefault(key, []).append(unit)
                for group in db.session.scalars(select(UnitGroup).where(UnitGroup.area_id == current.id)):
                    for key in {fold_name(group.name)} | {fold_name(a) for a in group.aliases}:
                        if group not in local.setdefault(key, []):
                            local[key].append(group)
                for key, found in local.items():
                    index.setdefault(key, found)
                current = current.parent
            self._names[area.id] = index
        return self._names[area.id]

    def resolve_one(self, area: Area, name: str) -> list:
        return self.names(area).get(fold_name(name), [])

    def closest_names(self, area: Area, name: str, n: int = 3) -> list[str]:
        index = self.names(area)
        hints = difflib.get_close_matches(fold_name(name), list(index), n=n * 3, cutoff=0.6)
        return unique(index[h][0].name if index.get(h) else h for h in hints)[:n]

    def resolve_names(self, doc, node, field_name: str, area: Area, value) -> list[tuple[str, Unit | UnitGroup]]:
        """Unit/group references from a name, a list of names, or the document's wording."""
        if value is None or value == "":
            return []
        parts = value if isinstance(value, list) else [value]
        resolved: list[tuple[str, Unit | UnitGroup]] = []
        for part in parts:
            text = str(part).strip()
            if not text:
                continue
            matches = self.resolve_one(area, text)
            if matches:
                resolved.append(self._pick(doc, node, field_name, text, matches))
                continue
            compound = self._resolve_compound(area, text) if "(" in text else None
            if compound is not None:
                resolved.extend(self._pick(doc, node, field_name, t, m) for t, m in compound)
                continue
            for chunk in split_major(text):
                pieces = [p.strip() for p in chunk.split(",")]
                i = 0
                while i < len(pieces):
                    for j in range(len(pieces), i, -1):
                        candidate = ", ".join(pieces[i:j]).strip()
                        matches = self.resolve_one(area, candidate) if candidate else []
                        if matches:
                            resolved.append(self._pick(doc, node, field_name, candidate, matches))
                            i = j
                            break
                    else:
                        unknown = pieces[i]
                        if unknown:
                            compound = self._resolve_compound(area, unknown)
                            if compound is not None:
                                resolved.extend(self._pick(doc, node, field_name, t, m) for t, m in compound)
                            else:
                                self.unknown_name(doc, node, field_name, area, unknown)
                        i += 1
        return [r for r in resolved if r[1] is not None]

    def _resolve_compound(self, area: Area, text: str) -> list[tuple[str, list]] | None:
        """"Sở A (Trung tâm B)" -> A then B; "X và Y" -> X then Y (the longest runs that name
        units: "Sở Tài chính và Sở Kế hoạch và Đầu tư" is two); None unless every part is known."""
        match = _PARENTHESISED.match(text)
        if match:
            found = []
            for piece in (match.group("outer").strip(), match.group("inner").strip()):
                part = self._known_or_compound(area, piece)
                if part is None:
                    return None
                found.extend(part)
            return found
        tokens = _AND_SPLIT.split(text)  # [piece, separator, piece, ...]
        pieces, separators = tokens[0::2], tokens[1::2]
        if len(pieces) < 2:
            return None
        found, i = [], 0
        while i < len(pieces):
            for j in range(len(pieces), i, -1):
                candidate = pieces[i] + "".join(separators[k] + pieces[k + 1] for k in range(i, j - 1))
                if (i, j) == (0, len(pieces)):
                    continue  # the whole text is what failed
                matches = self.resolve_one(area, candidate.strip())
                if matches:
                    found.append((candidate.strip(), matches))
                    i = j
                    break
            else:
                return None
        return found

    def _known_or_compound(self, area: Area, text: str):
        matches = self.resolve_one(area, text)
        if matches:
            return [(text, matches)]
        if "," in text:  # "Sở A, Sở B (Trung tâm C)" inside: every comma piece must be known
            parts = []
            for piece in (p.strip() for p in text.split(",")):
                known = self._known_or_compound(area, piece) if piece else None
                if known is None:
                    return None
                parts.extend(known)
            return parts
        return self._resolve_compound(area, text)

    def unknown_name(self, doc, node, field_name: str, area: Area, name: str) -> None:
        hint = self.closest_names(area, name)
        self.unresolved.append({"file": doc.name, "where": getattr(node, "where", ""), "field": field_name,
                                "name": name, "area": area.code, "closest": hint})
        self.problem(
            doc, node, field_name,
            f"Không tìm thấy đơn vị '{name}' ở {area.name}." + (f" Tên gần đúng: {'; '.join(hint)}." if hint else ""),
        )

    def _pick(self, doc, node, field_name, text, matches):
        if len(matches) > 1:
            self.problem(doc, node, field_name, f"Tên '{text}' chỉ nhiều đơn vị: {'; '.join(m.name for m in matches)}.")
        return (text, matches[0])
