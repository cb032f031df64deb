"""The email as it arrives: Vietnamese decoded intact by Python's email parser, both parts, Message-ID."""
from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from email.parser import BytesParser

from sqlalchemy import select

from tests.reminders.conftest import SENDER, at_local
from tracker.reminders.models import OutboxMessage
from tracker.reminders.outbox import run_reminders


def test_vietnamese_subject_and_body_survive_the_trip(db, scenario, smtp_server):
    day = scenario.deadline - timedelta(days=1)
    with smtp_server.mailer() as mailer:
        run_reminders(day, now=at_local(day), mailer=mailer, sender=SENDER)
    reporter = scenario.reporters["Sở Nội vụ"]
    received = next(m for m in smtp_server.received if reporter.email in m.rcpt_tos)
    row = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_email == reporter.email)).one()

    # On the wire: 7-bit headers (RFC 2047 encoded words), UTF-8 parts.
    head = received.raw.split(b"\r\n\r\n", 1)[0]
    assert all(byte < 128 for byte in head)
    assert b"=?utf-8?" in head.lower()

    message = BytesParser(policy=email.policy.default).parsebytes(received.raw)
    subject = "[Theo dõi CĐS] Nhắc nộp báo cáo Quý 3/2025: còn 1 ngày (hạn 18/09/2025)"
    assert message["Subject"] == subject == row.subject
    assert message["From"].addresses[0].display_name == "Hệ thống theo dõi chuyển đổi số"
    assert message["To"] == reporter.email
    assert message["Message-ID"] == row.message_id
    assert row.message_id.startswith("<nhac-viec.20250917.u") and row.message_id.endswith("@tracker.test>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"

    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert message.get_body(("plain",)).get_content_charset() == "utf-8"
    assert "Kính gửi Báo cáo viên SNV," in text
    assert "Đơn vị còn 2 hạng mục chưa nộp báo cáo Quý 3/2025" in text
    assert "Xây dựng hệ thống thông tin chuyên ngành của Sở Nội vụ — giai đoạn 1" in text
    assert "(chưa có báo cáo)" in text
    assert "Còn 1 ngày đến hạn nộp báo cáo Quý 3/2025" in html
    assert "Cập nhật báo cáo</a>" in html
    # Also the classic parser API (compat32) decodes the subject intact.
    legacy = email.message_from_bytes(received.raw)
    decoded = str(email.header.make_header(email.header.decode_header(legacy["Subject"])))
    assert decoded == subject


def test_resending_a_message_keeps_its_message_id(db, scenario, smtp_server):
    """A re-delivery after a crash carries the same Message-ID, so receivers can drop the copy."""
    from tracker.reminders.outbox import _email_for

    day = scenario.deadline - timedelta(days=7)
    with smtp_server.mailer() as mailer:
        run_reminders(day, now=at_local(day), mailer=mailer, sender=SENDER)
    row = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    again = _email_for(row, SENDER, at_local(day, 9))
    assert again["Message-ID"] == row.message_id == smtp_server.received[0].message["Message-ID"]


def test_a_long_list_is_cut_with_a_link_to_the_rest(db, factory, smtp_server):
    from tracker.reminders.services import EMAIL_ITEMS_LIMIT

    unit = factory.unit(name="Sở Thông tin và Truyền thông")
    plan = factory.plan(area=unit.area)
    for n in range(EMAIL_ITEMS_LIMIT + 2):
        factory.item(plan=plan, owner=unit, end_year=2026, text=f"Nhiệm vụ số {n + 1}")
    factory.user(role="reporter", unit=unit, email="bcv@stttt.gov.vn")
    period = factory.period(2025, 3)
    db.session.commit()
    day = period.submission_deadline
    with smtp_server.mailer() as mailer:
        run_reminders(day, now=at_local(day), mailer=mailer, sender=SENDER)
    message = smtp_server.received[0].message
    text = message.get_body(("plain",)).get_content()
    assert f"Đơn vị còn {EMAIL_ITEMS_LIMIT + 2} hạng mục chưa nộp" in text
    assert f"Nhiệm vụ số {EMAIL_ITEMS_LIMIT} " in text and f"Nhiệm vụ số {EMAIL_ITEMS_LIMIT + 1} " not in text
    assert "… và 2 hạng mục khác: http://tracker.test/viec-cua-toi" in text
    assert "… và 2 hạng mục khác" in message.get_body(("html",)).get_content()
