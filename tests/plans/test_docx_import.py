"""Plan 222/KH-UBND from its Word file gives the plan of seed_plans/plans/222-KH-UBND.yaml.

The .docx is written by tests/plans/docx_builder.py from the seed document's own tables: header
table, appendix headings, a two-row header with merged cells, rows cut by page breaks with an
empty STT, line breaks in cells, the header printed again mid-table, a table continued in a
second table.
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.plans.docx_builder import plan_222
from tests.plans.test_workbook import item_snapshot
from tracker.indicators.models import Framework, Indicator
from tracker.plans.docx_source import read_docx
from tracker.plans.loader import load_paths
from tracker.plans.models import Appendix, DataIssue, Plan
from tracker.plans.sources import read_yaml

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seed_plans"
SEED_FRAMEWORK = "Bộ tiêu chí chính quyền số, KH 222 Thừa Thiên Huế"
ITEM_FIELDS = (
    "code", "key", "text", "doc_type", "deadline_year", "target_value", "measure_unit", "target_year", "target_text",
    "start_year", "end_year", "years_text", "state", "other", "total", "indicator", "framework", "max_points",
)
# The one place the YAML records an interpretation rather than the printed words: Phụ lục 1 row 7
# prints "20% tổng GDP toàn tỉnh", the transcription gives its unit as "% GRDP" (and says so in
# its inconsistencies). The Word reader keeps what the document prints: "%".
INTERPRETED = {("1/I/7", "measure_unit"): ("% GRDP", "%")}


@pytest.fixture(scope="module")
def docx_222(tmp_path_factory) -> Path:
    return plan_222(tmp_path_factory.mktemp("docx") / "222-KH-UBND.docx")


def _number(value):
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def _joined(value) -> str:
    if value is None:
        return ""
    return "; ".join(map(str, value)) if isinstance(value, list) else str(value)


def plan_rows(data) -> list[tuple[str, dict]]:
    """Every appendix, section and item of a plan document, in order, with what the loader
    stores of it (owner and coordinators as the wording it keeps: `owner_text` or the names)."""
    rows: list[tuple[str, dict]] = []

    def walk(node, path):
        for item in node.get("items") or []:
            values = {f: _number(item.get(f)) for f in ITEM_FIELDS}
            values["owner"] = item.get("owner_text") or _joined(item.get("owner"))
            values["coordinators"] = item.get("coordinators_text") or _joined(item.get("coordinators"))
            rows.append(("/".join(path + [str(item.get("key") or item["code"]).rstrip(".")]), values))
        for section in node.get("sections") or []:
            totals = dict(section.get("declared_totals") or {}) or None
            rows.append(("đề mục " + "/".join(path + [section["code"]]), {"title": section["title"], "totals": totals}))
            walk(section, path + [str(section["code"]).rstrip(".")])

    for appendix in data["appendices"]:
        totals = dict(appendix.get("declared_totals") or {}) or None
        rows.append((f"phụ lục {appendix['number']}", {"kind": appendix["kind"], "title": appendix["title"], "totals": totals}))
        walk(appendix, [str(appendix["number"])])
    return rows


def test_the_plan_document_is_the_yaml_one(docx_222):
    doc = read_docx(docx_222)
    assert doc.extra_problems == []
    yaml_rows = plan_rows(read_yaml(SEEDS / "plans" / "222-KH-UBND.yaml").data)
    docx_rows = plan_rows(doc.data)
    assert [ref for ref, _ in docx_rows] == [ref for ref, _ in yaml_rows]
    differences = {
        (ref, name): (expected[name], got[name])
        for (ref, expected), (_, got) in zip(yaml_rows, docx_rows)
        for name in expected
        if expected[name] != got[name]
    }
    assert differences == INTERPRETED
    items = [ref for ref, _ in docx_rows if ref[0].isdigit()]
    assert len(items) == 14 + 28 + 56 + 56


def test_the_header_and_front_matter(docx_222):
    data = read_docx(docx_222).data
    expected = read_yaml(SEEDS / "plans" / "222-KH-UBND.yaml").data
    for key in ("number", "date", "issuing_body", "area", "title", "legal_bases", "signer", "recipients"):
        assert data[key] == expected[key], key
    assert data["goals"].startswith("1. Mục tiêu tổng quát\n\nMục tiêu tổng quát về chuyển đổi số")
    # The title says "đến năm 2025" only: no start year printed, so no period (the YAML's
    # 2021-2025 is the transcriber's reading of the body).
    assert data.get("period") is None
    assert data["inconsistencies"] == []


def test_phu_luc_4_is_the_plans_own_framework(docx_222):
    """Codes, tree, names, points, scoring and notes of the criteria table equal the seed framework."""
    doc = read_docx(docx_222)
    appendix = next(a for a in doc.data["appendices"] if a["number"] == "4")
    assert appendix["kind"] == "framework"
    [framework] = doc.frameworks
    assert appendix["framework"] == framework.data["name"] == "BỘ TIÊU CHÍ CHUYỂN ĐỔI CHÍNH QUYỀN SỐ (222/KH-UBND)"
    assert (framework.data["plan"], framework.data["area"], framework.data["level"], framework.data["year"]) == (
        "222/KH-UBND", "thua-thien-hue", "province", 2020)

    def flat(nodes, parent=None):
        out = []
        for node in nodes:
            key = str(node.get("key") or node["code"])
            out.append((key, parent, node["name"], _number(node.get("max_points")), node.get("scoring"), node.get("note")))
            out.extend(flat(node.get("children") or [], key))
        return out

    seed = flat(read_yaml(SEEDS / "frameworks" / "bo-tieu-chi-kh222-tth.yaml").data["indicators"])
    assert len(seed) == 161
    assert flat(framework.data["indicators"]) == seed


def test_loading_it_gives_the_items_of_the_yaml(seeded, db, docx_222):
    """Through the loader, as another plan beside the YAML one: the same items, owners,
    coordinators (as units), years, amounts, sections and budget-to-project links."""
    yaml_items = item_snapshot(db, "222/KH-UBND")
    mapping = {"plan": {"number": "222-docx/KH-UBND"}, "appendices": {"4": {"framework": SEED_FRAMEWORK}}}
    result = load_paths([docx_222], mapping)
    summary = result.as_json()["plans"][0]
    assert summary["items"] == {"target": 14, "document": 28, "project": 56, "budget": 56}
    assert summary["budget_total"] == {"state": 554_500_000_000, "other": 2_177_500_000_000, "total": 2_732_000_000_000}
    assert summary["budget_lines_without_amount"] == 6  # the "-" rows: no amount fixed
    docx_items = item_snapshot(db, "222-docx/KH-UBND")
    measure_unit = 8  # position of measure_unit in item_snapshot
    differences = [(y[0], y[measure_unit], d[measure_unit]) for y, d in zip(yaml_items, docx_items) if y != d]
    assert differences == [("1/I/7", "% GRDP", "%")]
    assert len(docx_items) == len(yaml_items)
    plan = db.session.scalar(select(Plan).where(Plan.number == "222-docx/KH-UBND"))
    framework_appendix = db.session.scalar(select(Appendix).where(Appendix.plan_id == plan.id, Appendix.number == "4"))
    assert db.session.get(Framework, framework_appendix.framework_id).name == SEED_FRAMEWORK
    # The rows joined across page breaks are recorded, as the YAML records its own.
    issues = db.session.scalars(select(DataIssue.ref).where(DataIssue.plan_id == plan.id, DataIssue.kind == "split_row")).all()
    assert "2/II/3" in issues
    # Reading the same file again changes nothing.
    assert load_paths([docx_222], mapping).changes == 0


def test_loading_it_over_the_yaml_changes_only_what_the_yaml_interpreted(seeded, db, docx_222):
    """Without a mapping the file is plan 222 itself: its items stay as they are (one measure
    unit aside), and Phụ lục 4 becomes the plan's own framework, loaded from the table."""
    before = item_snapshot(db, "222/KH-UBND")
    load_paths([docx_222])
    after = item_snapshot(db, "222/KH-UBND")
    assert [(b[0], b[8], a[8]) for b, a in zip(before, after) if a != b] == [("1/I/7", "% GRDP", "%")]
    framework = db.session.scalar(select(Framework).where(Framework.name.like("BỘ TIÊU CHÍ%(222/KH-UBND)")))
    assert framework.plan_number == "222/KH-UBND"
    count = db.session.scalar(select(func.count()).select_from(Indicator).where(Indicator.framework_id == framework.id))
    assert count == 161
    assert framework.max_points == db.session.scalar(select(Framework.max_points).where(Framework.name == SEED_FRAMEWORK))


def test_load_plans_command_reads_docx(runner, db, docx_222):
    result = runner.invoke(args=["tracker", "load-plans", str(SEEDS / "units" / "thua-thien-hue.yaml"), str(docx_222), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["plans"][0]["number"] == "222/KH-UBND"
    assert summary["plans"][0]["items"] == {"target": 14, "document": 28, "project": 56, "budget": 56}
    assert [f["name"] for f in summary["frameworks"]] == ["BỘ TIÊU CHÍ CHUYỂN ĐỔI CHÍNH QUYỀN SỐ (222/KH-UBND)"]
    again = runner.invoke(args=["tracker", "load-plans", str(SEEDS / "units" / "thua-thien-hue.yaml"), str(docx_222)])
    assert again.exit_code == 0, again.output
    assert "không có gì thay đổi" in again.output
