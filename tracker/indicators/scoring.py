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

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Mapping

from tracker.core.formatting import format_number
from tracker.core.text import fold_search
from tracker.indicators.rules import ANSWER_KEY, INFO_KEYS, JUDGEMENT_KEYS, parse_fraction

SCORED, MISSING, JUDGEMENT = "scored", "missing", "judgement"
STATUS_LABELS = {SCORED: "Đã tính điểm", MISSING: "Chưa đủ số liệu", JUDGEMENT: "Chấm theo đánh giá"}
_AMBIGUOUS = re.compile(r"^\d{1,3}\.\d{3}$")  # "1.234": a thousand and more, or one point two three four?
_YES = {"co", "yes", "true"}
_NO = {"khong", "no", "false"}


# --------------------------------------------------------------------------- the framework


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
        """Everything the rule needs from the providers, in the order the form lists it."""
        rule = self.rule or {}
        result: list[InputSpec] = []
        fixed: set[str] = set()
        for part in [rule] + list(rule.get("parts") or []):
            if part.get("gate"):
                result.append(InputSpec(part["gate"]["key"], part["gate"]["text"], "yes_no"))
            if part.get("type") in ("yes_no", "choice"):
                options = part.get("options") or []
                result.append(InputSpec(part["key"], part["question"], part["type"], options))
            if part.get("count"):
                result.append(InputSpec(part["count"]["key"], part["count"]["text"]))
            if isinstance(part.get("target"), dict):
                result.append(InputSpec(part["target"]["key"], part["target"]["text"]))
            fixed |= set((part.get("ratio") or {}).get("fixed") or {})
        symbols = {s for part in [rule] + list(rule.get("parts") or []) for side in ("numerator", "denominator")
                   for s in (part.get("ratio") or {}).get(side, [])}
        documented = [i for i in self.inputs if i.key in symbols - fixed]
        return documented + result


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


# --------------------------------------------------------------------------- Vietnamese figures


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def round_points(value: Fraction) -> Decimal:
    return _decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize() + Decimal(0)


def number(value: Fraction | Decimal | int, decimals: int = 2) -> str:
    """12.5 -> "12,5"; 1234 -> "1.234" (Vietnamese decimal comma and thousands dots)."""
    value = _decimal(value) if isinstance(value, Fraction) else Decimal(value)
    return format_number(value, decimals)


def percent(value: Fraction) -> str:
    return f"{number(value * 100)} %"


def share(value: Fraction) -> str:
    """A printed share of the maximum: 1/2, 4/5 (as the document writes them)."""
    return str(value)


def points_text(value: Decimal | Fraction) -> str:
    if isinstance(value, Fraction):
        value = round_points(value)
    return f"{format_number(value)} điểm"


# --------------------------------------------------------------------------- reading values


def parse_amount(value) -> Fraction | None:
    """A figure as a provider writes it: 45, 12.5, "12,5", "1.234.567", "1.234,5"; None if not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, Decimal)):
        return parse_fraction(value)
    text = str(value).strip().replace(" ", "")
    if not text or "/" in text or "%" in text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".") if text.count(",") == 1 else ""
    elif text.count(".") == 1 and len(text.split(".")[1]) == 3:
        return None  # "1.234": a thousand and thirty-four, or one point two three four?
    elif text.count(".") > 1:
        groups = text.split(".")
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            return None
        text = text.replace(".", "")
    return parse_fraction(text) if text else None


def parse_answer(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    folded = fold_search(str(value))
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    return None


# --------------------------------------------------------------------------- evaluation


@dataclass
class _Outcome:
    share: Fraction | None = None  # of the indicator's maximum
    text: str = ""
    missing: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (field, message)
    zero_denominator: str | None = None  # the ratio's text when b = 0


class _Evaluator:
    """Applies one indicator's rule to its values entry."""

    def __init__(self, spec: IndicatorSpec, entry: Mapping[str, Any]):
        self.spec = spec
        self.entry = entry
        self.max = Fraction(spec.max_points) if spec.max_points is not None else None

    def run(self, rule: dict) -> _Outcome:
        out = _Outcome()
        share_ = getattr(self, f"rule_{rule['type']}")(rule, out)
        out.share = share_ if not (out.missing or out.problems or out.zero_denominator) else None
        return out

    # -- inputs -----------------------------------------------------------------------------

    def figure(self, key: str, text: str, out: _Outcome, fixed: dict | None = None) -> Fraction | None:
        if fixed and key in fixed:
            value = Fraction(fixed[key])
            given = self.entry.get(key)
            if given is not None and parse_amount(given) != value:
                out.problems.append((key, f"Tài liệu cố định {key} = {number(value)}; không nhập giá trị khác."))
            return value
        raw = self.entry.get(key)
        if raw is None or raw == "":
            out.missing.append(f"{key} ({text})" if text else key)
            return None
        value = parse_amount(raw)
        if value is None and _AMBIGUOUS.match(str(raw).strip()):
            whole = str(raw).strip().replace(".", "")
            out.problems.append((key, f"'{raw}' không rõ: {whole} thì viết {whole} hoặc {raw},0; "
                                      f"số thập phân thì viết {str(raw).strip().replace('.', ',')}."))
        elif value is None:
            out.problems.append((key, f"'{raw}' không phải là số (ví dụ đúng: 45, 12,5, 1.234.567)."))
        elif value < 0:
            out.problems.append((key, f"Số liệu không được âm: {raw}."))
            return None
        return value

    def answer(self, key: str, text: str, out: _Outcome) -> bool | None:
        raw = self.entry.get(key)
        if raw is None or raw == "":
            out.missing.append(f"{key} ({text})")
            return None
        value = parse_answer(raw)
        if value is None:
            out.problems.append((key, f"Câu trả lời '{raw}' không hợp lệ: ghi \"có\" hoặc \"không\"."))
        return value

    def ratio(self, ratio: dict, out: _Outcome) -> tuple[Fraction | None, str]:
        """The ratio's value and its text: "(a + b)/c = (3 + 4)/10 = 7/10 = 70 %"."""
        fixed = ratio.get("fixed") or {}
        order = [i.key for i in self.spec.inputs]
        # Read in the document's order (a, b, c...), so that what is missing is listed that way.
        symbols_read = sorted(set(ratio["numerator"] + ratio["denominator"]),
                              key=lambda s: order.index(s) if s in order else len(order))
        read = {s: self.figure(s, self.spec.input_text(s), out, fixed) for s in symbols_read}
        sides = [(ratio[side], [read[s] for s in ratio[side]]) for side in ("numerator", "denominator")]
        if any(v is None for _, values in sides for v in values):
            return None, ""
        (num_symbols, num_values), (den_symbols, den_values) = sides
        top, bottom = sum(num_values, Fraction(0)), sum(den_values, Fraction(0))

        def expression(items) -> str:
            return items[0] if len(items) == 1 else f"({' + '.join(items)})"

        formula = f"{expression(num_symbols)}/{expression(den_symbols)}"
        figures = f"{expression([number(v) for v in num_values])}/{expression([number(v) for v in den_values])}"
        if len(num_values) > 1 or len(den_values) > 1:
            figures += f" = {number(top)}/{number(bottom)}"
        if bottom == 0:
            out.zero_denominator = f"{formula} = {figures}"
            return None, ""
        value = top / bottom
        as_percent = ratio.get("format", "percent") == "percent"
        text = f"{formula} = {figures} = {percent(value) if as_percent else number(value, 4)}"
        if as_percent and value > 1:
            if ratio.get("may_exceed"):
                text += f" (vượt 100 %: {ratio['may_exceed']})"
            else:
                out.problems.append((den_symbols[0], f"{formula} = {figures}: {expression(num_symbols)} lớn hơn "
                                     f"{expression(den_symbols)}, tỷ lệ này không thể vượt 100 %. Kiểm tra lại số liệu."))
        return value, text

    def level(self, value: Fraction, ratio: dict | None) -> str:
        """A threshold as the document writes it: 80 %, 0,5, 52."""
        if ratio is not None and ratio.get("format", "percent") == "percent":
            return percent(value)
        return number(value, 4)

    def of_max(self, part: Fraction, multiplier: str | None = None) -> str:
        """"1/2 × 20 = 10 điểm", "điểm tối đa 20 điểm", "0 điểm"."""
        if part == 1 and multiplier is None:
            return f"điểm tối đa {points_text(self.max)}"
        if part == 0:
            return "0 điểm"
        return f"{multiplier or share(part)} × {number(self.max)} = {points_text(part * self.max)}"

    # -- rule types -------------------------------------------------------------------------

    def rule_proportional(self, rule: dict, out: _Outcome) -> Fraction | None:
        value, text = self.ratio(rule["ratio"], out)
        target = rule["target"]
        if isinstance(target, dict):
            target_value = self.figure(target["key"], target["text"], out)
            if target_value == 0:
                out.problems.append((target["key"], f"{target['text']} phải lớn hơn 0."))
        else:
            target_value = Fraction(target)
        if value is None or not target_value:
            return None
        factor = Fraction(rule["factor"])
        factor_text = "" if factor == 1 else f" × {share(factor)}"
        shown_target = self.level(target_value, rule["ratio"] if not isinstance(target, dict) else None)
        if value >= target_value:
            compared = text if target_value == 1 else f"{text} ≥ {shown_target}"
            out.text = f"{compared} → {self.of_max(factor)}"
            return factor
        result = factor * value / target_value
        if target_value == 1:
            head = number(value, 4)
        else:
            text, head = f"{text} < {shown_target}", f"{self.level(value, rule['ratio'])}/{shown_target}"
        out.text = f"{text} → {head}{factor_text} × {number(self.max)} = {points_text(result * self.max)}"
        return result

    def rule_threshold(self, rule: dict, out: _Outcome) -> Fraction | None:
        value, text = self.ratio(rule["ratio"], out)
        if value is None:
            return None
        at = Fraction(rule["at"])
        if value >= at:
            out.text = f"{text} ≥ {self.level(at, rule['ratio'])} → {self.of_max(Fraction(1))}"
            return Fraction(1)
        out.text = f"{text} < {self.level(at, rule['ratio'])} → 0 điểm"
        return Fraction(0)

    def rule_bands(self, rule: dict, out: _Outcome) -> Fraction | None:
        prefix = ""
        if rule.get("gate"):
            opened = self.answer(rule["gate"]["key"], rule["gate"]["text"], out)
            if opened is False:
                out.text = "Không → 0 điểm"
                out.missing.clear()  # nothing else is needed once the gate is closed
                return Fraction(0)
            prefix = "Có; "
        if rule.get("ratio"):
            value, text = self.ratio(rule["ratio"], out)
        else:
            count = rule["count"]
            value = self.figure(count["key"], count["text"], out)
            text = f"{count['text']}: {number(value)}" if value is not None else ""
        if value is None:
            return None
        ratio = rule.get("ratio")
        previous = None
        for band in rule["bands"]:
            lower = Fraction(band["from"]) if band["from"] is not None else None
            if lower is None or value >= lower:
                if lower is not None:
                    compared = f"{text} ≥ {self.level(lower, ratio)}"
                elif previous is not None:
                    compared = f"{text} < {self.level(previous, ratio)}"
                else:
                    compared = text
                result, shown = self.band_points(band["points"], value, ratio)
                out.text = f"{prefix}{compared} → {shown}"
                return result
            previous = lower
        return None  # unreachable: the reader makes the last band open

    def band_points(self, points: dict, value: Fraction, ratio: dict | None) -> tuple[Fraction, str]:
        if "fraction" in points:
            part = Fraction(points["fraction"])
            return part, self.of_max(part)
        over = Fraction(points["value_over"])
        result = min(value / over, Fraction(1))
        if over == 1:
            return result, f"{number(value, 4)} × {number(self.max)} = {points_text(result * self.max)}"
        return result, (f"{self.level(value, ratio)}/{self.level(over, ratio)} × {number(self.max)} = "
                        f"{points_text(result * self.max)}")

    def rule_yes_no(self, rule: dict, out: _Outcome) -> Fraction | None:
        answer = self.answer(rule["key"], rule["question"], out)
        if answer is None:
            return None
        part = Fraction(rule["yes"] if answer else rule["no"])
        out.text = f"{'Có' if answer else 'Không'} → {self.of_max(part)}"
        return part

    def rule_choice(self, rule: dict, out: _Outcome) -> Fraction | None:
        raw = self.entry.get(rule["key"])
        if raw is None or raw == "":
            out.missing.append(f"{rule['key']} ({rule['question']})")
            return None
        option = next((o for o in rule["options"] if o["key"] == str(raw).strip()
                       or fold_search(o["text"]) == fold_search(str(raw))), None)
        if option is None:
            keys = ", ".join(o["key"] for o in rule["options"])
            out.problems.append((rule["key"], f"Lựa chọn '{raw}' không có; ghi một trong: {keys}."))
            return None
        part = Fraction(option["points"])
        out.text = f"{option['text']} → {self.of_max(part)}"
        return part

    def rule_sum_of_parts(self, rule: dict, out: _Outcome) -> Fraction | None:
        total, texts = Fraction(0), []
        for part in rule["parts"]:
            piece = _Outcome()
            result = getattr(self, f"rule_{part['type']}")(part, piece)
            out.missing += piece.missing
            out.problems += piece.problems
            if piece.zero_denominator:
                out.zero_denominator = piece.zero_denominator
            if result is None:
                continue
            total += result
            label = part.get("label") or part.get("question") or ""
            texts.append(f"{label}: {piece.text}" if label else piece.text)
        capped = min(total, Fraction(1))
        out.text = "; ".join(texts) + f"; tổng {points_text(capped * self.max)}"
        return capped

    def rule_judgement(self, rule: dict, out: _Outcome) -> Fraction | None:
        out.missing.append("points, reason (điểm do điều phối viên chấm và lý do)")
        return None


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
    out = _Evaluator(spec, entry).run(rule)
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
    return score(spec, values, strict=False)[1]


def score(spec: FrameworkSpec, values: Mapping[str, Any], strict: bool = False):
    """(FrameworkScore, problems). With strict=True a problem raises ValueError instead."""
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
    if strict and problems:
        raise ValueError("\n".join(map(str, problems)))
    return FrameworkScore(spec, total, maximum, roots, explanation), problems
