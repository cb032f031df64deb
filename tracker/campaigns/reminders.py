"""Reminders of a campaign's deadline to the reporters of units still owing inputs.

The same rules as quarterly reports (tracker/reminders/rules.py: before, on and after the
deadline, from REMINDER_DAYS_BEFORE...), the same outbox (an `OutboxMessage` delivered by the
outbox job) and the same in-app `Notification`. Each notice is (person, campaign, rule, day): its
Message-ID says so and is unique, so a run repeated, or two runs at once, send it once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from html import escape

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from tracker.auth.models import Role, User
from tracker.campaigns.models import Campaign, CampaignInput
from tracker.core.formatting import format_date
from tracker.extensions import db
from tracker.reminders import links
from tracker.reminders.models import OPTIONAL_RULES, Notification, OutboxMessage, Rule
from tracker.reminders.rules import Schedule, reporter_occurrence
from tracker.reminders.services import SUBJECT_PREFIX
from tracker.units.models import Unit

OWING = ("pending", "draft", "returned")


@dataclass
class CampaignNotice:
    user: User
    campaign: Campaign
    rule: Rule
    day: date
    inputs: list[CampaignInput]

    @property
    def message_id(self) -> str:
        return (f"<tu-danh-gia.c{self.campaign.id}.u{self.user.id}.{self.rule.value}.{self.day:%Y%m%d}"
                f"@{links.site_domain()}>")


def plan_campaign_notices(today: date, schedule: Schedule | None = None) -> list[CampaignNotice]:
    """Who is owed a reminder today, for which open campaign and inputs (nothing is written)."""
    schedule = schedule or Schedule.from_config(current_app.config)
    notices: list[CampaignNotice] = []
    campaigns = db.session.scalars(select(Campaign).where(Campaign.state == "open")
                                   .options(selectinload(Campaign.framework))).all()
    for campaign in campaigns:
        occurrence = reporter_occurrence(campaign.deadline, today, schedule)
        if occurrence is None:
            continue
        rule, day = occurrence
        owing = db.session.scalars(
            select(CampaignInput).where(CampaignInput.campaign_id == campaign.id, CampaignInput.state.in_(OWING),
                                        CampaignInput.unit_id.is_not(None))
            .options(selectinload(CampaignInput.unit).selectinload(Unit.successor))
            .order_by(CampaignInput.position)).all()
        by_unit: dict[int, list[CampaignInput]] = {}
        for item in owing:
            carrier = item.unit.carrier_on(today)
            if not carrier.ended_by(today):
                by_unit.setdefault(carrier.id, []).append(item)
        if not by_unit:
            continue
        reporters = db.session.scalars(select(User).where(
            User.role == Role.REPORTER.value, User.active.is_(True), User.unit_id.in_(by_unit),
            User.tenant_id == campaign.tenant_id).order_by(User.email)).all()
        for user in reporters:
            if rule in OPTIONAL_RULES and not user.notify_optional:
                continue
            notices.append(CampaignNotice(user, campaign, rule, day, by_unit[user.unit_id]))
    return notices


def _texts(notice: CampaignNotice, today: date) -> tuple[str, str, str]:
    campaign = notice.campaign
    days_left = (campaign.deadline - today).days
    deadline = format_date(campaign.deadline)
    if days_left > 0:
        head = f"Nhắc nộp số liệu tự đánh giá DTI năm {campaign.year}: còn {days_left} ngày (hạn {deadline})"
    elif days_left == 0:
        head = f"Hôm nay là hạn nộp số liệu tự đánh giá DTI năm {campaign.year} ({deadline})"
    else:
        head = f"Quá hạn nộp số liệu tự đánh giá DTI năm {campaign.year}: đã trễ {-days_left} ngày (hạn {deadline})"
    lines = [f"- {'Thông tin chung ' if i.is_general else 'Chỉ số '}{i.code}: {i.state_label}"
             + (f" (lý do trả lại: {i.review_comment})" if i.state == "returned" and i.review_comment else "")
             for i in notice.inputs]
    return head, "\n".join(lines), links.my_work_url()


def send_campaign_reminders(today: date, *, now: datetime, schedule: Schedule | None = None) -> int:
    """Claim today's campaign notices in the outbox (delivered by the outbox job); returns how many."""
    made = 0
    for notice in plan_campaign_notices(today, schedule):
        if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.message_id == notice.message_id)):
            continue
        head, body, link = _texts(notice, today)
        user = notice.user
        text = (f"Kính gửi {user.display_name},\n\n{head}.\n\n{notice.campaign.title} – đơn vị còn nợ "
                f"{len(notice.inputs)} số liệu:\n{body}\n\nNhập số liệu tại \"Việc của tôi\": {link}\n")
        html = (f"<p>Kính gửi {escape(user.display_name)},</p><p><strong>{escape(head)}</strong>.</p>"
                f"<p>{escape(notice.campaign.title)} – đơn vị còn nợ {len(notice.inputs)} số liệu:</p><ul>"
                + "".join(f"<li>{escape(line[2:])}</li>" for line in body.splitlines())
                + f"</ul><p>Nhập số liệu tại <a href=\"{escape(link)}\">Việc của tôi</a>.</p>")
        try:
            with db.session.begin_nested():
                message = OutboxMessage(user=user, to_email=user.email, subject=f"{SUBJECT_PREFIX} {head}",
                                        body_text=text, body_html=html, message_id=notice.message_id,
                                        run_day=today, status="pending", next_attempt_at=now)
                db.session.add(message)
                db.session.flush()
                db.session.add(Notification(user=user, title=head[:255], body=body, link=link, outbox_id=message.id))
                db.session.flush()
        except IntegrityError:
            continue  # another run claimed it first
        made += 1
    return made


def campaign_reminders() -> None:
    """Scheduled daily (tracker/scheduler.py)."""
    from tracker.core.time import today_local, utcnow
    from tracker.core.unit_of_work import unit_of_work

    with unit_of_work():
        send_campaign_reminders(today_local(), now=utcnow())
