"""The seed plans load faithfully, idempotently, and all-or-nothing."""
from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.audit.models import AuditEntry
from tracker.indicators.models import Framework, ItemIndicatorLink
from tracker.plans.loader import load_paths
from tracker.plans.models import DataIssue, PlanItem
from tracker.plans.sources import LoadError
from tracker.units.models import Unit

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seed_plans"


def table_counts(db) -> dict[str, int]:
    return {
        name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for name, table in db.metadata.tables.items()
    }


def test_load_plans_json_prints_the_documents_figures(runner):
    result = runner.invoke(args=["tracker", "load-plans", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    plan = next(p for p in summary["plans"] if p["number"] == "222/KH-UBND")
    assert plan["items"] == {"target": 14, "document": 28, "project": 56, "budget": 56}
    assert plan["budget_total"] == {"state": 554_500_000_000, "other": 2_177_500_000_000, "total": 2_732_000_000_000}
    frameworks = {f["name"]: f for f in summary["frameworks"]}
    # Seed 001: 2 groups, 6 main indicators, 41 sub-indicators, 1,000 points.
    assert frameworks["DTI sở, ban, ngành 2022"]["by_level"] == [2, 6, 41]
    assert frameworks["DTI sở, ban, ngành 2022"]["max_points"] == 1000
    # Seed 003: 8 pillars, 1,000 points.
    assert frameworks["DTI cấp tỉnh 2024"]["by_level"][0] == 8
    assert frameworks["DTI cấp tỉnh 2024"]["max_points"] == 1000
    # Seed 002: 3 pillars (Chính quyền số 160, Kinh tế số 75, Xã hội số 35).
    assert frameworks["DTI cấp huyện Thanh Hóa 2021"]["by_level"][0] == 3
    assert frameworks["DTI cấp huyện Thanh Hóa 2021"]["max_points"] == 270
    assert "Bộ tiêu chí chính quyền số, KH 222 Thừa Thiên Huế" in frameworks
    trieu_son = next(p for p in summary["plans"] if p["number"] != "222/KH-UBND")
    assert trieu_son["items"]["task"] == 52


def test_human_summary_is_vietnamese(runner):
    result = runner.invoke(args=["tracker", "load-plans"])
    assert result.exit_code == 0, result.output
    assert "Kế hoạch 222/KH-UBND: chỉ tiêu: 14" in result.output
    assert "tổng 2.732.000.000.000 đ" in result.output


def test_phu_luc_2_has_22_documents_and_6_programmes(seeded, db):
    refs = db.session.scalars(select(PlanItem.ref).where(PlanItem.kind == "document")).all()
    assert sum(r.startswith("2/I/") for r in refs) == 22
    assert sum(r.startswith("2/II/") for r in refs) == 6


def test_dash_budget_lines_are_not_zero(seeded, db):
    five_g = db.session.scalar(select(PlanItem).where(PlanItem.ref == "5/A/II/7"))
    assert five_g.budget_state is None and five_g.budget_total is None  # "-" in the document
    e_gov = db.session.scalar(select(PlanItem).where(PlanItem.ref == "5/A/I/5"))
    assert e_gov.budget_other == 0  # the document prints 0
    assert e_gov.funded_project.ref == "3/A/I/5"


def test_every_budget_line_funds_its_project(seeded, db):
    lines = db.session.scalars(select(PlanItem).where(PlanItem.kind == "budget")).all()
    assert len(lines) == 56
    assert all(line.funded_project is not None and line.funded_project.kind == "project" for line in lines)


def test_two_owners_and_groups_are_resolved(seeded, db):
    item = db.session.scalar(select(PlanItem).where(PlanItem.ref == "3/E/9"))
    assert [a.unit.name for a in item.owners] == ["Sở Công Thương", "Sở Tài nguyên và Môi trường"]
    assert item.owner_text == "Sở Công Thương/ Sở Tài nguyên và Môi trường"
    target = db.session.scalar(select(PlanItem).where(PlanItem.ref == "1/I/9"))
    groups = [a.group.name for a in target.coordinators if a.group is not None]
    assert "Doanh nghiệp" in groups


def test_group_owner_expands_to_member_units(seeded, db):
    from datetime import date

    from tracker.periods.obligations import owner_units

    item = db.session.scalar(select(PlanItem).where(PlanItem.ref == "1/I/4"))  # Các Sở, Ban, Ngành
    units = owner_units(item, date(2024, 9, 18))
    assert len(units) == len(item.owners[0].group.members) > 10
    assert all(isinstance(u, Unit) for u in units)


def test_succession_routes_work_to_the_successor_from_its_date(seeded, db):
    from datetime import date

    sttt = db.session.scalar(select(Unit).where(Unit.name == "Sở Thông tin và Truyền thông"))
    skhcn = db.session.scalar(select(Unit).where(Unit.name == "Sở Khoa học và Công nghệ", Unit.area_id == sttt.area_id))
    assert sttt.successor == skhcn and sttt.succeeded_on == date(2025, 3, 1)
    assert sttt.carrier_on(date(2025, 2, 28)) == sttt
    assert sttt.carrier_on(date(2025, 3, 1)) == skhcn
    # The same name in another province is another unit.
    assert db.session.scalar(select(func.count()).select_from(Unit).where(Unit.name == "Sở Nội vụ")) >= 2


def test_links_to_dti_2024_are_loaded(seeded, db):
    framework = db.session.scalar(select(Framework).where(Framework.name == "DTI cấp tỉnh 2024"))
    links = db.session.scalars(select(ItemIndicatorLink)).all()
    assert len(links) > 40
    assert all(link.indicator.framework_id == framework.id for link in links)
    signature = db.session.scalar(select(PlanItem).where(PlanItem.ref == "3/A/V/2"))  # chữ ký số
    linked = [l.indicator.name for l in links if l.item_id == signature.id]
    assert any("số" in name.lower() for name in linked)


def test_reload_is_idempotent(seeded, db):
    before = table_counts(db)
    audit_before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    result = load_paths([SEEDS])
    assert result.changes == 0
    assert table_counts(db) == before
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audit_before


def test_changed_row_updates_in_place_and_keeps_history(db, tmp_path):
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    load_paths([copy])
    item = db.session.scalar(select(PlanItem).where(PlanItem.ref == "3/A/V/2"))
    item_id, old_text, version = item.id, item.text, item.lock_version
    plan_file = copy / "plans" / "222-KH-UBND.yaml"
    plan_file.write_text(plan_file.read_text(encoding="utf-8").replace(old_text, old_text + " (sửa đổi)", 1), encoding="utf-8")
    result = load_paths([copy])
    assert result.changes >= 1
    db.session.expire_all()
    item = db.session.get(PlanItem, item_id)
    assert item.text == old_text + " (sửa đổi)"
    assert item.lock_version > version  # an edit form opened before the reload is refused (core/locking.py)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_id == item_id, AuditEntry.action == "item.update"))
    assert entry.changes["text"] == [old_text, old_text + " (sửa đổi)"]


def test_check_plans_lists_the_seeds_inconsistencies(seeded, runner, db):
    assert db.session.scalar(select(func.count()).select_from(DataIssue)) > 50
    result = runner.invoke(args=["tracker", "check-plans"])
    assert result.exit_code == 0, result.output
    assert "[khớp] Phụ lục 5 – tổng: khai báo 2.732.000.000.000 đ" in result.output
    assert "hội ngị" in result.output  # the typo of appendix 2, recorded not fixed
    assert "[LỆCH]" in result.output  # seed 001's pillar 6 prints 500, its rows sum to 515


def test_indicator_inputs_and_providers(seeded, db):
    from tracker.indicators.models import Indicator

    framework = db.session.scalar(select(Framework).where(Framework.name == "DTI cấp tỉnh 2024"))
    indicator = db.session.scalar(select(Indicator).where(Indicator.framework_id == framework.id, Indicator.code == "1.2"))
    assert indicator.max_points == Decimal(10)
    assert [i.symbol for i in indicator.inputs][:2] == ["a", "b"]
    assert any(p.unit is not None and p.unit.area.code == "dong-nai" for p in indicator.providers)
