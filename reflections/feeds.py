"""The personal calendar feed (a secret, revocable address that carries the weekly
check-in and the program's milestones)."""

from __future__ import annotations

import datetime
import secrets

from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event

from programs.models import Membership, Milestone, Program, User
from reflections.calendar import checkin_calendar
from reflections.models import CalendarFeed, Plan


def active_feed(user: User, program: Program) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, program=program, revoked_at__isnull=True).first()


@transaction.atomic
def do_create_calendar_feed(*, user: User, program: Program) -> CalendarFeed:
    """A new secret feed address; any earlier one stops working."""
    now = timezone.now()
    CalendarFeed.objects.filter(user=user, program=program, revoked_at__isnull=True).update(
        revoked_at=now
    )
    return CalendarFeed.objects.create(
        user=user, program=program, token=secrets.token_urlsafe(32), created_at=now
    )


def do_revoke_calendar_feed(*, user: User, program: Program) -> int:
    """Stop every feed address of the person in the program."""
    return CalendarFeed.objects.filter(user=user, program=program, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def feed_from_token(token: str) -> CalendarFeed | None:
    """The live feed with this token, while its owner takes part in the program or is
    one of its alumni (it ended or was archived while they took part)."""
    feed = (
        CalendarFeed.objects.select_related("user", "program__organization")
        .filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if (
        feed is None
        or not Membership.objects.practising()
        .filter(user=feed.user, program=feed.program)
        .exists()
    ):
        return None
    return feed


def calendar_feed(feed: CalendarFeed, now: datetime.datetime) -> bytes:
    """The weekly check-in (with its RRULE) and the program's milestones as all-day
    events."""
    weekday, at, zone, _ = Plan.objects.slot_for(feed.user, feed.program)
    calendar = Calendar.from_ical(
        checkin_calendar(
            user=feed.user, program=feed.program, weekday=weekday, at=at, time_zone=zone, now=now
        )
    )
    for milestone in Milestone.objects.filter(program=feed.program):
        event = Event.new(
            uid=f"milestone-{milestone.pk}@actionlab",
            summary=f"{milestone.title} · {feed.program.name}",
            start=milestone.due_on,
            end=milestone.due_on + datetime.timedelta(days=1),
            stamp=now,
            description=milestone.description or None,
        )
        calendar.add_component(event)
    return calendar.to_ical()
