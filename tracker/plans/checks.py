"""The data-quality report of `check-plans`: recorded inconsistencies and declared totals vs rows."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from tracker.core.formatting import format_money, format_number
from tracker.extensions import db
from tracker.indicators.findings import rule_findings
from tracker.indicators.models import Framework, Indicator
from tracker.indicators.selfassessment import framework_spec
from tracker.plans.models import Appendix, DataIssue, ItemKind, Plan, PlanItem, Section

MONEY_FIELDS = (("state", "trung hạn"), ("other", "nguồn khác"), ("total", "tổng"))


def _issues(**owner) -> list[dict]:
    rows = db.session.scalars(select(DataIssue).filter_by(**owner).order_by(DataIssue.id))
    return [{"scope": r.scope, "ref": r.ref, "kind": r.kind, "text": r.text, "source": r.source} for r in rows]


def _plan_totals(plan: Plan) -> list[dict]:
    checks: list[dict] = []
    budget_items = db.session.scalars(
        select(PlanItem).where(PlanItem.plan_id == plan.id, PlanItem.kind == ItemKind.BUDGET).order_by(PlanItem.position)
    ).all()
    sections = {s.id: s for s in db.session.scalars(select(Section).join(Appendix).where(Appendix.plan_id == plan.id))}

    def in_section(item: PlanItem, section: Section) -> bool:
        current = sections.get(item.section_id) if item.section_id else None
        while current is not None:
            if current.id == section.id:
                return True
            current = sections.get(current.parent_id) if current.parent_id else None
        return False

    def compare(where: str, declared: dict, rows: list[PlanItem]) -> None:
        for key, label in MONEY_FIELDS:
            if declared[key] is None:
                continue
            computed = sum(getattr(r, f"budget_{key}") or 0 for r in rows)
            checks.append({"where": where, "field": key, "label": label, "declared": declared[key],
                           "computed": computed, "ok": declared[key] == computed})

    for appendix in plan.appendices:
        rows = [i for i in budget_items if i.appendix_id == appendix.id]
        declared = {"state": appendix.declared_state, "other": appendix.declared_other, "total": appendix.declared_total}
        compare(f"{appendix.label}", declared, rows)
        for section in sorted((s for s in sections.values() if s.appendix_id == appendix.id), key=lambda s: s.position):
            declared = {"state": section.declared_state, "other": section.declared_other, "total": section.declared_total}
            compare(f"{appendix.label}, mục {section.display_path}", declared, [i for i in rows if in_section(i, section)])
    for item in budget_items:
        if item.budget_state is not None and item.budget_other is not None and item.budget_total is not None:
            computed = item.budget_state + item.budget_other
            if computed != item.budget_total:
                checks.append({"where": f"dòng {item.ref}", "field": "total", "label": "tổng = trung hạn + nguồn khác",
                               "declared": item.budget_total, "computed": computed, "ok": False})
    return checks


def _framework_totals(framework: Framework) -> list[dict]:
    indicators = db.session.scalars(
        select(Indicator).where(Indicator.framework_id == framework.id).order_by(Indicator.position)
    ).all()
    children: dict[int | None, list[Indicator]] = {}
    for indicator in indicators:
        children.setdefault(indicator.parent_id, []).append(indicator)
    checks = []
    for indicator in indicators:
        kids = children.get(indicator.id, [])
        if indicator.max_points is None or not kids or all(k.max_points is None for k in kids):
            continue
        computed = sum((k.max_points or Decimal(0)) for k in kids)
        checks.append({"where": f"chỉ số {indicator.code or indicator.key}", "field": "max_points", "label": "điểm tối đa",
                       "declared": float(indicator.max_points), "computed": float(computed),
                       "ok": computed == indicator.max_points})
    declared = (framework.declared or {}).get("max_points")
    if declared is not None and framework.max_points is not None:
        checks.append({"where": "toàn bộ chỉ số", "field": "max_points", "label": "tổng điểm",
                       "declared": float(declared), "computed": float(framework.max_points),
                       "ok": Decimal(str(declared)) == framework.max_points})
    return checks


def data_quality_report() -> dict:
    plans = db.session.scalars(select(Plan).order_by(Plan.id)).all()
    frameworks = db.session.scalars(select(Framework).order_by(Framework.id)).all()
    from tracker.units.models import Area

    area_ids = db.session.scalars(select(DataIssue.area_id).where(DataIssue.area_id.is_not(None)).distinct()).all()
    areas = db.session.scalars(select(Area).where(Area.id.in_(area_ids)).order_by(Area.name)).all() if area_ids else []
    return {
        # A units file's inconsistencies (unit names the documents write differently...), by area.
        "areas": [{"code": a.code, "name": a.name, "issues": _issues(area_id=a.id)} for a in areas],
        "plans": [{"number": p.number, "issues": _issues(plan_id=p.id), "totals": _plan_totals(p)} for p in plans],
        "frameworks": [
            {"name": f.name, "issues": _issues(framework_id=f.id), "totals": _framework_totals(f),
             "scoring": rule_findings(framework_spec(f))} for f in frameworks
        ],
    }


def _value(check: dict) -> tuple[str, str]:
    if check["field"] == "max_points":
        return format_number(check["declared"]), format_number(check["computed"])
    return format_money(check["declared"]), format_money(check["computed"])


def format_report(report: dict) -> str:
    lines: list[str] = ["BÁO CÁO CHẤT LƯỢNG DỮ LIỆU", ""]
    for entry in report.get("areas", []):
        lines.append(f"Đơn vị của {entry['name']} ({entry['code']})")
        lines.append(f"  Điểm không nhất quán của tài liệu đã ghi nhận: {len(entry['issues'])}")
        for issue in entry["issues"]:
            ref = f" {issue['ref']}" if issue["ref"] else ""
            lines.append(f"    - [{issue['kind']}]{ref}: {issue['text']}")
        lines.append("")
    for title, entries in (("Kế hoạch", report["plans"]), ("Bộ chỉ số", report["frameworks"])):
        for entry in entries:
            name = entry.get("number") or entry.get("name")
            lines.append(f"{title} {name}")
            mismatches = [c for c in entry["totals"] if not c["ok"]]
            lines.append(f"  Tổng khai báo so với tổng các dòng: {len(entry['totals'])} phép so, {len(mismatches)} lệch.")
            for check in entry["totals"]:
                declared, computed = _value(check)
                mark = "khớp" if check["ok"] else "LỆCH"
                lines.append(f"    [{mark}] {check['where']} – {check['label']}: khai báo {declared}, cộng các dòng {computed}")
            lines.append(f"  Điểm không nhất quán của tài liệu đã ghi nhận: {len(entry['issues'])}")
            for issue in entry["issues"]:
                ref = f" {issue['ref']}" if issue["ref"] else ""
                lines.append(f"    - [{issue['kind']}]{ref}: {issue['text']}")
            if "scoring" in entry:
                lines.append(f"  Quy tắc tính điểm, máy tính phát hiện: {len(entry['scoring'])}")
                lines += [f"    - [{f['kind']}]{' ' + f['ref'] if f['ref'] else ''}: {f['text']}" for f in entry["scoring"]]
            lines.append("")
    return "\n".join(lines)
