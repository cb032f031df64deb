"""Applying one indicator's rule to the inputs given for it: the share of the maximum it earns and
how, in Vietnamese ("45/60 = 75 % → 0,75 × 20 = 15 điểm"). Used by `scoring.score`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Mapping

from tracker.core.text import fold_search
from tracker.indicators.figures import AMBIGUOUS, number, parse_amount, parse_answer, percent, points_text, share
from tracker.indicators.spec import IndicatorSpec


@dataclass
class Outcome:
    share: Fraction | None = None  # of the indicator's maximum
    text: str = ""
    missing: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (field, message)
    zero_denominator: str | None = None  # the ratio's text when b = 0


class Evaluator:
    """Applies one indicator's rule to its values entry."""

    def __init__(self, spec: IndicatorSpec, entry: Mapping[str, Any]):
        self.spec = spec
        self.entry = entry
        self.max = Fraction(spec.max_points) if spec.max_points is not None else None

    def run(self, rule: dict) -> Outcome:
        out = Outcome()
        share_ = getattr(self, f"rule_{rule['type']}")(rule, out)
        out.share = share_ if not (out.missing or out.problems or out.zero_denominator) else None
        return out

    # -- inputs -----------------------------------------------------------------------------

    def figure(self, key: str, text: str, out: Outcome, fixed: dict | None = None) -> Fraction | None:
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
        if value is None and AMBIGUOUS.match(str(raw).strip()):
            whole = str(raw).strip().replace(".", "")
            out.problems.append((key, f"'{raw}' không rõ: {whole} thì viết {whole} hoặc {raw},0; "
                                      f"số thập phân thì viết {str(raw).strip().replace('.', ',')}."))
        elif value is None:
            out.problems.append((key, f"'{raw}' không phải là số (ví dụ đúng: 45, 12,5, 1.234.567)."))
        elif value < 0:
            out.problems.append((key, f"Số liệu không được âm: {raw}."))
            return None
        return value

    def answer(self, key: str, text: str, out: Outcome) -> bool | None:
        raw = self.entry.get(key)
        if raw is None or raw == "":
            out.missing.append(f"{key} ({text})")
            return None
        value = parse_answer(raw)
        if value is None:
            out.problems.append((key, f"Câu trả lời '{raw}' không hợp lệ: ghi \"có\" hoặc \"không\"."))
        return value

    def ratio(self, ratio: dict, out: Outcome, levels=()) -> tuple[Fraction | None, str]:
        """The ratio's value and its text: "(a + b)/c = (3 + 4)/10 = 7/10 = 70 %", with enough
        decimals that a value just below a threshold (`levels`) never reads as the threshold."""
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
        scale, base = (100, 2) if as_percent else (1, 4)
        decimals = next((d for d in range(base, 9) if all(
            level == value or number(value * scale, d) != number(level * scale, d) for level in levels)), 8)
        text = f"{formula} = {figures} = {percent(value, decimals) if as_percent else number(value, decimals)}"
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

    def of_max(self, part: Fraction) -> str:
        """"1/2 × 20 = 10 điểm", "điểm tối đa 20 điểm", "0 điểm"."""
        if part == 1:
            return f"điểm tối đa {points_text(self.max)}"
        if part == 0:
            return "0 điểm"
        return f"{share(part)} × {number(self.max)} = {points_text(part * self.max)}"

    # -- rule types -------------------------------------------------------------------------

    def rule_proportional(self, rule: dict, out: Outcome) -> Fraction | None:
        target = rule["target"]
        value, text = self.ratio(rule["ratio"], out, () if isinstance(target, dict) else (Fraction(target),))
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

    def rule_threshold(self, rule: dict, out: Outcome) -> Fraction | None:
        at = Fraction(rule["at"])
        value, text = self.ratio(rule["ratio"], out, (at,))
        if value is None:
            return None
        if value >= at:
            out.text = f"{text} ≥ {self.level(at, rule['ratio'])} → {self.of_max(Fraction(1))}"
            return Fraction(1)
        out.text = f"{text} < {self.level(at, rule['ratio'])} → 0 điểm"
        return Fraction(0)

    def rule_bands(self, rule: dict, out: Outcome) -> Fraction | None:
        prefix = ""
        if rule.get("gate"):
            opened = self.answer(rule["gate"]["key"], rule["gate"]["text"], out)
            if opened is False:
                out.text = "Không → 0 điểm"
                out.missing.clear()  # nothing else is needed once the gate is closed
                return Fraction(0)
            prefix = "Có; "
        if rule.get("ratio"):
            levels = tuple(Fraction(b["from"]) for b in rule["bands"] if b["from"] is not None)
            value, text = self.ratio(rule["ratio"], out, levels)
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

    def rule_yes_no(self, rule: dict, out: Outcome) -> Fraction | None:
        answer = self.answer(rule["key"], rule["question"], out)
        if answer is None:
            return None
        part = Fraction(rule["yes"] if answer else rule["no"])
        out.text = f"{'Có' if answer else 'Không'} → {self.of_max(part)}"
        return part

    def rule_choice(self, rule: dict, out: Outcome) -> Fraction | None:
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

    def rule_sum_of_parts(self, rule: dict, out: Outcome) -> Fraction | None:
        total, texts = Fraction(0), []
        for part in rule["parts"]:
            piece = Outcome()
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

    def rule_judgement(self, rule: dict, out: Outcome) -> Fraction | None:
        out.missing.append("points, reason (điểm do điều phối viên chấm và lý do)")
        return None
