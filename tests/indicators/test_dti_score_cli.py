"""`tracker dti-score`: the seeded frameworks scored from a values file; bad files explained."""
from __future__ import annotations

import json
import textwrap

VALUES = """\
"1.1": {answer: "có"}
"1.2": {a: 5, b: 5}
"3.1": {a: 45, b: 60}
"5.4": {a: 12, b: 10}
"5.5": {a: 3, b: 0}
"7.1": {a: "15", b: "100"}
"""


def run(runner, tmp_path, text: str, *extra: str, framework: str = "DTI cấp tỉnh 2024"):
    path = tmp_path / "so-lieu.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return runner.invoke(args=["tracker", "dti-score", "--framework", framework, "--values", str(path), *extra])


def test_json_has_the_issues_shape(seeded, runner, tmp_path):
    result = run(runner, tmp_path, VALUES, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"total", "max", "pillars", "indicators"}
    assert data["max"] == 1000 and data["total"] == 10 + 10 + 22.5 + 10 + 7.5
    assert [p["code"] for p in data["pillars"]] == [str(n) for n in range(1, 9)]
    assert data["pillars"][2] == {"code": "3", "points": 22.5, "max": 200}
    by_code = {i["code"]: i for i in data["indicators"]}
    assert set(by_code["3.1"]) == {"code", "points", "max", "status", "explanation"}
    assert by_code["3.1"]["explanation"] == "a/b = 45/60 = 75 % → 0,75 × 30 = 22,5 điểm"
    assert by_code["5.4"]["points"] == 10 and "vượt 100 %" in by_code["5.4"]["explanation"]
    assert by_code["5.5"] == {"code": "5.5", "points": None, "max": 10, "status": "missing",
                              "explanation": by_code["5.5"]["explanation"]}
    assert "mẫu số bằng 0" in by_code["5.5"]["explanation"]
    assert {i["status"] for i in data["indicators"]} == {"scored", "missing"}


def test_judgement_status_on_the_2022_framework(seeded, runner, tmp_path):
    result = run(runner, tmp_path, '"1.1": {points: 15, reason: "Giám đốc Sở là Tổ trưởng"}\n', "--json",
                 framework="DTI sở, ban, ngành 2022")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    first = data["indicators"][0]
    assert (first["code"], first["points"], first["status"]) == ("1.1", 15, "judgement")
    assert [p["code"] for p in data["pillars"]] == ["I", "1", "2", "3", "4", "5", "II", "6"]
    assert data["total"] == 15


def test_text_output_is_vietnamese(seeded, runner, tmp_path):
    result = run(runner, tmp_path, VALUES)
    assert result.exit_code == 0, result.output
    assert "DTI cấp tỉnh 2024: Tổng điểm: 60 điểm / 1.000 (tạm tính: 42 chỉ số chưa đủ số liệu" in result.output
    assert "3.1  22,5/30  [Đã tính điểm] a/b = 45/60 = 75 % → 0,75 × 30 = 22,5 điểm" in result.output
    assert "3 Hạ tầng số: 22,5/200 điểm" in result.output


def test_bad_values_are_listed_with_their_lines_and_nothing_is_scored(seeded, runner, tmp_path):
    result = run(runner, tmp_path, """\
        "1.1": {answer: "có"}
        "3.1": {a: 70, b: 60}
        1.2: {a: 1, b: 1}
        "9.9": {a: 1}
        "1.3": {answer: có, n: "nhiều"}
        """)
    assert result.exit_code == 1
    assert "Số liệu trong so-lieu.yaml có 4 lỗi; chưa tính điểm." in result.output
    assert "so-lieu.yaml: dòng 2, chỉ số \"3.1\", trường 'b': a/b = 70/60: a lớn hơn b" in result.output
    assert "dòng 3, chỉ số \"1.2\": Mã chỉ số phải viết trong ngoặc kép" in result.output
    assert "dòng 4, chỉ số \"9.9\": Không có chỉ số '9.9' trong DTI cấp tỉnh 2024." in result.output
    assert "dòng 5, chỉ số \"1.3\", trường 'n': 'nhiều' không phải là số" in result.output
    assert "Tổng điểm" not in result.output


def test_unknown_framework_and_broken_file(seeded, runner, tmp_path):
    result = run(runner, tmp_path, VALUES, framework="DTI 2024")
    assert result.exit_code != 0 and "Không có bộ chỉ số 'DTI 2024'" in result.output
    assert "DTI cấp tỉnh 2024" in result.output  # the names that exist
    result = run(runner, tmp_path, '"1.1": {answer: [\n')
    assert result.exit_code == 1 and "YAML không hợp lệ" in result.output
    result = run(runner, tmp_path, "- 1\n- 2\n")
    assert result.exit_code == 1 and "Tệp số liệu phải là một bảng" in result.output
