"""The DTI frameworks as the calculator sees them, read straight from seed_plans/ (no database)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from tracker.indicators.rules import read_rule
from tracker.indicators.spec import FrameworkSpec, IndicatorSpec, InputSpec

FRAMEWORKS = Path(__file__).resolve().parents[2] / "seed_plans" / "frameworks"


def spec_from_file(path: Path) -> FrameworkSpec:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems: list[str] = []

    def node(raw: dict, depth: int) -> IndicatorSpec:
        rule = read_rule(raw, lambda _node, field, message: problems.append(f"{raw['code']} {field}: {message}"))
        return IndicatorSpec(
            key=str(raw.get("key") or raw["code"]), code=str(raw["code"]), name=raw["name"],
            max_points=Decimal(str(raw["max_points"])) if raw.get("max_points") is not None else None,
            rule=rule, depth=depth, scoring=raw.get("scoring"), evidence=raw.get("evidence"), note=raw.get("note"),
            providers=list(raw.get("providers") or []), providers_text=raw.get("providers_text"),
            inputs=[InputSpec(str(i["symbol"]), i["text"], providers=list(i.get("providers") or []))
                    for i in raw.get("inputs") or []],
            children=[node(child, depth + 1) for child in raw.get("children") or []],
        )

    roots = [node(raw, 0) for raw in data["indicators"]]
    assert not problems, problems
    return FrameworkSpec(name=data["name"], max_points=Decimal(str(data["declared"]["max_points"])), roots=roots,
                         year=data.get("year"), level=data.get("level"), general_info=data.get("general_info") or [])


@pytest.fixture(scope="session")
def dti2024() -> FrameworkSpec:
    return spec_from_file(FRAMEWORKS / "dti-cap-tinh-2024.yaml")


@pytest.fixture(scope="session")
def dti2022() -> FrameworkSpec:
    return spec_from_file(FRAMEWORKS / "dti-so-ban-nganh-2022.yaml")
