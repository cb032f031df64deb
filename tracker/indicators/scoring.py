"""The DTI calculator: points per indicator, pillar and total, each with how it got there.

Pure: it reads a `FrameworkSpec` (built from the database by `selfassessment.framework_spec`, or
by hand in tests) and a mapping of indicator code -> inputs, and returns a `FrameworkScore`.
Arithmetic is exact (fractions); each indicator's points are rounded half up to two decimals and
the pillars and the total add up the rounded points, as the printed form does.

An indicator is
- "scored": its rule computed the points from the inputs;
- "judgement": the points were entered by the coordinator with a reason (the rule says so, or the
  document gives no way to compute them, e.g. b = 0);
- "missing": an input is missing or unusable; it counts 0 until it is given.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Mapping

from tracker.core.formatting import format_number
from tracker.indicators.evaluation import Evaluator
from tracker.indicators.figures import number, parse_amount, points_text, round_points
from tracker.indicators.rules import INFO_KEYS, JUDGEMENT_KEYS
from tracker.indicators.spec import FrameworkSpec, IndicatorSpec

SCORED, MISSING, JUDGEMENT = "scored", "missing", "judgement"
STATUS_LABELS = {SCORED: "Đã tính điểm", MISSING: "Chưa đủ số liệu", JUDGEMENT: "Chấm theo đánh giá"}

# --------------------------------------------------------------------------- the result


@dataclass
class IndicatorScore:
    spec: IndicatorSpec
    points: Decimal | None
    max_points: Decimal | None
    status: str
    explanation: str
    problems: list[str] = field(default_factory=list)
    children: list["IndicatorScore"] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.spec.code

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class FrameworkScore:
    spec: FrameworkSpec
    total: Decimal
    max_points: Decimal | None
    roots: list[IndicatorScore]
    explanation: str

    def all(self) -> list[IndicatorScore]:
        return [s for root in self.roots for s in root.walk()]

    def indicators(self) -> list[IndicatorScore]:
        return [s for s in self.all() if not s.children]

    def pillars(self) -> list[IndicatorScore]:
        return [s for s in self.all() if s.children]

    def get(self, key: str) -> IndicatorScore | None:
        return next((s for s in self.all() if s.spec.key == key), None)

    def counts(self) -> dict[str, int]:
        result = {SCORED: 0, MISSING: 0, JUDGEMENT: 0}
        for score in self.indicators():
            result[score.status] += 1
        return result

    def as_json(self) -> dict:
        return {
            "total": _json_number(self.total),
            "max": _json_number(self.max_points),
            "pillars": [{"code": p.code, "points": _json_number(p.points), "max": _json_number(p.max_points)}
                        for p in self.pillars()],
            "indicators": [
                {"code": s.code, "points": _json_number(s.points), "max": _json_number(s.max_points),
                 "status": s.status, "explanation": s.explanation}
                for s in self.indicators()
            ],
        }


@dataclass
class ValueProblem:
    indicator: str
    field: str
    message: str
    where: str = ""  # "dòng 12" when the values came from a YAML file

    def __str__(self) -> str:
        place = ", ".join(p for p in (self.where, f"chỉ số \"{self.indicator}\"" if self.indicator else "",
                                      f"trường '{self.field}'" if self.field else "") if p)
        return f"{place}: {self.message}" if place else self.message


def _json_number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)



def _judgement(spec: IndicatorSpec, entry: Mapping[str, Any]) -> tuple[Decimal | None, str | None, list[tuple[str, str]]]:
    """The coordinator's points and reason, checked: 0 ≤ points ≤ max and a reason given."""
    problems: list[tuple[str, str]] = []
    raw, reason = entry.get("points"), " ".join(str(entry.get("reason") or "").split())
    if raw is None and not reason:
        return None, None, problems
    value = parse_amount(raw) if raw is not None else None
    if value is None:
        problems.append(("points", f"Điểm '{raw}' không phải là số." if raw is not None else "Thiếu điểm (points)."))
    elif value < 0 or (spec.max_points is not None and value > Fraction(spec.max_points)):
        problems.append(("points", f"Điểm {number(value)} phải từ 0 đến {number(spec.max_points)}."))
    if not reason:
        problems.append(("reason", "Điểm chấm theo đánh giá phải kèm lý do (reason)."))
    if problems:
        return None, None, problems
    return round_points(value), reason, problems


def _allowed_keys(spec: IndicatorSpec) -> set[str]:
    rule = spec.rule or {}
    keys = {i.key for i in spec.asked()} | set(JUDGEMENT_KEYS) | set(INFO_KEYS)
    for part in [rule] + list(rule.get("parts") or []):
        keys |= set((part.get("ratio") or {}).get("fixed") or {})
    return keys


def _score_leaf(spec: IndicatorSpec, entry: Mapping[str, Any]) -> tuple[IndicatorScore, list[tuple[str, str]]]:
    problems = [(key, "Trường không dùng cho chỉ số này (các trường dùng được: "
                      f"{', '.join(sorted(_allowed_keys(spec) - set(INFO_KEYS)))}).")
                for key in entry if key not in _allowed_keys(spec)]
    rule = spec.rule
    judged, reason, judgement_problems = _judgement(spec, entry)
    problems += judgement_problems
    if spec.max_points is None:
        return IndicatorScore(spec, None, None, MISSING, "Tài liệu không ghi điểm tối đa cho chỉ số này."), problems
    if rule is None or rule["type"] == "judgement":
        why = "Chưa có quy tắc tính điểm" if rule is None else "Chỉ số chấm theo đánh giá"
        if rule is not None and rule.get("reason"):
            why += f" ({rule['reason']})"
        if judged is not None:
            return IndicatorScore(spec, judged, spec.max_points, JUDGEMENT,
                                  f"{why}: điều phối viên chấm {points_text(judged)}. Lý do: {reason}"), problems
        return IndicatorScore(spec, None, spec.max_points, MISSING,
                              f"{why}: điều phối viên nhập điểm (points) và lý do (reason)."), problems
    out = Evaluator(spec, entry).run(rule)
    problems += out.problems
    if out.zero_denominator and not out.problems:
        stated = (f"{out.zero_denominator}: mẫu số bằng 0 nên không tính được tỷ lệ; tài liệu không quy định "
                  "trường hợp này")
        if judged is not None:
            return IndicatorScore(spec, judged, spec.max_points, JUDGEMENT,
                                  f"{stated}. Điều phối viên chấm {points_text(judged)}. Lý do: {reason}"), problems
        return IndicatorScore(spec, None, spec.max_points, MISSING,
                              f"{stated}: điều phối viên chấm theo đánh giá (points, reason)."), problems
    if judged is not None:
        problems.append(("points", "Chỉ số này tính điểm theo công thức từ số liệu; chỉ nhập điểm trực tiếp khi "
                                   "chỉ số chấm theo đánh giá hoặc mẫu số bằng 0."))
    if out.problems:
        return IndicatorScore(spec, None, spec.max_points, MISSING,
                              "Số liệu không hợp lệ: " + "; ".join(m for _, m in out.problems),
                              [m for _, m in out.problems]), problems
    if out.missing:
        return IndicatorScore(spec, None, spec.max_points, MISSING,
                              "Thiếu số liệu: " + "; ".join(out.missing)), problems
    return IndicatorScore(spec, round_points(out.share * Fraction(spec.max_points)), spec.max_points, SCORED,
                          out.text), problems


def _sum(parts: list[Decimal | None]) -> Decimal:
    return sum((p for p in parts if p is not None), Decimal(0))


def _score_node(spec: IndicatorSpec, values: Mapping[str, Mapping], problems: list[ValueProblem]) -> IndicatorScore:
    entry = _entry(values, spec)
    if not spec.children:
        score, found = _score_leaf(spec, entry or {})
        problems += [ValueProblem(spec.code, f, m, getattr(entry, "where", "")) for f, m in found]
        return score
    if entry:
        problems.append(ValueProblem(spec.code, "", "Điểm của chỉ số này là tổng các chỉ số thành phần; "
                                                   "nhập số liệu cho từng chỉ số thành phần.", getattr(entry, "where", "")))
    children = [_score_node(child, values, problems) for child in spec.children]
    total = _sum([c.points for c in children])
    printed = spec.max_points
    maximum = printed if printed is not None else _sum([c.max_points for c in children])
    text = f"Tổng điểm {len(children)} chỉ số thành phần: {' + '.join(format_number(c.points or 0) for c in children)}"
    text += f" = {points_text(total)}"
    if printed is not None and total > printed:
        text += f"; vượt điểm tối đa {format_number(printed)} in trong tài liệu → tính {points_text(printed)}"
        total = printed
    missing = [c.code for c in children if c.status == MISSING]
    if missing:
        text += f" (chưa đủ số liệu: {', '.join(missing)})"
    status = MISSING if missing else (JUDGEMENT if any(c.status == JUDGEMENT for c in children) else SCORED)
    return IndicatorScore(spec, total, maximum, status, text, children=children)


def _entry(values: Mapping[str, Mapping], spec: IndicatorSpec):
    entry = values.get(spec.key)
    if entry is None and spec.key != spec.code:
        entry = values.get(spec.code)
    return entry


def check_values(spec: FrameworkSpec, values: Mapping[str, Any]) -> list[ValueProblem]:
    """Every problem of a values mapping: unknown codes, fields, figures that are not numbers..."""
    return score(spec, values)[1]


def score(spec: FrameworkSpec, values: Mapping[str, Any]) -> tuple[FrameworkScore, list[ValueProblem]]:
    """The score of every indicator, pillar and the total, and every problem of the values (an
    indicator whose values have a problem is "missing")."""
    problems: list[ValueProblem] = []
    usable: dict[str, Mapping] = {}
    for code, entry in (values or {}).items():
        where = getattr(entry, "where", "") or getattr(values, "where", "")
        if not isinstance(code, str):
            problems.append(ValueProblem(str(code), "", f"Mã chỉ số phải viết trong ngoặc kép, ví dụ \"{code}\".", where))
            continue
        node = spec.find(code)
        if node is None:
            problems.append(ValueProblem(code, "", f"Không có chỉ số '{code}' trong {spec.name}.", where))
            continue
        if entry is not None and not isinstance(entry, Mapping):
            problems.append(ValueProblem(code, "", "Số liệu của chỉ số là một bảng, ví dụ {a: 5, b: 5} hoặc "
                                                   "{answer: \"có\"}.", where))
            continue
        usable[node.key] = entry or {}
    roots = [_score_node(root, usable, problems) for root in spec.roots]
    total = _sum([r.points for r in roots])
    maximum = spec.max_points if spec.max_points is not None else _sum([r.max_points for r in roots])
    counts = {SCORED: 0, MISSING: 0, JUDGEMENT: 0}
    for root in roots:
        for node in root.walk():
            if not node.children:
                counts[node.status] += 1
    explanation = f"Tổng điểm: {points_text(total)} / {format_number(maximum)}"
    if maximum is not None and total > maximum:
        explanation += f"; vượt tổng điểm tối đa → tính {points_text(maximum)}"
        total = maximum
    if counts[MISSING]:
        explanation += f" (tạm tính: {counts[MISSING]} chỉ số chưa đủ số liệu, tính 0 điểm)"
    return FrameworkScore(spec, total, maximum, roots, explanation), problems
