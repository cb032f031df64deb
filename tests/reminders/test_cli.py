"""`flask tracker remind [--at] [--dry-run] [--json]` and `flask tracker deliver`."""
from __future__ import annotations

import json

from sqlalchemy import func, select

from tracker.reminders.models import Notice, Notification, OutboxMessage


def previous_quarter_closed(scenario) -> None:
    """2025-Q2 as the province left it: reported and closed (a pass would otherwise create it, still
    overdue on the days below, and remind about it too; see test_periods.py)."""
    from datetime import datetime, timezone

    scenario.factory.period(2025, 2, closed_at=datetime(2025, 6, 30, 10, tzinfo=timezone.utc))
    scenario.factory.db.session.commit()


def counts(db) -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (OutboxMessage, Notice, Notification))


def test_dry_run_prints_who_gets_what_and_why_and_records_nothing(runner, db, scenario):
    previous_quarter_closed(scenario)
    result = runner.invoke(args=["tracker", "remind", "--at", "2025-09-11", "--dry-run"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Chạy thử nhắc việc cho ngày 11/09/2025: không gửi thư, không ghi dữ liệu." in out
    for reporter in scenario.reporters.values():
        assert reporter.email in out
    assert "Nhắc trước hạn nộp báo cáo: Còn 7 ngày đến hạn nộp báo cáo Quý 3/2025 (hạn 18/09/2025)" in out
    assert "đơn vị Sở Nội vụ còn 2 hạng mục chưa nộp" in out
    assert "[nhắc không bắt buộc]" in out
    assert f"http://tracker.test/cap-nhat/{scenario.items['Sở Nội vụ'][0].id}/2025-Q3" in out
    assert "Tổng cộng: 3 thư cho 3 người (3 thông báo)." in out
    assert counts(db) == (0, 0, 0)
    # ...so a real run afterwards still sends everything.
    assert runner.invoke(args=["tracker", "remind", "--at", "2025-09-11"]).exit_code == 0
    assert counts(db) == (3, 3, 3)


def test_dry_run_json(runner, db, scenario):
    result = runner.invoke(args=["tracker", "remind", "--at", "2025-09-25", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    notices = json.loads(result.output)
    by_rule = {(n["to"], n["rule"]) for n in notices}
    coordinator = scenario.coordinator.email
    assert (coordinator, "escalation") in by_rule
    assert {(u.email, "overdue") for u in scenario.reporters.values()} <= by_rule
    overdue = next(n for n in notices if n["to"] == scenario.reporters["Sở Y tế"].email)
    assert overdue["unit"] == "Sở Y tế" and overdue["period"] == "2025-Q3" and overdue["day"] == "2025-09-24"
    assert [i["item_id"] for i in overdue["items"]] == [i.id for i in scenario.items["Sở Y tế"]]
    assert overdue["items"][0]["url"].startswith("http://tracker.test/cap-nhat/")
    escalation = next(n for n in notices if n["rule"] == "escalation")
    assert escalation["unit"] is None
    assert {u["unit"] for u in escalation["items"]} == set(scenario.units)
    assert counts(db) == (0, 0, 0)


def test_real_run_with_json_then_nothing_more(runner, db, scenario):
    first = runner.invoke(args=["tracker", "remind", "--at", "2025-09-18", "--json"])
    assert first.exit_code == 0, first.output
    assert sorted(n["to"] for n in json.loads(first.output)) == sorted(u.email for u in scenario.reporters.values())
    assert {n["rule"] for n in json.loads(first.output)} == {"due_today"}
    # MAIL_SUPPRESS_SEND (test config): recorded and marked sent, nothing on the network.
    assert set(db.session.scalars(select(OutboxMessage.status))) == {"sent"}
    second = runner.invoke(args=["tracker", "remind", "--at", "2025-09-18", "--json"])
    assert json.loads(second.output) == []
    plain = runner.invoke(args=["tracker", "remind", "--at", "2025-09-18"])
    assert "0 thư mới" in plain.output


def test_nothing_to_remind_says_so(runner, db, scenario):
    previous_quarter_closed(scenario)
    result = runner.invoke(args=["tracker", "remind", "--at", "2025-07-01", "--dry-run"])
    assert "Không có ai cần nhắc" in result.output


def test_deliver_command(runner, db, scenario):
    from tracker.reminders.outbox import claim_digests
    from tracker.reminders.services import plan_digests
    from tests.reminders.conftest import at_local
    from datetime import date

    claim_digests(plan_digests(date(2025, 9, 11)), now=at_local(date(2025, 9, 11)))
    result = runner.invoke(args=["tracker", "deliver"])
    assert result.exit_code == 0 and "Đã gửi 3 thư" in result.output


def test_bad_date_is_refused(runner, db):
    result = runner.invoke(args=["tracker", "remind", "--at", "11/09/2025", "--dry-run"])
    # A usage error naming the option and the value, not a crash.
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "--at" in result.output and "11/09/2025" in result.output
