"""The item page: history, links and edits. Edits are recorded in the audit trail; the caller commits."""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from tracker.audit.models import AuditEntry
from tracker.audit.services import diff, record
from tracker.auth.models import User
from tracker.core.locking import UNCHECKED, claim
from tracker.core.text import fold_search, vietnamese_sort_key
from tracker.extensions import db
from tracker.indicators.models import Framework, Indicator, ItemIndicatorLink
from tracker.periods.models import ReportingPeriod
from tracker.plans.listing import assignment_options
from tracker.plans.models import ItemAssignment, PlanItem, Section
from tracker.units.models import Area, Unit, UnitGroup
from tracker.updates.models import ContributionNote, Evidence, StatusUpdate

AUDIT_ENTITY = "plan_item"

# Fields of an update a reader compares from one version to the next.
UPDATE_FIELDS = {
    "status": "Tình trạng",  # as on the update form; "Trạng thái" is the report's (draft, sent...)
    "progress": "Tiến độ (%)",
    "achieved_value": "Giá trị đạt được",
    "amount_committed": "Kinh phí đã cam kết",
    "amount_disbursed": "Kinh phí đã giải ngân",
    "done_text": "Kết quả thực hiện",
    "difficulties": "Khó khăn, vướng mắc",
    "proposals": "Kiến nghị, đề xuất",
}


class ItemError(ValueError):
    """A change refused for a reason the user can act on (message in Vietnamese)."""


def load_item(item_id: int) -> PlanItem | None:
    return db.session.scalar(
        select(PlanItem)
        .where(PlanItem.id == item_id)
        .options(
            selectinload(PlanItem.plan),
            selectinload(PlanItem.appendix),
            selectinload(PlanItem.section),
            selectinload(PlanItem.funded_project),
            *assignment_options(),
        )
    )


@dataclass
class UpdateVersion:
    update: UpdateRow
    changes: list[tuple[str, object, object]]

    @property
    def submitted_late(self) -> bool:
        from tracker.periods.obligations import is_late

        return is_late(self.update.submitted_at, self.update.period, self.update.unit_id)


@dataclass
class PeriodHistory:
    period: ReportingPeriod
    chains: dict[int, list[UpdateVersion]] = field(default_factory=dict)  # unit id -> versions, newest first
    notes: list[ContributionNote] = field(default_factory=list)


@dataclass
class ItemPage:
    item: PlanItem
    section_path: list[Section]
    links: list[ItemIndicatorLink]
    history: list[PeriodHistory]
    audit: list[AuditEntry]
    budget_lines: list[PlanItem]
    history_total: int = 0  # periods with updates or notes, shown or not
    from_sample: bool = False  # the current state comes from demo data ("Dữ liệu mẫu")


class Named:
    """A unit or user as the history shows it: a name, nothing loaded behind it."""

    __slots__ = ("id", "name", "display_name")

    def __init__(self, object_id: int, name: str, display_name: str | None = None):
        self.id, self.name, self.display_name = object_id, name, display_name or name


class UpdateRow:
    """One version of a status update, read as columns (an item may have hundreds)."""

    def __init__(self, values: dict):
        self.__dict__.update(values)
        self.unit: Named | None = None
        self.author = self.submitted_by = self.reviewed_by = None
        self.evidence: list[Named] = []
        self.period: ReportingPeriod | None = None
        self.hidden = False  # an unsent report the reader may not read (see item_page)


HISTORY_COLUMNS = [
    StatusUpdate.id, StatusUpdate.period_id, StatusUpdate.unit_id, StatusUpdate.version, StatusUpdate.state,
    StatusUpdate.is_sample, StatusUpdate.created_at, StatusUpdate.submitted_at, StatusUpdate.reviewed_at,
    StatusUpdate.review_comment, StatusUpdate.author_id, StatusUpdate.submitted_by_id, StatusUpdate.reviewed_by_id,
    *[getattr(StatusUpdate, key) for key in UPDATE_FIELDS],
]


def _history_rows(item_id: int) -> list[UpdateRow]:
    """Every version of every update of an item, with unit, people and evidence, in four queries."""
    rows = [UpdateRow(dict(row._mapping)) for row in db.session.execute(
        select(*HISTORY_COLUMNS, Unit.name.label("unit_name"))
        .join(Unit, Unit.id == StatusUpdate.unit_id)
        .where(StatusUpdate.item_id == item_id)
        .order_by(StatusUpdate.period_id, StatusUpdate.unit_id, StatusUpdate.version)
    )]
    user_ids = {uid for r in rows for uid in (r.author_id, r.submitted_by_id, r.reviewed_by_id) if uid}
    users = {
        uid: Named(uid, email, full_name or email)
        for uid, full_name, email in db.session.execute(
            select(User.id, User.full_name, User.email).where(User.id.in_(sorted(user_ids) or [0])))
    }
    evidence: dict[int, list[Named]] = {}
    for evidence_id, update_id, name in db.session.execute(
        select(Evidence.id, Evidence.update_id, Evidence.original_name)
        .join(StatusUpdate, StatusUpdate.id == Evidence.update_id)
        .where(StatusUpdate.item_id == item_id)
        .order_by(Evidence.id)
    ):
        evidence.setdefault(update_id, []).append(Named(evidence_id, name))
    for row in rows:
        row.unit = Named(row.unit_id, row.unit_name)
        row.author = users.get(row.author_id)
        row.submitted_by = users.get(row.submitted_by_id)
        row.reviewed_by = users.get(row.reviewed_by_id)
        row.evidence = evidence.get(row.id, [])
    return rows


def _values(update) -> dict:
    return {key: getattr(update, key) for key in UPDATE_FIELDS} if update is not None else {}


def _changes(previous, update) -> list[tuple[str, object, object]]:
    changed = diff(_values(previous), _values(update))
    if previous is None:
        # The first version of a chain: only what it says, not a diff against nothing.
        return [(key, None, getattr(update, key)) for key in UPDATE_FIELDS
                if getattr(update, key) not in (None, "", 0) or key == "status"]
    return [(key, getattr(previous, key), getattr(update, key)) for key in UPDATE_FIELDS if key in changed]


HISTORY_PERIODS = 8  # periods shown unless the reader asks for the whole history


def item_page(item: PlanItem, *, full_history: bool = False, viewer=None) -> ItemPage:
    """The page as `viewer` may read it: an unsent report of another unit shows as such, without
    its text, figures, files or (to non-staff) its return reason (tracker/updates/visibility.py)."""
    sections: dict[int, Section] = {}
    if item.section_id:
        sections = {
            s.id: s for s in db.session.scalars(select(Section).where(Section.appendix_id == item.appendix_id))
        }
    path, current = [], sections.get(item.section_id) if item.section_id else None
    while current is not None and current not in path:
        path.insert(0, current)
        current = sections.get(current.parent_id) if current.parent_id else None

    links = list(
        db.session.scalars(
            select(ItemIndicatorLink)
            .where(ItemIndicatorLink.item_id == item.id)
            .options(
                selectinload(ItemIndicatorLink.indicator).selectinload(Indicator.framework),
                selectinload(ItemIndicatorLink.indicator).selectinload(Indicator.parent),
            )
        )
    )
    links.sort(key=lambda link: (link.indicator.framework.name, link.indicator.position))

    updates = _history_rows(item.id)
    notes = list(
        db.session.scalars(
            select(ContributionNote)
            .where(ContributionNote.item_id == item.id)
            .options(
                selectinload(ContributionNote.period),
                selectinload(ContributionNote.unit),
                selectinload(ContributionNote.author),
            )
            .order_by(ContributionNote.created_at)
        )
    )
    period_ids = {u.period_id for u in updates} | {n.period_id for n in notes}
    period_rows = {p.id: p for p in db.session.scalars(
        select(ReportingPeriod).where(ReportingPeriod.id.in_(sorted(period_ids) or [0]))
        # The exceptions: lateness of each shown version (periods.obligations.is_late), one query.
        .options(selectinload(ReportingPeriod.exceptions)))}
    # Only the periods shown are read version by version (an item may have years of history).
    newest_first = sorted(period_rows.values(), key=lambda p: (p.year, p.quarter), reverse=True)
    shown = {p.id for p in (newest_first if full_history else newest_first[:HISTORY_PERIODS])}
    updates = [u for u in updates if u.period_id in shown]

    periods: dict[int, PeriodHistory] = {}
    previous: dict[tuple[int, int], UpdateRow] = {}
    for update in updates:
        update.period = period_rows[update.period_id]
        history = periods.setdefault(update.period_id, PeriodHistory(update.period))
        key = (update.period_id, update.unit_id)
        version = UpdateVersion(update, _changes(previous.get(key), update))
        history.chains.setdefault(update.unit_id, []).insert(0, version)
        previous[key] = update
    _hide_unsent(updates, periods, viewer)
    for note in notes:
        if note.period_id in shown or note.period_id not in period_rows:
            periods.setdefault(note.period_id, PeriodHistory(note.period)).notes.append(note)
    history = sorted(periods.values(), key=lambda h: (h.period.year, h.period.quarter), reverse=True)
    history_total = len(period_ids)
    if not full_history:
        history = history[:HISTORY_PERIODS]

    audit = list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == AUDIT_ENTITY, AuditEntry.entity_id == item.id)
            .options(selectinload(AuditEntry.actor))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        )
    )
    budget_lines = list(db.session.scalars(
        select(PlanItem).where(PlanItem.plan_id == item.plan_id, PlanItem.kind == "budget",
                               PlanItem.funded_project_id == item.id)))
    from tracker.updates.services import sample_item_ids

    return ItemPage(item, path, links, history, audit, budget_lines, history_total,
                    from_sample=bool(sample_item_ids([item.id])))


def _hide_unsent(updates: list[UpdateRow], periods: dict[int, PeriodHistory], viewer) -> None:
    from tracker.updates.visibility import can_see_contents, can_see_review

    hidden = set()
    for update in updates:
        update.hidden = not can_see_contents(viewer, update)
        if update.hidden:
            hidden.add(update.id)
            update.evidence = []
            for key in UPDATE_FIELDS:
                setattr(update, key, None)
        if update.review_comment and not can_see_review(viewer, update):
            update.review_comment = None
    for history in periods.values():
        for versions in history.chains.values():
            for newer, version in zip([None] + versions, versions):  # newest first
                if version.update.id in hidden:
                    version.changes = []
                    if newer is not None and newer.update.id not in hidden:
                        # Compared with nothing rather than with what the reader may not see.
                        newer.changes = _changes(None, newer.update)


# --- Editing ------------------------------------------------------------------------------------


def assignable_choices(item: PlanItem) -> list[tuple[str, str]]:
    """Units and unit groups of the plan's area and its enclosing areas, as form choices."""
    area_ids = area_chain(item.plan.area)
    units = db.session.scalars(
        select(Unit).where(Unit.area_id.in_(area_ids)).options(selectinload(Unit.successor)).order_by(Unit.name)
    ).all()
    units = sorted(units, key=lambda u: vietnamese_sort_key(u.name))
    groups = db.session.scalars(select(UnitGroup).where(UnitGroup.area_id.in_(area_ids)).order_by(UnitGroup.name)).all()
    choices = []
    for unit in units:
        label = unit.name if not unit.short_name else f"{unit.name} ({unit.short_name})"
        if unit.successor_id and unit.succeeded_on:
            label += f" — đã {'hợp nhất vào' if unit.succession_type != 'renamed' else 'đổi tên thành'} {unit.successor.display_name}"
        choices.append((f"u:{unit.id}", label))
    choices += [(f"g:{group.id}", f"{group.name} (nhóm)") for group in groups]
    # Units already assigned from elsewhere (another area) stay selectable.
    for assignment in item.assignments:
        value = assignment_value(assignment)
        if value and value not in {c[0] for c in choices}:
            choices.append((value, assignment.label))
    return choices


def assignment_value(assignment: ItemAssignment) -> str | None:
    if assignment.unit_id:
        return f"u:{assignment.unit_id}"
    if assignment.group_id:
        return f"g:{assignment.group_id}"
    return None


def _resolve(value: str) -> Unit | UnitGroup:
    kind, _, raw_id = value.partition(":")
    model = {"u": Unit, "g": UnitGroup}.get(kind)
    target = db.session.get(model, int(raw_id)) if model and raw_id.isdigit() else None
    if target is None:
        raise ItemError(f"Không tìm thấy đơn vị '{value}'.")
    return target


def _assignment_labels(item: PlanItem, role: str) -> list[str]:
    return [a.name_as_written or a.label for a in item.assignments if a.role == role]


def _set_assignments(item: PlanItem, role: str, values: list[str]) -> None:
    """Keep the assignments still chosen (and the name the document gave them), add the new ones."""
    existing = {assignment_value(a): a for a in item.assignments if a.role == role}
    kept: list[ItemAssignment] = []
    for value in OrderedDict.fromkeys(values):
        assignment = existing.pop(value, None)
        if assignment is None:
            target = _resolve(value)
            if isinstance(target, UnitGroup):
                assignment = ItemAssignment(role=role, group=target, name_as_written=target.name)
            else:
                assignment = ItemAssignment(role=role, unit=target, name_as_written=target.name)
            item.assignments.append(assignment)
        kept.append(assignment)
    for assignment in existing.values():
        item.assignments.remove(assignment)
    for position, assignment in enumerate(kept):
        assignment.position = position


def edit_values(item: PlanItem) -> dict:
    """What the edit form changes, as the audit trail (and a refused save) shows it."""
    return {
        "text": item.text,
        "deadline": item.deadline,
        "note": item.note,
        "owners": _assignment_labels(item, "owner"),
        "coordinators": _assignment_labels(item, "coordinator"),
    }


def edit_item(
    actor, item: PlanItem, *, text: str, owners: list[str], coordinators: list[str],
    deadline: date | None, note: str | None, lock_version=UNCHECKED,
) -> dict:
    """Change an item's wording, owners, coordinators, deadline or note. Status is not editable here:
    it comes from accepted updates. `lock_version` is the one the form was built from (StaleEdit
    when the item changed since). Returns the recorded changes (empty when nothing changed)."""
    if not owners:
        raise ItemError("Hạng mục phải có ít nhất một đơn vị chủ trì.")
    claim(item, lock_version)
    before = edit_values(item)
    item.text = text.strip()
    item.deadline = deadline
    item.note = (note or "").strip() or None
    _set_assignments(item, "owner", owners)
    _set_assignments(item, "coordinator", coordinators)
    item.assignments.sort(key=lambda a: (a.role != "owner", a.position))
    item.search_text = fold_search(f"{item.code} {item.text}")
    changes = diff(before, edit_values(item))
    if changes:
        record(
            actor=actor, action="update", entity_type=AUDIT_ENTITY, entity_id=item.id,
            summary=f"Sửa hạng mục {item.ref}: " + ", ".join(EDIT_FIELD_LABELS[k] for k in changes),
            changes=changes,
        )
    db.session.flush()
    return changes


EDIT_FIELD_LABELS = {
    "text": "nội dung",
    "deadline": "hạn hoàn thành",
    "note": "ghi chú",
    "owners": "đơn vị chủ trì",
    "coordinators": "đơn vị phối hợp",
}


# --- Indicator links ---------------------------------------------------------------------------


def indicator_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Every indicator, grouped by framework, for a select with optgroups."""
    frameworks = db.session.scalars(select(Framework).order_by(Framework.year.desc(), Framework.name)).all()
    indicators = db.session.scalars(select(Indicator).order_by(Indicator.framework_id, Indicator.position)).all()
    by_framework: dict[int, list[tuple[int, str]]] = {}
    for indicator in indicators:
        points = f" ({indicator.max_points.normalize():f} điểm)" if indicator.max_points is not None else ""
        label = f"{'· ' * indicator.depth}{indicator.code} {indicator.name[:90]}{points}"
        by_framework.setdefault(indicator.framework_id, []).append((indicator.id, label))
    return [(f.name, by_framework.get(f.id, [])) for f in frameworks if by_framework.get(f.id)]


def link_label(indicator: Indicator) -> str:
    return f"{indicator.framework.name} · {indicator.code} {indicator.name[:120]}"


def add_link(actor, item: PlanItem, indicator: Indicator, note: str | None = None) -> ItemIndicatorLink:
    exists = db.session.scalar(
        select(ItemIndicatorLink).where(
            ItemIndicatorLink.item_id == item.id, ItemIndicatorLink.indicator_id == indicator.id
        )
    )
    if exists is not None:
        raise ItemError("Hạng mục đã được liên kết với chỉ số này.")
    link = ItemIndicatorLink(item_id=item.id, indicator_id=indicator.id, note=(note or "").strip() or None,
                             created_by_id=getattr(actor, "id", None))
    try:
        with db.session.begin_nested():  # the same link added at the same moment by someone else
            db.session.add(link)
            db.session.flush()
    except IntegrityError:
        raise ItemError("Hạng mục đã được liên kết với chỉ số này.") from None
    record(
        actor=actor, action="link_indicator", entity_type=AUDIT_ENTITY, entity_id=item.id,
        summary=f"Liên kết hạng mục {item.ref} với chỉ số {link_label(indicator)}",
        changes={"indicator": [None, link_label(indicator)]},
    )
    return link


def remove_link(actor, link: ItemIndicatorLink, lock_version=UNCHECKED) -> None:
    claim(link, lock_version)
    item, indicator = link.item, link.indicator
    record(
        actor=actor, action="unlink_indicator", entity_type=AUDIT_ENTITY, entity_id=item.id,
        summary=f"Bỏ liên kết hạng mục {item.ref} với chỉ số {link_label(indicator)}",
        changes={"indicator": [link_label(indicator), None]},
    )
    db.session.delete(link)
    db.session.flush()


def find_item_by_ref(plan_id: int, ref: str) -> PlanItem | None:
    """An item by its reference ("3/A/V/2") in a plan, or by its id ("#123" or "123")."""
    ref = ref.strip().lstrip("#")
    item = db.session.scalar(select(PlanItem).where(PlanItem.plan_id == plan_id, PlanItem.ref == ref))
    if item is None and ref.isdigit():
        item = db.session.scalar(select(PlanItem).where(PlanItem.plan_id == plan_id, PlanItem.id == int(ref)))
    return item


def area_chain(area: Area | None) -> list[int]:
    return area.lineage_ids() if area is not None else []
