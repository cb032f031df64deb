"""Scoring rules in framework files: read, checked (errors name file, line, field), stored."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from tests.indicators.conftest import FRAMEWORKS
from tracker.indicators.models import Framework, Indicator
from tracker.indicators.rules import describe_rule, parse_fraction, read_rule
from tracker.plans.loader import load_paths
from tracker.plans.sources import LoadError

FRAMEWORK = """\
kind: framework
name: Bộ chỉ số thử
level: province
year: 2024
declared: {max_points: 40}
indicators:
  - code: "1"
    name: Trụ cột
    max_points: 40
    rule: {type: sum_of_children}
    children:
      - code: "1.1"
        name: Tỷ lệ thôn được phủ sóng
        max_points: 20
        scoring: "Điểm=Tỷ lệ*Điểm tối đa"
        rule:
          type: proportional
          ratio: {numerator: [a], denominator: [b]}
        inputs:
          - {symbol: a, text: Số thôn được phủ sóng}
          - {symbol: b, text: Tổng số thôn}
      - code: "1.2"
        name: Có chuyên mục
        max_points: 20
        rule: {type: yes_no, question: "Đã có chuyên mục?"}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fw.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(raw: dict) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    read_rule(raw, lambda _node, field, message: found.append((field, message)))
    return found


def test_a_framework_with_rules_loads_and_stores_them(db, tmp_path):
    load_paths([write(tmp_path, FRAMEWORK)])
    indicator = db.session.scalar(select(Indicator).where(Indicator.code == "1.1"))
    assert indicator.rule == {"type": "proportional", "factor": "1", "target": "1", "ratio": {
        "numerator": ["a"], "denominator": ["b"], "may_exceed": None, "format": "percent", "fixed": {}}}
    assert indicator.scoring == "Điểm=Tỷ lệ*Điểm tối đa"  # the printed text stays beside the rule


@pytest.mark.parametrize("old, new, expected", [
    ("type: proportional", "type: ti_le", "fw.yaml: dòng 17, trường 'rule.type': Loại quy tắc 'ti_le' không hợp lệ"),
    ("numerator: [a]", "numerator: [x]", "fw.yaml: dòng 18, trường 'rule.ratio.numerator': Ký hiệu 'x' không phải "
                                         "đầu vào của chỉ số (inputs: a, b)"),
    ("{type: yes_no, question: \"Đã có chuyên mục?\"}", "{type: yes_no}",
     "fw.yaml: dòng 25, trường 'rule.question': Thiếu nội dung câu hỏi"),
    ("rule: {type: sum_of_children}", "rule: {type: yes_no, question: \"?\"}",
     "fw.yaml: dòng 10, trường 'rule.type': Chỉ số có chỉ số thành phần: quy tắc phải là sum_of_children."),
    ("ratio: {numerator: [a], denominator: [b]}", "ratio: {numerator: [a], denominator: [b]}\n          factor: 3",
     "trường 'rule.factor': '3' phải là phần của điểm tối đa, từ 0 đến 1"),
    ("ratio: {numerator: [a], denominator: [b]}", "ratio: {numerator: [a], denominator: [a]}",
     "fw.yaml: dòng 17, trường 'rule': Đầu vào b của chỉ số không được quy tắc dùng đến."),
])
def test_a_bad_rule_names_file_line_and_field_and_changes_nothing(db, tmp_path, old, new, expected):
    load_paths([write(tmp_path, FRAMEWORK)])
    db.session.commit()
    before = db.session.scalar(select(Indicator.rule).where(Indicator.code == "1.1"))
    text = FRAMEWORK.replace(old, new, 1)
    assert text != FRAMEWORK
    with pytest.raises(LoadError) as caught:
        load_paths([write(tmp_path, text.replace("Tổng số thôn}", "Tổng số thôn của tỉnh}"))])
    assert expected in str(caught.value), str(caught.value)
    db.session.rollback()
    assert db.session.scalar(select(Indicator.rule).where(Indicator.code == "1.1")) == before


@pytest.mark.parametrize("rule, field, fragment", [
    ({"type": "bands", "ratio": {"numerator": ["a"], "denominator": ["b"]},
      "bands": [{"from": "20%", "points": 1}, {"from": "50%", "points": "1/2"}, {"points": 0}]},
     "rule.bands[1].from", "từ cận cao xuống cận thấp"),
    ({"type": "bands", "ratio": {"numerator": ["a"], "denominator": ["b"]}, "bands": [{"from": "20%", "points": 1}]},
     "rule.bands[0].from", "Khoảng cuối cùng là 'còn lại'"),
    ({"type": "bands", "count": {"key": "n", "text": "Số tin bài"}, "ratio": {"numerator": ["a"], "denominator": ["b"]},
      "bands": [{"points": 1}]}, "rule", "đúng một trong hai"),
    ({"type": "threshold", "ratio": {"numerator": ["a"], "denominator": ["b"]}}, "rule.at", "phải là một số dương"),
    ({"type": "choice", "key": "muc", "question": "Mức?", "options": [{"key": "x", "text": "X", "points": 1}]},
     "rule.options", "ít nhất hai lựa chọn"),
    ({"type": "yes_no", "key": "a", "question": "Có?"}, "rule.question", "đã dùng cho đầu vào khác"),
    ({"type": "proportional", "ratio": {"numerator": ["a"], "denominator": ["b"], "fixed": {"c": 7}}},
     "rule.ratio.fixed.c", "'c' không có trong tỷ lệ"),
    ({"type": "sum_of_parts", "parts": [{"type": "sum_of_parts"}, {"type": "yes_no", "question": "?"}]},
     "rule.parts[0].type", "Loại quy tắc 'sum_of_parts' không hợp lệ"),
    ({"type": "yes_no", "question": "Có?", "yes": 1}, "rule.yes", "Trường không dùng cho quy tắc yes_no"),
])
def test_rule_checks(rule, field, fragment):
    found = problems_of({"code": "1.1", "rule": rule, "inputs": [{"symbol": "a"}, {"symbol": "b"}]})
    assert any(f == field and fragment in m for f, m in found), found


def test_fractions_as_the_document_prints_them():
    assert [parse_fraction(v) for v in ("1/2", "4/5", "80%", "0,5", 0.25, 7, "0,5 %")] == [
        parse_fraction("0.5"), parse_fraction("0.8"), parse_fraction("0.8"), parse_fraction("1/2"),
        parse_fraction("1/4"), 7, parse_fraction("1/200")]
    assert parse_fraction("mười") is None and parse_fraction(True) is None


def test_seeded_rules_are_stored_as_the_files_say(seeded, db):
    for name, path in (("DTI cấp tỉnh 2024", "dti-cap-tinh-2024.yaml"), ("DTI sở, ban, ngành 2022", "dti-so-ban-nganh-2022.yaml")):
        framework = db.session.scalar(select(Framework).where(Framework.name == name))
        stored = {i.key: i.rule for i in db.session.scalars(select(Indicator).where(Indicator.framework_id == framework.id))}
        data = yaml.safe_load((FRAMEWORKS / path).read_text(encoding="utf-8"))

        def walk(nodes):
            for node in nodes:
                yield node
                yield from walk(node.get("children") or [])

        for node in walk(data["indicators"]):
            assert stored[str(node.get("key") or node["code"])] == read_rule(node, lambda *a: None)
        assert all(rule is not None for rule in stored.values())


def test_rules_in_words():
    rule = read_rule({"rule": {"type": "proportional", "ratio": {"numerator": ["b", "c"], "denominator": ["a"]},
                               "target": "80%"}, "inputs": [{"symbol": s} for s in "abc"]}, lambda *a: None)
    assert describe_rule(rule) == ("Tỷ lệ (b + c)/a ≥ 80 %: điểm tối đa; dưới 80 %: tỷ lệ/80 % × điểm tối đa.")
