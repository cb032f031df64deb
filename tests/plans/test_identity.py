"""A plan is its area, its number and its issue date: another province's 222/KH-UBND is another plan;
a plan may have no number or no day yet; commands naming a plan take --area."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.plans.loader import load_paths
from tracker.plans.models import Plan, PlanItem
from tracker.plans.sources import LoadError

OTHER_UNITS = """\
kind: units
area: {code: tinh-khac, name: Tỉnh Khác, level: province, parent: null}
units:
  - {name: Sở Khoa học và Công nghệ, short_name: Sở KH&CN, kind: department}
  - {name: Văn phòng UBND tỉnh, short_name: VP UBND tỉnh, kind: committee_office}
groups: []
"""

OTHER_PLAN = """\
kind: plan
number: {number}
date: {date}
issuing_body: UBND tỉnh Khác
area: {area}
title: {title}
period: {{start: 2021, end: 2025}}
appendices:
  - number: "1"
    kind: target
    title: CHỈ TIÊU
    items:
      - {{code: "1.", text: 100% văn bản điện tử có chữ ký số, owner: {owner}, target_value: 100, measure_unit: "%", target_year: 2025}}
  - number: "3"
    kind: project
    title: DỰ ÁN
    items:
      - {{code: "1.", text: Trung tâm dữ liệu, owner: {owner}, years_text: "2021 - 2023"}}
"""


def write_plan(tmp_path: Path, name: str = "plan.yaml", *, number="222/KH-UBND", date="2021-03-02",
               area="tinh-khac", title="Chuyển đổi số tỉnh Khác", owner="Sở KH&CN") -> Path:
    (tmp_path / "units.yaml").write_text(OTHER_UNITS, encoding="utf-8")
    path = tmp_path / name
    path.write_text(OTHER_PLAN.format(number=number, date=date, area=area, title=title, owner=owner), encoding="utf-8")
    return path


def counts(db, plan) -> dict[str, int]:
    return dict(db.session.execute(
        select(PlanItem.kind, func.count()).where(PlanItem.plan_id == plan.id).group_by(PlanItem.kind)).all())


def plans_numbered(db, number: str) -> list[Plan]:
    return db.session.scalars(select(Plan).where(Plan.number == number).order_by(Plan.id)).all()


def test_another_areas_plan_with_the_same_number_is_another_plan(seeded, db, tmp_path, runner):
    hue_plan = plans_numbered(db, "222/KH-UBND")[0]
    before = counts(db, hue_plan)
    assert (before["target"], before["document"], before["project"], before["budget"]) == (14, 28, 56, 56)
    write_plan(tmp_path)
    result = runner.invoke(args=["tracker", "load-plans", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "không còn trong tệp" not in result.output
    hue_plan, other = plans_numbered(db, "222/KH-UBND")
    assert counts(db, hue_plan) == before
    assert hue_plan.area.code == "thua-thien-hue" and hue_plan.tenant.code == "thua-thien-hue"
    assert hue_plan.title.startswith("Triển khai chương trình Chuyển đổi số tỉnh Thừa Thiên Huế")
    assert other.area.code == "tinh-khac" and counts(db, other) == {"target": 1, "project": 1}
    # Loading both again changes nothing.
    again = runner.invoke(args=["tracker", "load-plans", str(tmp_path)])
    assert again.exit_code == 0 and "không có gì thay đổi" in again.output


def test_same_number_same_year_other_date_is_refused_naming_both(seeded, db, tmp_path):
    hue_plan = plans_numbered(db, "222/KH-UBND")[0]
    before = counts(db, hue_plan)
    write_plan(tmp_path, area="thua-thien-hue", date="2020-11-05", owner="Sở Khoa học và Công nghệ")
    with pytest.raises(LoadError) as error:
        load_paths([tmp_path / "plan.yaml"])
    message = str(error.value)
    assert "222/KH-UBND ngày 05/11/2020" in message and "ngày 21/10/2020 của Tỉnh Thừa Thiên Huế" in message
    db.session.rollback()
    assert counts(db, plans_numbered(db, "222/KH-UBND")[0]) == before and len(plans_numbered(db, "222/KH-UBND")) == 1


def test_same_number_in_another_year_is_another_plan(seeded, db, tmp_path):
    write_plan(tmp_path, area="thua-thien-hue", date="2023-04-01", owner="Sở Khoa học và Công nghệ",
               title="Chuyển đổi số năm 2023")
    load_paths([tmp_path / "plan.yaml"])
    first, second = plans_numbered(db, "222/KH-UBND")
    assert first.issued_on.year == 2020 and second.issued_on.year == 2023
    assert counts(db, first)["project"] == 56 and counts(db, second) == {"target": 1, "project": 1}


def test_a_plan_without_number_or_day_is_kept_as_printed(db, tmp_path, client, factory, login):
    write_plan(tmp_path, number='"/KH-UBND"', date='"ngày … tháng 02 năm 2021"')
    result = load_paths([tmp_path])
    plan = result.plans[0]
    assert plan.number == "/KH-UBND" and plan.issued_precision == "month" and plan.issued_on.isoformat() == "2021-02-01"
    assert plan.number_label == "…/KH-UBND" and plan.date_label == "…/02/2021"
    db.session.commit()
    login(factory.user("viewer", tenant=plan.tenant))
    page = client.get(f"/ke-hoach/{plan.id}").get_data(as_text=True)
    assert "Kế hoạch …/KH-UBND ngày …/02/2021" in page
    assert "…/KH-UBND" in client.get("/ke-hoach").get_data(as_text=True)
    # Reloading finds the same plan; another untitled plan of the same month is another plan.
    assert load_paths([tmp_path]).changes == 0
    write_plan(tmp_path, "second.yaml", number='"/KH-UBND"', date="2021-02", title="Kế hoạch thứ hai")
    load_paths([tmp_path])
    assert len(plans_numbered(db, "/KH-UBND")) == 2


def test_a_bad_date_names_the_field(db, tmp_path):
    write_plan(tmp_path, date='"tháng hai"')
    with pytest.raises(LoadError) as error:
        load_paths([tmp_path])
    assert "date" in str(error.value) and "YYYY-MM" in str(error.value)


def test_report_and_plan_template_take_area(seeded, db, tmp_path, runner):
    write_plan(tmp_path)
    load_paths([tmp_path])
    db.session.commit()
    out = tmp_path / "bao-cao.html"
    ambiguous = runner.invoke(args=["tracker", "report", "--plan", "222/KH-UBND", "--period", "2025-Q3",
                                    "--format", "html", "--out", str(out)])
    assert ambiguous.exit_code != 0
    assert "--area" in ambiguous.output and "thua-thien-hue" in ambiguous.output and "tinh-khac" in ambiguous.output
    ok = runner.invoke(args=["tracker", "report", "--plan", "222/KH-UBND", "--area", "tinh-khac", "--period",
                             "2025-Q3", "--format", "html", "--out", str(out)])
    assert ok.exit_code == 0, ok.output
    html = out.read_text(encoding="utf-8")
    assert "UBND TỈNH KHÁC" in html and "THỪA THIÊN HUẾ" not in html
    workbook = tmp_path / "kh.xlsx"
    result = runner.invoke(args=["tracker", "plan-template", str(workbook), "--plan", "222/KH-UBND",
                                 "--area", "thua-thien-hue"])
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    from tracker.plans.sources import PLAN_SHEET

    rows = {row[0]: row[1] for row in load_workbook(workbook)[PLAN_SHEET].iter_rows(values_only=True)}
    assert rows["Mã địa bàn"] == "thua-thien-hue" and rows["Số, ký hiệu"] == "222/KH-UBND"
    missing = runner.invoke(args=["tracker", "plan-template", str(workbook), "--plan", "222/KH-UBND",
                                  "--area", "khong-co"])
    assert missing.exit_code != 0 and "khong-co" in missing.output
