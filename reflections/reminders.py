"""Weekly Be Better Now reminders: planning, sending, sweeping, unsubscribing, and the
personal calendar feed (DESIGN.md, "Weekly reminders").

The tick (`do_plan_reminders`) asks the database which participants are due and inserts
one `ReminderDelivery` per person, program, local ISO week and kind; the unique constraint
makes a second or concurrent tick harmless. Sending happens in worker tasks, after commit,
in batches of delivery ids; each delivery is sent under a row lock, so a task that runs
twice sends once.

A program counts as running while today's date *in UTC* lies within its dates: the
program's own dates carry no time zone, and a reminder a few hours early or late on the
first or last day of a program matters less than one rule everybody can check.
"""

from __future__ import annotations

import datetime
import functools
import operator
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from smtplib import SMTPException

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from programs.models import Membership, Milestone, Profile, Program, Role, User
from reflections.calendar import checkin_calendar
from reflections.models import (
    CalendarFeed,
    CheckIn,
    Plan,
    ReminderDelivery,
    ReminderKind,
    ReminderPreference,
)
from reflections.services import prompt_for_week
from reflections.weeks import LocalWeek, zone_named

# How many delivery ids one broker message carries.
SEND_BATCH_SIZE = 50
# Retries of a batch whose SMTP server failed: 30 s, 60 s, … capped at ten minutes.
SEND_MAX_RETRIES = 6
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 600
# A delivery still queued this long after it was last handed to a worker was lost.
STUCK_AFTER = datetime.timedelta(minutes=15)
SWEEP_LIMIT = 5000
TRANSIENT_ERRORS = (SMTPException, ConnectionError, TimeoutError)

Status = ReminderDelivery.Status
# The annotations `running_participants` adds.
SLOT_FIELDS = ("slot_weekday", "slot_time", "slot_zone")


# Planning ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A weekly check-in slot on someone's clock, and its instant in the current week."""

    weekday: int
    at: datetime.time
    zone_name: str
    week: LocalWeek
    due_at: datetime.datetime

    @classmethod
    def this_week(
        cls, now: datetime.datetime, weekday: int, at: datetime.time, zone_name: str
    ) -> Slot:
        """The slot in the ISO week that `now` falls in on that clock. A time that does
        not exist (the hour skipped in spring) resolves to the real time after it; a time
        that happens twice (the hour repeated in autumn) to its first occurrence."""
        zone = zone_named(zone_name)
        week = LocalWeek.of(now, zone)
        day = datetime.date.fromisocalendar(week.iso_year, week.iso_week, weekday + 1)
        due = datetime.datetime.combine(day, at, tzinfo=zone).astimezone(datetime.UTC)
        return cls(weekday, at, zone_name, week, due)

    def matches(self) -> Q:
        return Q(slot_weekday=self.weekday, slot_time=self.at, slot_zone=self.zone_name)


def reminders_on(kind: str) -> Exists:
    """Whether the user of the outer row has not turned reminders of `kind` off."""
    return Exists(
        ReminderPreference.objects.filter(user=OuterRef("user"), kind=kind, enabled=False)
    )


def running_participants(
    today: datetime.date, kind: str = ReminderKind.CHECKIN
) -> QuerySet[Membership]:
    """Active participant memberships in running programs, with reminders on, each
    annotated with its check-in slot: the plan's, else the program's in the person's
    time zone in the program's organisation (the site's zone without a profile)."""
    plan = Plan.objects.filter(user=OuterRef("user"), program=OuterRef("program"))
    profile_zone = Profile.objects.filter(
        user=OuterRef("user"), organization=OuterRef("program__organization")
    ).values("time_zone")[:1]
    return (
        Membership.objects.filter(
            role=Role.PARTICIPANT,
            is_active=True,
            program__starts_on__lte=today,
            program__ends_on__gte=today,
        )
        .exclude(reminders_on(kind))
        .annotate(
            slot_weekday=Coalesce(
                Subquery(plan.values("checkin_weekday")[:1]), F("program__checkin_weekday")
            ),
            slot_time=Coalesce(
                Subquery(plan.values("checkin_time")[:1]), F("program__checkin_time")
            ),
            slot_zone=Coalesce(
                Subquery(plan.values("time_zone")[:1]),
                Subquery(profile_zone),
                Value(settings.TIME_ZONE),
            ),
        )
        .order_by()
    )


def due_slots(now: datetime.datetime, kind: str = ReminderKind.CHECKIN) -> list[Slot]:
    """The distinct slots of running participants whose moment this week has passed.
    Slots are few (weekdays × times × zones), so their instants are computed here."""
    combos = (
        running_participants(now.astimezone(datetime.UTC).date(), kind)
        .values_list(*SLOT_FIELDS)
        .distinct()
    )
    slots = [Slot.this_week(now, weekday, at, zone) for weekday, at, zone in combos]
    return [slot for slot in slots if slot.due_at <= now]


@transaction.atomic
def do_plan_reminders(
    *, now: datetime.datetime | None = None, kind: str = ReminderKind.CHECKIN
) -> list[int]:
    """Insert one queued delivery for every participant who is due and enqueue their
    sending once the transaction commits. Returns the ids of the deliveries this call
    inserted (none when another tick planned them first).

    Due: an active participant of a running program, reminders on, whose check-in slot
    this ISO week (on their own clock) has passed, who has not checked in that week and
    has no delivery for it yet. The work is a constant number of queries whatever the
    number of participants."""
    now = now or timezone.now()
    slots = due_slots(now, kind)
    if not slots:
        return []

    def per_slot(values: list[object], output_field: IntegerField | DateTimeField) -> Case:
        whens = [
            When(slot.matches(), then=Value(value))
            for slot, value in zip(slots, values, strict=True)
        ]
        return Case(*whens, output_field=output_field)

    week_row = {
        "user": OuterRef("user"),
        "program": OuterRef("program"),
        "iso_year": OuterRef("week_year"),
        "iso_week": OuterRef("week_number"),
    }
    due = (
        running_participants(now.astimezone(datetime.UTC).date(), kind)
        .filter(functools.reduce(operator.or_, (slot.matches() for slot in slots)))
        .annotate(
            week_year=per_slot([slot.week.iso_year for slot in slots], IntegerField()),
            week_number=per_slot([slot.week.iso_week for slot in slots], IntegerField()),
            due_at=per_slot([slot.due_at for slot in slots], DateTimeField()),
        )
        .exclude(Exists(CheckIn.objects.filter(**week_row)))
        .exclude(Exists(ReminderDelivery.objects.filter(kind=kind, **week_row)))
        .values_list("user_id", "program_id", "week_year", "week_number", "due_at", "slot_zone")
    )
    tick = uuid.uuid4()
    ReminderDelivery.objects.bulk_create(
        [
            ReminderDelivery(
                user_id=user_id,
                program_id=program_id,
                kind=kind,
                iso_year=year,
                iso_week=week,
                time_zone=zone,
                due_at=due_at,
                planned_by=tick,
                created_at=now,
                queued_at=now,
            )
            for user_id, program_id, year, week, due_at, zone in due
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    # With ignore_conflicts the database does not return ids; the tick's own mark finds
    # exactly the rows this call inserted, not those a concurrent tick won.
    planned = list(
        ReminderDelivery.objects.filter(planned_by=tick)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    enqueue_sending(planned)
    return planned


def enqueue_sending(delivery_ids: Sequence[int]) -> None:
    """Hand the deliveries to workers after commit, SEND_BATCH_SIZE ids per message."""
    from reflections.tasks import send_reminders

    for start in range(0, len(delivery_ids), SEND_BATCH_SIZE):
        batch = list(delivery_ids[start : start + SEND_BATCH_SIZE])
        transaction.on_commit(functools.partial(send_reminders.delay, batch))


def do_requeue_stuck_reminders(*, now: datetime.datetime | None = None) -> int:
    """Enqueue again the deliveries still queued STUCK_AFTER after they were last handed
    to a worker (a lost message, a worker killed mid-batch). Sending them twice is
    harmless: the send checks the row's status under a lock."""
    now = now or timezone.now()
    with transaction.atomic():
        stuck = list(
            ReminderDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=Status.QUEUED, queued_at__lt=now - STUCK_AFTER)
            .order_by("pk")
            .values_list("pk", flat=True)[:SWEEP_LIMIT]
        )
        ReminderDelivery.objects.filter(pk__in=stuck).update(queued_at=now)
        enqueue_sending(stuck)
    return len(stuck)


# Sending -------------------------------------------------------------------------------


def retry_countdown(retries: int) -> int:
    """Seconds before retry number `retries + 1`: exponential, never beyond ten minutes."""
    return min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2**retries)


def _unsubscribe_salt(kind: str) -> str:
    return f"reflections.reminders.unsubscribe.{kind}"


def unsubscribe_token(user: User, kind: str) -> str:
    """A signed token naming the person and the kind of reminder to turn off. It does not
    expire: the link in a months-old email must still work."""
    return signing.dumps({"user": user.pk, "kind": kind}, salt=_unsubscribe_salt(kind))


def unsubscribe_url(user: User, kind: str) -> str:
    return settings.SITE_URL + reverse(
        "reminders:unsubscribe", args=[kind, unsubscribe_token(user, kind)]
    )


def user_from_unsubscribe_token(kind: str, token: str) -> User | None:
    """The person a valid token names for `kind`; None for a forged or altered token."""
    if kind not in ReminderKind.values:
        return None
    try:
        data = signing.loads(token, salt=_unsubscribe_salt(kind))
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("kind") != kind:
        return None
    user_id = data.get("user")
    if not isinstance(user_id, int):
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def reminders_enabled(user: User, kind: str) -> bool:
    return not ReminderPreference.objects.filter(user=user, kind=kind, enabled=False).exists()


def do_set_reminders(*, user: User, kind: str, enabled: bool) -> ReminderPreference:
    """Turn the person's reminders of `kind` on or off."""
    preference, _ = ReminderPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"enabled": enabled, "updated_at": timezone.now()}
    )
    return preference


def _slot_for(user: User, program: Program) -> tuple[int, datetime.time, str, Plan | None]:
    plan = Plan.objects.filter(user=user, program=program).first()
    if plan is not None:
        return plan.checkin_weekday, plan.checkin_time, plan.time_zone, plan
    zone = (
        Profile.objects.filter(user=user, organization_id=program.organization_id)
        .values_list("time_zone", flat=True)
        .first()
    )
    return program.checkin_weekday, program.checkin_time, zone or settings.TIME_ZONE, None


def _skip_reason(delivery: ReminderDelivery, now: datetime.datetime) -> str:
    """Why the reminder should not go out any more ("" when it should)."""
    if not reminders_enabled(delivery.user, delivery.kind):
        return "Reminders turned off by the person."
    if CheckIn.objects.filter(
        user_id=delivery.user_id,
        program_id=delivery.program_id,
        iso_year=delivery.iso_year,
        iso_week=delivery.iso_week,
    ).exists():
        return "Checked in before the reminder went out."
    if not Membership.objects.filter(
        user_id=delivery.user_id,
        program_id=delivery.program_id,
        role=Role.PARTICIPANT,
        is_active=True,
    ).exists():
        return "No longer an active participant."
    if (
        not delivery.program.starts_on
        <= now.astimezone(datetime.UTC).date()
        <= (delivery.program.ends_on)
    ):
        return "The program is not running."
    if LocalWeek.of(now, zone_named(delivery.time_zone)) != LocalWeek(
        delivery.iso_year, delivery.iso_week
    ):
        return "The week ended before the reminder could be sent."
    return ""


def reminder_message(delivery: ReminderDelivery, now: datetime.datetime) -> EmailMultiAlternatives:
    """The check-in reminder: text and HTML, one-click unsubscribe headers, and the
    calendar event with the person's first reminder."""
    user, program = delivery.user, delivery.program
    weekday, at, zone, plan = _slot_for(user, program)
    local_today = now.astimezone(zone_named(delivery.time_zone)).date()
    unsubscribe = unsubscribe_url(user, delivery.kind)
    context = {
        "person": user,
        "program": program,
        "plan": plan,
        "prompt": prompt_for_week(program, local_today),
        "week": LocalWeek(delivery.iso_year, delivery.iso_week),
        "checkin_url": settings.SITE_URL + reverse("reflections:checkin", args=[program.pk]),
        "unsubscribe_url": unsubscribe,
        "steps_question": CheckIn.STEPS_QUESTION,
        "focus_question": CheckIn.FOCUS_QUESTION,
    }
    message = EmailMultiAlternatives(
        subject=f"Your Be Better Now check-in · {program.name}",
        body=render_to_string("reflections/email/reminder_checkin.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_to_string("reflections/email/reminder_checkin.html", context), "text/html"
    )
    first = not ReminderDelivery.objects.filter(
        user=user, program=program, kind=delivery.kind, status=Status.SENT
    ).exists()
    if first:
        message.attach(
            "be-better-now-check-in.ics",
            checkin_calendar(
                user=user, program=program, weekday=weekday, at=at, time_zone=zone, now=now
            ),
            "text/calendar",
        )
    return message


def do_send_reminder(
    *, delivery_id: int, final_attempt: bool = False, now: datetime.datetime | None = None
) -> str:
    """Send one reminder unless it was sent, skipped or failed already, and return the
    delivery's status afterwards. Safe to run twice: the row is locked while sending and
    its status records the outcome.

    Skipped (with the reason) when the person checked in meanwhile, turned reminders off,
    left the program, or the week is over. A transient SMTP failure leaves it queued with
    the reason (so the caller retries), or on the final attempt marks it failed."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            ReminderDelivery.objects.select_for_update(of=("self",))
            .select_related("user", "program__organization")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return Status.SKIPPED
        if delivery.status != Status.QUEUED:
            return delivery.status
        reason = _skip_reason(delivery, now)
        if reason:
            delivery.status = Status.SKIPPED
            delivery.reason = reason
            delivery.save(update_fields=["status", "reason"])
            return delivery.status
        delivery.attempts += 1
        delivery.queued_at = now
        try:
            reminder_message(delivery, now).send()
        except TRANSIENT_ERRORS as error:
            delivery.reason = f"{type(error).__name__}: {error}"[:300]
            if final_attempt:
                delivery.status = Status.FAILED
        else:
            delivery.status = Status.SENT
            delivery.sent_at = now
            delivery.reason = ""
        delivery.save(update_fields=["status", "reason", "attempts", "queued_at", "sent_at"])
        return delivery.status


def do_send_reminders(*, delivery_ids: Iterable[int], final_attempt: bool = False) -> list[int]:
    """Send a batch of reminders; returns the ids left queued by a transient failure,
    for the caller to retry later."""
    return [
        delivery_id
        for delivery_id in delivery_ids
        if do_send_reminder(delivery_id=delivery_id, final_attempt=final_attempt) == Status.QUEUED
    ]


# Calendar feed -------------------------------------------------------------------------


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
    """The live feed with this token, while its owner is still an active member."""
    feed = (
        CalendarFeed.objects.select_related("user", "program__organization")
        .filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if (
        feed is None
        or not Membership.objects.filter(
            user=feed.user, program=feed.program, is_active=True
        ).exists()
    ):
        return None
    return feed


def calendar_feed(feed: CalendarFeed, now: datetime.datetime) -> bytes:
    """The weekly check-in (with its RRULE) and the program's milestones as all-day
    events."""
    weekday, at, zone, _ = _slot_for(feed.user, feed.program)
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
