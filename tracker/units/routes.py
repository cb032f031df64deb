"""Unit pages: every unit of an area, and one unit's items and reports."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.areas.scope import get_in_scope
from tracker.auth.permissions import read_required
from tracker.core.time import today_local
from tracker.core.security import bounded_int
from tracker.extensions import db
from tracker.periods.completeness import COMPLETENESS_LABELS
from tracker.plans.listing import TIMELINESS_LABELS
from tracker.units import pages
from tracker.units.models import UNIT_KIND_LABELS, Area, Unit
from tracker.units.services import SUCCESSION_TYPES

bp = Blueprint("units", __name__)


@bp.get("/don-vi")
@read_required
def index():
    areas = db.session.scalars(select(Area).order_by(Area.level, Area.name)).all()
    area_id = request.args.get("khu-vuc", type=bounded_int)
    area = get_in_scope(Area, area_id) if area_id else pages.default_area(current_user)
    query = (request.args.get("q") or "")[:200]
    rows, groups = pages.units_index(area, query)
    return render_template(
        "units/index.html", areas=areas, area=area, rows=rows, groups=groups, query=query,
        kind_labels=UNIT_KIND_LABELS, today=today_local(),
    )


@bp.get("/don-vi/<int:unit_id>")
@read_required
def show(unit_id: int):
    unit = db.session.scalar(
        select(Unit)
        .where(Unit.id == unit_id)
        .options(selectinload(Unit.area), selectinload(Unit.successor), selectinload(Unit.aliases),
                 selectinload(Unit.parent))
    )
    if unit is None:
        abort(404)
    today = today_local()
    return render_template(
        "units/show.html", page=pages.unit_page(unit, today), unit=unit, today=today,
        kind_labels=UNIT_KIND_LABELS, completeness_labels=COMPLETENESS_LABELS,
        timeliness_labels=TIMELINESS_LABELS, succession_types=SUCCESSION_TYPES,
    )
