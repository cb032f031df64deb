"""Applying an indicator framework: its indicators (tree, points, owners, inputs, providers)
and the document's inconsistencies."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from tracker.extensions import db
from tracker.indicators.models import Framework, Indicator, IndicatorInput, IndicatorProvider
from tracker.indicators.rules import read_rule
from tracker.plans.importing.values import plain as _plain
from tracker.plans.importing.values import text_or_none as _text
from tracker.plans.models import DataIssue
from tracker.plans.sources import SourceDoc, where_of
from tracker.units.models import Area, Unit


class FrameworksApplier:
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

