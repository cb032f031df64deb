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


def test_every_link_opens_for_the_person_it_is_sent_to(db, scenario, smtp_server, client, login):
    """Reporters' overdue notices and the coordinator's escalation: no link leads to a 403 or a 404
    ("Việc của tôi" is a reporter's page and is not offered to the coordinator)."""
    import re
    from urllib.parse import urlsplit

    day = scenario.deadline + timedelta(days=7)
    with smtp_server.mailer() as mailer:
        run_reminders(day, now=at_local(day), mailer=mailer, sender=SENDER)
    people = {u.email: u for u in [*scenario.reporters.values(), scenario.coordinator]}
    assert scenario.coordinator.email in smtp_server.recipients()
    for received in smtp_server.received:
        message = received.message
        html = message.get_body(("html",)).get_content()
        text = message.get_body(("plain",)).get_content()
        links = set(re.findall(r'href="([^"]+)"', html)) | set(re.findall(r"https?://\S+", text))
        assert links
        login(people[message["To"]])
        for link in links:
            assert link.startswith("http://tracker.test/"), link
            assert client.get(urlsplit(link).path).status_code == 200, (message["To"], link)
        client.post("/dang-xuat")


def test_an_escalation_names_the_area_of_units_outside_the_coordinators_own(db, scenario, factory, smtp_server):
    """"Phòng Nội vụ" of a district plan, in a Sở KH&CN coordinator's list: which district is it?"""
    district = factory.area(name="Huyện Triệu Sơn", level="district", parent=scenario.units["Sở Nội vụ"].area)
    phong = factory.unit("Phòng Nội vụ", area=district)
    factory.item(plan=factory.plan(area=district), owner=phong, kind="project", start_year=2024, end_year=2026)
    scenario.coordinator.unit = scenario.units["Sở Nội vụ"]  # a coordinator of the province
    db.session.commit()
    day = scenario.deadline + timedelta(days=7)
    with smtp_server.mailer() as mailer:
        run_reminders(day, now=at_local(day), mailer=mailer, sender=SENDER)
    message = next(r.message for r in smtp_server.received if scenario.coordinator.email in r.rcpt_tos)
    text = message.get_body(("plain",)).get_content()
    assert "Phòng Nội vụ (Huyện Triệu Sơn): 1 hạng mục chưa nộp" in text
    assert "Sở Tài chính: " in text or "Sở Y tế: " in text  # the province's own units stay as they are
    assert "Phòng Nội vụ <span" in message.get_body(("html",)).get_content()
