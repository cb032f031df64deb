"""The calculator on the transcribed rules of "DTI cấp tỉnh 2024" and "DTI sở, ban, ngành 2022".

Every expected figure is computed by hand from the rule text the document prints (quoted beside
each group), including the edges: exactly at a threshold, b = 0, a > b, a missing input, "không".
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from tracker.indicators.figures import parse_amount
from tracker.indicators.scoring import JUDGEMENT, MISSING, SCORED, check_values, score

D = Decimal


def one(spec, code, entry):
    result, problems = score(spec, {code: entry})
    return result.get(code), [str(p) for p in problems]


def expect(spec, code, entry, points, status=SCORED, says=None):
    found, problems = one(spec, code, entry)
    assert problems == []
    assert (found.points, found.status) == (points, status), found.explanation
    if says is not None:
        assert says in found.explanation, found.explanation
    return found


# --- every leaf has a rule; every pillar sums its children -------------------------------------

def test_every_indicator_of_both_frameworks_has_a_rule(dti2024, dti2022):
    for spec, leaves in ((dti2024, 47), (dti2022, 41)):
        nodes = list(spec.walk())
        assert all(n.rule is not None for n in nodes), [n.code for n in nodes if n.rule is None]
        assert sum(1 for n in nodes if not n.children) == leaves
        assert all(n.rule["type"] == "sum_of_children" for n in nodes if n.children)


def test_rule_types_used_by_dti_2024(dti2024):
    counts: dict[str, int] = {}
    for node in dti2024.walk():
        counts[node.rule["type"]] = counts.get(node.rule["type"], 0) + 1
    assert counts == {"sum_of_children": 8, "yes_no": 6, "threshold": 7, "proportional": 24, "bands": 5,
                      "sum_of_parts": 5}


def test_dti_2022_prints_no_method_so_every_sub_indicator_is_judgement(dti2022):
    assert {n.rule["type"] for n in dti2022.walk() if not n.children} == {"judgement"}


# --- yes/no: "Người đứng đầu là Trưởng ban ... và có hoạt động chủ trì ...: Điểm tối đa; ...: 0 điểm" --

def test_yes_no(dti2024):
    expect(dti2024, "1.1", {"answer": "có"}, D(10), says="Có → điểm tối đa 10 điểm")
    expect(dti2024, "1.1", {"answer": "không"}, D(0), says="Không → 0 điểm")
    expect(dti2024, "5.8", {"answer": True}, D(10))
    expect(dti2024, "1.1", {}, None, MISSING, says="Thiếu số liệu: answer")
    found, problems = one(dti2024, "1.1", {"answer": "có lẽ"})
    assert found.status == MISSING and "ghi \"có\" hoặc \"không\"" in problems[0]


# --- full-or-zero at a threshold ---------------------------------------------------------------

def test_threshold_3_4_at_80_percent(dti2024):
    # "Điểm tối đa nếu tỷ lệ >=80%; 0 nếu tỷ lệ dưới 80%", max 30
    expect(dti2024, "3.4", {"a": 80, "b": 100}, D(30), says="a/b = 80/100 = 80 % ≥ 80 % → điểm tối đa 30 điểm")
    expect(dti2024, "3.4", {"a": 799, "b": 1000}, D(0), says="79,9 % < 80 % → 0 điểm")
    # just below the threshold never reads as the threshold itself
    expect(dti2024, "3.4", {"a": 799_999, "b": 1_000_000}, D(0), says="= 79,9999 % < 80 % → 0 điểm")


def test_threshold_with_sums_4_2(dti2024):
    # "Tỷ lệ=(a+b)/(c+d); Điểm tối đa nếu tỷ lệ >=10%", max 30
    expect(dti2024, "4.2", {"a": 10, "b": 20, "c": 100, "d": 200}, D(30),
           says="(a + b)/(c + d) = (10 + 20)/(100 + 200) = 30/300 = 10 % ≥ 10 %")
    expect(dti2024, "4.2", {"a": 9, "b": 20, "c": 100, "d": 200}, D(0))


def test_threshold_1_2_exactly_100_percent_and_above(dti2024):
    # "Nếu tỷ lệ =100%: Điểm tối đa; Nếu tỷ lệ<100%: 0 điểm"; more documents than required may be issued
    expect(dti2024, "1.2", {"a": 5, "b": 5}, D(10))
    expect(dti2024, "1.2", {"a": 4, "b": 5}, D(0))
    expect(dti2024, "1.2", {"a": 6, "b": 5}, D(10), says="vượt 100 %")


def test_threshold_4_3_one_percent_and_4_1_all_units(dti2024):
    expect(dti2024, "4.3", {"a": 30, "b": 3000}, D(20))  # exactly 1 %
    expect(dti2024, "4.3", {"a": 29, "b": 3000}, D(0))
    expect(dti2024, "4.1", {"a": 40, "b": 40}, D(10))
    expect(dti2024, "4.1", {"a": 39, "b": 40}, D(0))


def test_threshold_6_4_printed_as_equal_60_percent(dti2024):
    # "Tỷ lệ=60%: Điểm tối đa; Tỷ lệ<60%: 0 điểm" (read as ≥ 60 %, recorded as an inconsistency)
    expect(dti2024, "6.4", {"a": 60, "b": 100}, D(20))
    expect(dti2024, "6.4", {"a": 75, "b": 100}, D(20))
    expect(dti2024, "6.4", {"a": 59, "b": 100}, D(0))


# --- proportional: "Điểm=Tỷ lệ*Điểm tối đa" -------------------------------------------------------

def test_proportional(dti2024):
    expect(dti2024, "3.1", {"a": 45, "b": 60}, D("22.5"), says="a/b = 45/60 = 75 % → 0,75 × 30 = 22,5 điểm")
    expect(dti2024, "4.4", {"a": 45, "b": 60}, D(15), says="0,75 × 20 = 15 điểm")
    expect(dti2024, "3.1", {"a": 1, "b": 7}, D("4.29"))  # 30/7 = 4,2857… rounded half up
    expect(dti2024, "3.1", {"a": 0, "b": 60}, D(0))
    expect(dti2024, "6.7", {"a": 300, "b": 100, "c": 900, "d": 100}, D(4))  # (300+100)/(900+100) × 10
    expect(dti2024, "6.8", {"a": 100, "b": 90, "c": 100, "d": 70}, D(8))  # (b+d)/(a+c) = 160/200 × 10


def test_a_greater_than_b_is_refused_where_the_ratio_is_a_share(dti2024):
    found, problems = one(dti2024, "3.1", {"a": 70, "b": 60})
    assert found.status == MISSING and found.points is None
    assert "a lớn hơn b, tỷ lệ này không thể vượt 100 %" in problems[0]


def test_ratios_the_document_lets_exceed_100_percent_score_the_maximum(dti2024):
    # 5.4/5.5: a counts "HTTT cấp độ 3 trở lên", b only "HTTT cấp độ 3"
    expect(dti2024, "5.4", {"a": 12, "b": 10}, D(10), says="120 % (vượt 100 %: a đếm HTTT cấp độ 3 trở lên")
    expect(dti2024, "5.5", {"a": 5, "b": 10}, D(5))
    # 3.3 "/100 dân": subscriptions over adults (15+) can pass 100 %
    expect(dti2024, "3.3", {"a": 1_200_000, "b": 1_000_000}, D(30))
    expect(dti2024, "3.3", {"a": 900_000, "b": 1_000_000}, D(27))
    # 8.1: accounts at the end of the period over the year's average population
    expect(dti2024, "8.1", {"a": 1010, "b": 1000}, D(50))


def test_b_zero_cannot_be_computed_and_the_coordinator_judges(dti2024):
    found = expect(dti2024, "5.4", {"a": 0, "b": 0}, None, MISSING, says="mẫu số bằng 0")
    assert "điều phối viên chấm theo đánh giá" in found.explanation
    judged = expect(dti2024, "5.4", {"a": 2, "b": 0, "points": 10, "reason": "Tỉnh không có HTTT cấp độ 3; "
                                     "2 HTTT cấp độ 4 đã được kiểm tra"}, D(10), JUDGEMENT)
    assert "Lý do: Tỉnh không có HTTT cấp độ 3" in judged.explanation


def test_points_cannot_replace_a_computed_rule(dti2024):
    found, problems = one(dti2024, "3.1", {"a": 45, "b": 60, "points": 30, "reason": "x"})
    assert any("tính điểm theo công thức" in p for p in problems)


def test_fixed_denominator_3_6(dti2024):
    # "b=Số lượng nền tảng số tối thiểu theo danh mục yêu cầu (7)"
    expect(dti2024, "3.6", {"a": 5}, D("21.43"), says="a/b = 5/7 = 71,43 %")
    expect(dti2024, "3.6", {"a": 7, "b": 7}, D(30))
    expect(dti2024, "3.6", {"a": 9}, D(30))  # more platforms than the list: capped
    assert "cố định b = 7" in one(dti2024, "3.6", {"a": 5, "b": 8})[1][0]


# --- proportional up to a target: "Tỷ lệ>=80%: Điểm tối đa; Tỷ lệ<80%: Tỷ lệ/80%*Điểm tối đa" -------

def test_proportional_to_a_target(dti2024):
    expect(dti2024, "6.5", {"a": 1000, "b": 300, "c": 300}, D(15), says="60 % < 80 % → 60 %/80 % × 20 = 15 điểm")
    expect(dti2024, "6.5", {"a": 1000, "b": 500, "c": 300}, D(20), says="80 % ≥ 80 %")
    expect(dti2024, "6.5", {"a": 1000, "b": 600, "c": 300}, D(20))
    expect(dti2024, "6.6", {"a": 100, "b": 35}, D(25))  # 35/70 × 50
    expect(dti2024, "6.9", {"a": 10, "b": 5, "c": 3000}, D(15))  # 0,5 %/1 % × 30
    expect(dti2024, "6.9", {"a": 20, "b": 10, "c": 3000}, D(30))  # exactly 1 %
    expect(dti2024, "7.3", {"a": 40, "b": 100}, D(10))  # 40/80 × 20
    expect(dti2024, "7.4", {"a": 25, "b": 100}, D(10))  # 25/50 × 20
    expect(dti2024, "8.2", {"a": 25, "b": 100}, D(25))
    expect(dti2024, "8.2", {"a": 120, "b": 100}, D(50))  # certificates can outnumber people
    expect(dti2024, "8.3", {"a": 70, "b": 100}, D(50))  # "≥70%" and "≤70%" meet at 70 %
    expect(dti2024, "8.3", {"a": 35, "b": 100}, D(25))


def test_target_given_by_the_ministry_7_5(dti2024):
    # "điểm = tỷ lệ của địa phương/tỷ lệ của địa phương cao nhất * điểm tối đa"
    expect(dti2024, "7.5", {"a": 12, "b": 100, "t": "0,15"}, D(24), says="0,12 < 0,15 → 0,12/0,15 × 30 = 24 điểm")
    expect(dti2024, "7.5", {"a": 15, "b": 100, "t": "0,15"}, D(30))
    expect(dti2024, "7.5", {"a": 12, "b": 100}, None, MISSING, says="t (Tỷ lệ tên miền .vn/doanh nghiệp")


# --- bands ---------------------------------------------------------------------------------------

def test_bands_7_1_jump_at_20_percent(dti2024):
    # "Tỷ lệ ≥ 20%: điểm tối đa; Tỷ lệ < 20%: điểm = điểm tối đa * tỷ lệ", max 50
    expect(dti2024, "7.1", {"a": 15, "b": 100}, D("7.5"), says="15 % < 20 % → 0,15 × 50 = 7,5 điểm")
    expect(dti2024, "7.1", {"a": 199, "b": 1000}, D("9.95"))
    expect(dti2024, "7.1", {"a": 20, "b": 100}, D(50), says="20 % ≥ 20 % → điểm tối đa 50 điểm")


def test_bands_7_2_firms_per_thousand_people(dti2024):
    # "Tỷ lệ ≥ 0,5 điểm tối đa; Tỷ lệ <0,5: điểm = Điểm tối đa * tỷ lệ"; b in thousands of people
    expect(dti2024, "7.2", {"a": 1200, "b": 3300}, D("10.91"), says="a/b = 1.200/3.300 = 0,3636 < 0,5")
    expect(dti2024, "7.2", {"a": 1650, "b": 3300}, D(30))
    expect(dti2024, "7.2", {"a": 5000, "b": 3300}, D(30))  # a rate, not a share: a > b is fine


def test_bands_on_a_count_behind_a_yes_no_gate(dti2024):
    # 1.3: "... và đưa từ 52 tin bài/năm trở lên: Điểm tối đa; ... dưới 52 tin bài/năm: 1/2*Điểm tối đa;
    #       ... không có chuyên mục riêng: 0 điểm"
    expect(dti2024, "1.3", {"answer": "có", "n": 52}, D(10), says="52 ≥ 52 → điểm tối đa 10 điểm")
    expect(dti2024, "1.3", {"answer": "có", "n": 51}, D(5), says="51 < 52 → 1/2 × 10 = 5 điểm")
    expect(dti2024, "1.3", {"answer": "không"}, D(0), says="Không → 0 điểm")
    expect(dti2024, "1.3", {"answer": "có"}, None, MISSING, says="Số tin bài")
    expect(dti2024, "1.5", {"answer": "có", "n": 12}, D(10))
    expect(dti2024, "1.5", {"answer": "có", "n": 11}, D(5))


# --- choice and sums of parts --------------------------------------------------------------------

def test_sum_of_parts_with_a_choice_and_a_half_ratio_3_5(dti2024):
    # "1. ... đạt tiêu chuẩn: 1/2*Điểm tối đa; ... chưa đạt tiêu chuẩn: 1/4* Điểm tối đa; chưa triển khai: 0"
    # "2. ... Điểm=Tỷ lệ*1/2*Điểm tối đa", max 30
    found = expect(dti2024, "3.5", {"trien_khai": "chua_dat_tieu_chuan", "a": 3, "b": 5}, D("16.5"))
    assert "1/4 × 30 = 7,5 điểm" in found.explanation and "0,6 × 1/2 × 30 = 9 điểm" in found.explanation
    expect(dti2024, "3.5", {"trien_khai": "dat_tieu_chuan", "a": 5, "b": 5}, D(30))
    expect(dti2024, "3.5", {"trien_khai": "Chưa triển khai", "a": 0, "b": 5}, D(0))
    expect(dti2024, "3.5", {"trien_khai": "dat_tieu_chuan", "a": 0, "b": 0}, None, MISSING, says="mẫu số bằng 0")
    assert "ghi một trong: dat_tieu_chuan" in one(dti2024, "3.5", {"trien_khai": "tốt", "a": 1, "b": 2})[1][0]


def test_sum_of_parts_of_yes_no(dti2024):
    # 2.4: "giảm phí, lệ phí: 1/2*Điểm tối đa; giảm thời gian: 1/2*Điểm tối đa", max 20
    expect(dti2024, "2.4", {"giam_phi": "có", "giam_thoi_gian": "không"}, D(10))
    expect(dti2024, "2.4", {"giam_phi": "có", "giam_thoi_gian": "có"}, D(20))
    expect(dti2024, "2.4", {"giam_phi": "không", "giam_thoi_gian": "không"}, D(0))
    expect(dti2024, "2.4", {"giam_phi": "có"}, None, MISSING, says="giam_thoi_gian")
    # 3.7: "CCVC: 1/2; người dân, doanh nghiệp: 1/4; AI nâng cao khác: 1/4", max 20
    expect(dti2024, "3.7", {"ai_ccvc": "có", "ai_nguoi_dan": "không", "ai_khac": "có"}, D(15))
    # 6.1: "Đáp ứng ...: 4/5*Điểm tối đa; IPv6: 1/5 *Điểm tối đa", max 20
    expect(dti2024, "6.1", {"dap_ung": "không", "ipv6": "có"}, D(4), says="1/5 × 20 = 4 điểm")


# --- judgement (DTI sở, ban, ngành 2022) ---------------------------------------------------------

def test_judgement(dti2022):
    expect(dti2022, "1.1", {"points": 20, "reason": "Giám đốc Sở là Tổ trưởng Tổ chuyển đổi số (QĐ 12/QĐ-SNV)"},
           D(20), JUDGEMENT, says="Lý do: Giám đốc Sở")
    expect(dti2022, "1.1", {}, None, MISSING, says="điều phối viên nhập điểm")
    assert "phải kèm lý do" in one(dti2022, "1.1", {"points": 20})[1][0]
    assert "phải từ 0 đến 20" in one(dti2022, "1.1", {"points": 25, "reason": "x"})[1][0]


def test_pillar_sums_are_capped_at_the_printed_maximum(dti2022):
    sixes = [n for n in dti2022.walk() if n.code.startswith("6.")]
    fives = [n for n in dti2022.walk() if n.code.startswith("5.")]
    values = {n.code: {"points": n.max_points, "reason": "Đạt đầy đủ"} for n in sixes + fives}
    result, problems = score(dti2022, values)
    assert problems == []
    six, five = result.get("6"), result.get("5")
    assert six.points == D(500) and "vượt điểm tối đa 500" in six.explanation  # 13 sub-indicators sum to 515
    assert five.points == D(80) and five.max_points == D(100)  # 10 sub-indicators sum to 80
    assert result.get("II").points == D(500) and result.get("I").points == D(80)
    assert result.total == D(580)


# --- whole framework, pillars, total -------------------------------------------------------------

def test_pillars_and_total(dti2024):
    values = {"1.1": {"answer": "có"}, "1.2": {"a": 5, "b": 5}, "1.3": {"answer": "có", "n": 60},
              "1.4": {"answer": "có", "n": 30}, "1.5": {"answer": "không"}, "3.1": {"a": 45, "b": 60}}
    result, problems = score(dti2024, values)
    assert problems == []
    pillar = result.get("1")
    assert (pillar.points, pillar.max_points, pillar.status) == (D(35), D(50), SCORED)
    assert "10 + 10 + 10 + 5 + 0 = 35 điểm" in pillar.explanation
    three = result.get("3")
    assert three.points == D("22.5") and three.status == MISSING and "chưa đủ số liệu: 3.2" in three.explanation
    assert result.total == D("57.5") and result.max_points == D(1000)
    assert result.counts() == {SCORED: 6, MISSING: 41, JUDGEMENT: 0}
    data = result.as_json()
    assert set(data) == {"total", "max", "pillars", "indicators"}
    assert data["total"] == 57.5 and data["max"] == 1000
    assert data["pillars"][0] == {"code": "1", "points": 35, "max": 50}
    assert len(data["pillars"]) == 8 and len(data["indicators"]) == 47
    first = data["indicators"][0]
    assert first == {"code": "1.1", "points": 10, "max": 10, "status": "scored",
                     "explanation": "Có → điểm tối đa 10 điểm"}
    assert next(i for i in data["indicators"] if i["code"] == "3.2")["points"] is None


def test_every_indicator_at_full_marks_gives_1000(dti2024):
    full = {"1.1": {"answer": "có"}, "1.2": {"a": 1, "b": 1}, "1.3": {"answer": "có", "n": 52},
            "1.4": {"answer": "có", "n": 52}, "1.5": {"answer": "có", "n": 12}, "2.1": {"answer": "có"},
            "2.2": {"answer": "có"}, "2.3": {"answer": "có"}, "2.4": {"giam_phi": "có", "giam_thoi_gian": "có"},
            "3.5": {"trien_khai": "dat_tieu_chuan", "a": 1, "b": 1}, "3.6": {"a": 7},
            "3.7": {"ai_ccvc": "có", "ai_nguoi_dan": "có", "ai_khac": "có"}, "5.7": {"answer": "có"},
            "5.8": {"answer": "có"}, "6.1": {"dap_ung": "có", "ipv6": "có"}, "6.2": {"dap_ung": "có", "ipv6": "có"},
            "6.5": {"a": 2, "b": 1, "c": 1}, "6.9": {"a": 1, "b": 1, "c": 2}, "7.2": {"a": 1, "b": 2},
            "7.5": {"a": 1, "b": 1, "t": 1}}
    for node in dti2024.walk():
        if not node.children and node.code not in full:
            full[node.code] = {i.key: 1 for i in node.asked()}
    result, problems = score(dti2024, full)
    assert problems == []
    assert result.total == D(1000) and result.counts()[SCORED] == 47


# --- the values themselves -----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    (45, 45), ("12,5", D("12.5")), ("1.234.567", 1234567), ("1.234,5", D("1234.5")), (0.5, D("0.5")),
    ("1.234", None), ("abc", None), ("1,2,3", None), (True, None), ("10%", None),
])
def test_figures_as_providers_write_them(text, expected):
    parsed = parse_amount(text)
    assert (None if parsed is None else D(parsed.numerator) / D(parsed.denominator)) == (
        None if expected is None else D(expected))


def test_bad_values_are_all_named(dti2024):
    problems = [str(p) for p in check_values(dti2024, {
        1.2: {"a": 5}, "9.9": {"a": 1}, "1": {"a": 1}, "3.1": {"a": "x", "b": 60, "c": 2}, "4.4": {"a": -1, "b": 10},
        "1.1": "có",
    })]
    assert any("ngoặc kép" in p for p in problems)
    assert any("Không có chỉ số '9.9'" in p for p in problems)
    assert any("tổng các chỉ số thành phần" in p for p in problems)
    assert any("'x' không phải là số" in p for p in problems)
    assert "'1.234' không rõ: 1234 thì viết 1234 hoặc 1.234,0; số thập phân thì viết 1,234." in str(
        check_values(dti2024, {"3.1": {"a": "1.234", "b": 2000}})[0])
    assert any("trường 'c': Trường không dùng" in p for p in problems)
    assert any("không được âm" in p for p in problems)
    assert any("là một bảng" in p for p in problems)


def test_what_each_indicator_asks_its_providers_for(dti2024):
    """What a campaign collects: the document's inputs the rule uses, then the rule's own questions."""
    def asked(code):
        return [(i.key, i.kind) for i in dti2024.find(code).asked()]

    assert asked("3.5") == [("a", "number"), ("b", "number"), ("trien_khai", "choice")]
    assert asked("1.3") == [("answer", "yes_no"), ("n", "number")]
    assert asked("3.6") == [("a", "number")]  # b is fixed at 7 by the document
    assert asked("7.5") == [("a", "number"), ("b", "number"), ("t", "number")]
    assert dti2024.find("1.3").asked()[0].providers == ["Văn phòng UBND tỉnh"]
    assert dti2024.find("3.1").asked()[1].providers == ["Sở Nội vụ"]
