"""The import pipeline's parts (tracker/plans/importing/): readers by suffix, values, owner
wording, units files' inconsistencies, dry run and JSON output."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.plans.importing import values
from tracker.plans.importing.readers import READERS
from tracker.plans.loader import load_paths
from tracker.plans.models import Appendix, DataIssue, Plan, PlanItem, Section
from tracker.plans.sources import LoadError

ROOT = Path(__file__).resolve().parents[2]
HUE_UNITS = ROOT / "seed_plans" / "units" / "thua-thien-hue.yaml"


def test_every_format_has_its_reader():
    assert set(READERS) == {".yaml", ".yml", ".xlsx", ".docx"}


@pytest.mark.parametrize("text,expected", [("-", None), (" - ", None), ("", None), (None, None), ("0", 0),
                                           ("5.000.000.000", 5_000_000_000), ("12 đ", 12), (7, 7)])
def test_money(text, expected):
    assert values.parse_money(text) == expected


@pytest.mark.parametrize("text", ["5.00.000", "-5", "abc", "1,5", 2.5])
def test_money_refused(text):
    with pytest.raises(ValueError):
        values.parse_money(text)


def test_several_target_values_with_their_scope():
    rows = values.parse_target_values("100 % cấp tỉnh, cấp huyện; 90 % cấp xã")
    assert rows == [{"value": "100", "unit": "%", "scope": "cấp tỉnh, cấp huyện"},
                    {"value": "90", "unit": "%", "scope": "cấp xã"}]
    assert values.target_values_text(rows) == "100 % cấp tỉnh, cấp huyện; 90 % cấp xã"
    assert values.parse_target_values([{"value": 80, "unit": "%", "scope": "cấp xã"}]) == [
        {"value": "80", "unit": "%", "scope": "cấp xã"}]


@pytest.mark.parametrize("text,start,end,ok", [("2021 - 2025", 2021, 2025, True), ("Năm 2022", 2022, 2022, True),
                                               ("2021 - 20222", 2021, 2022, False), ("2021 - 2024", 2021, 2025, False)])
def test_printed_years_cross_checked(text, start, end, ok):
    assert (values.check_years_text(text, start, end) is None) is ok


PLAN = """kind: plan
number: 3/KH-UBND
date: 2026-03-02
issuing_body: UBND tỉnh Thừa Thiên Huế
area: thua-thien-hue
title: Thử nghiệm nhập
appendices:
- number: "1"
  kind: target
  title: Chỉ tiêu
  items:
  - code: "1"
    text: Hồ sơ trực tuyến toàn trình
    target_values: 100 % cấp tỉnh, cấp huyện; 90 % cấp xã
    target_year: 2030
    owner: Sở Thông tin và Truyền thông (Trung tâm Giám sát, điều hành đô thị thông minh)
- number: "3"
  kind: project
  title: Dự án
  items:
  - code: "1"
    text: Nền tảng
    owner: Sở Tài chính và Sở Kế hoạch và Đầu tư
    years_text: 2026 - 2027
- number: "5"
  kind: budget
  title: Kinh phí
  declared_totals: {state: "-", other: "-", total: "-"}
  items:
  - code: "1"
    text: Nền tảng
    owner: Sở Tài chính
    state: "-"
    other: "-"
    total: "-"
"""


@pytest.fixture
def plan_file(tmp_path):
    path = tmp_path / "ke-hoach-3.yaml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def test_owner_wording_kept_while_resolving_to_units(db, plan_file):
    load_paths([HUE_UNITS])
    plan = load_paths([plan_file]).plans[0]
    items = {i.ref: i for i in db.session.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id))}
    target = items["1/1"]
    assert target.owner_text == "Sở Thông tin và Truyền thông (Trung tâm Giám sát, điều hành đô thị thông minh)"
    assert [(a.role, a.unit.name) for a in target.assignments] == [
        ("owner", "Sở Thông tin và Truyền thông"), ("owner", "Trung tâm Giám sát, điều hành đô thị thông minh")]
    assert target.target_values[1] == {"value": "90", "unit": "%", "scope": "cấp xã"}
    project = items["3/1"]
    assert project.owner_text == "Sở Tài chính và Sở Kế hoạch và Đầu tư"
    assert [a.unit.name for a in project.assignments] == ["Sở Tài chính", "Sở Kế hoạch và Đầu tư"]


def test_a_dash_is_no_amount_not_zero_for_rows_and_declared_totals(db, plan_file):
    load_paths([HUE_UNITS])
    plan = load_paths([plan_file]).plans[0]
    budget = db.session.scalar(select(PlanItem).where(PlanItem.plan_id == plan.id, PlanItem.kind == "budget"))
    assert (budget.budget_state, budget.budget_other, budget.budget_total) == (None, None, None)
    appendix = db.session.scalar(select(Appendix).where(Appendix.plan_id == plan.id, Appendix.kind == "budget"))
    assert (appendix.declared_state, appendix.declared_other, appendix.declared_total) == (None, None, None)


def test_a_year_range_typo_is_refused_naming_row_and_field(db, tmp_path):
    load_paths([HUE_UNITS])
    path = tmp_path / "nam.yaml"
    path.write_text(PLAN.replace("years_text: 2026 - 2027", "years_text: 2021 - 20222"), encoding="utf-8")
    with pytest.raises(LoadError) as error:
        load_paths([path])
    assert "nam.yaml: dòng 21, trường 'years_text': Năm thực hiện '2021 - 20222'" in str(error.value)
    path.write_text(PLAN.replace("years_text: 2026 - 2027", "years_text: 2026 - 2027\n    start_year: 2026\n    end_year: 2028"),
                    encoding="utf-8")
    with pytest.raises(LoadError) as error:
        load_paths([path])
    assert "trường 'years_text': Năm thực hiện '2026 - 2027' khác năm bắt đầu/kết thúc 2026 - 2028" in str(error.value)


def test_a_wrong_area_code_does_not_hide_the_other_errors(db, tmp_path):
    load_paths([HUE_UNITS])
    path = tmp_path / "sai.yaml"
    path.write_text(PLAN.replace("area: thua-thien-hue", "area: thua-thien-hue-x")
                    .replace("years_text: 2026 - 2027", "years_text: 2021 - 20222"), encoding="utf-8")
    units = tmp_path / "don-vi.yaml"
    units.write_text("kind: units\narea: {code: tinh-moi, name: Tỉnh Mới}\nunits:\n- {name: Sở A, kind: khong-co}\n",
                     encoding="utf-8")
    with pytest.raises(LoadError) as error:
        load_paths([path, units])
    text = str(error.value)
    assert "Không có địa bàn mã 'thua-thien-hue-x'. Có phải: thua-thien-hue?" in text
    assert "don-vi.yaml: dòng 4, trường 'kind': Loại đơn vị 'khong-co'" in text


def test_units_file_inconsistencies_are_recorded_and_printed_by_check_plans(db, runner):
    load_paths([HUE_UNITS])
    issues = db.session.scalars(select(DataIssue).where(DataIssue.area_id.is_not(None))).all()
    assert issues and any("Sở Thông tin Thông tin và Truyền thông" in i.text for i in issues)
    assert load_paths([HUE_UNITS]).changes == 0  # recorded once
    result = runner.invoke(args=["tracker", "check-plans"])
    assert result.exit_code == 0, result.output
    assert "Đơn vị của Tỉnh Thừa Thiên Huế (thua-thien-hue)" in result.output
    assert "Sở Thông tin Thông tin và Truyền thông" in result.output


def test_dry_run_writes_nothing_and_prints_the_json_shape(db, runner, plan_file):
    load_paths([HUE_UNITS])
    db.session.commit()
    counts = {name: db.session.scalar(select(func.count()).select_from(model)) for name, model in
              (("plan", Plan), ("item", PlanItem), ("section", Section), ("issue", DataIssue))}
    result = runner.invoke(args=["tracker", "load-plans", str(plan_file), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["dry_run"] is True and summary["errors"] == [] and summary["unresolved_units"] == []
    plan = summary["plans"][0]
    assert plan["number"] == "3/KH-UBND" and plan["area"] == "thua-thien-hue"
    assert plan["items"] == {"target": 1, "document": 0, "project": 1, "budget": 1}
    assert plan["changes"] == {"created": 3, "updated": 0, "unchanged": 0, "not_in_file": 0}
    assert counts == {name: db.session.scalar(select(func.count()).select_from(model)) for name, model in
                      (("plan", Plan), ("item", PlanItem), ("section", Section), ("issue", DataIssue))}

    loaded = json.loads(runner.invoke(args=["tracker", "load-plans", str(plan_file), "--json"]).output)
    assert loaded["dry_run"] is False and loaded["plans"][0]["changes"]["created"] == 3
    again = json.loads(runner.invoke(args=["tracker", "load-plans", str(plan_file), "--dry-run", "--json"]).output)
    assert again["plans"][0]["changes"] == {"created": 0, "updated": 0, "unchanged": 3, "not_in_file": 0}


def test_dry_run_errors_in_json_with_place(db, runner, tmp_path):
    load_paths([HUE_UNITS])
    path = tmp_path / "loi.yaml"
    path.write_text(PLAN.replace("owner: Sở Tài chính\n", "owner: Sở Tài Chánh\n"), encoding="utf-8")
    result = runner.invoke(args=["tracker", "load-plans", str(path), "--dry-run", "--json"])
    assert result.exit_code == 1
    summary = json.loads(result.output)
    assert summary["errors"][0]["file"] == "loi.yaml" and summary["errors"][0]["field"] == "owner"
    assert summary["unresolved_units"][0]["name"] == "Sở Tài Chánh"
    assert "Sở Tài chính" in summary["unresolved_units"][0]["closest"]


def test_several_target_values_shown_on_the_plan_page(db, client, login, factory, plan_file):
    from tests.updates.world import make_user
    from tracker.units.models import Unit

    load_paths([HUE_UNITS])
    plan = load_paths([plan_file]).plans[0]
    unit = db.session.scalar(select(Unit).where(Unit.area_id == plan.area_id, Unit.name == "Sở Tài chính"))
    viewer = make_user(factory, "viewer", unit, "xem.hue@test.vn", "Theo dõi Huế")
    db.session.commit()
    login(viewer)
    html = client.get(f"/ke-hoach/{plan.id}?phu-luc=1").get_data(as_text=True)
    assert "100 % cấp tỉnh, cấp huyện; 90 % cấp xã" in html
