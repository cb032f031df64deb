"""Inconsistencies of the frameworks surfaced by the calculator, and printed by `check-plans`."""
from __future__ import annotations

import json

from tracker.indicators.findings import rule_findings


def by_kind(findings) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for finding in findings:
        result.setdefault(finding["kind"], []).append(finding["ref"])
    return result


def test_dti_2024(dti2024):
    findings = rule_findings(dti2024)
    kinds = by_kind(findings)
    assert kinds["may_exceed"] == ["1.2", "3.3", "3.6", "5.4", "5.5", "8.1", "8.2"]
    assert kinds["jump"] == ["7.1", "7.2"]
    assert kinds["external"] == ["7.5"] and kinds["fixed"] == ["3.6"]
    assert "no_rule" not in kinds and "children" not in kinds and "parts" not in kinds
    jump = next(f for f in findings if f["ref"] == "7.1")
    assert jump["text"] == "Ngay dưới ngưỡng 20 % điểm là 10, từ ngưỡng là 50: điểm nhảy tại ngưỡng."
    five_four = next(f for f in findings if f["ref"] == "5.4")
    assert "a đếm HTTT cấp độ 3 trở lên, b chỉ đếm HTTT cấp độ 3" in five_four["text"]


def test_dti_2022(dti2022):
    findings = rule_findings(dti2022)
    texts = {f["ref"]: f["text"] for f in findings if f["kind"] == "children"}
    assert "không thể đạt 100 điểm" in texts["5"] and "cộng tối đa 80 điểm" in texts["5"]
    assert "vượt 500 điểm in trong tài liệu" in texts["6"]
    assert "Tổng điểm tối đa đạt được là 980" in texts[""]
    assert any(f["kind"] == "judgement" and f["text"].startswith("41/41") for f in findings)


def test_check_plans_prints_the_recorded_and_the_computed_ones(seeded, runner):
    result = runner.invoke(args=["tracker", "check-plans"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Quy tắc tính điểm, máy tính phát hiện: 11" in out
    assert "[may_exceed] 5.4: Tỷ lệ a/b có thể vượt 100 %" in out
    assert "[scoring] 3.3: Tên chỉ số là \"Tỷ lệ thuê bao băng rộng di động/100 dân\" nhưng cách tính chia cho b" in out
    assert "[scoring] 5.5:" in out and "[scoring] 7.5:" in out
    assert "[children]: Tổng điểm tối đa đạt được là 980" in out
    data = json.loads(runner.invoke(args=["tracker", "check-plans", "--json"]).output)
    dti = next(f for f in data["frameworks"] if f["name"] == "DTI cấp tỉnh 2024")
    assert {"ref": "7.2", "kind": "jump", "text": dti["scoring"][7]["text"]} in dti["scoring"]
    assert sum(1 for i in dti["issues"] if i["kind"] == "scoring") == 13
