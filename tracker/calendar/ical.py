"""iCalendar (RFC 5545) builders: pure functions from deadline events to bytes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Timezone, vDuration, vText

PRODID = "-//So Khoa hoc va Cong nghe//Theo doi Ke hoach chuyen doi so//VI"
# Deadlines show at the start of the working day; the alarm rings the morning before.
START_TIME = time(8, 0)
DURATION = timedelta(hours=1)
ALARM_BEFORE = timedelta(days=1)


@dataclass(frozen=True)
class DeadlineEvent:
    uid: str  # stable, derived from ids: "han-nop-2025-Q3-unit-12@tracker"
    day: date
    summary: str
    description: str = ""
    url: str = ""
    categories: tuple[str, ...] = field(default_factory=tuple)
    alarm: str = ""  # alarm text; the summary when empty


def build_calendar(events: list[DeadlineEvent], *, name: str, now: datetime, tz_name: str = "Asia/Ho_Chi_Minh",
                   description: str = "", method: str | None = "PUBLISH") -> bytes:
    """A VCALENDAR with one VEVENT (and one VALARM) per deadline, times in `tz_name` with its VTIMEZONE.

    `now` is the DTSTAMP of every event: the builder is deterministic for given inputs.
    """
    tz = ZoneInfo(tz_name)
    stamp = now.astimezone(timezone.utc)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("x-wr-timezone", tz_name)
    if description:
        calendar.add("x-wr-caldesc", description)
        calendar.add("description", description)
    calendar.add("refresh-interval", vDuration(timedelta(hours=6)), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT6H")
    calendar.add_component(Timezone.from_tzid(tz_name))  # before the events that refer to it
    for item in sorted(events, key=lambda e: (e.day, e.uid)):
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        start = datetime.combine(item.day, START_TIME, tzinfo=tz)
        event.add("dtstart", start)
        event.add("dtend", start + DURATION)
        event.add("summary", item.summary)
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        if item.categories:
            event.add("categories", list(item.categories))
        event.add("transp", "TRANSPARENT")
        event.add("class", "PRIVATE")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", vText(item.alarm or item.summary))
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()
