"""What the calculator finds in a framework's rules without any figures: ratios that can pass
100 %, points that jump at a threshold, maxima the sub-indicators cannot reach or exceed,
inputs the province cannot know, indicators left to judgement. `check-plans` prints them beside
the inconsistencies recorded by hand in the framework file.
"""
from __future__ import annotations

from fractions import Fraction

from tracker.core.formatting import format_number
from tracker.indicators.figures import number, percent, round_points
from tracker.indicators.spec import FrameworkSpec, IndicatorSpec

KIND_LABELS = {
    "no_rule": "chưa có quy tắc",
    "judgement": "chấm theo đánh giá",
    "may_exceed": "tỷ lệ vượt 100 %",
    "fixed": "đầu vào cố định",
    "jump": "điểm nhảy tại ngưỡng",
    "external": "số liệu ngoài tỉnh",
    "parts": "tổng các phần",
    "children": "tổng chỉ số thành phần",
}


def _formula(ratio: dict) -> str:
    def side(symbols):
        return symbols[0] if len(symbols) == 1 else f"({' + '.join(symbols)})"

    return f"{side(ratio['numerator'])}/{side(ratio['denominator'])}"


def _level(value: Fraction, ratio: dict | None) -> str:
    return percent(value) if ratio and ratio.get("format", "percent") == "percent" else number(value, 4)


def _band_share(points: dict, value: Fraction) -> Fraction:
    if "fraction" in points:
        return Fraction(points["fraction"])
    return min(value / Fraction(points["value_over"]), Fraction(1))


def _rule_findings(node: IndicatorSpec, rule: dict, found: list[dict]) -> None:
    def add(kind: str, text: str) -> None:
        found.append({"ref": node.code, "kind": kind, "text": text})

    ratio = rule.get("ratio")
    if ratio and ratio.get("may_exceed"):
        add("may_exceed", f"Tỷ lệ {_formula(ratio)} có thể vượt 100 % ({ratio['may_exceed']}); "
                          "điểm tính tối đa bằng điểm tối đa.")
    for symbol, value in ((ratio or {}).get("fixed") or {}).items():
        add("fixed", f"Đầu vào {symbol} cố định bằng {number(Fraction(value))} theo tài liệu.")
    if isinstance(rule.get("target"), dict):
        add("external", f"Điểm phụ thuộc \"{rule['target']['text']}\": tỉnh không tự có số liệu này khi tự đánh giá.")
    if rule["type"] == "bands" and node.max_points is not None:
        bands = rule["bands"]
        for upper, lower in zip(bands, bands[1:]):
            if upper["from"] is None or "value_over" not in lower["points"]:
                continue  # a step from one fixed share to another is the rule, not a jump
            at = Fraction(upper["from"])
            below, above = _band_share(lower["points"], at), _band_share(upper["points"], at)
            if below != above:
                maximum = Fraction(node.max_points)
                add("jump", f"Ngay dưới ngưỡng {_level(at, ratio)} điểm là {format_number(round_points(below * maximum))}, "
                            f"từ ngưỡng là {format_number(round_points(above * maximum))}: điểm nhảy tại ngưỡng.")
    if rule["type"] == "sum_of_parts":
        best = sum((_best_share(part) for part in rule["parts"]), Fraction(0))
        if best != 1:
            add("parts", f"Các phần cộng lại tối đa {best} điểm tối đa, không phải đúng điểm tối đa.")
        for part in rule["parts"]:
            _rule_findings(node, part, found)


def _best_share(rule: dict) -> Fraction:
    if rule["type"] == "yes_no":
        return max(Fraction(rule["yes"]), Fraction(rule["no"]))
    if rule["type"] == "choice":
        return max(Fraction(o["points"]) for o in rule["options"])
    if rule["type"] == "proportional":
        return Fraction(rule["factor"])
    if rule["type"] == "bands":
        return max(Fraction(b["points"].get("fraction", 1)) for b in rule["bands"])
    return Fraction(1)


def _reachable(node: IndicatorSpec) -> Fraction | None:
    """The most points a node can get: its max, or for a sum the children's, capped at its own."""
    if not node.children:
        return Fraction(node.max_points) if node.max_points is not None else None
    parts = [_reachable(child) for child in node.children]
    total = sum((p for p in parts if p is not None), Fraction(0))
    return min(total, Fraction(node.max_points)) if node.max_points is not None else total


def rule_findings(spec: FrameworkSpec) -> list[dict]:
    found: list[dict] = []
    leaves = [n for n in spec.walk() if not n.children]
    without = [n.code for n in leaves if n.rule is None]
    if without:
        shown = ", ".join(without[:12]) + (f"… (và {len(without) - 12} chỉ số khác)" if len(without) > 12 else "")
        found.append({"ref": "", "kind": "no_rule",
                      "text": f"{len(without)}/{len(leaves)} chỉ số chưa có quy tắc tính điểm máy đọc được: {shown}."})
    judged = [n.code for n in leaves if n.rule and n.rule["type"] == "judgement"]
    if judged:
        found.append({"ref": "", "kind": "judgement",
                      "text": f"{len(judged)}/{len(leaves)} chỉ số chấm theo đánh giá (điều phối viên nhập điểm kèm lý do)."})
    for node in spec.walk():
        if node.rule:
            _rule_findings(node, node.rule, found)
        if node.children and node.max_points is not None and (node.rule or {}).get("type") == "sum_of_children":
            children_max = sum((Fraction(c.max_points) for c in node.children if c.max_points is not None), Fraction(0))
            printed = format_number(node.max_points)
            if children_max < Fraction(node.max_points):
                found.append({"ref": node.code, "kind": "children", "text": (
                    f"Các chỉ số thành phần cộng tối đa {format_number(round_points(children_max))} điểm: chỉ số không thể "
                    f"đạt {printed} điểm in trong tài liệu.")})
            elif children_max > Fraction(node.max_points):
                found.append({"ref": node.code, "kind": "children", "text": (
                    f"Các chỉ số thành phần cộng tối đa {format_number(round_points(children_max))} điểm, vượt {printed} "
                    f"điểm in trong tài liệu: điểm tính tối đa {printed}.")})
    reachable = sum((r for r in map(_reachable, spec.roots) if r is not None), Fraction(0))
    if any(n.rule for n in spec.walk()) and spec.max_points is not None and reachable < Fraction(spec.max_points):
        found.append({"ref": "", "kind": "children", "text": (
            f"Tổng điểm tối đa đạt được là {format_number(round_points(reachable))}, thấp hơn "
            f"{format_number(spec.max_points)} điểm tài liệu công bố.")})
    return found
