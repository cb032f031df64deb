"""Campaign deadline reminders: the reporters of units still owing inputs, once per rule and day."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.updates.world import make_user
from tracker.campaigns import services
from tracker.campaigns.reminders import send_campaign_reminders
from tracker.core.time import today_local, utcnow
from tracker.reminders.models import Notification, OutboxMessage


def test_reminders_before_the_deadline_go_once_to_units_still_owing(db, provinces, dti_framework, factory):
    hue, thanh_hoa = provinces
    today = today_local()
    khcn_reporter = make_user(factory, "reporter", hue.khcn, "khcn.nhac@test.vn", "Báo cáo KH&CN")
    campaign = services.start_campaign(hue.coordinator, dti_framework, 2026, today + timedelta(days=3), today=today)
    # Sở KH&CN's inputs are all accepted: it is not reminded; Sở Tài chính still owes its own.
    for item in campaign.inputs:
        if item.unit_id == hue.khcn.id:
            item.state = "accepted"
    db.session.flush()
    made = send_campaign_reminders(today, now=utcnow())
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert made == 1 and [m.to_email for m in messages] == [hue.reporter.email]
    message = messages[0]
    assert message.subject == f"[Theo dõi CĐS] Nhắc nộp số liệu tự đánh giá DTI năm 2026: còn 3 ngày (hạn {(today + timedelta(days=3)).strftime('%d/%m/%Y')})"
    assert "Chỉ số 2.4: Chưa nhập" in message.body_text and "/viec-cua-toi" in message.body_text
    notification = db.session.scalar(select(Notification).where(Notification.user_id == hue.reporter.id))
    assert notification.outbox_id == message.id
    assert khcn_reporter.email not in {m.to_email for m in messages}
    assert thanh_hoa.reporter.email not in {m.to_email for m in messages}
    # Run again the same day: nothing more.
    assert send_campaign_reminders(today, now=utcnow()) == 0
    # On the deadline: the "due today" notice.
    assert send_campaign_reminders(today + timedelta(days=3), now=utcnow()) == 1
    assert "Hôm nay là hạn nộp" in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first().subject
