"""The labels Word prints in front of automatically numbered paragraphs ("1.", "II.", "a)", "-").

A table's STT column is often a numbered list: the cell holds no text, Word draws "1.", "2."...
from numbering.xml. `Numbering.label(p)` gives the label of a paragraph as Word counts it: one
counter per list (numId) through the document, in document order, deeper levels restarting
under a new higher one. Paragraphs must be asked in document order; a paragraph asked twice gets
its first label.
"""
from __future__ import annotations

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
_BULLETS = {"-", "–", "+", "*", "•"}


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out += letters
            n -= value
    return out


def _letters(n: int) -> str:
    # Word repeats the letter past Z: 27 is "AA", 28 "BB".
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _format(n: int, fmt: str) -> str:
    if fmt in ("upperRoman", "lowerRoman"):
        text = _roman(n)
        return text.upper() if fmt == "upperRoman" else text
    if fmt in ("upperLetter", "lowerLetter"):
        text = _letters(n)
        return text.upper() if fmt == "upperLetter" else text
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "none":
        return ""
    return str(n)


def _val(element, name: str) -> str | None:
    found = element.find(qn(name)) if element is not None else None
    return found.get(qn("w:val")) if found is not None else None


class Numbering:
    def __init__(self, document) -> None:
        self.lists: dict[str, dict[int, tuple[int, str, str]]] = {}   # numId -> level -> (start, format, text)
        self.styles: dict[str, tuple[str, int]] = {}                   # paragraph style -> (numId, level)
        self.counters: dict[str, dict[int, int]] = {}
        self.labels: dict = {}
        # The numbering part read directly: python-docx's `numbering_part` would try to create one when
        # the document has none (and that creation is unimplemented in python-docx).
        try:
            numbering = document.part.part_related_by(RT.NUMBERING).element
        except KeyError:  # a document without numbered lists
            numbering = None
        if numbering is not None:
            abstract = {a.get(qn("w:abstractNumId")): self._levels(a) for a in numbering.findall(qn("w:abstractNum"))}
            for num in numbering.findall(qn("w:num")):
                levels = dict(abstract.get(_val(num, "w:abstractNumId"), {}))
                for override in num.findall(qn("w:lvlOverride")):
                    level = int(override.get(qn("w:ilvl"), "0"))
                    start, fmt, text = levels.get(level, (1, "decimal", f"%{level + 1}."))
                    if override.find(qn("w:lvl")) is not None:
                        start, fmt, text = self._levels(override).get(level, (start, fmt, text))
                    if _val(override, "w:startOverride") is not None:
                        start = int(_val(override, "w:startOverride"))
                    levels[level] = (start, fmt, text)
                self.lists[num.get(qn("w:numId"))] = levels
        styles = document.styles.element
        based_on: dict[str, str | None] = {}
        own: dict[str, tuple[str | None, int]] = {}
        for style in styles.findall(qn("w:style")):
            style_id = style.get(qn("w:styleId"))
            based_on[style_id] = _val(style, "w:basedOn")
            num_pr = style.find(qn("w:pPr") + "/" + qn("w:numPr"))
            if num_pr is not None:
                own[style_id] = (_val(num_pr, "w:numId"), int(_val(num_pr, "w:ilvl") or 0))
        for style_id in based_on:
            current, seen = style_id, set()
            while current and current not in own and current not in seen:
                seen.add(current)
                current = based_on.get(current)
            if current in own and own[current][0]:
                self.styles[style_id] = own[current]  # type: ignore[assignment]

    @staticmethod
    def _levels(element) -> dict[int, tuple[int, str, str]]:
        levels = {}
        for lvl in element.findall(qn("w:lvl")):
            level = int(lvl.get(qn("w:ilvl"), "0"))
            levels[level] = (int(_val(lvl, "w:start") or 1), _val(lvl, "w:numFmt") or "decimal", _val(lvl, "w:lvlText") or "")
        return levels

    def label(self, p) -> str:
        if p in self.labels:
            return self.labels[p]
        label = self._count(p)
        self.labels[p] = label
        return label

    def _count(self, p) -> str:
        p_pr = p.find(qn("w:pPr"))
        num_pr = p_pr.find(qn("w:numPr")) if p_pr is not None else None
        if num_pr is not None:
            num_id, level = _val(num_pr, "w:numId"), int(_val(num_pr, "w:ilvl") or 0)
        else:
            style = _val(p_pr, "w:pStyle") if p_pr is not None else None
            num_id, level = self.styles.get(style, (None, 0))
        levels = self.lists.get(num_id or "")
        if not levels or num_id == "0":
            return ""
        counters = self.counters.setdefault(num_id, {})
        start, fmt, text = levels.get(level, (1, "decimal", f"%{level + 1}."))
        counters[level] = counters[level] + 1 if level in counters else start
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        if fmt == "bullet":
            return text if text in _BULLETS else "•"
        for k in range(level, -1, -1):
            k_start, k_fmt, _ = levels.get(k, (1, "decimal", ""))
            text = text.replace(f"%{k + 1}", _format(counters.get(k, k_start), k_fmt))
        return text.strip()
