"""Applying a units file: the area, its units (aliases, parents, successions, ends), unit groups,
and the file's `inconsistencies:`, recorded against the area (shown by check-plans)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.areas import loading as area_loading
from tracker.audit.services import record
from tracker.core.text import fold_name
from tracker.extensions import db
from tracker.plans.importing.validate import UNIT_KINDS
from tracker.plans.sources import SourceDoc
from tracker.units.models import Area, Unit, UnitAlias, UnitGroup, UnitGroupMember
from tracker.units.services import UnitError, check_parent, name_taken_message, other_units_named

ACTOR = "load-plans"


class UnitsApplier:
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
        # A workbook's units sheet only adds: what it does not say is kept, never reset or removed.
        additive = bool(data.get("additive"))
        if additive and area is not None:
            self._apply_units_additively(doc, data, area)
            return
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

        area_units = None
        for node in data.get("units") or []:
            unit = units_by_name.get(node.get("name"))
            if unit is None:
                continue
            parent_unit = None
            if node.get("parent"):
                found = self.resolve_names(doc, node, "parent", area, node["parent"])
                parent_unit = found[0][1] if found and isinstance(found[0][1], Unit) else None
            try:
                check_parent(parent_unit, unit)  # the area's naming rules (tracker/units/services.py)
            except UnitError as refused:
                self.problem(doc, node, "parent", str(refused))
                parent_unit = None
            for value in [node.get("short_name"), *(node.get("aliases") or [])]:
                if not value:
                    continue
                if area_units is None:
                    area_units = list(db.session.scalars(select(Unit).where(Unit.area_id == area.id)
                                                         .options(selectinload(Unit.aliases))))
                others = other_units_named(str(value), area_units, unit)
                if others:
                    self.problem(doc, node, "aliases", name_taken_message(" ".join(str(value).split()), others[0]))
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
                record(actor=self.actor, actor_label=self.actor_label, action="unit.succession", entity_type="unit",
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
        # Recorded, not dropped: check-plans prints them with the plans' and frameworks'.
        issues = [("file", "", i.get("kind", "other"), i.get("text", "")) for i in data.get("inconsistencies") or []]
        for node in data.get("units") or []:
            for issue in node.get("inconsistencies") or []:
                issues.append(("unit", str(node.get("name") or ""), issue.get("kind", "other"), issue.get("text", "")))
        self.sync_issues(doc, {"area_id": area.id, "plan_id": None, "framework_id": None}, issues)


    def _apply_units_additively(self, doc: SourceDoc, data, area: Area) -> None:
        existing = {u.name: u for u in db.session.scalars(select(Unit).where(Unit.area_id == area.id))}
        created = []
        for node in data.get("units") or []:
            unit_name = self.require(doc, node, "name", "tên đơn vị")
            if not unit_name:
                continue
            unit = existing.get(unit_name)
            if unit is None:
                kind = node.get("kind") or "other"
                if kind not in UNIT_KINDS:
                    self.problem(doc, node, "kind", f"Loại đơn vị '{kind}' không hợp lệ ({', '.join(sorted(UNIT_KINDS))}).")
                    continue
                unit = Unit(area=area, name=unit_name, short_name=node.get("short_name"), kind=kind, note=node.get("note"))
                db.session.add(unit)
                existing[unit_name] = unit
                created.append((unit, node))
                self.result.changes += 1
            current = {a.folded for a in unit.aliases}
            for alias in node.get("aliases") or []:
                folded = fold_name(str(alias))
                if folded not in current:
                    unit.aliases.append(UnitAlias(alias=str(alias), folded=folded))
                    current.add(folded)
                    self.result.changes += 1
        db.session.flush()
        self._names.clear()
        for unit, node in created:
            if node.get("parent"):
                found = self.resolve_names(doc, node, "parent", area, node["parent"])
                if found and isinstance(found[0][1], Unit):
                    unit.parent_id = found[0][1].id
