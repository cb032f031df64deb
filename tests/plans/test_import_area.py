"""`load-plans --area CODE` (the area of a plan whose file does not say, which must match when
it does), and the issue's last gaps: a wrong area code hides none of the file's other errors,
and lists of closest names name nobody twice."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.plans.docx_builder import TableSpec, small_plan
from tests.plans.test_importing import HUE_UNITS, PLAN
from tracker.plans.loader import load_paths
from tracker.plans.models import Plan, PlanItem
from tracker.plans.sources import LoadError
from tracker.units.models import Area

THANH_HOA_UNITS = HUE_UNITS.parent / "thanh-hoa.yaml"
NO_AREA = PLAN.replace("area: thua-thien-hue\n", "")


@pytest.fixture
def hue(db):
    load_paths([HUE_UNITS])
    db.session.commit()
    return db.session.scalar(select(Area).where(Area.code == "thua-thien-hue"))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(runner, *args):
    return runner.invoke(args=["tracker", "load-plans", *map(str, args)])


def test_area_of_a_plan_whose_file_does_not_say(hue, db, runner, tmp_path):
    path = write(tmp_path, "khong-dia-ban.yaml", NO_AREA)
    refused = load(runner, path, "--dry-run")
    assert refused.exit_code == 1 and "trường 'area': Thiếu mã địa bàn." in refused.output
    dry = load(runner, path, "--area", "thua-thien-hue", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    summary = json.loads(dry.output)
    assert summary["errors"] == [] and summary["plans"][0]["area"] == "thua-thien-hue"
    assert summary["plans"][0]["changes"]["created"] == 3
    assert db.session.scalar(select(Plan)) is None  # a dry run writes nothing
    done = load(runner, path, "--area", "thua-thien-hue", "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["plans"][0]["area"] == "thua-thien-hue"
    assert db.session.scalar(select(Plan)).area_id == hue.id
    # A file that says the same area is fine with --area as well.
    same = load(runner, write(tmp_path, "co-dia-ban.yaml", PLAN), "--area", "thua-thien-hue", "--dry-run")
    assert same.exit_code == 0, same.output


def test_a_wrong_area_code_is_named_with_the_closest_and_the_other_errors_stay_listed(hue, db, runner, tmp_path):
    path = write(tmp_path, "sai.yaml", NO_AREA.replace("years_text: 2026 - 2027", "years_text: 2021 - 20222"))
    for extra in ([], ["--dry-run"]):
        result = load(runner, path, "--area", "thua-thien-hue-x", *extra)
        assert result.exit_code == 1
        assert "--area: trường 'area': Không có địa bàn mã 'thua-thien-hue-x'. Có phải: thua-thien-hue?" in result.output
        assert "sai.yaml: dòng 20, trường 'years_text': Năm thực hiện '2021 - 20222'" in result.output
    for extra in ([], ["--dry-run"]):
        result = load(runner, path, "--area", "thua-thien-hue-x", "--json", *extra)
        assert result.exit_code == 1
        errors = json.loads(result.output)["errors"]
        assert {"file": "--area", "where": "", "field": "area",
                "message": "Không có địa bàn mã 'thua-thien-hue-x'. Có phải: thua-thien-hue?"} in errors
        assert any(e["field"] == "years_text" and "2021 - 20222" in e["message"] for e in errors)
    assert db.session.scalar(select(Plan)) is None


def test_a_file_naming_another_area_than_the_option_is_refused(hue, db, runner, tmp_path):
    load_paths([THANH_HOA_UNITS])
    db.session.commit()
    path = write(tmp_path, "hue.yaml", PLAN)
    message = "Tệp ghi địa bàn 'thua-thien-hue', khác địa bàn --area 'thanh-hoa': sửa tệp hoặc bỏ --area."
    result = load(runner, path, "--area", "thanh-hoa")
    assert result.exit_code == 1 and message in result.output
    result = load(runner, path, "--area", "thanh-hoa", "--dry-run", "--json")
    assert result.exit_code == 1
    assert [e["message"] for e in json.loads(result.output)["errors"]] == [message]
    assert db.session.scalar(select(Plan)) is None


def test_a_word_plan_whose_issuing_body_names_no_known_area_takes_the_option(hue, db, runner, tmp_path):
    table = TableSpec([["TT", "Nội dung chỉ tiêu", "Chủ trì", "Phối hợp"]],
                      [["1", "100% hồ sơ công việc xử lý trên môi trường mạng", "Sở Thông tin và Truyền thông", "Sở Nội vụ"]])
    path = small_plan(tmp_path / "chi-tieu.docx", [("Phụ lục 1", "CÁC CHỈ TIÊU", [table])])  # "TỈNH MẪU"
    assert load(runner, path, "--dry-run").exit_code == 1  # area "mau" does not exist
    result = load(runner, path, "--area", "thua-thien-hue", "--json")
    assert result.exit_code == 0, result.output
    plan = db.session.scalar(select(Plan))
    assert plan.area_id == hue.id and plan.number == "9/KH-UBND"
    [item] = db.session.scalars(select(PlanItem)).all()
    assert [a.unit.name for a in item.assignments] == ["Sở Thông tin và Truyền thông", "Sở Nội vụ"]


def test_a_wrong_area_code_in_the_file_hides_none_of_its_rows_errors(hue, tmp_path):
    text = (PLAN.replace("area: thua-thien-hue", "area: thua-thien-hue-x")
            .replace("years_text: 2026 - 2027", "years_text: 2021 - 20222")
            .replace("    owner: Sở Tài chính\n    state", "    state")
            .replace("target_year: 2030", "target_year: 20300"))
    with pytest.raises(LoadError) as error:
        load_paths([write(tmp_path, "sai.yaml", text)])
    lines = str(error.value).splitlines()
    assert any("trường 'area': Không có địa bàn mã 'thua-thien-hue-x'. Có phải: thua-thien-hue?" in l for l in lines)
    assert any("trường 'target_year'" in l and "20300" in l for l in lines)
    assert any("trường 'years_text': Năm thực hiện '2021 - 20222'" in l for l in lines)
    assert any("trường 'owner': Thiếu đơn vị chủ trì." in l for l in lines)


UNITS_WITH_ALIASES = """\
kind: units
area: {code: mau, name: Tỉnh Mẫu, level: province, parent: null}
units:
  - name: Sở Thông tin và Truyền thông
    short_name: Sở Thông tin Truyền thông
    kind: department
    aliases: ["Sở Thông tin và Truyền Thông tỉnh", "Sở Thông tin - Truyền thông", "Sở Thông tin và Truyền thông Mẫu"]
  - {name: Sở Tài chính, kind: department, aliases: ["Sở Tài Chính tỉnh"]}
"""
PLAN_WITH_TYPO = """\
kind: plan
number: 4/KH-UBND
date: 2026-03-02
issuing_body: UBND tỉnh Mẫu
area: mau-x
title: Thử nghiệm
appendices:
- number: "1"
  kind: project
  title: Dự án
  items:
  - code: "1"
    text: Nền tảng
    owner: Sở Thông tin và Truyền thôngg
    years_text: 2026 - 2027
"""


def test_hint_lists_name_each_unit_and_area_once(db, tmp_path):
    load_paths([write(tmp_path, "mau.yaml", UNITS_WITH_ALIASES)])
    load_paths([write(tmp_path, "mau-2.yaml", UNITS_WITH_ALIASES.replace("code: mau,", "code: mau-2,")
                      .replace("Tỉnh Mẫu", "Tỉnh Mẫu Hai"))])
    with pytest.raises(LoadError) as error:
        load_paths([write(tmp_path, "ke-hoach.yaml", PLAN_WITH_TYPO)])
    assert "Không có địa bàn mã 'mau-x'. Có phải: mau-2, mau?" in str(error.value)
    with pytest.raises(LoadError) as error:
        load_paths([write(tmp_path, "ke-hoach.yaml", PLAN_WITH_TYPO.replace("area: mau-x", "area: mau"))])
    [unknown] = error.value.unresolved_units
    # Four names of the same unit are close to the typo: the unit is named once.
    assert unknown["closest"] == ["Sở Thông tin và Truyền thông"]
    assert "Tên gần đúng: Sở Thông tin và Truyền thông." in str(error.value)
