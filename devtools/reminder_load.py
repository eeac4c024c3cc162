"""Synthetic load for the weekly reminders: a running program whose participants are all
due now, written with bulk inserts. The reminder benchmark (`make bench-reminders`) and
the reminder delivery host test use it; nothing in the site does."""

from __future__ import annotations

import datetime
import uuid

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import ReminderDelivery
from programs.models import (
    Cohort,
    Membership,
    Organization,
    Profile,
    Program,
    Role,
    User,
    zone_or_site,
)
from reflections.models import Plan, Prompt, ReminderKind
from reflections.services import program_week

ORGANIZATION = "Reminder Load Test Health"
# A slot at Monday 00:00 on the person's own clock has passed at any moment of their week,
# so everybody seeded is due as soon as the next tick runs.
SLOT_WEEKDAY = Program.Weekday.MONDAY
SLOT_TIME = datetime.time(0, 0)
ZONES = ("America/New_York", "Europe/London", "Asia/Tokyo", "Australia/Sydney", "UTC")
BATCH = 2000


def participant_email(label: str, number: int) -> str:
    return f"{label}-{number:06d}@load.actionlab.example"


@transaction.atomic
def seed_due_participants(
    count: int, *, label: str | None = None, now: datetime.datetime | None = None
) -> Program:
    """A new program running today with `count` active participants in several time
    zones, every one of them due for this week's check-in reminder; every other one has a
    Be Better Now plan, and the program has a prompt for this week. The addresses are
    `participant_email(label, n)`, n from 1."""
    now = now or timezone.now()
    label = label or uuid.uuid4().hex[:8]
    today = now.astimezone(datetime.UTC).date()
    organization, _ = Organization.objects.get_or_create(name=ORGANIZATION)
    program = Program.objects.create(
        organization=organization,
        name=f"Reminder load {label}",
        starts_on=today - datetime.timedelta(days=28),
        ends_on=today + datetime.timedelta(days=90),
        checkin_weekday=SLOT_WEEKDAY,
        checkin_time=SLOT_TIME,
    )
    cohort = Cohort.objects.create(
        program=program, name="Cohort 1", starts_on=program.starts_on, ends_on=program.ends_on
    )
    Prompt.objects.create(
        program=program,
        text="What did you notice about how you listen?",
        week_number=program_week(program, today),
    )
    password = make_password(None)  # unusable: nobody signs in as a load-test person
    for start in range(0, count, BATCH):
        numbers = range(start + 1, min(count, start + BATCH) + 1)
        users = User.objects.bulk_create(
            User(
                email=participant_email(label, n),
                first_name=f"Person{n}",
                last_name="Load",
                time_zone=ZONES[n % len(ZONES)],
                password=password,
                date_joined=now,
            )
            for n in numbers
        )
        Membership.objects.bulk_create(
            Membership(user=user, program=program, cohort=cohort, role=Role.PARTICIPANT)
            for user in users
        )
        Profile.objects.bulk_create(
            Profile(user=user, organization=organization) for user in users
        )
        Plan.objects.bulk_create(
            Plan(
                user=user,
                program=program,
                aspect="Listening before deciding",
                action="ask one open question in every huddle",
                checkin_weekday=SLOT_WEEKDAY,
                checkin_time=SLOT_TIME,
                created_at=now,
                updated_at=now,
            )
            for n, user in zip(numbers, users, strict=True)
            if n % 2 == 0
        )
    # They joined when the program started, weeks ago: this week is not their first
    # (nobody is reminded in the week they joined).
    Membership.objects.filter(program=program).update(
        created_at=datetime.datetime.combine(
            program.starts_on, datetime.time(0), tzinfo=datetime.UTC
        )
    )
    if connection.vendor == "postgresql":
        # Fresh statistics after a bulk load, as after any: without them the tick's query
        # takes seconds where it takes a fraction of one.
        with connection.cursor() as cursor:
            for model in (User, Membership, Profile, Plan, ReminderDelivery):
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    return program


def queue_deliveries_directly(
    program: Program, *, now: datetime.datetime | None = None
) -> list[int]:
    """Queued check-in deliveries for this week for every participant of `program`, written
    without the tick and handed to nobody: the benchmark sends them in its own process to
    measure the single-process rate on the same code path the workers run."""
    from reflections.weeks import LocalWeek

    now = now or timezone.now()
    tick = uuid.uuid4()
    rows = []
    for user_id, zone in Membership.objects.filter(program=program).values_list(
        "user_id", "user__time_zone"
    ):
        week = LocalWeek.of(now, zone_or_site(zone))
        rows.append(
            ReminderDelivery(
                user_id=user_id,
                program=program,
                kind=ReminderKind.CHECKIN,
                iso_year=week.iso_year,
                iso_week=week.iso_week,
                time_zone=zone,
                due_at=now,
                planned_by=tick,
                created_at=now,
                queued_at=now,
            )
        )
    ReminderDelivery.objects.bulk_create(rows, batch_size=BATCH)
    return list(
        ReminderDelivery.objects.filter(planned_by=tick)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
