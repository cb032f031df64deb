"""Fixtures for the reminder tests: a real SMTP server on loopback, a reporting scenario, a clock."""
from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

import pytest
from aiosmtpd.controller import Controller

from tracker.core.time import VN_TZ
from tracker.reminders.mail import SmtpMailer

SENDER = "Hệ thống theo dõi chuyển đổi số <no-reply@tracker.test>"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    peer: tuple

    @property
    def message(self):
        return email.message_from_bytes(self.raw, policy=email.policy.default)


class RecordingHandler:
    """Keeps every message it is given. `gate_peers`: hold each DATA until that many distinct
    connections have delivered (or `gate_timeout` passes), to make two senders overlap."""

    def __init__(self, gate_peers: int = 0, gate_timeout: float = 30.0):
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.gate_peers = gate_peers
        self.gate_timeout = gate_timeout
        self.peers: set = set()

        self._gate: asyncio.Event | None = None

    async def handle_DATA(self, server, session, envelope):
        if self._gate is None:
            self._gate = asyncio.Event()  # created in the server's own event loop
        with self.lock:
            self.peers.add(session.peer)
            if len(self.peers) >= self.gate_peers:
                self._gate.set()
        if self.gate_peers:
            try:
                await asyncio.wait_for(self._gate.wait(), self.gate_timeout)
            except asyncio.TimeoutError:
                pass  # the assertions on `peers` will tell
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content,
                                          session.peer))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler

    @property
    def received(self) -> list[Received]:
        return list(self.handler.received)

    def mailer(self) -> SmtpMailer:
        return SmtpMailer(self.host, self.port, timeout=10)

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.received.clear()

    def message_ids(self) -> list[str]:
        return [r.message["Message-ID"] for r in self.received]

    def recipients(self) -> list[str]:
        return sorted(r for m in self.received for r in m.rcpt_tos)


def _start(handler) -> tuple[Controller, SmtpServer]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, SmtpServer("127.0.0.1", port, handler)


@pytest.fixture
def smtp_server():
    controller, server = _start(RecordingHandler())
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def gated_smtp_server():
    """An SMTP server that holds messages until two connections have sent (concurrency tests)."""
    controller, server = _start(RecordingHandler(gate_peers=2))
    try:
        yield server
    finally:
        controller.stop()


def at_local(day: date, hour: int = 7) -> datetime:
    """The scheduler's moment on a day (07:00 Asia/Ho_Chi_Minh), as UTC."""
    return datetime.combine(day, time(hour, 0), tzinfo=VN_TZ).astimezone(timezone.utc)


@dataclass
class ReportingScenario:
    """Three agencies owing the 2025-Q3 report, each with a reporter, and a coordinator."""

    period: object
    deadline: date
    units: dict = field(default_factory=dict)  # name -> Unit
    reporters: dict = field(default_factory=dict)  # name -> User
    items: dict = field(default_factory=dict)  # name -> list[PlanItem]
    coordinator: object = None
    factory: object = None

    def submit(self, name: str, when: datetime, state: str = "submitted") -> None:
        from tracker.updates.models import StatusUpdate

        db = self.factory.db
        for item in self.items[name]:
            db.session.add(StatusUpdate(
                item_id=item.id, period_id=self.period.id, unit_id=self.units[name].id, version=1,
                state=state, status="in_progress", progress=50, submitted_at=when,
                done_text="Đã triển khai theo kế hoạch.",
            ))
        db.session.commit()


@pytest.fixture
def scenario(factory, db):
    """Sở Nội vụ (never submits), Sở Tài chính (submits early), Sở Y tế (submits late)."""
    area = factory.area(name="Tỉnh Thừa Thiên Huế")
    plan = factory.plan(number="222/KH-UBND", area=area)
    period = factory.period(2025, 3)
    result = ReportingScenario(period=period, deadline=period.submission_deadline, factory=factory)
    for name, short in [("Sở Nội vụ", "SNV"), ("Sở Tài chính", "STC"), ("Sở Y tế", "SYT")]:
        unit = factory.unit(name=name, short_name=short, area=area)
        result.units[name] = unit
        result.reporters[name] = factory.user(role="reporter", unit=unit, full_name=f"Báo cáo viên {short}",
                                              email=f"bcv.{short.lower()}@thuathienhue.gov.vn")
        # Projects ending next year: no final-year warnings in the plain sequence.
        result.items[name] = [
            factory.item(plan=plan, owner=unit, kind="project", start_year=2024, end_year=2026,
                         text=f"Xây dựng hệ thống thông tin chuyên ngành của {name} — giai đoạn {k}")
            for k in (1, 2)
        ]
    result.coordinator = factory.user(role="coordinator", full_name="Nguyễn Thị Điều Phối",
                                      email="dieuphoi@skhcn.gov.vn", unit=None)
    db.session.commit()
    return result


def days_around(deadline: date, first: int, last: int):
    for offset in range(first, last + 1):
        yield offset, deadline + timedelta(days=offset)
