"""Who is owed which reminder on a day, and what the daily digest says.

`plan_digests(today)` reads the database and returns, per person, the notices due on `today` that
nobody has claimed yet (see `rules.py` for when each rule falls due). It writes nothing: the dry
run prints it, the real run hands it to `outbox.claim_digests`.

Only units that still owe a submission for a period are reminded about that period; a unit that
has submitted everything gets nothing more. Recipients are the active reporters of the owing unit,
after succession (the unit that carries the work today).
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.core.text import shorten as core_shorten
from tracker.auth.models import Role, User
from tracker.core.formatting import format_date
from tracker.core.time import to_local
from tracker.extensions import db
from tracker.periods.models import ReportingPeriod
from tracker.periods.obligations import Obligation, obligations_for_period
from tracker.plans.models import STATUS_LABELS, ItemKind, ItemStatus, PlanItem
from tracker.reminders import links
from tracker.reminders.models import OPTIONAL_RULES, RULE_LABELS, RULE_SEVERITY, Notice, Rule
from tracker.reminders.rules import (
    Schedule,
    escalation_occurrence,
    item_warning_occurrence,
    reporter_occurrence,
)
from tracker.units.models import Unit

OBLIGATION_STATE_LABELS = {
    "not_started": "chưa có báo cáo",
    "draft": "bản nháp chưa gửi",
    "returned": "bị trả lại, cần gửi lại",
    "submitted": "đã gửi",
    "accepted": "đã chấp nhận",
}

SUBJECT_PREFIX = "[Theo dõi CĐS]"
# An email lists this many items per notice; the rest are on the "my work" page it links to.
EMAIL_ITEMS_LIMIT = 25


def shorten(text: str, limit: int = 140) -> str:
    return core_shorten(text, limit)


@dataclass
class OwedItem:
    item: PlanItem
    period_code: str
    state: str  # obligation state (not_started, draft, returned...) or "" for a warning
    reason: str = ""  # why an item warning is raised

    @property
    def url(self) -> str:
        return links.update_form_url(self.item.id, self.period_code)

    @property
    def label(self) -> str:
        """"222/KH-UBND · PL 3 › A › V › 2": the plan, the appendix and the document's own codes."""
        appendix = self.item.ref.split("/")[0]
        return f"{self.item.plan.number_label} · PL {appendix} › {self.item.display_code}"

    @property
    def state_label(self) -> str:
        return OBLIGATION_STATE_LABELS.get(self.state, self.state)

    def as_json(self) -> dict:
        data = {
            "item_id": self.item.id,
            "plan": self.item.plan.number,
            "ref": self.item.ref,
            "text": shorten(self.item.text, 200),
            "url": self.url,
        }
        if self.state:
            data["state"] = self.state
        if self.reason:
            data["reason"] = self.reason
        return data


@dataclass
class OwingUnit:
    """A unit still owing, as listed in an escalation to the coordinators."""

    unit: Unit
    owed: int
    reporters: list[str]

    def as_json(self) -> dict:
        return {"unit": self.unit.name, "items_owed": self.owed, "reporters": self.reporters}


@dataclass
class PlannedNotice:
    user: User
    rule: Rule
    period: ReportingPeriod
    day: date  # the occurrence day: part of the unique key
    today: date  # the day of the run: what is owed is described as of this day
    unit: Unit | None = None
    items: list[OwedItem] = field(default_factory=list)
    units: list[OwingUnit] = field(default_factory=list)
    # Escalations: the period's items whose units have ended, until a coordinator reassigns them.
    orphans: list[OwedItem] = field(default_factory=list)

    @property
    def key(self) -> tuple[int, str, int, date]:
        return (self.user.id, self.rule.value, self.period.id, self.day)

    @property
    def key_text(self) -> str:
        return f"u{self.user.id}/{self.rule.value}/{self.period.code}/{self.day.isoformat()}"

    @property
    def deadline(self) -> date:
        return self.period.submission_deadline

    @property
    def days_left(self) -> int:
        return (self.deadline - self.today).days

    @property
    def is_catch_up(self) -> bool:
        """Sent on a later day than the one it fell due (the scheduler was down)."""
        return self.day < self.today

    @property
    def is_optional(self) -> bool:
        return self.rule in OPTIONAL_RULES

    @property
    def headline(self) -> str:
        """One line saying what is owed now, for the subject, the section title and the dry run."""
        label, deadline = self.period.label, format_date(self.deadline)
        left = self.days_left
        if self.rule == Rule.ESCALATION:
            if not self.units:
                return (f"{len(self.orphans)} hạng mục không còn đơn vị thực hiện, chưa có báo cáo {label} "
                        f"(hạn {deadline})")
            return (f"{len(self.units)} đơn vị chưa nộp báo cáo {label} "
                    f"(hạn {deadline}, đã quá hạn {-left} ngày)")
        if self.rule == Rule.ITEM_WARNING:
            return f"{len(self.items)} hạng mục cần chú ý về thời hạn hoàn thành"
        if left > 0:
            return f"Còn {left} ngày đến hạn nộp báo cáo {label} (hạn {deadline})"
        if left == 0:
            return f"Hôm nay ({deadline}) là hạn nộp báo cáo {label}"
        return f"Đã quá hạn nộp báo cáo {label} {-left} ngày (hạn {deadline})"

    def reason(self) -> str:
        """Why this person gets this notice (Vietnamese), for the dry run."""
        who = f"đơn vị {self.unit.name}" if self.unit is not None else "điều phối viên"
        if self.rule == Rule.ESCALATION:
            text = (f"{RULE_LABELS[self.rule]}: {self.headline}; gửi {who} vì đã quá "
                    f"{current_app.config.get('ESCALATE_AFTER_DAYS', 7)} ngày")
        elif self.rule == Rule.ITEM_WARNING:
            text = f"{RULE_LABELS[self.rule]}: {who} có {len(self.items)} hạng mục sắp/đã quá thời hạn"
        else:
            text = (f"{RULE_LABELS[self.rule]}: {self.headline}; {who} còn {len(self.items)} "
                    f"hạng mục chưa nộp")
        if self.is_catch_up:
            text += f" (gửi bù cho đợt ngày {format_date(self.day)})"
        if self.is_optional:
            text += " [nhắc không bắt buộc]"
        return text

    def as_json(self) -> dict:
        data = {
            "to": self.user.email,
            "unit": self.unit.name if self.unit is not None else None,
            "rule": self.rule.value,
            "period": self.period.code,
            "day": self.day.isoformat(),
            "deadline": self.deadline.isoformat(),
            "reason": self.reason(),
        }
        if self.rule == Rule.ESCALATION:
            data["items"] = [u.as_json() for u in self.units]
            if self.orphans:
                data["without_carrier"] = [o.as_json() for o in self.orphans]
        else:
            data["items"] = [i.as_json() for i in self.items]
        return data


@dataclass
class Digest:
    """Everything one person is owed on one day: one email, one in-app notification."""

    user: User
    today: date
    notices: list[PlannedNotice]

    @property
    def main(self) -> PlannedNotice:
        return max(self.notices, key=lambda n: (RULE_SEVERITY[n.rule], -n.days_left))

    @property
    def keys(self) -> list[tuple[int, str, int, date]]:
        return [n.key for n in self.notices]


@dataclass
class ComposedMessage:
    subject: str
    text: str
    html: str
    message_id: str
    title: str  # in-app notification
    summary: str
    link: str


# --- planning --------------------------------------------------------------------------------


def is_closed_on(period: ReportingPeriod, today: date) -> bool:
    return period.closed_at is not None and to_local(period.closed_at).date() <= today


def active_periods(today: date, schedule: Schedule) -> list[ReportingPeriod]:
    """Periods whose reminder window contains `today`."""
    candidates = db.session.scalars(select(ReportingPeriod).order_by(ReportingPeriod.submission_deadline))
    result = []
    for period in candidates:
        start, end = schedule.window(period.submission_deadline)
        if start <= today <= end:
            result.append(period)
    return result


def claimed_keys(period_ids: list[int], since: date) -> set[tuple[int, str, int, date]]:
    if not period_ids:
        return set()
    rows = db.session.execute(
        select(Notice.user_id, Notice.rule, Notice.period_id, Notice.day).where(
            Notice.period_id.in_(period_ids), Notice.day >= since
        )
    )
    return {(u, r, p, d) for u, r, p, d in rows}


def item_warning_reason(item: PlanItem, today: date) -> str | None:
    """A project in its final year, or a required document past its deadline, not done."""
    if item.status in (ItemStatus.DONE, ItemStatus.CANCELLED):
        return None
    status = STATUS_LABELS.get(item.status, item.status)
    if item.kind == ItemKind.PROJECT and item.end_year == today.year:
        return (f"Dự án kết thúc trong năm {item.end_year} (năm cuối của dự án) nhưng chưa hoàn thành "
                f"({status}, {item.progress} %).")
    if item.kind == ItemKind.DOCUMENT:
        due = item.due_date
        if due is not None and due < today:
            from tracker.plans.document_kinds import pending_phrase

            return f"{pending_phrase(item.doc_type)}, đã quá hạn {format_date(due)} ({status})."
    return None


@dataclass
class _UnitDebt:
    unit: Unit
    owed: list[Obligation] = field(default_factory=list)
    all: list[Obligation] = field(default_factory=list)


def _owing_units(period: ReportingPeriod, today: date) -> list[_UnitDebt]:
    by_unit: dict[int, _UnitDebt] = {}
    for obligation in obligations_for_period(period):
        carrier = obligation.unit.carrier_on(today)
        if carrier.ended_by(today):
            continue  # the unit no longer exists: nobody to remind (its items are listed as orphans)
        debt = by_unit.setdefault(carrier.id, _UnitDebt(carrier))
        debt.all.append(obligation)
        if not obligation.is_submitted:
            debt.owed.append(obligation)
    owing = [debt for debt in by_unit.values() if debt.owed]
    if is_closed_on(period, today):
        # A closed period reminds only the units a coordinator still lets submit.
        allowed = {e.unit.carrier_on(today).id for e in period.exceptions if e.covers(today)}
        owing = [debt for debt in owing if debt.unit.id in allowed]
    return sorted(owing, key=lambda d: d.unit.name)


def plan_notices(today: date, schedule: Schedule | None = None) -> list[PlannedNotice]:
    """Every notice due on `today` and not yet claimed, whether or not anyone opted out."""
    schedule = schedule or Schedule.from_config(current_app.config)
    periods = active_periods(today, schedule)
    if not periods:
        return []
    earliest = min(p.submission_deadline for p in periods)
    claimed = claimed_keys([p.id for p in periods], earliest - timedelta(days=schedule.first_reminder))

    debts = {period.id: _owing_units(period, today) for period in periods}
    unit_ids = {debt.unit.id for per_period in debts.values() for debt in per_period}
    reporters: dict[int, list[User]] = defaultdict(list)
    if unit_ids:
        for user in db.session.scalars(
            select(User)
            .where(User.role == Role.REPORTER.value, User.active.is_(True), User.unit_id.in_(unit_ids))
            .order_by(User.email)
        ):
            reporters[user.unit_id].append(user)
    # Each province's coordinators hear about their own province's periods only.
    coordinators: dict[int | None, list[User]] = defaultdict(list)
    for user in db.session.scalars(
        select(User).where(User.role == Role.COORDINATOR.value, User.active.is_(True),
                           User.tenant_id.in_({p.tenant_id for p in periods})).order_by(User.email)
    ):
        coordinators[user.tenant_id].append(user)

    planned: list[PlannedNotice] = []

    def add(notice: PlannedNotice) -> None:
        if notice.key in claimed:
            return
        if notice.is_optional and not notice.user.notify_optional:
            return
        planned.append(notice)

    for period in periods:
        deadline = period.submission_deadline
        period_debts = debts[period.id]
        for debt in period_debts:
            owed = [OwedItem(o.item, period.code, o.state) for o in debt.owed]
            warnings, seen = [], set()
            for obligation in debt.all:
                reason = item_warning_reason(obligation.item, today)
                if reason and obligation.item.id not in seen:
                    seen.add(obligation.item.id)
                    warnings.append(OwedItem(obligation.item, period.code, "", reason))
            occurrence = reporter_occurrence(deadline, today, schedule)
            warning = item_warning_occurrence(deadline, today, schedule) if warnings else None
            for user in reporters.get(debt.unit.id, []):
                if occurrence is not None:
                    rule, day = occurrence
                    add(PlannedNotice(user, rule, period, day, today, unit=debt.unit, items=owed))
                if warning is not None:
                    rule, day = warning
                    add(PlannedNotice(user, rule, period, day, today, unit=debt.unit, items=warnings))
        escalation = escalation_occurrence(deadline, today, schedule)
        if escalation is not None and not is_closed_on(period, today):
            from tracker.items.orphans import NO_CARRIER_LABEL, orphaned_in_period

            orphans = [OwedItem(o.item, period.code, "", f"{NO_CARRIER_LABEL}: {o.ended_text}")
                       for o in orphaned_in_period(period)]
            if not period_debts and not orphans:
                continue
            rule, day = escalation
            owing = [
                OwingUnit(debt.unit, len(debt.owed), [u.email for u in reporters.get(debt.unit.id, [])])
                for debt in period_debts
            ]
            for user in coordinators.get(period.tenant_id, []):
                add(PlannedNotice(user, rule, period, day, today, units=owing, orphans=orphans))
    return planned


def group_digests(notices: list[PlannedNotice], today: date) -> list[Digest]:
    by_user: dict[int, Digest] = {}
    for notice in notices:
        digest = by_user.setdefault(notice.user.id, Digest(notice.user, today, []))
        digest.notices.append(notice)
    for digest in by_user.values():
        digest.notices.sort(key=lambda n: (-RULE_SEVERITY[n.rule], n.period.submission_deadline))
    return sorted(by_user.values(), key=lambda d: d.user.email)


def plan_digests(today: date, schedule: Schedule | None = None) -> list[Digest]:
    """One digest per person with something owed on `today`; nothing is written."""
    notices = plan_notices(today, schedule)
    if notices:
        _preload_items(notices)
    return group_digests(notices, today)


def _preload_items(notices: list[PlannedNotice]) -> None:
    """Load the plans of the listed items in one query (the obligations loaded them already)."""
    item_ids = {owed.item.id for n in notices for owed in n.items + n.orphans}
    if item_ids:
        db.session.scalars(
            select(PlanItem).where(PlanItem.id.in_(item_ids)).options(selectinload(PlanItem.plan))
        ).all()


# --- composing ---------------------------------------------------------------------------------


def message_id_for(digest: Digest) -> str:
    """A Message-ID derived from the notice keys: the same digest always gets the same one."""
    keys = sorted(n.key_text for n in digest.notices)
    fingerprint = hashlib.sha256(";".join(keys).encode()).hexdigest()[:20]
    return f"<nhac-viec.{digest.today:%Y%m%d}.u{digest.user.id}.{fingerprint}@{links.site_domain()}>"


def subject_for(digest: Digest) -> str:
    main = digest.main
    if main.rule == Rule.ESCALATION and not main.units:
        text = f"Hạng mục không còn đơn vị thực hiện, chưa có báo cáo {main.period.label}"
    elif main.rule == Rule.ESCALATION:
        text = f"Danh sách đơn vị chưa nộp báo cáo {main.period.label} (quá hạn {-main.days_left} ngày)"
    elif main.rule == Rule.ITEM_WARNING:
        text = f"Cảnh báo thời hạn hạng mục của {main.unit.display_name if main.unit else 'đơn vị'}"
    elif main.days_left > 0:
        text = (f"Nhắc nộp báo cáo {main.period.label}: còn {main.days_left} ngày "
                f"(hạn {format_date(main.deadline)})")
    elif main.days_left == 0:
        text = f"Hôm nay là hạn nộp báo cáo {main.period.label} ({format_date(main.deadline)})"
    else:
        text = f"Quá hạn nộp báo cáo {main.period.label}: đã trễ {-main.days_left} ngày"
    others = len(digest.notices) - 1
    if others:
        text += f" và {others} nội dung khác"
    return f"{SUBJECT_PREFIX} {text}"


def compose(digest: Digest) -> ComposedMessage:
    env = current_app.jinja_env
    main = digest.main
    link = links.period_url(main.period.code) if main.rule == Rule.ESCALATION else links.my_work_url()
    context = {
        "digest": digest,
        "user": digest.user,
        "today": digest.today,
        "notices": digest.notices,
        "Rule": Rule,
        "escalate_after": current_app.config.get("ESCALATE_AFTER_DAYS", 7),
        # "Việc của tôi" is a reporter's page: a coordinator's escalation links to the period instead.
        "my_work_url": links.my_work_url() if digest.user.role == Role.REPORTER else None,
        "notifications_url": links.notifications_url(),
        "profile_url": links.profile_url(),
        "period_url": links.period_url,
        "format_date": format_date,
        "shorten": shorten,
        "has_optional": any(n.is_optional for n in digest.notices),
        "limit": EMAIL_ITEMS_LIMIT,
    }
    text = env.get_template("reminders/digest.txt").render(context)
    html = env.get_template("reminders/digest.html").render(context)
    summary = "\n".join(
        f"{n.headline}" + (f" — {n.unit.name}" if n.unit is not None else "") for n in digest.notices
    )
    subject = subject_for(digest)
    return ComposedMessage(
        subject=subject,
        text=text,
        html=html,
        message_id=message_id_for(digest),
        title=shorten(subject[len(SUBJECT_PREFIX):].strip(), 250),
        summary=summary,
        link=link,
    )
