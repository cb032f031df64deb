"""The full sequence of notices around one deadline, through a real SMTP server on loopback."""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import func, select

from tests.reminders.conftest import SENDER, at_local, days_around
from tracker.reminders.models import Notice, Notification, OutboxMessage
from tracker.reminders.outbox import run_reminders


def run_day(day, smtp_server):
    with smtp_server.mailer() as mailer:
        return run_reminders(day, now=at_local(day), mailer=mailer, sender=SENDER)


def test_notices_around_one_deadline(db, scenario, smtp_server):
    """Sở Nội vụ never submits, Sở Tài chính submits five days early, Sở Y tế four days late."""
    D = scenario.deadline
    assert D.isoformat() == "2025-09-18"  # data cut-off 14/09 + 4 days (config)
    snv, stc, syt = (scenario.reporters[n].email for n in ("Sở Nội vụ", "Sở Tài chính", "Sở Y tế"))
    coordinator = scenario.coordinator.email

    received: dict[int, list[str]] = defaultdict(list)
    rules: dict[int, set] = defaultdict(set)
    for offset, day in days_around(D, -12, 16):
        before = len(smtp_server.received)
        result = run_day(day, smtp_server)
        assert not result.delivery.failed
        for message in smtp_server.received[before:]:
            received[offset].extend(message.rcpt_tos)
        for notice in db.session.scalars(select(Notice).where(Notice.day <= day)):
            if notice.message.run_day == day:
                rules[offset].add((notice.user.email, notice.rule, (notice.day - D).days))
        if offset == -5:
            scenario.submit("Sở Tài chính", at_local(day, 10))
        if offset == 4:
            scenario.submit("Sở Y tế", at_local(day, 15))

    expected = {
        -7: [snv, stc, syt],
        -3: [snv, syt],
        -1: [snv, syt],
        0: [snv, syt],
        3: [snv, syt],
        6: [snv],
        7: [coordinator],
        9: [snv],
        10: [coordinator],
        12: [snv],
        13: [coordinator],
        15: [snv],
        16: [coordinator],
    }
    assert {k: sorted(v) for k, v in received.items()} == {k: sorted(v) for k, v in expected.items()}
    # One digest per person per day, each delivered once.
    assert len(set(smtp_server.message_ids())) == len(smtp_server.received)
    assert rules[-7] == {(snv, "before_deadline", -7), (stc, "before_deadline", -7), (syt, "before_deadline", -7)}
    assert rules[0] == {(snv, "due_today", 0), (syt, "due_today", 0)}
    assert rules[3] == {(snv, "overdue", 3), (syt, "overdue", 3)}
    assert rules[7] == {(coordinator, "escalation", 7)}

    # The escalation lists only the unit still owing (Sở Y tế submitted on day 4).
    escalation = next(m.message for m in smtp_server.received if coordinator in m.rcpt_tos)
    text = escalation.get_body(("plain",)).get_content()
    assert "Sở Nội vụ: 2 hạng mục chưa nộp" in text
    assert "Sở Y tế" not in text and "Sở Tài chính" not in text
    # From the 7th day late the reporter is told the coordinators know.
    late = [m.message for m in smtp_server.received if snv in m.rcpt_tos]
    assert "đã được báo cáo Sở Khoa học và Công nghệ" in late[-1].get_body(("plain",)).get_content()
    assert "đã được báo cáo Sở Khoa học và Công nghệ" not in late[4].get_body(("plain",)).get_content()

    # Every notice is also in the app, and every outbox row is sent.
    assert db.session.scalar(select(func.count()).select_from(Notification)) == len(smtp_server.received)
    assert set(db.session.scalars(select(OutboxMessage.status))) == {"sent"}


def test_a_second_run_on_the_same_day_sends_nothing(db, scenario, smtp_server):
    day = scenario.deadline - timedelta(days=7)
    first = run_day(day, smtp_server)
    assert len(first.delivery.sent) == 3
    second = run_day(day, smtp_server)
    assert second.claimed == [] and second.delivery.sent == []
    assert len(smtp_server.received) == 3


def test_digest_links_each_owed_item_to_its_update_form(db, scenario, smtp_server):
    run_day(scenario.deadline - timedelta(days=3), smtp_server)
    message = next(m.message for m in smtp_server.received
                   if scenario.reporters["Sở Nội vụ"].email in m.rcpt_tos)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for item in scenario.items["Sở Nội vụ"]:
        url = f"http://tracker.test/cap-nhat/{item.id}/2025-Q3"
        assert url in text and f'href="{url}"' in html
    for item in scenario.items["Sở Y tế"]:
        assert f"/cap-nhat/{item.id}/" not in text
    assert "Còn 3 ngày đến hạn nộp báo cáo Quý 3/2025 (hạn 18/09/2025)" in text
    assert "http://tracker.test/viec-cua-toi" in text


def test_returned_update_is_owed_again(db, scenario, smtp_server):
    """A report the coordinator sends back counts as not submitted: the reminders resume."""
    D = scenario.deadline
    scenario.submit("Sở Tài chính", at_local(D - timedelta(days=10)), state="returned")
    run_day(D - timedelta(days=7), smtp_server)
    assert scenario.reporters["Sở Tài chính"].email in smtp_server.recipients()
