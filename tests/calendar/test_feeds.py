"""Calendar feeds, parsed with an independent iCalendar parser (vobject, not the icalendar library)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import vobject

from tracker.calendar import services
from tracker.calendar.ical import DeadlineEvent, build_calendar
from tracker.core.time import today_local
from tracker.periods.services import quarter_of

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def parse(payload: bytes):
    calendar = vobject.readOne(payload.decode("utf-8"))
    events = {event.uid.value: event for event in calendar.contents.get("vevent", [])}
    return calendar, events


@pytest.fixture
def setup(factory, db):
    """A unit with a project, a target and a document; another unit; the current quarter stored."""
    area = factory.area()
    plan = factory.plan(number="222/KH-UBND", area=area)
    mine = factory.unit(name="Sở Nội vụ", short_name="SNV", area=area)
    other = factory.unit(name="Sở Y tế", short_name="SYT", area=area)
    project = factory.item(plan=plan, owner=mine, kind="project", start_year=2024, end_year=2027,
                           text="Xây dựng kho dữ liệu cán bộ, công chức", years_text="2024 - 2027")
    target = factory.item(plan=plan, owner=mine, kind="target", target_year=2030, target_text="100%",
                          text="100% hồ sơ công chức được số hóa")
    document = factory.item(plan=plan, owner=mine, kind="document", deadline=date(2026, 6, 30), doc_type="Quy chế",
                            text="Ban hành Quy chế khai thác dữ liệu")
    cancelled = factory.item(plan=plan, owner=mine, kind="project", end_year=2026, status="cancelled",
                             text="Dự án đã hủy")
    theirs = factory.item(plan=plan, owner=other, kind="project", end_year=2026, text="Bệnh án điện tử")
    year, quarter = quarter_of(today_local())
    period = factory.period(year, quarter)
    reporter = factory.user(role="reporter", unit=mine, full_name="Trần Văn Báo Cáo")
    coordinator = factory.user(role="coordinator", unit=None)
    db.session.commit()
    return dict(unit=mine, other=other, project=project, target=target, document=document, cancelled=cancelled,
                theirs=theirs, period=period, reporter=reporter, coordinator=coordinator)


def test_reporter_feed_has_the_deadlines_of_the_unit(client, db, setup):
    reporter, unit, period = setup["reporter"], setup["unit"], setup["period"]
    token = reporter.regenerate_calendar_token()
    db.session.commit()
    response = client.get(f"/lich/{token}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Set-Cookie" not in response.headers  # reached by the token alone, no session

    calendar, events = parse(response.data)
    assert calendar.contents["x-wr-calname"][0].value == "Hạn báo cáo chuyển đổi số — Trần Văn Báo Cáo"
    assert calendar.vtimezone.tzid.value == "Asia/Ho_Chi_Minh"
    submission = events[f"han-nop-{period.code}-unit-{unit.id}@tracker"]
    assert submission.summary.value == f"Hạn nộp báo cáo {period.label} (SNV)"
    start = submission.dtstart.value
    assert start == datetime.combine(period.submission_deadline, datetime.min.time().replace(hour=8), tzinfo=VN)
    assert start.utcoffset() == timedelta(hours=7)
    assert submission.url.value == f"http://tracker.test/ky-bao-cao/{period.code}"
    assert "Thời gian chốt số liệu" in submission.description.value
    assert submission.valarm.trigger.value == timedelta(days=-1)
    assert submission.valarm.action.value == "DISPLAY"
    assert f"han-tong-hop-{period.code}@tracker" in events

    project = events[f"han-du-an-{setup['project'].id}@tracker"]
    assert project.summary.value == "Hạn hoàn thành dự án: Xây dựng kho dữ liệu cán bộ, công chức"
    assert project.dtstart.value.date() == date(2027, 12, 31)
    assert "Thời gian thực hiện: 2024 - 2027" in project.description.value
    assert project.url.value.startswith(f"http://tracker.test/cap-nhat/{setup['project'].id}/")
    assert events[f"han-chi-tieu-{setup['target'].id}@tracker"].dtstart.value.date() == date(2030, 12, 31)
    document = events[f"han-van-ban-{setup['document'].id}@tracker"]
    assert document.dtstart.value.date() == date(2026, 6, 30)
    assert document.summary.value == "Hạn ban hành văn bản: Ban hành Quy chế khai thác dữ liệu"
    assert f"han-du-an-{setup['cancelled'].id}@tracker" not in events
    assert f"han-du-an-{setup['theirs'].id}@tracker" not in events  # another unit's item


def test_uids_are_stable_across_fetches(client, db, setup):
    token = setup["reporter"].regenerate_calendar_token()
    db.session.commit()
    first = parse(client.get(f"/lich/{token}.ics").data)[1]
    second = parse(client.get(f"/lich/{token}.ics").data)[1]
    assert sorted(first) == sorted(second) and len(first) >= 7
    for uid, event in first.items():
        assert second[uid].dtstart.value == event.dtstart.value
        assert second[uid].summary.value == event.summary.value


def test_revoked_and_unknown_tokens_are_refused(client, login, db, setup):
    reporter = setup["reporter"]
    old = reporter.regenerate_calendar_token()
    db.session.commit()
    login(reporter)
    assert client.post("/ho-so/lich/tao-lai").status_code == 302
    db.session.refresh(reporter)
    new = reporter.calendar_token
    assert new and new != old
    anonymous = client.application.test_client()
    assert anonymous.get(f"/lich/{old}.ics").status_code == 404
    assert anonymous.get(f"/lich/{new}.ics").status_code == 200
    assert client.post("/ho-so/lich/thu-hoi").status_code == 302
    assert anonymous.get(f"/lich/{new}.ics").status_code == 404
    assert anonymous.get("/lich/khong-ton-tai.ics").status_code == 404


def test_deactivated_user_feed_is_refused(client, db, setup):
    reporter = setup["reporter"]
    token = reporter.regenerate_calendar_token()
    reporter.active = False
    db.session.commit()
    assert client.get(f"/lich/{token}.ics").status_code == 404


def test_unit_feed(client, login, db, setup):
    reporter, unit = setup["reporter"], setup["unit"]
    login(reporter)
    assert client.post(f"/ho-so/lich-don-vi/{unit.id}/tao-lai").status_code == 302
    token = services.unit_token(unit).token
    page = client.get("/ho-so").get_data(as_text=True)
    assert f"http://tracker.test/lich/don-vi/{token}.ics" in page
    assert f"webcal://tracker.test/lich/don-vi/{token}.ics" in page

    anonymous = client.application.test_client()
    response = anonymous.get(f"/lich/don-vi/{token}.ics")
    assert response.status_code == 200
    calendar, events = parse(response.data)
    assert calendar.contents["x-wr-calname"][0].value == "Hạn báo cáo chuyển đổi số — Sở Nội vụ"
    assert f"han-nop-{setup['period'].code}-unit-{unit.id}@tracker" in events
    assert f"han-du-an-{setup['project'].id}@tracker" in events

    # Regenerating revokes the old URL.
    client.post(f"/ho-so/lich-don-vi/{unit.id}/tao-lai")
    assert anonymous.get(f"/lich/don-vi/{token}.ics").status_code == 404


def test_other_units_reporter_cannot_regenerate_the_unit_feed(client, login, factory, db, setup):
    outsider = factory.user(role="reporter", unit=setup["other"])
    db.session.commit()
    login(outsider)
    assert client.post(f"/ho-so/lich-don-vi/{setup['unit'].id}/tao-lai").status_code == 403
    assert services.unit_token(setup["unit"]) is None


def test_coordinator_feed_has_every_submission_and_the_consolidated_deadline(client, db, setup):
    coordinator, period = setup["coordinator"], setup["period"]
    token = coordinator.regenerate_calendar_token()
    db.session.commit()
    _, events = parse(client.get(f"/lich/{token}.ics").data)
    consolidated = events[f"han-tong-hop-{period.code}@tracker"]
    committee = period.tenant.committee_on(period.consolidated_deadline)  # the area's own: "UBND tỉnh Thử Nghiệm 3"
    assert committee.startswith("UBND tỉnh ") and len(committee) > len("UBND tỉnh ")
    assert consolidated.summary.value == f"Hạn gửi báo cáo tổng hợp {period.label} lên {committee}"
    assert consolidated.dtstart.value.date() == period.consolidated_deadline
    assert f"han-nop-{period.code}@tracker" in events
    assert not any("-unit-" in uid for uid in events)
    assert not any(uid.startswith("han-du-an-") for uid in events)  # no unit, no item deadlines
    # The next quarter is there too, with its default dates, before anyone created it.
    year, quarter = quarter_of(today_local())
    following = f"{year + 1}-Q1" if quarter == 4 else f"{year}-Q{quarter + 1}"
    assert f"han-nop-{following}@tracker" in events


def test_one_deadline_download(client, login, db, setup):
    reporter, period, unit = setup["reporter"], setup["period"], setup["unit"]
    assert client.get(f"/lich/han/nop/{period.code}.ics").status_code == 302  # signed in only
    login(reporter)
    response = client.get(f"/lich/han/nop/{period.code}.ics")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    _, events = parse(response.data)
    assert list(events) == [f"han-nop-{period.code}-unit-{unit.id}@tracker"]  # same UID as in the feed
    _, events = parse(client.get(f"/lich/han/hang-muc/{setup['document'].id}.ics").data)
    assert list(events) == [f"han-van-ban-{setup['document'].id}@tracker"]
    _, events = parse(client.get(f"/lich/han/tong-hop/{period.code}.ics").data)
    assert list(events) == [f"han-tong-hop-{period.code}@tracker"]
    assert client.get("/lich/han/nop/2025-Q9.ics").status_code == 404
    assert client.get("/lich/han/hang-muc/999999.ics").status_code == 404
    assert client.get("/lich/han/khac/1.ics").status_code == 404


def test_profile_page_shows_the_subscription_url(client, login, db, setup):
    reporter = setup["reporter"]
    login(reporter)
    page = client.get("/ho-so").get_data(as_text=True)
    assert "Bạn chưa có đường dẫn đăng ký lịch." in page
    client.post("/ho-so/lich/tao-lai")
    db.session.refresh(reporter)
    page = client.get("/ho-so").get_data(as_text=True)
    assert f"http://tracker.test/lich/{reporter.calendar_token}.ics" in page
    assert "Thu hồi và tạo đường dẫn mới" in page


def test_regenerating_needs_the_csrf_token(client, login, db, setup, app, monkeypatch):
    reporter = setup["reporter"]
    login(reporter)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/ho-so/lich/tao-lai").status_code == 400
    db.session.refresh(reporter)
    assert reporter.calendar_token is None


def test_builder_is_pure_and_deterministic():
    events = [DeadlineEvent(uid="han-nop-2025-Q3-unit-12@tracker", day=date(2025, 9, 18),
                            summary="Hạn nộp báo cáo Quý 3/2025 (Sở Nội vụ)", description="Dòng 1\nDòng 2; có dấu phẩy, chấm phẩy",
                            url="http://tracker.test/ky-bao-cao/2025-Q3", categories=("Hạn nộp báo cáo",))]
    now = datetime(2025, 9, 1, 1, 2, 3, tzinfo=timezone.utc)
    first = build_calendar(events, name="Lịch thử", now=now)
    assert first == build_calendar(events, name="Lịch thử", now=now)
    assert isinstance(first, bytes)
    _, parsed = parse(first)
    event = parsed["han-nop-2025-Q3-unit-12@tracker"]
    assert event.description.value == "Dòng 1\nDòng 2; có dấu phẩy, chấm phẩy"
    assert event.dtstamp.value == now
    assert event.dtend.value - event.dtstart.value == timedelta(hours=1)
    assert b"BEGIN:VTIMEZONE" in first and first.index(b"BEGIN:VTIMEZONE") < first.index(b"BEGIN:VEVENT")
    assert all(len(line) <= 75 for line in first.split(b"\r\n"))  # folded per RFC 5545
