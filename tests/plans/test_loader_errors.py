"""Bad input: a clear error naming file, place and field; all problems listed; nothing changed."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.plans.loader import load_paths
from tracker.plans.sources import LoadError

UNITS = """\
kind: units
area: {code: tinh-mau, name: Tỉnh Mẫu, level: province, parent: null}
units:
  - {name: Sở Thông tin và Truyền thông, short_name: Sở TT&TT, kind: department, aliases: [STTTT]}
  - {name: Sở Tài chính, kind: department}
  - {name: Văn phòng UBND tỉnh, short_name: VP UBND tỉnh, kind: committee_office}
groups:
  - {name: Các Sở, ban, ngành, aliases: ["Sở, ban, ngành"], members: [Sở TT&TT, Sở Tài chính]}
"""

PLAN = """\
kind: plan
number: 9/KH-UBND
date: 2021-01-05
issuing_body: UBND tỉnh Mẫu
area: tinh-mau
title: Kế hoạch mẫu
period: {start: 2021, end: 2025}
appendices:
  - number: "3"
    kind: project
    title: DANH MỤC DỰ ÁN
    sections:
      - code: A
        title: Nền tảng
        items:
          - {code: "1", text: Triển khai chữ ký số, owner: Sở TT&TT, years_text: "2021 - 2022"}
          - {code: "2", text: Số hóa dữ liệu, owner: "Sở, ban, ngành", years_text: "2021 – 2025"}
  - number: "5"
    kind: budget
    title: KINH PHÍ
    declared_totals: {state: 3000000000, other: 0, total: 3000000000}
    sections:
      - code: A
        title: Nền tảng
        items:
          - {code: "1", text: Triển khai chữ ký số, owner: Sở TT&TT, state: 1000000000, other: 0, total: 1000000000}
          - {code: "2", text: Số hóa dữ liệu, owner: "Sở, ban, ngành", state: 2000000000, other: 0, total: 2000000000}
"""


def write(tmp_path: Path, plan: str = PLAN) -> Path:
    (tmp_path / "units.yaml").write_text(UNITS, encoding="utf-8")
    (tmp_path / "plan.yaml").write_text(plan, encoding="utf-8")
    return tmp_path


def counts(db) -> dict[str, int]:
    return {n: db.session.execute(select(func.count()).select_from(t)).scalar_one() for n, t in db.metadata.tables.items()}


def test_small_plan_loads(db, tmp_path):
    result = load_paths([write(tmp_path)])
    assert result.as_json()["plans"][0]["items"]["project"] == 2


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("owner: Sở TT&TT, years_text: \"2021 - 2022\"", "owner: Sở TT và TT, years_text: \"2021 - 2022\"",
         ["plan.yaml: dòng 16, trường 'owner': Không tìm thấy đơn vị 'Sở TT và TT' ở Tỉnh Mẫu.", "Tên gần đúng: Sở Thông tin và Truyền thông"]),
        ("state: 2000000000", "state: 2.000.00", ["plan.yaml: dòng 27, trường 'state': Số tiền '2.000.00' không hợp lệ"]),
        ("state: 2000000000", "state: -5", ["trường 'state': Số tiền không được âm"]),
        ("years_text: \"2021 – 2025\"", "years_text: \"2021 đến 2025\"",
         ["plan.yaml: dòng 17, trường 'years_text': Năm thực hiện '2021 đến 2025' không đúng dạng"]),
        ("years_text: \"2021 - 2022\"", "years_text: \"2023 - 2021\"", ["trường 'years_text'"]),
        ("owner: Sở TT&TT, years_text: \"2021 - 2022\"", "years_text: \"2021 - 2022\"",
         ["plan.yaml: dòng 16, trường 'owner': Thiếu đơn vị chủ trì."]),
        ("{code: \"2\", text: Số hóa dữ liệu, owner: \"Sở, ban, ngành\", years_text",
         "{code: \"1\", text: Số hóa dữ liệu, owner: \"Sở, ban, ngành\", years_text",
         ["plan.yaml: dòng 17, trường 'code': Mã '1' trùng trong cùng đề mục (đã có ở dòng 16)"]),
        ("- {code: \"2\", text: Số hóa dữ liệu, owner: \"Sở, ban, ngành\", state",
         "- {code: \"3\", text: Số hóa dữ liệu, owner: \"Sở, ban, ngành\", state",
         ["plan.yaml: dòng 27, trường 'project': Dòng kinh phí 5/A/3 không có dự án tương ứng (3/A/3)."]),
    ],
)
def test_bad_input_names_the_place_and_changes_nothing(db, tmp_path, runner, old, new, expected):
    load_paths([write(tmp_path)])
    db.session.commit()
    before = counts(db)
    plan = PLAN.replace(old, new, 1)
    write(tmp_path, plan)
    assert plan != PLAN
    result = runner.invoke(args=["tracker", "load-plans", str(tmp_path)])
    assert result.exit_code == 1
    for fragment in expected:
        assert fragment in result.output, result.output
    assert "Cơ sở dữ liệu giữ nguyên như trước." in result.output
    assert counts(db) == before


def test_all_problems_are_listed_not_only_the_first(db, tmp_path):
    plan = PLAN.replace("owner: Sở TT&TT, years_text", "owner: Sở Không Có, years_text", 1)
    plan = plan.replace("state: 2000000000", "state: abc")
    plan = plan.replace("2021 – 2025", "sai")
    with pytest.raises(LoadError) as caught:
        load_paths([write(tmp_path, plan)])
    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 3, messages
    assert any("Sở Không Có" in m for m in messages)
    assert any("'abc'" in m for m in messages)
    assert any("'sai'" in m for m in messages)


def test_a_failed_load_leaves_a_loaded_plan_as_it_was(db, tmp_path, runner):
    load_paths([write(tmp_path)])
    db.session.commit()
    from tracker.plans.models import PlanItem

    # A valid change and an invalid one in the same file: neither is applied.
    plan = PLAN.replace("Triển khai chữ ký số, owner: Sở TT&TT, years_text", "Chữ ký số (đổi), owner: Sở TT&TT, years_text")
    plan = plan.replace("state: 2000000000", "state: 2,5")
    write(tmp_path, plan)
    result = runner.invoke(args=["tracker", "load-plans", str(tmp_path)])
    assert result.exit_code == 1
    db.session.expire_all()
    item = db.session.scalar(select(PlanItem).where(PlanItem.ref == "3/A/1"))
    assert item.text == "Triển khai chữ ký số"


def test_invalid_yaml_names_the_line(db, tmp_path):
    write(tmp_path, PLAN + "  - : [\n")
    with pytest.raises(LoadError) as caught:
        load_paths([tmp_path])
    assert "plan.yaml: dòng" in str(caught.value) and "YAML không hợp lệ" in str(caught.value)


def test_unknown_field_is_refused(db, tmp_path):
    write(tmp_path, PLAN.replace("years_text: \"2021 - 2022\"", "years_text: \"2021 - 2022\", ownr: X", 1))
    with pytest.raises(LoadError) as caught:
        load_paths([tmp_path])
    assert "trường 'ownr': Trường không được hỗ trợ" in str(caught.value)


def test_reload_keeps_a_coordinators_edit_unless_the_document_changes(db, tmp_path, factory):
    from tracker.items.services import edit_item
    from tracker.plans.models import PlanItem

    load_paths([write(tmp_path)])
    from tracker.units.models import Unit

    item = db.session.scalar(select(PlanItem).where(PlanItem.ref == "3/A/1"))
    finance = db.session.scalar(select(Unit).where(Unit.name == "Sở Tài chính"))
    coordinator = factory.user(role="coordinator")
    edit_item(coordinator, item, text="Triển khai chữ ký số (điều chỉnh)", owners=[f"u:{item.owners[0].unit_id}"],
              coordinators=[f"u:{finance.id}"], deadline=None, note="Ghi chú của điều phối")
    db.session.flush()
    assert load_paths([tmp_path]).changes == 0  # the same file: the edit stays
    db.session.expire_all()
    item = db.session.get(PlanItem, item.id)
    assert item.text == "Triển khai chữ ký số (điều chỉnh)" and item.note == "Ghi chú của điều phối"
    assert [a.label for a in item.coordinators] == ["Sở Tài chính"]
    # The document itself changes that row's wording: the document wins, with a warning.
    write(tmp_path, PLAN.replace("Triển khai chữ ký số, owner: Sở TT&TT, years_text", "Chữ ký số toàn tỉnh, owner: Sở TT&TT, years_text"))
    result = load_paths([tmp_path])
    db.session.expire_all()
    item = db.session.get(PlanItem, item.id)
    assert item.text == "Chữ ký số toàn tỉnh"
    assert any("đã sửa trong ứng dụng" in w for w in result.warnings)
    assert [a.label for a in item.coordinators] == ["Sở Tài chính"]  # unchanged in the document


def test_malformed_structure_is_a_problem_not_a_crash(db, tmp_path):
    (tmp_path / "units.yaml").write_text(UNITS.replace("units:\n", "units:\n  - Sở Lạ\n"), encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_paths([tmp_path / "units.yaml"])
    assert "units.yaml" in str(caught.value) and "không đúng định dạng" in str(caught.value)


@pytest.mark.parametrize("name, content", [
    ("long-nhau.yaml", "kind: plan\nnumber: 1/KH\nappendices: " + "[" * 5000 + "]" * 5000 + "\n"),
    ("long-nhau-map.yaml", "kind: plan\nnumber: 1/KH\nx: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n"),
    ("khong-phai-excel.xlsx", "đây không phải tệp Excel"),
    ("rong.xlsx", ""),
], ids=["nested-lists", "nested-mappings", "text-as-xlsx", "empty-xlsx"])
def test_hostile_files_get_the_ordinary_error_not_a_traceback(db, tmp_path, runner, name, content):
    """A deeply nested YAML file, a text file named .xlsx: the loader's usual message naming the file."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LoadError) as refused:
        load_paths([path])
    assert all(problem.file == name for problem in refused.value.problems), refused.value.problems
    result = runner.invoke(args=["tracker", "load-plans", str(path)])
    assert result.exit_code != 0
    assert name in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def test_the_units_naming_rules_are_the_admin_forms(db, tmp_path):
    """tracker/units/services.py: an alias naming another unit of the area, a unit its own parent."""
    units = UNITS.replace("aliases: [STTTT]}", "aliases: [STTTT, VP UBND tỉnh]}")
    units = units.replace("- {name: Sở Tài chính, kind: department}", "- {name: Sở Tài chính, kind: department, parent: Sở Tài chính}")
    (tmp_path / "units.yaml").write_text(units, encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_paths([tmp_path / "units.yaml"])
    messages = [str(p) for p in caught.value.problems]
    assert any("'VP UBND tỉnh' đã là tên của đơn vị Văn phòng UBND tỉnh trong địa bàn này." in m for m in messages), messages
    assert any("Một đơn vị không thể là cấp trên của chính nó." in m for m in messages), messages
