"""Applying a plan: header, appendices, sections, items with their owners, budget lines tied to
their projects. Every item the file holds is recorded in the result's `PlanChanges` as created,
updated (field by field), unchanged, or, for items of the plan the file no longer holds,
not_in_file (kept, never deleted): the diff the preview shows."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from tracker.audit.services import record
from tracker.core.locking import claim
from tracker.core.text import fold_search
from tracker.extensions import db
from tracker.indicators.models import Framework
from tracker.plans.importing import validate
from tracker.plans.importing.result import ItemChange
from tracker.plans.importing.values import joined as _joined
from tracker.plans.importing.values import parse_target_values
from tracker.plans.importing.values import plain_value as _plain_value
from tracker.plans.importing.values import strip_code
from tracker.plans.importing.values import text_or_none as _text
from tracker.plans.models import Appendix, ItemAssignment, ItemKind, Plan, PlanItem, Section
from tracker.plans.sources import SourceDoc, where_of
from tracker.units.models import Area, Unit, UnitGroup

ACTOR = "load-plans"


class PlansApplier:
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
            self.check_rows(doc, data)  # a wrong area code hides none of the rows' own errors
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
            self.result.changes_of(plan).created_plan = True
            record(actor=self.actor, actor_label=self.actor_label, action="plan.create", entity_type="plan", entity_id=plan.id,
                   summary=f"Nạp kế hoạch {identity.number_label(number)} của {area.name} từ {doc.name}")
        else:
            changes = self.set_fields(plan, values)
            self.result.changes_of(plan).plan_fields = changes
            if changes:
                record(actor=self.actor, actor_label=self.actor_label, action="plan.update", entity_type="plan", entity_id=plan.id,
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
            invalid = validate.appendix_problem(node)
            if invalid:
                self.problem(doc, node, *invalid)
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
                                   position, issues, budget_rows, self.result.changes_of(plan))
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
                self.result.changes_of(plan).items.append(ItemChange(
                    ref, ref.split("/")[0], item.code, item.text, "not_in_file"))
                self.warn(doc, data, f"Hạng mục {ref} có trong cơ sở dữ liệu nhưng không còn trong tệp (giữ nguyên, không xóa).")
        self.sync_issues(doc, {"plan_id": plan.id}, issues)
        self.result.plans.append(plan)

    def check_rows(self, doc: SourceDoc, data) -> None:
        """The checks of every appendix, section and row that need no area (shape, codes, years,
        amounts), for a plan that cannot be applied: its other errors are listed all the same."""
        def walk(nodes, kind: str) -> None:
            for node in nodes or []:
                if not isinstance(node, dict):
                    continue
                if node.get("code") is None or str(node.get("code")).strip() == "":
                    self.problem(doc, node, "code", "Đề mục thiếu mã.")
                items(node.get("items"), kind)
                walk(node.get("sections"), kind)

        def items(nodes, kind: str) -> None:
            for node in nodes or []:
                problems = validate.item_problems(node)
                for field_name, message in problems:
                    self.problem(doc, node, field_name, message)
                if isinstance(node, dict) and not any(f == "code" for f, _ in problems):
                    self.kind_values(doc, node, kind)

        for node in data.get("appendices") or []:
            if not isinstance(node, dict):
                continue
            invalid = validate.appendix_problem(node)
            if invalid:
                self.problem(doc, node, *invalid)
                continue
            if node.get("kind") != "framework":
                walk(node.get("sections"), node["kind"])
                items(node.get("items"), node["kind"])

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
            problems = validate.item_problems(node)
            for field_name, message in problems:
                self.problem(doc, node, field_name, message)
            if not isinstance(node, dict) or any(f == "code" for f, _ in problems):
                continue
            code = node.get("code")
            ref = "/".join(path + [strip_code(node.get("key") or code)])
            if ref in ctx.seen_refs:
                self.problem(doc, node, "code",
                             f"Mã '{code}' trùng trong cùng đề mục (đã có ở {where_of(ctx.seen_refs[ref][1])}); ghi 'key' khác nếu tài liệu lặp mã.")
                continue
            text = node.get("text")
            owners = self.resolve_names(doc, node, "owner", ctx.area, node.get("owner"))
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
            ctx.changes.items.append(ItemChange(
                ref, path[0], str(code), values["text"],
                "created" if created else ("updated" if changes else "unchanged"),
                {} if created else {k: [_plain_value(a), _plain_value(b)] for k, (a, b) in changes.items()},
            ))
            if changes and not created:
                record(actor=self.actor, actor_label=self.actor_label, action="item.update", entity_type="plan_item",
                       entity_id=item.id, summary=f"Cập nhật {ref} từ {doc.name}", changes=changes)
            ctx.seen_refs[ref] = (item, node)
            for issue in node.get("inconsistencies") or []:
                ctx.issues.append(("item", ref, issue.get("kind", "other"), issue.get("text", "")))
            if kind == ItemKind.BUDGET:
                ctx.budget_rows.append((item, node, ref))

    def kind_values(self, doc, node, kind: str) -> dict[str, Any]:
        if kind == ItemKind.TARGET:
            several = self._parsed(parse_target_values, doc, node, "target_values", node.get("target_values")) or []
            value = self.decimal(doc, node, "target_value", node.get("target_value"))
            if value is None and several:
                value = self.decimal(doc, node, "target_values", several[0]["value"])
            return {
                "target_value": value,
                "target_values": several or None,
                "measure_unit": node.get("measure_unit") or (several[0]["unit"] if several else None),
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
            start, end, years_text, problems = validate.project_years(node)
            for field_name, message in problems:
                self.problem(doc, node, field_name, message)
            return {"start_year": start, "end_year": end, "years_text": years_text}
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
    changes: Any = None  # PlanChanges


def _who_key(who) -> str | None:
    if isinstance(who, Unit):
        return f"unit:{who.id}"
    if isinstance(who, UnitGroup):
        return f"group:{who.id}"
    return None


