"""Applying a links file: which plan items count towards which indicators of a framework."""
from __future__ import annotations

from sqlalchemy import select

from tracker.extensions import db
from tracker.indicators import link_review
from tracker.indicators.models import Framework, Indicator, ItemIndicatorLink
from tracker.plans.models import PlanItem
from tracker.plans.sources import SourceDoc


class LinksApplier:
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


