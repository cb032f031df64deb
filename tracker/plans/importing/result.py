"""What an import did (or, in a dry run, would do): per plan the items the file holds and the
changes applying it makes, per framework its indicators, plus warnings and unresolved names.

`LoadResult.as_json()` is the shape `load-plans --json` prints (README, "load-plans --json").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.indicators.models import Framework, Indicator
from tracker.plans.models import ItemKind, Plan, PlanItem


@dataclass
class ItemChange:
    """One row of the preview: an item created, updated (field -> [old, new]) or not in the file."""

    ref: str
    appendix: str
    code: str
    text: str
    action: str  # created | updated | unchanged | not_in_file
    fields: dict = field(default_factory=dict)


@dataclass
class PlanChanges:
    plan: Plan
    created_plan: bool = False
    plan_fields: dict = field(default_factory=dict)
    items: list[ItemChange] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for change in self.items if change.action == action)

    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in ("created", "updated", "unchanged", "not_in_file")}


@dataclass
class LoadResult:
    plans: list[Plan] = field(default_factory=list)
    frameworks: list[Framework] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: int = 0  # rows created or updated
    plan_changes: dict[int, PlanChanges] = field(default_factory=dict)  # plan id -> changes
    unresolved_units: list[dict] = field(default_factory=list)
    dry_run: bool = False

    def changes_of(self, plan: Plan) -> PlanChanges:
        if plan.id not in self.plan_changes:
            self.plan_changes[plan.id] = PlanChanges(plan)
        return self.plan_changes[plan.id]

    def as_json(self) -> dict:
        plans = []
        for plan in self.plans:
            summary = plan_summary(plan)
            changes = self.plan_changes.get(plan.id)
            summary["changes"] = changes.counts() if changes else dict.fromkeys(
                ("created", "updated", "unchanged", "not_in_file"), 0)
            plans.append(summary)
        return {
            "dry_run": self.dry_run,
            "plans": plans,
            "frameworks": [framework_summary(fw) for fw in self.frameworks],
            "unresolved_units": self.unresolved_units,
            "errors": [],
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
        "area": plan.area.code if plan.area is not None else None,
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
        "max_points": number_json(framework.max_points),
    }


def number_json(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
