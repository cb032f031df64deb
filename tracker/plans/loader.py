"""Loading plans, units and indicator frameworks from seed_plans/ (YAML) or Excel workbooks.

`load_paths` applies every file to the session in dependency order (units, frameworks, plans,
links), collects every problem instead of stopping at the first, and raises `LoadError` if there
is any: the caller then rolls back, so a failed load leaves the database exactly as it was.
Loading the same files again changes nothing; a changed row updates its item in place and the
audit trail keeps the earlier values.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from tracker.areas import loading as area_loading
from tracker.audit.services import diff, record
from tracker.core.locking import claim
from tracker.core.numbers import InputError, parse_vn_number
from tracker.core.text import fold_name, fold_search
from tracker.extensions import db
from tracker.indicators import link_review
from tracker.indicators.models import Framework, Indicator, IndicatorInput, IndicatorProvider, ItemIndicatorLink
from tracker.indicators.rules import read_rule
from tracker.plans.formats import read_source
from tracker.plans.models import Appendix, DataIssue, ItemAssignment, ItemKind, Plan, PlanItem, Section
from tracker.plans.sources import (
    LDict,
    LoadError,
    Problem,
    SourceDoc,
    collect_files,
    parse_year_range,
    where_of,
)
from tracker.units.models import Area, Unit, UnitAlias, UnitGroup, UnitGroupMember

ACTOR = "load-plans"
UNIT_KINDS = {
    "department", "committee_office", "people_committee", "press", "state_firm",
    "association", "business", "central_agency", "other",
}
APPENDIX_KINDS = {"target", "document", "project", "budget", "task", "framework"}
ITEM_KEYS = {
    "code", "key", "text", "owner", "owner_text", "coordinators", "coordinators_text", "note",
    "inconsistencies", "target_value", "measure_unit", "target_year", "target_text", "doc_type",
    "deadline_year", "start_year", "end_year", "years_text", "state", "other", "total", "project",
    "indicator", "framework", "max_points",
}
ORDER = {"units": 0, "framework": 1, "plan": 2, "links": 3}


def strip_code(code: str) -> str:
    return str(code).strip().rstrip(".").strip()


@dataclass
class LoadResult:
    plans: list[Plan] = field(default_factory=list)
    frameworks: list[Framework] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: int = 0  # rows created or updated

    def as_json(self) -> dict:
        return {
            "plans": [plan_summary(plan) for plan in self.plans],
            "frameworks": [framework_summary(fw) for fw in self.frameworks],
            "warnings": self.warnings,
            "changes": self.changes,
        }


def plan_summary(plan: Plan) -> dict:
    counts = dict(
        db.session.execute(
            select(PlanItem.kind, func.count()).where(PlanItem.plan_id == plan.id).group_by(PlanItem.kind)
        ).all()
    )
    sums = db.session.execute(
        select(
            func.coalesce(func.sum(PlanItem.budget_state), 0),
            func.coalesce(func.sum(PlanItem.budget_other), 0),
            func.coalesce(func.sum(PlanItem.budget_total), 0),
        ).where(PlanItem.plan_id == plan.id, PlanItem.kind == ItemKind.BUDGET)
    ).one()
    unfixed = db.session.scalar(
        select(func.count()).where(
            PlanItem.plan_id == plan.id, PlanItem.kind == ItemKind.BUDGET, PlanItem.budget_total.is_(None)
        )
    )
    return {
        "number": plan.number,
        "title": plan.title,
        "budget_lines_without_amount": unfixed,
        "items": {kind.value: counts.get(kind.value, 0) for kind in ItemKind if kind != ItemKind.TASK or counts.get("task")},
        "budget_total": {"state": int(sums[0]), "other": int(sums[1]), "total": int(sums[2])},
    }


def framework_summary(framework: Framework) -> dict:
    indicators = db.session.scalars(select(Indicator).where(Indicator.framework_id == framework.id)).all()
    by_depth: dict[int, int] = {}
    for indicator in indicators:
        by_depth[indicator.depth] = by_depth.get(indicator.depth, 0) + 1
    return {
        "name": framework.name,
        "indicators": len(indicators),
        "by_level": [by_depth[d] for d in sorted(by_depth)],
        "max_points": _number_json(framework.max_points),
    }


def _number_json(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def load_paths(paths: list[str | Path], mapping: dict | None = None) -> LoadResult:
    """Read and apply every file under `paths`. Raises LoadError listing all problems.

    `mapping` tells the Word reader what it could not recognise (tracker/plans/docx_source.py)."""
    problems: list[Problem] = []
    docs: list[SourceDoc] = []
    files = collect_files(paths)
    if not files:
        raise LoadError([Problem(", ".join(map(str, paths)), "", "", "Không tìm thấy tệp .yaml, .xlsx hoặc .docx nào.")])
    for path in files:
        if not path.exists():
            problems.append(Problem(str(path), "", "", "Tệp không tồn tại."))
            continue
        try:
            read = read_source(path, mapping)
        except LoadError as error:
            problems.extend(error.problems)
            continue
        for doc in read:
            problems.extend(doc.extra_problems)
            docs.append(doc)
    loader = _Loader(problems)
    docs.sort(key=lambda d: (ORDER[d.kind], _area_depth(d), d.path))
    with db.session.no_autoflush:
        for doc in docs:
            try:
                loader.apply(doc)
            except (AttributeError, TypeError, KeyError, ValueError, RecursionError) as error:
                # A mapping where a list belongs, a string where a mapping belongs...
                problems.append(Problem(doc.name, "", "", f"Cấu trúc tệp không đúng định dạng ({type(error).__name__}: {error}); xem seed_plans/README.md."))
    if problems:
        raise LoadError(problems)
    db.session.flush()
    return loader.result


def _area_depth(doc: SourceDoc) -> int:
    if doc.kind != "units":
        return 0
    area = doc.data.get("area") or {}
    depth = {"province": 0, "city": 0, "district": 1, "commune": 2}.get(area.get("level"), 3)
    # A province merged into another loads after the provinces, so that its successor exists.
    return 2 * depth + (1 if isinstance(area, dict) and area.get("merged_into") else 0)


# ---------------------------------------------------------------------------------------------


class _Loader:
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        self.result = LoadResult()
        self._names: dict[int, dict[str, list[Unit | UnitGroup]]] = {}

    # -- helpers --------------------------------------------------------------------------

    def problem(self, doc: SourceDoc, node: Any, field_name: str, message: str) -> None:
        self.problems.append(Problem(doc.name, where_of(node), field_name, message))

    def warn(self, doc: SourceDoc, node: Any, message: str) -> None:
        where = where_of(node)
        self.result.warnings.append(f"{doc.name}: {where + ': ' if where else ''}{message}")

    def set_fields(self, obj, values: dict[str, Any]) -> dict[str, list]:
        """Assign changed values only; returns {field: [old, new]} for the audit trail."""
        old = {key: getattr(obj, key) for key in values}
        changes = diff(old, values)
        for key in changes:
            setattr(obj, key, values[key])
        if changes:
            self.result.changes += 1
            if hasattr(obj, "lock_version"):
                claim(obj)  # edit forms opened before this load are refused, not silently applied
        return changes

    def upsert(self, current, make, values: dict[str, Any]):
        """The row as the file describes it: created (and counted) when missing, else only its
        changed fields assigned. Returns (row, changes)."""
        if current is None:
            current = make(**values)
            db.session.add(current)
            db.session.flush()
            self.result.changes += 1
            return current, {}
        return current, self.set_fields(current, values)

    def declared_totals(self, doc, node) -> dict[str, int | None]:
        """The totals an appendix or section prints about itself (declared_totals)."""
        declared = node.get("declared_totals") or {}
        return {
            f"declared_{key}": self.money(doc, declared, f"declared_totals.{key}", declared.get(key))
            for key in ("state", "other", "total")
        }

    def require(self, doc, node, key: str, label: str | None = None):
        value = node.get(key) if isinstance(node, dict) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            self.problem(doc, node, key, f"Thiếu {label or key}.")
            return None
        return value

    def area(self, doc, node, code: str | None) -> Area | None:
        if not code:
            return None
        area = db.session.scalar(select(Area).where(Area.code == code))
        if area is None:
            known = db.session.scalars(select(Area.code)).all()
            hint = difflib.get_close_matches(code, known, n=3)
            self.problem(doc, node, "area", f"Không có địa bàn mã '{code}'." + (f" Có phải: {', '.join(hint)}?" if hint else ""))
        return area

    # -- name resolution ------------------------------------------------------------------

    def names(self, area: Area) -> dict[str, list[Unit | UnitGroup]]:
        """folded name -> units/groups, for the area and its enclosing areas."""
        if area.id not in self._names:
            index: dict[str, list] = {}
            current: Area | None = area
            while current is not None:
                # A closer area wins: a district's "Phòng Nội vụ" hides nothing of the province.
                local: dict[str, list] = {}
                for unit in db.session.scalars(select(Unit).where(Unit.area_id == current.id)):
                    keys = {fold_name(unit.name), fold_name(unit.short_name or "")} | {a.folded for a in unit.aliases}
                    for key in keys - {""}:
                        local.setdefault(key, []).append(unit)
                for group in db.session.scalars(select(UnitGroup).where(UnitGroup.area_id == current.id)):
                    for key in {fold_name(group.name)} | {fold_name(a) for a in group.aliases}:
                        if group not in local.setdefault(key, []):
                            local[key].append(group)
                for key, found in local.items():
                    index.setdefault(key, found)
                current = current.parent
            self._names[area.id] = index
        return self._names[area.id]

    def resolve_one(self, area: Area, name: str) -> list:
        return self.names(area).get(fold_name(name), [])

    def resolve_names(self, doc, node, field_name: str, area: Area, value) -> list[tuple[str, Unit | UnitGroup]]:
        """Unit/group references from a name, a list of names, or the document's wording.

        A string that is not itself a known name is split on ";" and "/", then on commas, taking
        the longest run of comma-separated pieces that names a unit ("Sở, ban, ngành" is one).
        """
        if value is None or value == "":
            return []
        parts = value if isinstance(value, list) else [value]
        resolved: list[tuple[str, Unit | UnitGroup]] = []
        for part in parts:
            text = str(part).strip()
            if not text:
                continue
            matches = self.resolve_one(area, text)
            if matches:
                resolved.append(self._pick(doc, node, field_name, text, matches))
                continue
            for chunk in _split_major(text):
                pieces = [p.strip() for p in chunk.split(",")]
                i = 0
                while i < len(pieces):
                    for j in range(len(pieces), i, -1):
                        candidate = ", ".join(pieces[i:j]).strip()
                        matches = self.resolve_one(area, candidate) if candidate else []
                        if matches:
                            resolved.append(self._pick(doc, node, field_name, candidate, matches))
                            i = j
                            break
                    else:
                        unknown = pieces[i]
                        if unknown:
                            hint = difflib.get_close_matches(fold_name(unknown), list(self.names(area)), n=3, cutoff=0.6)
                            self.problem(
                                doc, node, field_name,
                                f"Không tìm thấy đơn vị '{unknown}' ở {area.name}."
                                + (f" Tên gần đúng: {'; '.join(_display(self.names(area), h) for h in hint)}." if hint else ""),
                            )
                        i += 1
        return [r for r in resolved if r[1] is not None]

    def _pick(self, doc, node, field_name, text, matches):
        if len(matches) > 1:
            self.problem(doc, node, field_name, f"Tên '{text}' chỉ nhiều đơn vị: {'; '.join(m.name for m in matches)}.")
        return (text, matches[0])

    # -- documents ------------------------------------------------------------------------

    def apply(self, doc: SourceDoc) -> None:
        getattr(self, f"apply_{doc.kind}")(doc)

    def apply_units(self, doc: SourceDoc) -> None:
        data = doc.data
        area_node = data.get("area")
        if not isinstance(area_node, dict):
            self.problem(doc, data, "area", "Thiếu thông tin địa bàn (area).")
            return
        code = self.require(doc, area_node, "code", "mã địa bàn")
        name = self.require(doc, area_node, "name", "tên địa bàn")
        level = area_node.get("level")
        area_loading.check_level(self, doc, area_node, level)
        if not code or not name:
            return
        parent = self.area(doc, area_node, area_node.get("parent")) if area_node.get("parent") else None
        area = db.session.scalar(select(Area).where(Area.code == code))
        if area is None:
            area = Area(code=code, name=name, level=level or "province", parent=parent)
            db.session.add(area)
            db.session.flush()
            self.result.changes += 1
        else:
            self.set_fields(area, {"name": name, "level": level or area.level, "parent_id": parent.id if parent else None})
        area_loading.apply_area_names(self, doc, area_node, area)

        seen: set[str] = set()
        units_by_name: dict[str, Unit] = {}
        existing = {u.name: u for u in db.session.scalars(select(Unit).where(Unit.area_id == area.id))}
        for node in data.get("units") or []:
            unit_name = self.require(doc, node, "name", "tên đơn vị")
            if not unit_name:
                continue
            if unit_name in seen:
                self.problem(doc, node, "name", f"Đơn vị '{unit_name}' khai báo hai lần.")
                continue
            seen.add(unit_name)
            kind = node.get("kind") or "other"
            if kind not in UNIT_KINDS:
                self.problem(doc, node, "kind", f"Loại đơn vị '{kind}' không hợp lệ ({', '.join(sorted(UNIT_KINDS))}).")
                continue
            unit = existing.get(unit_name)
            values = {"short_name": node.get("short_name"), "kind": kind, "note": node.get("note"),
                      **area_loading.unit_end_values(self, doc, node)}
            if unit is None:
                unit = Unit(area=area, name=unit_name, **values)
                db.session.add(unit)
                self.result.changes += 1
            else:
                self.set_fields(unit, values)
            wanted = {}
            for alias in node.get("aliases") or []:
                wanted.setdefault(fold_name(str(alias)), str(alias))
            current = {a.folded: a for a in unit.aliases}
            for folded, alias in wanted.items():
                if folded not in current:
                    unit.aliases.append(UnitAlias(alias=alias, folded=folded))
                    self.result.changes += 1
            for folded, alias in current.items():
                if folded not in wanted:
                    unit.aliases.remove(alias)
                    self.result.changes += 1
            units_by_name[unit_name] = unit
        db.session.flush()
        self._names.clear()

        for node in data.get("units") or []:
            unit = units_by_name.get(node.get("name"))
            if unit is None:
                continue
            parent_unit = None
            if node.get("parent"):
                found = self.resolve_names(doc, node, "parent", area, node["parent"])
                parent_unit = found[0][1] if found and isinstance(found[0][1], Unit) else None
            self.set_fields(unit, {"parent_id": parent_unit.id if parent_unit else None})
            succ = node.get("successor")
            values = {"successor_id": None, "succeeded_on": None, "succession_type": None, "succession_note": None}
            if succ:
                target = self.resolve_names(doc, succ, "successor.unit", area, succ.get("unit"))
                on = succ.get("date")
                if not isinstance(on, date):
                    self.problem(doc, succ, "successor.date", f"Ngày kế thừa '{on}' không hợp lệ (YYYY-MM-DD).")
                if succ.get("type") not in ("merged", "renamed"):
                    self.problem(doc, succ, "successor.type", "Hình thức kế thừa phải là merged hoặc renamed.")
                if target and isinstance(target[0][1], Unit) and isinstance(on, date):
                    values = {
                        "successor_id": target[0][1].id,
                        "succeeded_on": on,
                        "succession_type": succ.get("type"),
                        "succession_note": succ.get("note"),
                    }
            changes = self.set_fields(unit, values)
            if changes and values["successor_id"]:
                record(actor=None, actor_label=ACTOR, action="unit.succession", entity_type="unit",
                       entity_id=unit.id, summary=f"{unit.name} → {succ.get('unit')} từ {values['succeeded_on']}",
                       changes=changes)

        existing_groups = {g.name: g for g in db.session.scalars(select(UnitGroup).where(UnitGroup.area_id == area.id))}
        for node in data.get("groups") or []:
            group_name = self.require(doc, node, "name", "tên nhóm đơn vị")
            if not group_name:
                continue
            group = existing_groups.get(group_name)
            aliases_text = "\n".join(str(a) for a in node.get("aliases") or [])
            if group is None:
                group = UnitGroup(area=area, name=group_name, aliases_text=aliases_text, note=node.get("note"))
                db.session.add(group)
                self.result.changes += 1
            else:
                self.set_fields(group, {"aliases_text": aliases_text, "note": node.get("note")})
            members = []
            for member in node.get("members") or []:
                found = self.resolve_names(doc, node, "members", area, [member])
                if found and isinstance(found[0][1], Unit):
                    members.append(found[0][1])
            if [m.unit_id for m in group.members] != [u.id for u in members]:
                group.members.clear()
                db.session.flush()
                for position, unit in enumerate(members):
                    group.members.append(UnitGroupMember(unit=unit, position=position))
                self.result.changes += 1
        db.session.flush()
        self._names.clear()
        area_loading.apply_area_merger(self, doc, area_node, area)

    def apply_framework(self, doc: SourceDoc) -> None:
        data = doc.data
        name = self.require(doc, data, "name", "tên bộ chỉ số")
        level = self.require(doc, data, "level", "cấp áp dụng")
        if not name or not level:
            return
        area = self.area(doc, data, data.get("area")) if data.get("area") else None
        framework = db.session.scalar(select(Framework).where(Framework.name == name))
        from tracker.areas.tenancy import tenant_area

        # A national index (`national: true`, or no area) belongs to no area; `area` then only
        # names the area whose units the transcribed document cites (its source data).
        owner = tenant_area(area) if area is not None and not data.get("national") else None
        values = {
            "level": level,
            "year": data.get("year"),
            "area_id": area.id if area else None,
            "tenant_id": owner.id if owner else None,
            "plan_number": data.get("plan"),
            "source": data.get("source"),
            "declared": dict(data.get("declared") or {}),
            "general_info": _plain(data.get("general_info") or []),
        }
        framework, _ = self.upsert(framework, lambda **v: Framework(name=name, **v), values)

        existing = {i.key: i for i in db.session.scalars(select(Indicator).where(Indicator.framework_id == framework.id))}
        seen: dict[str, Any] = {}
        counter = [0]
        issues: list[tuple[str, str, str, str]] = [("file", "", i.get("kind", "other"), i.get("text", "")) for i in data.get("inconsistencies") or []]

        def walk(nodes, parent: Indicator | None, depth: int) -> Decimal | None:
            total: Decimal | None = None
            for node in nodes or []:
                code = node.get("code")
                # The document leaves some rows unnumbered: an empty code is kept if a key names the row.
                if code is None or (str(code).strip() == "" and not node.get("key")):
                    self.problem(doc, node, "code", "Chỉ số thiếu mã (ghi 'key' nếu tài liệu để trống STT).")
                    continue
                key = str(node.get("key") or code)
                if key in seen:
                    self.problem(doc, node, "key", f"Mã chỉ số '{key}' lặp lại (đã có ở {where_of(seen[key])}); ghi 'key' khác để phân biệt.")
                    continue
                seen[key] = node
                points = self.decimal(doc, node, "max_points", node.get("max_points"))
                owner = None
                if node.get("owner") and area is not None:
                    found = self.resolve_names(doc, node, "owner", area, node["owner"])
                    owner = found[0][1] if found and isinstance(found[0][1], Unit) else None
                counter[0] += 1
                values = {
                    "code": str(code),
                    "name": str(node.get("name") or ""),
                    "max_points": points,
                    "scoring": _text(node.get("scoring")),
                    "evidence": _text(node.get("evidence")),
                    "note": _text(node.get("note")),
                    "depth": depth,
                    "position": counter[0],
                    "owner_unit_id": owner.id if owner else None,
                    "owner_text": node.get("owner"),
                    "providers_text": node.get("providers_text"),
                    "parent_id": parent.id if parent else None,
                    "rule": read_rule(node, lambda n, f, m: self.problem(doc, n, f, m)),
                }
                if not values["name"]:
                    self.problem(doc, node, "name", f"Chỉ số {code} thiếu tên.")
                indicator, _ = self.upsert(
                    existing.get(key), lambda **v: Indicator(framework=framework, key=key, **v), values
                )
                self.sync_inputs(doc, node, indicator, area)
                for issue in node.get("inconsistencies") or []:
                    issues.append(("indicator", key, issue.get("kind", "other"), issue.get("text", "")))
                children_total = walk(node.get("children"), indicator, depth + 1)
                contributes = points if points is not None else children_total
                if contributes is not None:
                    total = (total or Decimal(0)) + contributes
            return total

        computed = walk(data.get("indicators"), None, 0)
        self.set_fields(framework, {"max_points": computed})
        for key, indicator in existing.items():
            if key not in seen:
                self.warn(doc, data, f"Chỉ số '{key}' có trong cơ sở dữ liệu nhưng không còn trong tệp (giữ nguyên, không xóa).")
        self.sync_issues(doc, {"framework_id": framework.id}, issues)
        self.result.frameworks.append(framework)

    def sync_inputs(self, doc, node, indicator: Indicator, area: Area | None) -> None:
        def provider_rows(names, owner_node):
            rows = []
            for name in names or []:
                unit = None
                if area is not None:
                    found = self.resolve_names(doc, owner_node, "providers", area, [name])
                    unit = found[0][1] if found and isinstance(found[0][1], Unit) else None
                rows.append((str(name), unit.id if unit else None))
            return rows

        wanted_inputs = [
            (str(i.get("symbol") or ""), _text(i.get("text")) or "", provider_rows(i.get("providers"), i))
            for i in node.get("inputs") or []
        ]
        wanted_providers = provider_rows(node.get("providers"), node)
        current_inputs = [
            (i.symbol, i.text, [(p.name_as_written, p.unit_id) for p in i.providers]) for i in indicator.inputs
        ]
        current_providers = [(p.name_as_written, p.unit_id) for p in indicator.providers if p.input_id is None]
        if current_inputs == wanted_inputs and current_providers == wanted_providers:
            return
        self.result.changes += 1
        indicator.providers.clear()
        indicator.inputs.clear()
        db.session.flush()
        for position, (symbol, text, providers) in enumerate(wanted_inputs):
            row = IndicatorInput(symbol=symbol, text=text, position=position)
            indicator.inputs.append(row)
            for name, unit_id in providers:
                indicator.providers.append(IndicatorProvider(input=row, name_as_written=name, unit_id=unit_id))
        for name, unit_id in wanted_providers:
            indicator.providers.append(IndicatorProvider(name_as_written=name, unit_id=unit_id))

    def sync_issues(self, doc, owner: dict, issues: list[tuple[str, str, str, str]]) -> None:
        if not doc.records_issues:
            return
        query = select(DataIssue).filter_by(**owner).order_by(DataIssue.id)
        current = [(i.scope, i.ref, i.kind, i.text) for i in db.session.scalars(query)]
        if current == issues:
            return
        for row in db.session.scalars(query):
            db.session.delete(row)
        for scope, ref, kind, text in issues:
            db.session.add(DataIssue(scope=scope, ref=ref, kind=kind, text=text, source=doc.name, **owner))
        self.result.changes += 1

    # -- plans ----------------------------------------------------------------------------

    def apply_plan(self, doc: SourceDoc) -> None:
        data = doc.data
        from tracker.plans import identity

        # A plan may have no number yet ("Số: /KH-UBND"): `number` is then "/KH-UBND" or null.
        number = identity.normalize_number(data.get("number"))
        title = self.require(doc, data, "title", "tên kế hoạch")
        issuing_body = self.require(doc, data, "issuing_body", "cơ quan ban hành")
        area_code = self.require(doc, data, "area", "mã địa bàn")
        area = self.area(doc, data, area_code) if area_code else None
        if not (title and issuing_body and area):
            return
        period = data.get("period") or {}
        signer = data.get("signer") or {}
        try:
            issued_on, precision = identity.parse_plan_date(data.get("date"))
        except identity.PlanDateError as error:
            self.problem(doc, data, "date", str(error))
            return
        values = {
            "issued_on": issued_on,
            "issued_precision": precision,
            "issuing_body": issuing_body,
            "area_id": area.id,
            "title": title,
            "period_start": self.year(doc, period, "start", period.get("start")),
            "period_end": self.year(doc, period, "end", period.get("end")),
            "vision_year": self.year(doc, period, "vision", period.get("vision")),
            "legal_bases": [str(x) for x in data.get("legal_bases") or []],
            "goals": _text(data.get("goals")),
            "signer_title": signer.get("title"),
            "signer_name": signer.get("name"),
            "recipients": [str(x) for x in data.get("recipients") or []],
            "source": data.get("source"),
        }
        match = identity.match_plan(area, number, issued_on, precision, str(title))
        if match.conflict:
            self.problem(doc, data, "number", match.conflict)
            return
        if match.warning:
            self.warn(doc, data, match.warning)
        plan = match.plan
        created = plan is None
        if created:
            plan = Plan(number=number, **values)
            db.session.add(plan)
            db.session.flush()
            self.result.changes += 1
            record(actor=None, actor_label=ACTOR, action="plan.create", entity_type="plan", entity_id=plan.id,
                   summary=f"Nạp kế hoạch {identity.number_label(number)} của {area.name} từ {doc.name}")
        else:
            changes = self.set_fields(plan, values)
            if changes:
                record(actor=None, actor_label=ACTOR, action="plan.update", entity_type="plan", entity_id=plan.id,
                       summary=f"Cập nhật kế hoạch {number} từ {doc.name}", changes=changes)

        issues = [("file", "", i.get("kind", "other"), i.get("text", "")) for i in data.get("inconsistencies") or []]
        existing_items = {i.ref: i for i in db.session.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id))}
        existing_appendices = {a.number: a for a in plan.appendices}
        existing_sections = {
            (s.appendix_id, s.path): s
            for s in db.session.scalars(select(Section).join(Appendix).where(Appendix.plan_id == plan.id))
        }
        seen_refs: dict[str, Any] = {}
        seen_appendices: set[str] = set()
        position = [0]
        budget_rows: list[tuple[PlanItem, Any, str]] = []
        project_appendix_numbers: list[str] = []

        for a_position, node in enumerate(data.get("appendices") or []):
            number_a = node.get("number")
            kind = node.get("kind")
            if number_a is None or kind not in APPENDIX_KINDS:
                self.problem(doc, node, "kind" if number_a is not None else "number",
                             f"Phụ lục cần 'number' và 'kind' (một trong: {', '.join(sorted(APPENDIX_KINDS))}).")
                continue
            number_a = str(number_a)
            if number_a in seen_appendices:
                self.problem(doc, node, "number", f"Phụ lục {number_a} khai báo hai lần.")
                continue
            seen_appendices.add(number_a)
            framework = None
            if kind == "framework":
                framework = db.session.scalar(select(Framework).where(Framework.name == node.get("framework")))
                if framework is None:
                    self.problem(doc, node, "framework", f"Không có bộ chỉ số '{node.get('framework')}'.")
            a_values = {
                "kind": kind,
                "title": str(node.get("title") or ""),
                "position": a_position,
                "framework_id": framework.id if framework else None,
                **self.declared_totals(doc, node),
            }
            appendix, _ = self.upsert(
                existing_appendices.get(number_a), lambda **v: Appendix(plan=plan, number=number_a, **v), a_values
            )
            if kind == "project":
                project_appendix_numbers.append(strip_code(number_a))
            for issue in node.get("inconsistencies") or []:
                issues.append(("appendix", f"Phụ lục {number_a}", issue.get("kind", "other"), issue.get("text", "")))
            if kind == "framework":
                continue
            context = _PlanContext(doc, plan, area, appendix, existing_items, existing_sections, seen_refs,
                                   position, issues, budget_rows)
            self.walk_sections(context, node.get("sections"), None, [strip_code(number_a)])
            self.apply_items(context, node.get("items"), None, [strip_code(number_a)])

        for row, node, ref in budget_rows:
            target_ref = node.get("project")
            candidates = [target_ref] if target_ref else [
                "/".join([n] + ref.split("/")[1:]) for n in project_appendix_numbers
            ]
            project = next(
                (seen_refs[c][0] for c in candidates if c in seen_refs and seen_refs[c][0].kind == ItemKind.PROJECT),
                None,
            )
            if project is None:
                self.problem(doc, node, "project",
                             f"Dòng kinh phí {ref} không có dự án tương ứng ({', '.join(candidates) or 'không có phụ lục dự án'}).")
                continue
            self.set_fields(row, {"funded_project_id": project.id})

        for ref, item in existing_items.items():
            if ref not in seen_refs:
                self.warn(doc, data, f"Hạng mục {ref} có trong cơ sở dữ liệu nhưng không còn trong tệp (giữ nguyên, không xóa).")
        self.sync_issues(doc, {"plan_id": plan.id}, issues)
        self.result.plans.append(plan)

    def walk_sections(self, ctx: _PlanContext, nodes, parent: Section | None, path: list[str]) -> None:
        for node in nodes or []:
            code = node.get("code")
            if code is None or str(code).strip() == "":
                self.problem(ctx.doc, node, "code", "Đề mục thiếu mã.")
                continue
            section_path = path[1:] + [strip_code(code)]
            joined = "/".join(section_path)
            ctx.position[0] += 1
            values = {
                "code": str(code),
                "title": str(node.get("title") or ""),
                "depth": len(section_path) - 1,
                "position": ctx.position[0],
                "parent_id": parent.id if parent else None,
                **self.declared_totals(ctx.doc, node),
            }
            section, _ = self.upsert(
                ctx.sections.get((ctx.appendix.id, joined)),
                lambda **v: Section(appendix=ctx.appendix, path=joined, **v),
                values,
            )
            ctx.sections[(ctx.appendix.id, joined)] = section
            for issue in node.get("inconsistencies") or []:
                ctx.issues.append(("section", "/".join(path + section_path[len(path) - 1:]), issue.get("kind", "other"), issue.get("text", "")))
            self.apply_items(ctx, node.get("items"), section, path + [strip_code(code)])
            self.walk_sections(ctx, node.get("sections"), section, path + [strip_code(code)])

    def apply_items(self, ctx: _PlanContext, nodes, section: Section | None, path: list[str]) -> None:
        kind = ctx.appendix.kind
        for node in nodes or []:
            doc = ctx.doc
            if not isinstance(node, dict):
                self.problem(doc, node, "", "Dòng không hợp lệ.")
                continue
            unknown = set(node) - ITEM_KEYS
            if unknown:
                self.problem(doc, node, ", ".join(sorted(unknown)), "Trường không được hỗ trợ (xem seed_plans/README.md).")
            code = node.get("code")
            if code is None or str(code).strip() == "":
                self.problem(doc, node, "code", "Thiếu số thứ tự (TT) của dòng.")
                continue
            ref = "/".join(path + [strip_code(node.get("key") or code)])
            if ref in ctx.seen_refs:
                self.problem(doc, node, "code",
                             f"Mã '{code}' trùng trong cùng đề mục (đã có ở {where_of(ctx.seen_refs[ref][1])}); ghi 'key' khác nếu tài liệu lặp mã.")
                continue
            text = node.get("text")
            if text is None or not str(text).strip():
                self.problem(doc, node, "text", "Thiếu nội dung của dòng.")
            owners = self.resolve_names(doc, node, "owner", ctx.area, node.get("owner"))
            if node.get("owner") in (None, "", []):
                self.problem(doc, node, "owner", "Thiếu đơn vị chủ trì.")
            coordinators = self.resolve_names(doc, node, "coordinators", ctx.area, node.get("coordinators"))
            ctx.position[0] += 1
            values = {
                "kind": kind,
                "code": str(code),
                "position": ctx.position[0],
                "text": str(text or "").strip(),
                "section_id": section.id if section else None,
                "appendix_id": ctx.appendix.id,
                "owner_text": node.get("owner_text") or _joined(node.get("owner")),
                "coordinators_text": node.get("coordinators_text") or _joined(node.get("coordinators")),
                "note": _text(node.get("note")),
            }
            values["search_text"] = fold_search(f"{values['code']} {values['text']}")
            values.update(self.kind_values(doc, node, kind))
            wanted = [("owner", t, x) for t, x in owners] + [("coordinator", t, x) for t, x in coordinators]
            wanted_plain = [[role, written, _who_key(who)] for role, written, who in wanted]
            loaded_now = {key: _plain_value(value) for key, value in values.items()}
            loaded_now["assignments"] = wanted_plain
            item = ctx.items.get(ref)
            created = item is None
            changes: dict = {}
            if created:
                item = PlanItem(plan=ctx.plan, ref=ref, loaded_values=loaded_now, **values)
                db.session.add(item)
                db.session.flush()
                self.result.changes += 1
            else:
                previous = item.loaded_values or {}
                # Only what the document changed since the last load; an edit made in the app stays.
                changed = {k: v for k, v in values.items() if k not in previous or previous[k] != loaded_now[k]}
                for key in changed:
                    if key in previous and _plain_value(getattr(item, key)) != previous[key]:
                        self.warn(doc, node, f"{ref}: trường '{key}' đã sửa trong ứng dụng được thay bằng nội dung mới của văn bản.")
                changes = self.set_fields(item, changed)
            current = [[a.role, a.name_as_written, _who_key(a.unit or a.group)] for a in item.assignments]
            previous_assignments = (item.loaded_values or {}).get("assignments") if not created else None
            document_changed = created or previous_assignments is None or previous_assignments != wanted_plain
            if document_changed and current != wanted_plain:
                if not created:
                    if previous_assignments is not None and current != previous_assignments:
                        self.warn(doc, node, f"{ref}: đơn vị chủ trì/phối hợp đã sửa trong ứng dụng được thay theo văn bản.")
                    changes["assignments"] = [[f"{r}: {t}" for r, t, _ in current], [f"{r}: {t}" for r, t, _ in wanted_plain]]
                    self.result.changes += 1
                    claim(item)
                item.assignments.clear()
                db.session.flush()
                for pos, (role, written, who) in enumerate(wanted):
                    item.assignments.append(ItemAssignment(
                        role=role, name_as_written=written, position=pos,
                        unit=who if isinstance(who, Unit) else None,
                        group=who if isinstance(who, UnitGroup) else None,
                    ))
            if not created and item.loaded_values != loaded_now:
                item.loaded_values = loaded_now
            if changes and not created:
                record(actor=None, actor_label=ACTOR, action="item.update", entity_type="plan_item",
                       entity_id=item.id, summary=f"Cập nhật {ref} từ {doc.name}", changes=changes)
            ctx.seen_refs[ref] = (item, node)
            for issue in node.get("inconsistencies") or []:
                ctx.issues.append(("item", ref, issue.get("kind", "other"), issue.get("text", "")))
            if kind == ItemKind.BUDGET:
                ctx.budget_rows.append((item, node, ref))

    def kind_values(self, doc, node, kind: str) -> dict[str, Any]:
        if kind == ItemKind.TARGET:
            return {
                "target_value": self.decimal(doc, node, "target_value", node.get("target_value")),
                "measure_unit": node.get("measure_unit"),
                "target_year": self.year(doc, node, "target_year", node.get("target_year")),
                "target_text": node.get("target_text"),
            }
        if kind == ItemKind.DOCUMENT:
            values = {"doc_type": node.get("doc_type")}
            if node.get("deadline_year") is not None:
                year = self.year(doc, node, "deadline_year", node.get("deadline_year"))
                values["end_year"] = year
            return values
        if kind == ItemKind.PROJECT:
            start = node.get("start_year")
            end = node.get("end_year")
            years_text = node.get("years_text")
            if start is None and end is None and years_text:
                parsed = parse_year_range(str(years_text))
                if parsed is None:
                    self.problem(doc, node, "years_text", f"Năm thực hiện '{years_text}' không đúng dạng 'YYYY - YYYY'.")
                else:
                    start, end = parsed
            start = self.year(doc, node, "start_year", start)
            end = self.year(doc, node, "end_year", end)
            if start is None or end is None:
                if not years_text or parse_year_range(str(years_text)) is not None:
                    self.problem(doc, node, "start_year", "Thiếu năm bắt đầu hoặc năm kết thúc của dự án.")
            elif start > end:
                self.problem(doc, node, "end_year", f"Năm kết thúc {end} trước năm bắt đầu {start}.")
            return {"start_year": start, "end_year": end, "years_text": years_text or (f"{start} - {end}" if start else None)}
        if kind == ItemKind.BUDGET:
            state = self.money(doc, node, "state", node.get("state"))
            other = self.money(doc, node, "other", node.get("other"))
            total = self.money(doc, node, "total", node.get("total"))
            return {"budget_state": state, "budget_other": other, "budget_total": total}
        if kind == ItemKind.TASK:
            return {
                "indicator_code": node.get("indicator"),
                "task_framework": node.get("framework"),
                "max_points": self.decimal(doc, node, "max_points", node.get("max_points")),
            }
        return {}

    # -- values ---------------------------------------------------------------------------

    def money(self, doc, node, field_name: str, value) -> int | None:
        """Exact đồng. None/"-" is "no amount fixed"; a number must be a non-negative integer."""
        if value is None:
            return None
        if isinstance(value, bool):
            self.problem(doc, node, field_name, f"Số tiền '{value}' không hợp lệ.")
            return None
        if isinstance(value, int):
            result = value
        elif isinstance(value, float):
            if not value.is_integer():
                self.problem(doc, node, field_name, f"Số tiền '{value}' phải là số nguyên đồng.")
                return None
            result = int(value)
        else:
            text = str(value).strip().removesuffix("đ").strip()
            if text == "-" or text == "":
                return None
            digits = text.replace(".", "").replace(" ", "")
            if not digits.isdigit() or ("." in text and not _grouped(text)):
                self.problem(doc, node, field_name, f"Số tiền '{value}' không hợp lệ (ví dụ đúng: 5.000.000.000 hoặc 5000000000).")
                return None
            result = int(digits)
        if result < 0:
            self.problem(doc, node, field_name, f"Số tiền không được âm: {value}.")
            return None
        return result

    def decimal(self, doc, node, field_name: str, value) -> Decimal | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            self.problem(doc, node, field_name, f"'{value}' không phải là số.")
            return None
        if isinstance(value, str):  # written by a person: the one Vietnamese reading (tracker.core.numbers)
            try:
                return parse_vn_number(value)
            except InputError as error:
                self.problem(doc, node, field_name, f"'{value}': {error}")
                return None
        try:
            result = Decimal(str(value))
        except InvalidOperation:
            self.problem(doc, node, field_name, f"'{value}' không phải là số.")
            return None
        if not result.is_finite():
            self.problem(doc, node, field_name, f"'{value}' không phải là số.")
            return None
        return result

    def year(self, doc, node, field_name: str, value) -> int | None:
        if value is None or value == "":
            return None
        try:
            year = int(str(value).strip())
        except ValueError:
            self.problem(doc, node, field_name, f"Năm '{value}' không hợp lệ.")
            return None
        if not 1900 <= year <= 2100:
            self.problem(doc, node, field_name, f"Năm '{value}' ngoài khoảng 1900–2100.")
            return None
        return year

    # -- links ----------------------------------------------------------------------------

    def apply_links(self, doc: SourceDoc) -> None:
        data = doc.data
        from tracker.plans.identity import PlanLookupError, find_plan

        try:  # `area:` chooses between plans of the same number in several areas
            plan = find_plan(data.get("plan"), data.get("area")) if data.get("plan") else None
        except PlanLookupError as error:
            self.problem(doc, data, "plan", str(error))
            plan = None
        framework = db.session.scalar(select(Framework).where(Framework.name == data.get("framework")))
        if plan is None and not data.get("plan"):
            self.problem(doc, data, "plan", "Thiếu kế hoạch (plan).")
        if framework is None:
            self.problem(doc, data, "framework", f"Không có bộ chỉ số '{data.get('framework')}'.")
        if plan is None or framework is None:
            return
        items = {i.ref: i for i in db.session.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id))}
        indicators = db.session.scalars(select(Indicator).where(Indicator.framework_id == framework.id)).all()
        by_key = {i.key: i for i in indicators}
        by_code: dict[str, list[Indicator]] = {}
        for indicator in indicators:
            by_code.setdefault(indicator.code, []).append(indicator)
        existing = {
            (link.item_id, link.indicator_id): link
            for link in db.session.scalars(
                select(ItemIndicatorLink).join(Indicator).where(Indicator.framework_id == framework.id)
            )
        }
        for node in data.get("links") or []:
            item = items.get(str(node.get("item")))
            if item is None:
                self.problem(doc, node, "item", f"Không có hạng mục '{node.get('item')}' trong kế hoạch {plan.number}.")
                continue
            reviewed = link_review.link_values(node, lambda f, m, node=node: self.problem(doc, node, f, m))
            for code in node.get("indicators") or []:
                code = str(code)
                indicator = by_key.get(code)
                if indicator is None:
                    matches = by_code.get(code, [])
                    if len(matches) != 1:
                        self.problem(doc, node, "indicators",
                                     f"Không có chỉ số '{code}' trong {framework.name}." if not matches
                                     else f"Mã '{code}' lặp lại trong {framework.name}: ghi key.")
                        continue
                    indicator = matches[0]
                link = existing.get((item.id, indicator.id))
                if link is None:
                    link = ItemIndicatorLink(item_id=item.id, indicator_id=indicator.id, **reviewed)
                    db.session.add(link)
                    existing[(item.id, indicator.id)] = link
                    self.result.changes += 1
                else:
                    self.set_fields(link, reviewed)
        link_review.remove_rejected(self, doc, plan, framework, items, by_key, by_code, existing)


@dataclass
class _PlanContext:
    doc: SourceDoc
    plan: Plan
    area: Area
    appendix: Appendix
    items: dict[str, PlanItem]
    sections: dict
    seen_refs: dict
    position: list[int]
    issues: list
    budget_rows: list


def _who_key(who) -> str | None:
    if isinstance(who, Unit):
        return f"unit:{who.id}"
    if isinstance(who, UnitGroup):
        return f"group:{who.id}"
    return None


def _plain_value(value):
    """A value as stored in `loaded_values` (JSON): decimals and dates as text."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _split_major(text: str) -> list[str]:
    parts = [text]
    for separator in (";", "/"):
        parts = [piece for part in parts for piece in part.split(separator)]
    return [p.strip() for p in parts if p.strip()]


def _grouped(text: str) -> bool:
    groups = text.replace(" ", "").split(".")
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def _display(index, key) -> str:
    matches = index.get(key) or []
    return matches[0].name if matches else key


def _joined(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _text(value) -> str | None:
    if value is None:
        return None
    text = str(value).rstrip()
    return text or None


def _plain(value):
    """YAML mappings (LDict) and dates as JSON-friendly values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
