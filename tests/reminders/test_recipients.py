"""Who is reminded: owing units only, active reporters of the carrier, opt-outs, item warnings."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from tests.reminders.conftest import SENDER, at_local
from tracker.reminders.outbox import run_reminders
from tracker.reminders.services import plan_digests


def planned(day) -> set[tuple[str, str]]:
    return {(n.user.email, n.rule.value) for d in plan_digests(day) for n in d.notices}


def test_opt_out_stops_optional_notices_but_never_overdue_ones(db, scenario):
    reporter = scenario.reporters["Sở Nội vụ"]
    reporter.notify_optional = False
    db.session.commit()
    D = scenario.deadline
    assert (reporter.email, "before_deadline") not in planned(D - timedelta(days=7))
    assert (reporter.email, "due_today") in planned(D)
    assert (reporter.email, "overdue") in planned(D + timedelta(days=3))
    # The others still get theirs.
    assert (scenario.reporters["Sở Y tế"].email, "before_deadline") in planned(D - timedelta(days=7))


def test_every_active_reporter_of_the_unit_and_nobody_else(db, scenario, factory):
    unit = scenario.units["Sở Nội vụ"]
    second = factory.user(role="reporter", unit=unit, email="bcv2.snv@thuathienhue.gov.vn")
    factory.user(role="reporter", unit=unit, email="nghi.viec@thuathienhue.gov.vn", active=False)
    factory.user(role="viewer", unit=unit, email="xem@thuathienhue.gov.vn")
    db.session.commit()
    emails = {e for e, _ in planned(scenario.deadline - timedelta(days=7))}
    assert second.email in emails and scenario.reporters["Sở Nội vụ"].email in emails
    assert "nghi.viec@thuathienhue.gov.vn" not in emails and "xem@thuathienhue.gov.vn" not in emails
    assert scenario.coordinator.email not in emails  # coordinators only get escalations


def test_the_successor_carries_the_reminders(db, factory):
    area = factory.area()
    new = factory.unit(name="Sở Khoa học và Công nghệ", short_name="Sở KH&CN", area=area)
    old = factory.unit(name="Sở Thông tin và Truyền thông", short_name="Sở TT&TT", area=area,
                       successor=new, succeeded_on=date(2025, 3, 1), succession_type="merged")
    factory.item(plan=factory.plan(area=area), owner=old, end_year=2026)
    factory.period(2025, 3)
    old_reporter = factory.user(role="reporter", unit=old, email="cu@stttt.gov.vn")
    new_reporter = factory.user(role="reporter", unit=new, email="moi@skhcn.gov.vn")
    db.session.commit()
    notices = [n for d in plan_digests(date(2025, 9, 11)) for n in d.notices]
    assert [(n.user.email, n.unit.name) for n in notices] == [(new_reporter.email, new.name)]
    assert old_reporter.email not in {n.user.email for n in notices}


def test_item_warnings_final_year_project_and_late_document(db, scenario, factory, smtp_server):
    unit = scenario.units["Sở Nội vụ"]
    plan = scenario.items["Sở Nội vụ"][0].plan
    final_year = factory.item(plan=plan, owner=unit, kind="project", start_year=2023, end_year=2025,
                              text="Triển khai nền tảng chữ ký số", status="in_progress", progress=40)
    late_doc = factory.item(plan=plan, owner=unit, kind="document", deadline=date(2025, 6, 30),
                            text="Ban hành Quy chế quản lý dữ liệu", doc_type="Quy chế")
    factory.item(plan=plan, owner=unit, kind="document", deadline=date(2025, 12, 31),
                 text="Ban hành Kế hoạch chưa đến hạn")
    factory.item(plan=plan, owner=unit, kind="project", end_year=2025, status="done", completed_on=date(2025, 8, 1),
                 text="Dự án đã xong")
    db.session.commit()

    day = scenario.deadline - timedelta(days=7)
    with smtp_server.mailer() as mailer:
        result = run_reminders(day, now=at_local(day), mailer=mailer, sender=SENDER)
    reporter = scenario.reporters["Sở Nội vụ"]
    mine = [m.message for m in smtp_server.received if reporter.email in m.rcpt_tos]
    assert len(mine) == 1  # one digest: the before-deadline reminder and the item warnings
    text = mine[0].get_body(("plain",)).get_content()
    assert "2 hạng mục cần chú ý về thời hạn hoàn thành" in text
    assert "Dự án kết thúc trong năm 2025 (năm cuối của dự án) nhưng chưa hoàn thành (Đang triển khai, 40 %)." in text
    assert "Quy chế chưa được ban hành, đã quá hạn 30/06/2025" in text
    assert f"/cap-nhat/{final_year.id}/2025-Q3" in text and f"/cap-nhat/{late_doc.id}/2025-Q3" in text
    warnings = text.split("cần chú ý")[1]
    assert "Ban hành Kế hoạch chưa đến hạn" not in warnings
    assert "Dự án đã xong" not in warnings  # done (in this period: it still reports, without a warning)
    assert mine[0]["Subject"].endswith("và 1 nội dung khác")
    # Once per period: not again at D-3.
    assert ("bcv.snv@thuathienhue.gov.vn", "item_warning") not in planned(scenario.deadline - timedelta(days=3))
    assert len(result.claimed) == 3


def test_closed_period_stops_reminders_except_for_a_late_exception(db, scenario, factory):
    from tracker.periods.models import LateException

    D = scenario.deadline
    scenario.period.closed_at = datetime(2025, 9, 25, 3, 0, tzinfo=timezone.utc)
    db.session.add(LateException(period=scenario.period, unit=scenario.units["Sở Y tế"], until=date(2025, 10, 10),
                                 reason="Chờ số liệu giải ngân"))
    db.session.commit()
    assert planned(D + timedelta(days=6)) >= {(scenario.reporters["Sở Nội vụ"].email, "overdue")}  # still open
    after = planned(D + timedelta(days=9))
    assert after == {(scenario.reporters["Sở Y tế"].email, "overdue")}  # no escalation either
    assert planned(D + timedelta(days=30)) == set()  # exception expired
