"""The DTI self-assessment's inputs: a framework from the database as the calculator's spec, and
a values file (indicator code -> inputs) read with its line numbers.

A campaign feeds the calculator the same way: `framework_spec(framework)` once, then a mapping
of the accepted inputs.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.indicators.models import Framework, Indicator, IndicatorInput
from tracker.indicators.scoring import ValueProblem
from tracker.indicators.spec import FrameworkSpec, IndicatorSpec, InputSpec
from tracker.plans.sources import _LineLoader


def framework_spec(framework: Framework) -> FrameworkSpec:
    """The framework's tree with rules, inputs, providers and the printed texts (four queries, whatever its size)."""
    indicators = db.session.scalars(
        select(Indicator)
        .where(Indicator.framework_id == framework.id)
        .options(
            selectinload(Indicator.inputs).selectinload(IndicatorInput.providers),
            selectinload(Indicator.providers),
        )
        .order_by(Indicator.position, Indicator.id)
    ).all()
    nodes: dict[int, IndicatorSpec] = {}
    roots: list[IndicatorSpec] = []
    for indicator in indicators:
        node = IndicatorSpec(
            key=indicator.key, code=indicator.code, name=indicator.name, max_points=indicator.max_points,
            rule=indicator.rule, depth=indicator.depth, scoring=indicator.scoring, evidence=indicator.evidence,
            note=indicator.note, providers_text=indicator.providers_text,
            providers=[p.name_as_written for p in indicator.providers if p.input_id is None],
            inputs=[InputSpec(i.symbol, i.text, providers=[p.name_as_written for p in i.providers])
                    for i in indicator.inputs],
        )
        nodes[indicator.id] = node
        parent = nodes.get(indicator.parent_id) if indicator.parent_id else None
        (parent.children if parent is not None else roots).append(node)
    declared = (framework.declared or {}).get("max_points")
    return FrameworkSpec(
        name=framework.name,
        max_points=Decimal(str(declared)) if declared is not None else framework.max_points,
        roots=roots, year=framework.year, level=framework.level,
        general_info=list(framework.general_info or []),
    )


def find_framework(name: str) -> Framework | None:
    return db.session.scalar(select(Framework).where(Framework.name == name))


def framework_names() -> list[str]:
    return list(db.session.scalars(select(Framework.name).order_by(Framework.name)))


def read_values(path: Path) -> tuple[dict, list[ValueProblem]]:
    """A values file: a YAML mapping of indicator code -> {input: value}. Problems name the line."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except FileNotFoundError:
        return {}, [ValueProblem("", "", f"Không có tệp {path}.")]
    except UnicodeDecodeError:
        return {}, [ValueProblem("", "", "Tệp không phải văn bản UTF-8.")]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"dòng {mark.line + 1}" if mark else ""
        return {}, [ValueProblem("", "", f"YAML không hợp lệ: {getattr(error, 'problem', error)}", where)]
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return {}, [ValueProblem("", "", "Tệp số liệu phải là một bảng: mã chỉ số -> số liệu, ví dụ "
                                         "\"1.2\": {a: 5, b: 5}.", "dòng 1")]
    return data, []
