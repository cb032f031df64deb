"""Machine-readable scoring rules, read from a framework file and checked.

The document's own text stays in an indicator's `scoring:`; its `rule:` says the same thing in a
shape the calculator (`tracker/indicators/scoring.py`) applies. A rule is stored as plain JSON on
the indicator, fractions and numbers written as exact strings ("1/2", "4/5", "7"). The format is
described in seed_plans/README.md ("Quy tắc tính điểm").
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Callable

# report(node, field, message): the loader turns it into a problem naming file, line and field.
Report = Callable[[Any, str, str], None]

RULE_TYPES = {
    "proportional": "theo tỷ lệ",
    "threshold": "đạt ngưỡng thì điểm tối đa, không đạt 0 điểm",
    "bands": "theo khoảng",
    "yes_no": "có/không",
    "choice": "chọn một mức",
    "sum_of_parts": "cộng điểm các phần",
    "sum_of_children": "cộng điểm các chỉ số thành phần",
    "judgement": "chấm theo đánh giá",
}
PART_TYPES = ("yes_no", "choice", "proportional", "threshold", "bands")
RATIO_FORMATS = ("percent", "number")
ANSWER_KEY = "answer"
# Keys of a values entry that are not inputs of the rule.
JUDGEMENT_KEYS = ("points", "reason")
INFO_KEYS = ("evidence", "note")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")

_FIELDS = {
    "proportional": {"type", "ratio", "target", "factor", "label"},
    "threshold": {"type", "ratio", "at", "label"},
    "bands": {"type", "ratio", "count", "gate", "bands", "label"},
    "yes_no": {"type", "key", "question", "if_yes", "if_no", "label"},
    "choice": {"type", "key", "question", "options", "label"},
    "sum_of_parts": {"type", "parts"},
    "sum_of_children": {"type"},
    "judgement": {"type", "reason"},
}
_RATIO_FIELDS = {"numerator", "denominator", "may_exceed", "format", "fixed"}


def parse_fraction(value) -> Fraction | None:
    """1, 0.5, "1/2", "0,5", "80%", "0,5 %" as an exact fraction; None when it is not a number."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, int):
            return Fraction(value)
        if isinstance(value, (float, Decimal)):
            return Fraction(Decimal(str(value)))
        text = str(value).strip().replace(" ", "")
        percent = text.endswith("%")
        text = text.removesuffix("%").replace(",", ".")
        number = Fraction(text) if "/" in text else Fraction(Decimal(text))
    except (ValueError, ZeroDivisionError, InvalidOperation):
        return None
    return number / 100 if percent else number


class RuleReader:
    """Reads one indicator's `rule:`; problems go to `report`, the result is normalised JSON."""

    def __init__(self, report: Report, symbols: set[str]):
        self.report = report
        self.symbols = symbols  # the indicator's input symbols (a, b, c...)
        self.keys: set[str] = set()  # keys the rule itself asks for (answer, n, t...)
        self.used: set[str] = set()

    def read(self, indicator: dict, has_children: bool) -> dict | None:
        node = indicator.get("rule")
        if node is None:
            return None
        if not isinstance(node, dict):
            self.report(indicator, "rule", "Quy tắc tính điểm phải là một bảng (type: ...).")
            return None
        rule = self.rule(node, "rule", parts_allowed=True)
        if rule is None:
            return None
        if has_children and rule["type"] != "sum_of_children":
            self.report(node, "rule.type", "Chỉ số có chỉ số thành phần: quy tắc phải là sum_of_children.")
        if not has_children and rule["type"] == "sum_of_children":
            self.report(node, "rule.type", "sum_of_children chỉ dùng cho chỉ số có chỉ số thành phần.")
        unused = self.symbols - self.used
        if unused and rule["type"] not in ("judgement", "sum_of_children"):
            self.report(node, "rule", f"Đầu vào {', '.join(sorted(unused))} của chỉ số không được quy tắc dùng đến.")
        return rule

    # -- pieces -----------------------------------------------------------------------------

    def rule(self, node: dict, path: str, parts_allowed: bool) -> dict | None:
        kind = node.get("type")
        allowed = ("sum_of_parts", *PART_TYPES, "sum_of_children", "judgement") if parts_allowed else PART_TYPES
        if kind not in allowed:
            self.report(node, f"{path}.type", f"Loại quy tắc '{kind}' không hợp lệ (một trong: {', '.join(allowed)}).")
            return None
        unknown = sorted(map(str, set(node) - _FIELDS[kind]))
        if unknown:
            self.report(node, f"{path}.{unknown[0]}", f"Trường không dùng cho quy tắc {kind}: {', '.join(unknown)}.")
        rule: dict[str, Any] = {"type": kind}
        if node.get("label") is not None:
            rule["label"] = str(node["label"]).strip()
        getattr(self, f"read_{kind}")(node, path, rule)
        return rule

    def read_sum_of_children(self, node, path, rule) -> None:
        pass

    def read_judgement(self, node, path, rule) -> None:
        rule["reason"] = _text(node.get("reason"))

    def read_proportional(self, node, path, rule) -> None:
        rule["ratio"] = self.ratio(node, path)
        target = node.get("target", 1)
        if isinstance(target, dict):
            rule["target"] = self.ask(target, f"{path}.target", default_key=None, allowed={"key", "text"})
        else:
            rule["target"] = self.positive(node, f"{path}.target", target)
        rule["factor"] = self.share(node, f"{path}.factor", node.get("factor", 1))

    def read_threshold(self, node, path, rule) -> None:
        rule["ratio"] = self.ratio(node, path)
        rule["at"] = self.positive(node, f"{path}.at", node.get("at"))

    def read_bands(self, node, path, rule) -> None:
        has_ratio, has_count = node.get("ratio") is not None, node.get("count") is not None
        if has_ratio == has_count:
            self.report(node, path, "Quy tắc bands cần đúng một trong hai: ratio (tỷ lệ) hoặc count (một số đếm).")
        rule["ratio"] = self.ratio(node, path) if has_ratio else None
        rule["count"] = self.ask(node["count"], f"{path}.count", None, {"key", "text"}) if has_count else None
        rule["gate"] = self.ask(node["gate"], f"{path}.gate", ANSWER_KEY, {"key", "text"}) if node.get("gate") else None
        bands = node.get("bands")
        if not isinstance(bands, list) or not bands:
            self.report(node, f"{path}.bands", "Thiếu danh sách khoảng (bands).")
            rule["bands"] = []
            return
        rule["bands"], previous = [], None
        for index, band in enumerate(bands):
            where = f"{path}.bands[{index}]"
            if not isinstance(band, dict) or set(band) - {"from", "points"}:
                self.report(band if isinstance(band, dict) else node, where, "Mỗi khoảng có 'from' (cận dưới, tính cả cận) và 'points'.")
                continue
            last = index == len(bands) - 1
            lower = None
            if "from" in band:
                lower = self.positive(band, f"{where}.from", band["from"])
                if last:
                    self.report(band, f"{where}.from", "Khoảng cuối cùng là 'còn lại': không ghi 'from'.")
                elif previous is not None and lower is not None and Fraction(lower) >= Fraction(previous):
                    self.report(band, f"{where}.from", "Các khoảng phải ghi từ cận cao xuống cận thấp.")
                previous = lower if lower is not None else previous
            elif not last:
                self.report(band, f"{where}.from", "Chỉ khoảng cuối cùng được bỏ 'from'.")
            rule["bands"].append({"from": lower, "points": self.band_points(band, f"{where}.points")})

    def read_yes_no(self, node, path, rule) -> None:
        rule.update(self.ask({"key": node.get("key"), "text": node.get("question")}, f"{path}.question", ANSWER_KEY,
                             {"key", "text"}, where=node))
        rule["question"] = rule.pop("text")
        # Not `yes:`/`no:`: YAML reads those keys as true/false.
        rule["yes"] = self.share(node, f"{path}.if_yes", node.get("if_yes", 1))
        rule["no"] = self.share(node, f"{path}.if_no", node.get("if_no", 0))

    def read_choice(self, node, path, rule) -> None:
        rule.update(self.ask({"key": node.get("key"), "text": node.get("question")}, f"{path}.question", None,
                             {"key", "text"}, where=node))
        rule["question"] = rule.pop("text")
        options = node.get("options")
        if not isinstance(options, list) or len(options) < 2:
            self.report(node, f"{path}.options", "Quy tắc choice cần ít nhất hai lựa chọn (options).")
            options = []
        rule["options"], seen = [], set()
        for index, option in enumerate(options):
            where = f"{path}.options[{index}]"
            if not isinstance(option, dict) or set(option) - {"key", "text", "points"}:
                self.report(option if isinstance(option, dict) else node, where, "Mỗi lựa chọn có key, text, points.")
                continue
            key, text = str(option.get("key") or ""), _text(option.get("text"))
            if not _KEY.match(key) or key in seen:
                self.report(option, f"{where}.key", f"Mã lựa chọn '{key}' không hợp lệ hoặc bị lặp (chữ thường, số, _).")
            if not text:
                self.report(option, f"{where}.text", "Lựa chọn thiếu nội dung (text).")
            seen.add(key)
            rule["options"].append({"key": key, "text": text, "points": self.share(option, f"{where}.points", option.get("points"))})

    def read_sum_of_parts(self, node, path, rule) -> None:
        parts = node.get("parts")
        if not isinstance(parts, list) or len(parts) < 2:
            self.report(node, f"{path}.parts", "Quy tắc sum_of_parts cần ít nhất hai phần (parts).")
            parts = []
        rule["parts"] = []
        for index, part in enumerate(parts):
            where = f"{path}.parts[{index}]"
            if not isinstance(part, dict):
                self.report(node, where, "Mỗi phần là một quy tắc (type: ...).")
                continue
            read = self.rule(part, where, parts_allowed=False)
            if read is not None:
                rule["parts"].append(read)

    # -- values -----------------------------------------------------------------------------

    def ratio(self, node: dict, path: str) -> dict:
        ratio = node.get("ratio")
        where = f"{path}.ratio"
        if not isinstance(ratio, dict):
            self.report(node, where, "Thiếu tỷ lệ (ratio: {numerator: [a], denominator: [b]}).")
            return {"numerator": [], "denominator": [], "may_exceed": None, "format": "percent", "fixed": {}}
        unknown = sorted(map(str, set(ratio) - _RATIO_FIELDS))
        if unknown:
            self.report(ratio, f"{where}.{unknown[0]}", f"Trường không dùng cho tỷ lệ: {', '.join(unknown)}.")
        result = {side: self.symbol_list(ratio, f"{where}.{side}", ratio.get(side)) for side in ("numerator", "denominator")}
        result["may_exceed"] = _text(ratio.get("may_exceed"))
        result["format"] = ratio.get("format") or "percent"
        if result["format"] not in RATIO_FORMATS:
            self.report(ratio, f"{where}.format", f"Cách ghi tỷ lệ '{result['format']}' không hợp lệ (percent hoặc number).")
        fixed = ratio.get("fixed") or {}
        result["fixed"] = {}
        for symbol, value in (fixed.items() if isinstance(fixed, dict) else []):
            if symbol not in result["numerator"] + result["denominator"]:
                self.report(ratio, f"{where}.fixed.{symbol}", f"'{symbol}' không có trong tỷ lệ.")
            result["fixed"][str(symbol)] = self.positive(ratio, f"{where}.fixed.{symbol}", value)
        return result

    def symbol_list(self, node, field_name: str, value) -> list[str]:
        symbols = [value] if isinstance(value, str) else value
        if not isinstance(symbols, list) or not symbols:
            self.report(node, field_name, "Cần danh sách ký hiệu đầu vào, ví dụ [a] hoặc [a, b].")
            return []
        result = []
        for symbol in map(str, symbols):
            if symbol not in self.symbols:
                known = ", ".join(sorted(self.symbols)) or "không có"
                self.report(node, field_name, f"Ký hiệu '{symbol}' không phải đầu vào của chỉ số (inputs: {known}).")
            self.used.add(symbol)
            result.append(symbol)
        return result

    def ask(self, node, field_name: str, default_key: str | None, allowed: set[str], where=None) -> dict:
        """Something the rule asks the provider for besides the inputs: an answer, a count."""
        where = where if where is not None else node
        if not isinstance(node, dict):
            self.report(where, field_name, "Cần {key: ..., text: ...}.")
            return {"key": default_key or "", "text": ""}
        unknown = sorted(map(str, set(node) - allowed))
        if unknown:
            self.report(where, field_name, f"Trường không dùng: {', '.join(unknown)}.")
        key = str(node.get("key") or default_key or "")
        text = _text(node.get("text"))
        if not _KEY.match(key):
            self.report(where, f"{field_name}.key" if node.get("key") else field_name,
                        f"Thiếu hoặc sai mã câu hỏi '{key}' (chữ thường, số, _).")
        elif key in self.symbols or key in self.keys or key in JUDGEMENT_KEYS + INFO_KEYS:
            self.report(where, field_name, f"Mã '{key}' đã dùng cho đầu vào khác của chỉ số.")
        self.keys.add(key)
        if not text:
            self.report(where, field_name, "Thiếu nội dung câu hỏi (text).")
        return {"key": key, "text": text}

    def positive(self, node, field_name: str, value) -> str | None:
        number = parse_fraction(value)
        if number is None or number <= 0:
            self.report(node, field_name, f"'{value}' phải là một số dương (ví dụ 0.8, 80%, 1/2, 52).")
            return None
        return str(number)

    def share(self, node, field_name: str, value) -> str | None:
        """A share of the maximum, as printed: 1/2*Điểm tối đa is 1/2."""
        number = parse_fraction(value)
        if number is None or not 0 <= number <= 1:
            self.report(node, field_name, f"'{value}' phải là phần của điểm tối đa, từ 0 đến 1 (ví dụ 1/2, 1/4, 4/5).")
            return None
        return str(number)

    def band_points(self, band: dict, field_name: str) -> dict:
        value = band.get("points")
        if value == "value":
            return {"value_over": "1"}
        if isinstance(value, dict):
            if set(value) != {"value_over"}:
                self.report(band, field_name, "Điểm của khoảng: một phần điểm tối đa (1, 1/2, 0), 'value' hoặc {value_over: 80%}.")
                return {"fraction": "0"}
            return {"value_over": self.positive(band, f"{field_name}.value_over", value["value_over"])}
        return {"fraction": self.share(band, field_name, value)}


def _text(value) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def read_rule(indicator: dict, report: Report) -> dict | None:
    """The normalised rule of one indicator node of a framework file (None when it has none)."""
    symbols = {str(i.get("symbol")) for i in indicator.get("inputs") or [] if isinstance(i, dict) and i.get("symbol")}
    return RuleReader(report, symbols).read(indicator, bool(indicator.get("children")))


# --------------------------------------------------------------------------- in words


def _ratio_words(ratio: dict) -> str:
    def side(symbols):
        return symbols[0] if len(symbols) == 1 else f"({' + '.join(symbols)})"

    text = f"{side(ratio['numerator'])}/{side(ratio['denominator'])}"
    fixed = ", ".join(f"{symbol} = {_level(value, 'number')}" for symbol, value in (ratio.get("fixed") or {}).items())
    return text + (f" ({fixed} cố định)" if fixed else "")


def _level(value: str | None, form: str) -> str:
    from tracker.indicators.figures import number, percent

    if value is None:
        return "?"
    return percent(Fraction(value)) if form == "percent" else number(Fraction(value), 4)


def _of_max(value: str | None) -> str:
    if value is None:
        return "?"
    share = Fraction(value)
    return "điểm tối đa" if share == 1 else "0 điểm" if share == 0 else f"{share} × điểm tối đa"


def describe_rule(rule: dict | None) -> str:
    """The structured rule in words, shown beside the printed text so a reader can check it."""
    if not rule:
        return ""
    kind = rule["type"]
    ratio = rule.get("ratio") or {}
    form = ratio.get("format", "percent")
    if kind == "sum_of_children":
        return "Tổng điểm các chỉ số thành phần, tối đa bằng điểm tối đa của chỉ số."
    if kind == "judgement":
        return "Chấm theo đánh giá: điều phối viên nhập điểm kèm lý do" + (f" ({rule['reason']})." if rule.get("reason") else ".")
    if kind == "yes_no":
        return f"Có/không — {rule['question']} Có: {_of_max(rule['yes'])}; không: {_of_max(rule['no'])}."
    if kind == "choice":
        return "Chọn một mức — " + "; ".join(f"{o['text']}: {_of_max(o['points'])}" for o in rule["options"]) + "."
    if kind == "sum_of_parts":
        return "Cộng điểm các phần: " + " ".join(
            f"({index}) {part.get('label') + ': ' if part.get('label') else ''}{describe_rule(part)}"
            for index, part in enumerate(rule["parts"], start=1))
    text = f"Tỷ lệ {_ratio_words(ratio)}" if ratio else f"{rule['count']['text']} ({rule['count']['key']})"
    factor = "" if Fraction(rule.get("factor") or 1) == 1 else f"{Fraction(rule['factor'])} × "
    if kind == "proportional":
        target = rule["target"]
        if isinstance(target, dict):
            text += f"; điểm = {factor}tỷ lệ/{target['key']} × điểm tối đa, {target['key']} = {target['text']}"
        elif Fraction(target) == 1:
            text += f"; điểm = {factor}tỷ lệ × điểm tối đa"
        else:
            level = _level(target, form)
            text += f" ≥ {level}: {factor}điểm tối đa; dưới {level}: {factor}tỷ lệ/{level} × điểm tối đa"
    elif kind == "threshold":
        text += f" ≥ {_level(rule['at'], form)}: điểm tối đa; dưới: 0 điểm"
    elif kind == "bands":
        if rule.get("gate"):
            text = f"Nếu «{rule['gate']['text']}» là không: 0 điểm; nếu có: {text[0].lower()}{text[1:]}"
        form = form if ratio else "number"
        pieces = []
        for band in rule["bands"]:
            points = band["points"]
            shown = (_of_max(points["fraction"]) if "fraction" in points else
                     "tỷ lệ × điểm tối đa" if Fraction(points["value_over"]) == 1 else
                     f"tỷ lệ/{_level(points['value_over'], form)} × điểm tối đa")
            pieces.append(f"{'từ ' + _level(band['from'], form) if band['from'] else 'còn lại'}: {shown}")
        text += " — " + "; ".join(pieces)
    if ratio.get("may_exceed"):
        text += f" (tỷ lệ có thể vượt 100 %: {ratio['may_exceed']}; điểm không vượt điểm tối đa)"
    return text + "."
