"""The calculator's view of a framework: indicators with their rules, inputs and printed texts.

Built from the database by `selfassessment.framework_spec`, by a campaign, or by hand in tests.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

@dataclass
class InputSpec:
    """One thing a provider gives for an indicator: a figure, a yes/no answer or a choice."""

    key: str
    text: str
    kind: str = "number"  # number | yes_no | choice
    options: list[dict] = field(default_factory=list)  # choice: [{key, text, points}]
    providers: list[str] = field(default_factory=list)
    providers_text: str | None = None


@dataclass
class IndicatorSpec:
    key: str
    code: str
    name: str
    max_points: Decimal | None
    rule: dict | None = None
    inputs: list[InputSpec] = field(default_factory=list)  # the document's inputs (a, b, ...)
    children: list["IndicatorSpec"] = field(default_factory=list)
    depth: int = 0
    # What the printed form shows beside the numbers.
    scoring: str | None = None
    evidence: str | None = None
    note: str | None = None
    providers: list[str] = field(default_factory=list)
    providers_text: str | None = None

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def input_text(self, symbol: str) -> str:
        return next((i.text for i in self.inputs if i.key == symbol), "")

    def asked(self) -> list[InputSpec]:
        """Everything the rule needs from the providers, in the order the form lists it: the
        document's inputs it uses (not those the document fixes), then its own questions, which
        the indicator's providers answer."""
        rule = self.rule or {}
        parts = [rule] + list(rule.get("parts") or [])
        own: list[InputSpec] = []

        def ask(key: str, text: str, kind: str = "number", options=None) -> None:
            own.append(InputSpec(key, text, kind, list(options or []), list(self.providers), self.providers_text))

        fixed: set[str] = set()
        symbols: set[str] = set()
        for part in parts:
            if part.get("gate"):
                ask(part["gate"]["key"], part["gate"]["text"], "yes_no")
            if part.get("type") in ("yes_no", "choice"):
                ask(part["key"], part["question"], part["type"], part.get("options"))
            if part.get("count"):
                ask(part["count"]["key"], part["count"]["text"])
            if isinstance(part.get("target"), dict):
                ask(part["target"]["key"], part["target"]["text"])
            ratio = part.get("ratio") or {}
            fixed |= set(ratio.get("fixed") or {})
            symbols |= set(ratio.get("numerator", [])) | set(ratio.get("denominator", []))
        return [i for i in self.inputs if i.key in symbols - fixed] + own


@dataclass
class FrameworkSpec:
    name: str
    max_points: Decimal | None  # what the document declares (1.000), else the sum of the roots
    roots: list[IndicatorSpec]
    year: int | None = None
    level: str | None = None
    general_info: list[dict] = field(default_factory=list)

    def walk(self):
        for root in self.roots:
            yield from root.walk()

    def find(self, code: str) -> IndicatorSpec | None:
        """By key first (unique), then by code when only one indicator carries it."""
        nodes = list(self.walk())
        by_key = next((n for n in nodes if n.key == code), None)
        if by_key is not None:
            return by_key
        matches = [n for n in nodes if n.code == code]
        return matches[0] if len(matches) == 1 else None
