"""The Word reader on short plans: what it recognises, the problems it names (table, row, column),
the mapping that settles them and is kept for the next import, and files it cannot read."""
from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.plans.docx_builder import PlanDocx, TableSpec, small_plan
from tracker.indicators.models import Framework, Indicator
from tracker.plans.docx_source import DocxProblem, read_docx
from tracker.plans.loader import load_paths
from tracker.plans.models import DataIssue, Plan, PlanItem
from tracker.plans.sources import LoadError
from tracker.units.models import Area

SEEDS = Path(__file__).resolve().parents[2] / "seed_plans"
UNITS = """\
kind: units
area: {code: mau, name: Tỉnh Mẫu, level: province, parent: null}
units:
  - {name: Sở Thông tin và Truyền thông, short_name: Sở TT&TT, kind: department}
  - {name: Sở Tài chính, kind: department}
  - {name: Sở Nội vụ, kind: department}
  - {name: Văn phòng UBND tỉnh, short_name: VP UBND tỉnh, kind: committee_office}
groups:
  - {name: "Các Sở, ban, ngành", aliases: ["Sở, ban, ngành"], members: [Sở TT&TT, Sở Tài chính]}
"""
DOCUMENTS = TableSpec(
    [["TT", "Nhiệm vụ", "Chủ trì", "Phối hợp", "Loại hình", "Sản phẩm"]],
    ["I. Nhóm văn bản",
     ["1", "Kế hoạch chuyển đổi số năm 2021", "Sở TT&TT", "Sở, ban, ngành", "Kế hoạch", "Kế hoạch được phê duyệt"],
     ["2", "Quy chế quản lý dữ liệu", "Văn phòng UBND tỉnh", "Sở TT&TT", "Quy chế", "Quyết định ban hành"]],
)


@pytest.fixture
def units(db, tmp_path) -> Path:
    path = tmp_path / "mau.yaml"
    path.write_text(UNITS, encoding="utf-8")
    load_paths([path])
    db.session.commit()
    return path


def counts(db) -> dict[str, int]:
    return {n: db.session.execute(select(func.count()).select_from(t)).scalar_one() for n, t in db.metadata.tables.items()}


def only(problems, code: str) -> list[DocxProblem]:
    return [p for p in problems if getattr(p, "code", None) == code]


def test_an_unrecognised_column_is_named_and_nothing_is_loaded(units, db, runner, tmp_path):
    path = small_plan(tmp_path / "ke-hoach.docx", [("Phụ lục 2", "HỆ THỐNG CÁC VĂN BẢN", [DOCUMENTS])])
    doc = read_docx(path)
    [problem] = doc.extra_problems
    assert (problem.code, problem.appendix, problem.table, problem.row, problem.column, problem.column_label) == (
        "unknown_column", "2", 3, 1, 6, "Sản phẩm")
    assert "note" in problem.choices and "ignore" in problem.choices and "years_text" not in problem.choices
    before = counts(db)
    result = runner.invoke(args=["tracker", "load-plans", str(path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Không nạp được: 1 lỗi. Cơ sở dữ liệu giữ nguyên như trước.",
        "  - ke-hoach.docx: Phụ lục 2, bảng 3, hàng 1, cột 6 'Sản phẩm': Không nhận ra cột này ghi gì trong phụ lục "
        "văn bản, chương trình: chọn một trường trong ánh xạ. Có thể ghi: code (STT (mã của văn bản)), text (Nội dung / nhiệm vụ), owner (Chủ trì), "
        "coordinators (Phối hợp), doc_type (Loại hình), deadline_year (Thời hạn (năm)), note (Ghi chú), ignore (Bỏ qua cột này).",
    ]
    assert counts(db) == before


def test_the_mapping_settles_the_column(units, db, tmp_path):
    path = small_plan(tmp_path / "ke-hoach.docx", [("Phụ lục 2", "HỆ THỐNG CÁC VĂN BẢN", [DOCUMENTS])])
    load_paths([path], {"appendices": {"2": {"columns": {"Sản phẩm": "note"}}}})
    items = db.session.scalars(select(PlanItem).order_by(PlanItem.position)).all()
    assert [(i.ref, i.doc_type, i.note, i.owner_text) for i in items] == [
        ("2/I/1", "Kế hoạch", "Kế hoạch được phê duyệt", "Sở TT&TT"),
        ("2/I/2", "Quy chế", "Quyết định ban hành", "Văn phòng UBND tỉnh"),
    ]
    assert [(a.role, a.name_as_written, (a.unit or a.group).name) for a in items[0].assignments] == [
        ("owner", "Sở TT&TT", "Sở Thông tin và Truyền thông"), ("coordinator", "Sở, ban, ngành", "Các Sở, ban, ngành")]
    # "ignore" (or null) leaves the column out on purpose.
    doc = read_docx(path, {"appendices": {"2": {"columns": {"cột 6": None}}}})
    assert doc.extra_problems == []
    assert "note" not in doc.data["appendices"][0]["sections"][0]["items"][0]


def test_a_saved_mapping_reads_the_next_import_the_same_way(tmp_path):
    path = small_plan(tmp_path / "ke-hoach.docx", [("Phụ lục 2", "HỆ THỐNG CÁC VĂN BẢN", [DOCUMENTS])])
    first = read_docx(path, {"appendices": {"2": {"columns": {"Sản phẩm": "note"}}}})
    saved = json.loads(json.dumps(first.mapping, ensure_ascii=False))
    assert saved == {"plan": {}, "appendices": {"2": {"kind": "document", "columns": {
        "TT": "code", "Nhiệm vụ": "text", "Chủ trì": "owner", "Phối hợp": "coordinators", "Loại hình": "doc_type",
        "Sản phẩm": "note"}}}}
    again = read_docx(path, saved)
    assert again.extra_problems == []
    assert again.data == first.data
    assert again.mapping == saved


def test_the_mapping_names_the_kind_and_the_owner_column(units, db, tmp_path):
    table = TableSpec([["STT", "Nội dung", "Cơ quan được giao"]],
                      [["1", "Rà soát thủ tục hành chính", "Sở Nội vụ"], ["2", "Số hóa hồ sơ", "VP UBND tỉnh"]])
    path = small_plan(tmp_path / "danh-muc.docx", [("Phụ lục I", "DANH MỤC", [table])])
    problems = read_docx(path).extra_problems
    assert [(p.code, p.appendix, p.table, p.column) for p in problems] == [("unknown_kind", "I", 3, None)]
    assert only(problems, "unknown_kind")[0].choices == ("target", "document", "project", "budget", "task", "framework")
    mapping = {"appendices": {"I": {"kind": "document"}}}
    doc = read_docx(path, mapping)
    assert [(p.code, p.column, p.column_label) for p in doc.extra_problems] == [
        ("unknown_column", 3, "Cơ quan được giao"), ("missing_column", None, None)]
    assert str(doc.extra_problems[1]) == "danh-muc.docx: Phụ lục I, bảng 3, hàng 1: Thiếu cột 'Chủ trì': chỉ ra cột đó trong ánh xạ."
    mapping["appendices"]["I"]["columns"] = {"Cơ quan được giao": "owner"}
    load_paths([path], mapping)
    items = db.session.scalars(select(PlanItem).order_by(PlanItem.position)).all()
    assert [(i.ref, i.kind, [a.unit.name for a in i.assignments]) for i in items] == [
        ("I/1", "document", ["Sở Nội vụ"]), ("I/2", "document", ["Văn phòng UBND tỉnh"])]


def test_a_bad_mapping_is_a_problem_not_a_crash(tmp_path):
    path = small_plan(tmp_path / "ke-hoach.docx", [("Phụ lục 2", "HỆ THỐNG CÁC VĂN BẢN", [DOCUMENTS])])
    doc = read_docx(path, {"plan": {"date": "15/02/2021", "so": "1"},
                           "appendices": {"2": {"kind": "khác"}, "3": {"columns": {"Sản phẩm": "san_pham"}}}})
    messages = [str(p) for p in only(doc.extra_problems, "bad_mapping")]
    assert messages == [
        "ke-hoach.docx: ánh xạ: Ánh xạ kế hoạch: ngày '15/02/2021' không đúng dạng YYYY-MM-DD.",
        "ke-hoach.docx: ánh xạ: Ánh xạ kế hoạch: không có trường 'so' (number, date, issuing_body, area, title).",
        "ke-hoach.docx: ánh xạ, phụ lục '2': Loại 'khác' không có (một trong: target, document, project, budget, task, framework).",
        "ke-hoach.docx: ánh xạ, phụ lục '3': Trường 'san_pham' không có (một trong: " + ", ".join(
            only(doc.extra_problems, "bad_mapping")[3].choices) + ").",
    ]
    assert read_docx(path, ["not", "a", "mapping"]).extra_problems[0].code == "bad_mapping"


def test_a_plan_with_no_number_and_no_day_yet(units, db, tmp_path):
    table = TableSpec([["TT", "Nội dung chỉ tiêu", "Chủ trì", "Phối hợp"]],
                      [["I.", "Đến năm 2025", "", ""], ["1.", "100% dịch vụ công trực tuyến toàn trình", "Sở TT&TT", "Văn phòng UBND tỉnh"]])
    path = small_plan(tmp_path / "du-thao.docx", [("Phụ lục 1", "CÁC CHỈ TIÊU", [table])],
                      number="Số:        /KH-UBND", place_date="Mẫu, ngày      tháng 02 năm 2021")
    doc = read_docx(path)
    assert doc.extra_problems == []
    data = doc.data
    assert (data["number"], data["date"], data["issuing_body"], data["area"]) == (
        "/KH-UBND (UBND tỉnh Mẫu, tháng 02/2021)", None, "UBND tỉnh Mẫu", "mau")
    assert doc.printed["number"] == "Số: /KH-UBND" and doc.printed["date"] == "Mẫu, ngày tháng 02 năm 2021"
    item = data["appendices"][0]["sections"][0]["items"][0]
    assert (item["target_value"], item["measure_unit"], item["target_text"], item["target_year"]) == (100, "%", "100%", 2025)
    load_paths([path])
    plan = db.session.scalar(select(Plan))
    assert (plan.number, plan.issued_on) == ("/KH-UBND (UBND tỉnh Mẫu, tháng 02/2021)", None)
    issues = db.session.scalars(select(DataIssue.text).where(DataIssue.plan_id == plan.id)).all()
    assert any("chưa có số" in text for text in issues) and any("chưa ghi ngày" in text for text in issues)
    # Once the number and day are known, the mapping gives them.
    doc = read_docx(path, {"plan": {"number": "12/KH-UBND", "date": "2021-02-15"}})
    assert (doc.data["number"], doc.data["date"]) == ("12/KH-UBND", date(2021, 2, 15))


def test_merged_owner_cells_amounts_in_millions_and_totals(units, db, tmp_path):
    projects = TableSpec([["TT", "Tên dự án", "Chủ trì", "Thời gian thực hiện"]],
                         [["A", "Hạ tầng số", "", ""], ["1", "Trung tâm dữ liệu", "Sở TT&TT", "2021 - 2023"],
                          ["2", "Mạng truyền số liệu", "", "Năm 2022"]],
                         merge_down={(1, 2): 1})
    budget = TableSpec([["TT", "Nội dung", "Chủ trì", "Kinh phí (triệu đồng)", "", ""],
                        ["", "", "", "Ngân sách tỉnh", "Nguồn khác", "Tổng cộng"]],
                       [["", "Tổng cộng", "", "3.500", "2,5", "3.502,5"], ["A", "Hạ tầng số", "", "", "", ""],
                        ["1", "Trung tâm dữ liệu", "Sở TT&TT", "1.500", "2,5", "1.502,5"],
                        ["2", "Mạng truyền số liệu", "", "2.000", "-", "2.000"]],
                       merge_down={(2, 2): 1})
    path = small_plan(tmp_path / "kinh-phi.docx", [("Phụ lục 3", "DANH MỤC DỰ ÁN", [projects]),
                                                  ("Phụ lục 5", "DỰ TOÁN KINH PHÍ", [budget])])
    doc = read_docx(path)
    assert doc.extra_problems == []
    project, budget_appendix = doc.data["appendices"]
    rows = project["sections"][0]["items"]
    assert [(r["owner"], r["years_text"], r["start_year"], r["end_year"]) for r in rows] == [
        ("Sở TT&TT", "2021 - 2023", 2021, 2023), ("Sở TT&TT", "Năm 2022", 2022, 2022)]
    assert dict(budget_appendix["declared_totals"]) == {"state": 3_500_000_000, "other": 2_500_000, "total": 3_502_500_000}
    lines = budget_appendix["sections"][0]["items"]
    assert [(r["owner"], r["state"], r["other"], r["total"]) for r in lines] == [
        ("Sở TT&TT", 1_500_000_000, 2_500_000, 1_502_500_000), ("Sở TT&TT", 2_000_000_000, None, 2_000_000_000)]
    assert budget_appendix["inconsistencies"] == [{"kind": "other", "text": "Số tiền in theo triệu đồng; đã quy ra đồng."}]
    load_paths([path])
    funded = db.session.scalars(select(PlanItem).where(PlanItem.kind == "budget").order_by(PlanItem.position)).all()
    assert [b.funded_project.ref for b in funded] == ["3/A/1", "3/A/2"]


def test_a_table_without_heading_and_numbered_sections(units, db, tmp_path):
    table = TableSpec([["STT", "Nội dung chỉ tiêu", "Chủ trì", "Phối hợp"]],
                      [["1", "Chính quyền số đến năm 2025", "", ""],
                       ["1.1", "100% văn bản điện tử có chữ ký số", "Văn phòng UBND tỉnh", "Sở TT&TT"],
                       ["1.2", "80% hồ sơ công việc xử lý trên môi trường mạng", "Các Sở, ban, ngành", ""],
                       ["2", "Tỷ lệ dân số trưởng thành có điện thoại thông minh đạt 85%", "Sở TT&TT", ""],
                       ["3", "100% cấp tỉnh, cấp huyện; 90% cấp xã sử dụng chữ ký số", "Sở TT&TT", ""]])
    path = small_plan(tmp_path / "chi-tieu.docx", [("", "DANH MỤC CHỈ TIÊU CHUYỂN ĐỔI SỐ", [table])])
    doc = read_docx(path)
    assert doc.extra_problems == []
    [appendix] = doc.data["appendices"]
    assert (appendix["number"], appendix["kind"], appendix["title"]) == ("1", "target", "DANH MỤC CHỈ TIÊU CHUYỂN ĐỔI SỐ")
    assert appendix["inconsistencies"][0]["text"] == 'Bảng 3 không có tiêu đề "Phụ lục"; ghi số phụ lục "1".'
    assert [(s["code"], s["title"], [i["code"] for i in s["items"]]) for s in appendix["sections"]] == [
        ("1", "Chính quyền số đến năm 2025", ["1.1", "1.2"])]
    assert [(i["code"], i["target_value"], i["target_text"], i["target_year"]) for i in appendix["items"]] == [
        ("2", 85, "85%", None), ("3", 100, "100%", None)]
    # Two target values where the format holds one (issue 10 item 6): the first, and the fact recorded.
    assert appendix["items"][1]["inconsistencies"] == [{"kind": "other", "text": (
        "Chỉ tiêu nêu 2 giá trị (100%, 90%); định dạng kế hoạch chỉ ghi một: target_value 100.")}]
    assert appendix["sections"][0]["items"][1]["target_year"] == 2025
    assert doc.mapping["appendices"] == {"bảng 3": {"kind": "target", "columns": {
        "STT": "code", "Nội dung chỉ tiêu": "text", "Chủ trì": "owner", "Phối hợp": "coordinators"}}}
    load_paths([path])
    assert db.session.scalars(select(PlanItem.ref).order_by(PlanItem.position)).all() == ["1/1/1.1", "1/1/1.2", "1/2", "1/3"]


def test_criteria_with_points_and_owners_are_the_plans_framework_and_tasks(units, db, tmp_path):
    table = TableSpec([["STT", "Các chỉ số thành phần/tiêu chí chấm điểm", "Điểm tối đa", "Đơn vị chủ trì"]],
                      [["I", "CHÍNH QUYỀN SỐ", "40", ""], ["1", "Chuyển đổi nhận thức", "30", "Sở TT&TT"],
                       ["1.1", "Tuyên truyền về chuyển đổi số", "10", ""],
                       ["1.1.1", "Số cuộc hội thảo về chuyển đổi số", "5", "Sở Nội vụ"],
                       ["", "trong năm", "", ""],
                       ["2", "Thể chế số", "10", "Văn phòng UBND tỉnh"]])
    path = tmp_path / "bo-chi-so.docx"
    plan = PlanDocx()
    plan.national_header(["ỦY BAN NHÂN DÂN", "HUYỆN MẪU SƠN"], "Số: 30/KH-UBND", "Mẫu Sơn, ngày 01 tháng 10 năm 2021")
    plan.paragraph("KẾ HOẠCH", bold=True)
    plan.paragraph("Triển khai Bộ chỉ số đánh giá chuyển đổi số", bold=True)
    plan.appendix("Phụ lục 1", "DANH MỤC TRIỂN KHAI BỘ CHỈ SỐ", None, [table])
    plan.save(path)
    doc = read_docx(path)
    assert doc.extra_problems == []
    assert (doc.data["issuing_body"], doc.data["area"]) == ("UBND huyện Mẫu Sơn", "mau-son")
    [appendix] = doc.data["appendices"]
    assert appendix["kind"] == "task"
    [framework] = doc.frameworks
    assert (framework.data["name"], framework.data["level"]) == ("DANH MỤC TRIỂN KHAI BỘ CHỈ SỐ (30/KH-UBND)", "district")
    [pillar] = framework.data["indicators"]
    assert [c["code"] for c in pillar["children"]] == ["1", "2"]
    assert pillar["children"][0]["children"][0]["children"][0]["name"] == "Số cuộc hội thảo về chuyển đổi số trong năm"
    [section] = appendix["sections"]
    assert [(i["code"], i["owner"], i["indicator"], i["max_points"], i["framework"]) for i in section["items"]] == [
        ("1", "Sở TT&TT", "1", 30, framework.data["name"]), ("1.1.1", "Sở Nội vụ", "1.1.1", 5, framework.data["name"]),
        ("2", "Văn phòng UBND tỉnh", "2", 10, framework.data["name"])]
    # Loaded in a district of Tỉnh Mẫu, the tasks resolve to the province's units.
    (tmp_path / "mau-son.yaml").write_text(
        "kind: units\narea: {code: mau-son, name: Huyện Mẫu Sơn, level: district, parent: mau}\nunits: []\n", encoding="utf-8")
    result = load_paths([tmp_path / "mau-son.yaml", path])
    assert result.as_json()["plans"][0]["items"] == {"target": 0, "document": 0, "project": 0, "budget": 0, "task": 3}
    loaded = db.session.scalar(select(Framework).where(Framework.name == framework.data["name"]))
    assert db.session.scalar(select(func.count()).select_from(Indicator).where(Indicator.framework_id == loaded.id)) == 5


def test_units_resolve_in_the_plans_own_province(db, tmp_path):
    load_paths([SEEDS / "units" / "thua-thien-hue.yaml", SEEDS / "units" / "dong-nai.yaml"])
    table = TableSpec([["TT", "Nhiệm vụ", "Chủ trì", "Phối hợp", "Loại hình"]],
                      [["1", "Kế hoạch chuyển đổi số năm 2025", "Sở Nội vụ", "", "Kế hoạch"],
                       ["2", "Quy chế an toàn thông tin", "Sở Thông tin và Truyền thông", "", "Quy chế"]])
    path = small_plan(tmp_path / "dong-nai.docx", [("Phụ lục 2", "VĂN BẢN", [table])], issuer=("ỦY BAN NHÂN DÂN", "TỈNH ĐỒNG NAI"),
                      number="Số: 15/KH-UBND", place_date="Đồng Nai, ngày 10 tháng 3 năm 2025")
    with pytest.raises(LoadError) as error:
        load_paths([path])
    # Thừa Thiên Huế's Sở TT&TT is not Đồng Nai's: nothing of another province is borrowed.
    assert [str(p) for p in error.value.problems] == [
        "dong-nai.docx: Phụ lục 2, bảng 3, hàng 3, trường 'owner': Không tìm thấy đơn vị 'Sở Thông tin và Truyền thông' ở Tỉnh Đồng Nai."]
    table.rows[1][2] = "Sở Khoa học và Công nghệ"
    small_plan(path, [("Phụ lục 2", "VĂN BẢN", [table])], issuer=("ỦY BAN NHÂN DÂN", "TỈNH ĐỒNG NAI"),
               number="Số: 15/KH-UBND", place_date="Đồng Nai, ngày 10 tháng 3 năm 2025")
    load_paths([path])
    item = db.session.scalar(select(PlanItem).where(PlanItem.ref == "2/1"))
    assert item.assignments[0].unit.area.code == "dong-nai"
    assert db.session.scalar(select(Plan.issued_on)) == date(2025, 3, 10)


def _not_a_zip(path: Path) -> None:
    path.write_bytes(b"Day khong phai tep Word")


def _spreadsheet(path: Path) -> None:
    Workbook().save(path)


def _empty_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")


def _old_doc(path: Path) -> None:
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 512)


@pytest.mark.parametrize("write, reason", [
    (_not_a_zip, "tệp không phải Word .docx (một tệp .doc cũ cần lưu lại dưới dạng .docx)."),
    (_old_doc, "tệp không phải Word .docx (một tệp .doc cũ cần lưu lại dưới dạng .docx)."),
    (_spreadsheet, "tệp là một loại Office khác, không phải văn bản Word."),
    (_empty_zip, "tệp hỏng hoặc không đúng cấu trúc (KeyError)."),
])
def test_a_file_that_is_not_a_word_document(runner, db, tmp_path, write, reason):
    path = tmp_path / "ke-hoach.docx"
    write(path)
    before = counts(db)
    result = runner.invoke(args=["tracker", "load-plans", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.splitlines() == [
        "Không nạp được: 1 lỗi. Cơ sở dữ liệu giữ nguyên như trước.",
        f"  - ke-hoach.docx: Không đọc được tệp Word (.docx): {reason}",
    ]
    assert counts(db) == before


def test_a_word_document_with_no_tables(runner, db, tmp_path):
    plan = PlanDocx()
    plan.paragraph("Báo cáo tình hình chuyển đổi số quý I")
    path = plan.save(tmp_path / "bao-cao.docx")
    result = runner.invoke(args=["tracker", "load-plans", str(path)])
    assert result.exit_code == 1
    assert result.output.splitlines()[1:] == [
        "  - bao-cao.docx: toàn văn bản: Không tìm thấy bảng phụ lục nào (bảng có cột STT/TT) trong văn bản.",
        # No 'number' problem: a plan may have no number yet ("Số: /KH-UBND"); area and date identify it.
        "  - bao-cao.docx: phần đầu văn bản, trường 'title': Thiếu tên kế hoạch.",
        "  - bao-cao.docx: phần đầu văn bản, trường 'issuing_body': Thiếu cơ quan ban hành.",
        "  - bao-cao.docx: phần đầu văn bản, trường 'area': Thiếu mã địa bàn.",
    ]
    assert db.session.scalar(select(func.count()).select_from(Area)) == 0


def test_load_plans_takes_a_mapping_file(units, db, runner, tmp_path):
    path = small_plan(tmp_path / "ke-hoach.docx", [("PHỤ LỤC II", "HỆ THỐNG CÁC VĂN BẢN", [DOCUMENTS])])
    mapping = tmp_path / "anh-xa.json"
    mapping.write_text(json.dumps({"appendices": {"II": {"columns": {"Sản phẩm": "note"}}}}, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["tracker", "load-plans", str(path), "--mapping", str(mapping)])
    assert result.exit_code == 0, result.output
    assert "Kế hoạch 9/KH-UBND: chỉ tiêu: 0, văn bản, chương trình: 2" in result.output
    assert db.session.scalars(select(PlanItem.note).order_by(PlanItem.position)).all() == [
        "Kế hoạch được phê duyệt", "Quyết định ban hành"]
    mapping.write_text("{không phải json", encoding="utf-8")
    result = runner.invoke(args=["tracker", "load-plans", str(path), "--mapping", str(mapping)])
    assert result.exit_code == 1
    assert "Tệp ánh xạ anh-xa.json không phải JSON hợp lệ" in result.output


@pytest.mark.parametrize("heading, number", [
    ("PHỤ LỤC II", "II"), ("Phụ lục số 5", "5"), ("Phụ lục 3:", "3"), ("PHỤ LỤC 04", "04")])
def test_appendix_headings_as_printed(tmp_path, heading, number):
    table = TableSpec([["TT", "Nhiệm vụ", "Chủ trì", "Năm thực hiện"]], [["1", "Trung tâm dữ liệu", "Sở TT&TT", "2021 - 2023"]])
    path = small_plan(tmp_path / "ke-hoach.docx", [(heading, "DANH MỤC DỰ ÁN", [table])])
    [appendix] = read_docx(path).data["appendices"]
    assert (appendix["number"], appendix["kind"], appendix["title"]) == (number, "project", "DANH MỤC DỰ ÁN")


def test_a_header_repeated_after_a_page_break_and_a_table_continued(tmp_path):
    header = [["STT", "Tên dự án", "Cơ quan chủ trì", "Thời gian thực hiện"], ["(1)", "(2)", "(3)", "(4)"]]
    first = TableSpec(header, [["1", "Trung tâm dữ liệu", "Sở TT&TT", "2021 - 2023"],
                               ["2", "Hệ thống thông tin báo cáo", "Văn phòng UBND tỉnh", "2022"],
                               ["3", "Nền tảng tích hợp, chia sẻ dữ liệu của tỉnh (LGSP) và kết nối với", "Sở TT&TT", "2021 -"]],
                      repeat_header_before={1})
    # The page break cut row 3: it goes on in a second table, under the header printed again.
    second = TableSpec(header, [["", "nền tảng quốc gia (NDXP)", "", "2025"], ["4", "Cổng dữ liệu mở", "Sở TT&TT", "2023 - 2025"]])
    path = small_plan(tmp_path / "du-an.docx", [("Phụ lục 3", "DANH MỤC DỰ ÁN", [first, second])])
    doc = read_docx(path)
    assert doc.extra_problems == []
    [appendix] = doc.data["appendices"]
    assert [(i["code"], i["text"], i["owner"], i["years_text"], i["start_year"], i["end_year"]) for i in appendix["items"]] == [
        ("1", "Trung tâm dữ liệu", "Sở TT&TT", "2021 - 2023", 2021, 2023),
        ("2", "Hệ thống thông tin báo cáo", "Văn phòng UBND tỉnh", "2022", 2022, 2022),
        ("3", "Nền tảng tích hợp, chia sẻ dữ liệu của tỉnh (LGSP) và kết nối với nền tảng quốc gia (NDXP)", "Sở TT&TT",
         "2021 - 2025", 2021, 2025),
        ("4", "Cổng dữ liệu mở", "Sở TT&TT", "2023 - 2025", 2023, 2025),
    ]
    assert appendix["items"][2]["inconsistencies"] == [
        {"kind": "split_row", "text": "Dòng 3 bị ngắt trang (bảng 3, hàng 7 và bảng 4, hàng 3): đã nối lại."}]


def test_an_stt_column_numbered_by_word(units, db, tmp_path):
    """STT cells with no text, numbered by a Word list ("I." sections, "1." rows restarting under
    each), a caption row over the header, the table inside a content control, units one a line."""
    table = TableSpec([["DANH MỤC VĂN BẢN"], ["STT", "Nhiệm vụ", "Chủ trì", "Phối hợp", "Loại hình"]],
                      [["#0", "Nhóm văn bản", "", "", ""],
                       ["#1", "Kế hoạch chuyển đổi số năm 2021", "Sở TT&TT", "- Sở Nội vụ\n- Sở Tài chính", "Kế hoạch"],
                       ["#1", "Quy chế quản lý dữ liệu", "Văn phòng UBND tỉnh", "Sở TT&TT", "Quy chế"],
                       ["#0", "Nhóm chương trình", "", "", ""],
                       ["#1", "Chương trình đào tạo kỹ năng số", "Sở Nội vụ", "Sở TT&TT\nSở Tài chính", "Chương trình"]],
                      auto_numbers=[("upperRoman", "%1."), ("decimal", "%2.")], in_content_control=True)
    table.header[0] += [""] * 4  # the caption row: one cell across the table
    path = small_plan(tmp_path / "van-ban.docx", [("Phụ lục 2", "HỆ THỐNG CÁC VĂN BẢN", [table])])
    doc = read_docx(path)
    assert doc.extra_problems == []
    [appendix] = doc.data["appendices"]
    assert [(s["code"], s["title"], [(i["code"], i["coordinators"]) for i in s["items"]]) for s in appendix["sections"]] == [
        ("I.", "Nhóm văn bản", [("1.", "Sở Nội vụ; Sở Tài chính"), ("2.", "Sở TT&TT")]),
        ("II.", "Nhóm chương trình", [("1.", "Sở TT&TT; Sở Tài chính")]),
    ]
    load_paths([path])
    item = db.session.scalar(select(PlanItem).where(PlanItem.ref == "2/I/1"))
    assert [(a.role, a.unit.name) for a in item.assignments] == [
        ("owner", "Sở Thông tin và Truyền thông"), ("coordinator", "Sở Nội vụ"), ("coordinator", "Sở Tài chính")]


def test_a_table_whose_header_is_not_recognised_is_read_as_the_mapping_says(units, db, tmp_path):
    table = TableSpec([["Mục", "Việc cần làm", "Đầu mối", "Hạn"]],
                      [["1", "Ban hành quy chế dữ liệu", "Sở TT&TT", "Quý II/2021"],
                       ["2", "Công bố danh mục dữ liệu mở", "Văn phòng UBND tỉnh", "2022"]])
    path = small_plan(tmp_path / "viec.docx", [("Phụ lục 2", "CÁC VĂN BẢN CẦN BAN HÀNH", [table])],
                      place_date="Mẫu, ngày 31 tháng 02 năm 2021")
    doc = read_docx(path)
    [problem] = doc.extra_problems
    assert (problem.code, problem.table, problem.row) == ("no_header", 3, 1)
    assert str(problem) == ("viec.docx: Phụ lục 2, bảng 3, hàng 1: Không nhận ra hàng tiêu đề của bảng "
                            "(không có cột STT/TT): ghi ánh xạ các cột.")
    mapping = {"appendices": {"2": {"kind": "document", "header_rows": 1, "columns": {
        "cột 1": "code", "cột 2": "text", "cột 3": "owner", "Hạn": "deadline_year"}}}}
    doc = read_docx(path, mapping)
    assert doc.extra_problems == []
    items = doc.data["appendices"][0]["items"]
    assert [(i["code"], i["deadline_year"]) for i in items] == [("1", 2021), ("2", 2022)]
    assert items[0]["inconsistencies"] == [
        {"kind": "other", "text": 'Thời hạn in "Quý II/2021"; định dạng kế hoạch chỉ ghi năm (deadline_year 2021).'}]
    # A date that does not exist is recorded, not guessed.
    assert doc.data["date"] is None
    assert doc.data["inconsistencies"] == [
        {"kind": "typo", "text": 'Văn bản in "Mẫu, ngày 31 tháng 02 năm 2021": không có ngày này; để trống ngày ban hành.'}]
    load_paths([path], mapping)
    assert db.session.scalars(select(PlanItem.end_year).order_by(PlanItem.position)).all() == [2021, 2022]


def test_a_cell_too_long_for_its_field_is_named(tmp_path):
    table = TableSpec([["TT", "Nhiệm vụ", "Chủ trì", "Năm thực hiện"]],
                      [["1", "Trung tâm dữ liệu", "Sở TT&TT", "2021 - 2023"],
                       ["Các nhiệm vụ dưới đây do doanh nghiệp tự bảo đảm kinh phí", "Phủ sóng 5G", "Sở TT&TT", "2021 - 2025"]])
    path = small_plan(tmp_path / "du-an.docx", [("Phụ lục 3", "DANH MỤC DỰ ÁN", [table])])
    [problem] = read_docx(path).extra_problems
    assert (problem.code, problem.table, problem.row, problem.column) == ("too_long", 3, 3, 1)
    assert str(problem).startswith("du-an.docx: Phụ lục 3, bảng 3, hàng 3, cột 1: Ô 'STT (mã của văn bản)' dài 57 ký tự (tối đa 32)")


def test_a_header_typed_as_paragraphs(tmp_path):
    plan = PlanDocx()
    for line in ("UỶ BAN NHÂN DÂN", "THÀNH PHỐ HUẾ", "Số: 7/KH-UBND", "Huế, ngày 02 tháng 3 năm 2025", "KẾ HOẠCH",
                 "Chuyển đổi số thành phố Huế giai đoạn 2025 - 2030, tầm nhìn đến năm 2035"):
        plan.paragraph(line)
    plan.appendix("Phụ lục 3", "DANH MỤC DỰ ÁN", None,
                  [TableSpec([["TT", "Nhiệm vụ", "Chủ trì", "Năm thực hiện"]], [["1", "Trung tâm dữ liệu", "Sở KH&CN", "2025 - 2027"]])])
    data = read_docx(plan.save(tmp_path / "hue.docx")).data
    assert (data["number"], data["date"], data["issuing_body"], data["area"]) == (
        "7/KH-UBND", date(2025, 3, 2), "UBND thành phố Huế", "hue")
    assert data["period"] == {"start": 2025, "end": 2030, "vision": 2035}
