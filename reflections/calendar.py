"""The weekly ten-minute Be Better Now check-in as a calendar event (.ics)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from icalendar import Alarm, Calendar, Event

from programs.models import Program, User
from reflections.models import CheckIn
from reflections.weeks import next_slot, zone_named

CHECKIN_LENGTH = datetime.timedelta(minutes=10)
ALARM_BEFORE = datetime.timedelta(minutes=5)
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def checkin_calendar(
    *,
    user: User,
    program: Program,
    weekday: int,
    at: datetime.time,
    time_zone: str,
    now: datetime.datetime,
) -> bytes:
    """A calendar with one weekly event from the next check-in slot until the program
    ends: local time in the person's zone (DTSTART with TZID and its VTIMEZONE, so that
    daylight saving keeps the meeting at the same local hour), ten minutes long, with a
    reminder and the two questions in the description."""
    zone = zone_named(time_zone)
    start = next_slot(now, weekday, at, zone)
    url = settings.SITE_URL + reverse("reflections:checkin", args=[program.pk])
    event = Event.new(
        uid=f"be-better-now-{program.pk}-{user.pk}@actionlab",
        summary="Be Better Now check-in (10 minutes)",
        start=start,
        stamp=now,
        description=(
            "Ten minutes with yourself. Write brief notes on two questions only:\n"
            f"1. {CheckIn.STEPS_QUESTION}\n"
            f"2. {CheckIn.FOCUS_QUESTION}\n\n"
            f"Write this week's check-in: {url}"
        ),
        url=url,
    )
    event.duration = CHECKIN_LENGTH
    recurrence: dict[str, object] = {"freq": "weekly", "byday": WEEKDAY_CODES[weekday]}
    last_day = datetime.datetime.combine(
        program.ends_on, datetime.time(23, 59, 59), tzinfo=zone
    ).astimezone(datetime.UTC)
    if last_day > start:
        recurrence["until"] = last_day
    event.add("rrule", recurrence)
    alarm = Alarm.new(description="Your Be Better Now check-in starts in 5 minutes")
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -ALARM_BEFORE)
    event.add_component(alarm)

    calendar = Calendar.new(
        prodid="-//ActionLab//Be Better Now check-in//EN",
        name=f"Be Better Now · {program.name}",
        method="PUBLISH",
    )
    calendar.add_component(event)
    # Transitions from just before the first meeting until well after the last one.
    until = last_day if last_day > start else start
    calendar.add_missing_timezones(
        first_date=start.date() - datetime.timedelta(days=7),
        last_date=until.date() + datetime.timedelta(days=366),
    )
    return calendar.to_ical()
