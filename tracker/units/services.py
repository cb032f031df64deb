"""Finding units by name or alias, and following their succession."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.core.text import fold_name
from tracker.extensions import db
from tracker.units.models import Unit


def unit_names(unit: Unit) -> set[str]:
    """Every folded name a unit answers to: full name, short name, aliases."""
    names = {fold_name(unit.name)}
    if unit.short_name:
        names.add(fold_name(unit.short_name))
    names.update(alias.folded for alias in unit.aliases)
    return names


def find_units(name: str, area_id: int | None = None) -> list[Unit]:
    """Units whose name, short name or alias matches `name` (case and spacing ignored).

    Matching is done in Python: SQLite's lower() does not fold Vietnamese capitals (Ở, Đ).
    """
    folded = fold_name(name)
    query = select(Unit).options(selectinload(Unit.aliases), selectinload(Unit.area)).order_by(Unit.id)
    if area_id is not None:
        query = query.where(Unit.area_id == area_id)
    return [unit for unit in db.session.scalars(query) if folded in unit_names(unit)]
