"""The updates blueprint: a unit's quarterly update (edit), the review queue, evidence files, "Việc của tôi".

One module a job: `edit` (the update form, contributions), `review` (the queue, accept/return,
corrections), `evidence` (download, delete), `my_work` (the reporter's page and its batch save). The
shared lookups live here; the names other modules import are re-exported below."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.areas.scope import current_scope, get_in_scope
from tracker.audit.models import AuditEntry
from tracker.auth.models import Role
from tracker.core import unit_of_work
from tracker.core.security import optional_id
from tracker.extensions import db
from tracker.periods.models import ReportingPeriod
from tracker.periods.obligations import REPORTING_KINDS
from tracker.periods.services import get_period
from tracker.plans.models import PlanItem
from tracker.updates import services
from tracker.updates.models import STATE_LABELS


bp = Blueprint("updates", __name__)
bp.add_app_template_global(services.submitted_late, "submitted_late")
bp.add_app_template_global(STATE_LABELS, "state_labels")


# --- helpers ---------------------------------------------------------------------------------------


def _int(value) -> int | None:
    return optional_id(value)  # an id or version beyond any stored one reads as none


def _item_or_404(item_id: int) -> PlanItem:
    from tracker.items.services import load_item

    # With its plan, appendix and owners (groups' members, successors, reassignments) in a few
    # queries: the form asks who reports for it, which walked them one lazy load at a time.
    item = load_item(item_id)
    if item is not None and not current_scope().allows(item):  # already loaded under a wider scope
        item = None
    if item is None or item.kind not in [k.value for k in REPORTING_KINDS]:
        abort(404)
    return item


def _period_or_404(code: str, tenant) -> ReportingPeriod:
    period = get_period(code, tenant) if tenant is not None else None
    if period is None:
        abort(404)
    return period


def _discard_if_rolled_back(path: Path) -> None:
    """A stored upload whose row is rolled back is deleted with it (the unit of work's hook)."""
    unit_of_work.after_rollback(lambda: path.unlink(missing_ok=True))


def _safe_next(target: str | None, default: str) -> str:
    from tracker.auth.routes import safe_next

    return safe_next(target) or default


def _is_viewer(user) -> bool:
    return user.is_authenticated and user.role in (Role.VIEWER, Role.NATIONAL_VIEWER)


def _audit_entries(update_ids: list[int]) -> list[AuditEntry]:
    if not update_ids:
        return []
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == "status_update", AuditEntry.entity_id.in_(update_ids))
            .options(selectinload(AuditEntry.actor))
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    )


# --- the blueprint's modules, one a job (they register their views on `bp`) ------------------------

from tracker.updates.routes import edit as _edit, evidence as _evidence, my_work as _my_work  # noqa: E402
from tracker.updates.routes import review as _review  # noqa: E402,F401
from tracker.updates.routes.edit import _render_edit  # noqa: E402,F401 - used by tracker/updates/oversize.py
from tracker.updates.routes.evidence import content_disposition, evidence_download  # noqa: E402,F401
from tracker.updates.routes.my_work import WORK_PAGE_SIZE  # noqa: E402,F401

from tracker.updates import oversize as _oversize  # noqa: E402

_oversize.register(bp)
