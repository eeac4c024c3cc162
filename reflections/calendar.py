"""The weekly ten-minute Be Better Now check-in as a calendar event (.ics)."""

from __future__ import annotations

import datetime
import functools
import uuid

from django.conf import settings
from django.urls import reverse
from icalendar import Alarm, Calendar, Event, Timezone

from core.text import one_line
from programs.models import Program, User, zone_or_site
from reflections.models import CheckIn
from reflections.weeks import next_slot

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
    start = next_slot(now, weekday, at, zone_or_site(time_zone))
    # DTSTAMP to the minute: every batch of one minute shares the calendar.
    stamp = now.replace(second=0, microsecond=0)
    calendar = _checkin_calendar(
        program.pk, program.name, program.ends_on, weekday, start, time_zone, stamp
    )
    return calendar.replace(_PERSON, str(user.pk).encode())


# Only the two UIDs of the calendar name the person; everything else depends on the
# program, the slot and the minute. Reminders send the same calendar to many people each
# minute, so it is made once per program, next slot, zone and minute with this
# stand-in for the person's id (random, so that no program name can contain it) and the
# id is put in its place. Working out the zone's transitions and folding the lines takes
# longer than rendering the rest of a reminder.
_PERSON = uuid.uuid4().hex.encode()


@functools.lru_cache(maxsize=64)
def _checkin_calendar(
    program_id: int,
    program_name: str,
    ends_on: datetime.date,
    weekday: int,
    start: datetime.datetime,
    time_zone: str,
    now: datetime.datetime,
) -> bytes:
    person = _PERSON.decode()
    event, last_day = checkin_event(
        uid=f"be-better-now-{program_id}-{person}@actionlab",
        program_id=program_id,
        ends_on=ends_on,
        weekday=weekday,
        start=start,
        time_zone=time_zone,
        stamp=now,
    )
    calendar = Calendar.new(
        prodid="-//ActionLab//Be Better Now check-in//EN",
        # A calendar name is one content line: a line break in the program name would stop
        # the file (and the reminder it goes with) from being written.
        name=one_line(f"Be Better Now · {program_name}"),
        method="PUBLISH",
        uid=f"be-better-now-calendar-{program_id}-{person}@actionlab",
    )
    calendar.add_component(event)
    add_time_zones(calendar, start, last_day)
    return calendar.to_ical()


def checkin_event(
    *,
    uid: str,
    program_id: int,
    ends_on: datetime.date,
    weekday: int,
    start: datetime.datetime,
    time_zone: str,
    stamp: datetime.datetime,
) -> tuple[Event, datetime.datetime]:
    """The weekly check-in event from `start` (local time in `time_zone`) until the
    program's last day on that clock, ten minutes long, with a reminder and the two
    questions; and that last day's end, in UTC."""
    zone = zone_or_site(time_zone)
    url = settings.SITE_URL + reverse("reflections:checkin", args=[program_id])
    event = Event.new(
        uid=uid,
        summary="Be Better Now check-in (10 minutes)",
        start=start,
        stamp=stamp,
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
        ends_on, datetime.time(23, 59, 59), tzinfo=zone
    ).astimezone(datetime.UTC)
    if last_day > start:
        recurrence["until"] = last_day
    event.add("rrule", recurrence)
    alarm = Alarm.new(description="Your Be Better Now check-in starts in 5 minutes")
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -ALARM_BEFORE)
    event.add_component(alarm)
    return event, last_day


def add_time_zones(
    calendar: Calendar, start: datetime.datetime, last_day: datetime.datetime
) -> None:
    """Put in front of the calendar the VTIMEZONE of every TZID its events use, with the
    transitions from just before the first meeting until well after the last one."""
    until = last_day if last_day > start else start
    first_date = start.date() - datetime.timedelta(days=7)
    last_date = until.date() + datetime.timedelta(days=366)
    for tzid in sorted(calendar.get_missing_tzids()):
        if vtimezone := _vtimezone(tzid, first_date, last_date):
            calendar.subcomponents.insert(0, vtimezone)


@functools.lru_cache(maxsize=64)
def _vtimezone(tzid: str, first_date: datetime.date, last_date: datetime.date) -> Timezone | None:
    """The zone's VTIMEZONE with its transitions between the two dates (None for a zone
    icalendar does not know), worked out once per process: the next batch of reminders
    asks for the same zones and dates at a new moment. Only ever read afterwards."""
    try:
        return Timezone.from_tzid(tzid, first_date=first_date, last_date=last_date)
    except ValueError:
        return None
