"""Weekly Be Better Now reminders: planning, sending, sweeping, unsubscribing, and the
personal calendar feed (DESIGN.md, "Weekly reminders").

The tick (`do_plan_reminders`) asks the database which participants are due and inserts
one `ReminderDelivery` per person, program, local ISO week and kind; the unique constraint
makes a second or concurrent tick harmless. Sending happens in worker tasks, after commit,
in batches of delivery ids, under the pipeline's one claim rule (`notifications.pipeline`),
so a task that runs twice sends once.

A program's dates carry no time zone: each person reads them on their own clock. A
reminder is due for a week when the person's slot that week falls on a day, in their zone,
between the program's first and last day; so the first and the last week of a program each
get their reminder at the person's slot, in every zone from UTC−12 to UTC+14.

Nobody is reminded in the week they joined: a person's first reminder is for the first
week that starts (Monday 00:00 on their clock) after their membership began, so nobody
hears "It is time for your check-in" minutes after accepting an invitation.
"""

from __future__ import annotations

import datetime
import functools
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import (
    Exists,
    F,
    Field,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce
from django.db.models.options import Options
from django.urls import reverse
from django.utils import timezone

from core.mail import BulkEmail, compose_email
from notifications import pipeline
from notifications.invitations import invited_to_checkin
from notifications.models import ReminderDelivery
from notifications.pipeline import SEND_BATCH_SIZE, Composed
from programs.models import Membership, Program, User, zone_or_site
from reflections.calendar import checkin_calendar
from reflections.models import (
    CheckIn,
    CheckInSlot,
    Plan,
    Prompt,
    ReminderKind,
    ReminderPreference,
)
from reflections.services import program_week
from reflections.weeks import LocalWeek

Status = ReminderDelivery.Status
# The annotations `running_participants` adds.
SLOT_FIELDS = ("slot_weekday", "slot_time", "slot_zone")
# Due slots listed in one planning INSERT: eight parameters each, far below the databases'
# limits on parameters.
PLAN_SLOTS_PER_STATEMENT = 1000


# Planning ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A weekly check-in slot on someone's clock, and its instant in the current week."""

    weekday: int
    at: datetime.time
    zone_name: str
    week: LocalWeek
    # The slot's day on its clock, which the program's dates are compared with.
    day: datetime.date
    due_at: datetime.datetime
    # When the slot's week began on its clock (Monday 00:00), in UTC: only people who
    # joined before it are due that week.
    week_starts_at: datetime.datetime

    @classmethod
    def this_week(
        cls, now: datetime.datetime, weekday: int, at: datetime.time, zone_name: str
    ) -> Slot:
        """The slot in the ISO week that `now` falls in on that clock. A time that does
        not exist (the hour skipped in spring) resolves to the real time after it; a time
        that happens twice (the hour repeated in autumn) to its first occurrence."""
        zone = zone_or_site(zone_name)
        week = LocalWeek.of(now, zone)
        day = datetime.date.fromisocalendar(week.iso_year, week.iso_week, weekday + 1)
        due = datetime.datetime.combine(day, at, tzinfo=zone).astimezone(datetime.UTC)
        starts = datetime.datetime.combine(week.starts_on, datetime.time(0), tzinfo=zone)
        return cls(weekday, at, zone_name, week, day, due, starts.astimezone(datetime.UTC))


def reminders_turned_off(kind: str) -> Exists:
    """Whether the user of the outer row has turned reminders of `kind` off (a query
    excludes these rows to keep the people whose reminders are on)."""
    return Exists(
        ReminderPreference.objects.filter(user=OuterRef("user"), kind=kind, enabled=False)
    )


def running_participants(
    now: datetime.datetime, kind: str = ReminderKind.CHECKIN
) -> QuerySet[Membership]:
    """Participant memberships whose practice goes on (active ones, and the alumni of a
    program that ended or was archived) in programs that have begun on someone's clock,
    with reminders on, each annotated with its check-in slot (`CheckInSlot`, in SQL): the
    plan's day and time, else the program's, on the person's own clock, with
    the program's dates, which the planning compares with the slot's local day, and with
    when the person joined, which it compares with the start of the slot's week.

    The date filter is only a wide net: a local date differs from the UTC date by at most
    one day. There is no end: after the program, its alumni keep their weekly reminder
    for as long as they keep reminders on.

    The plan is an outer join (at most one row: one plan per person and program), so each
    membership reads it once however often the slot is compared, and the database can
    join the plans in bulk."""
    today = now.astimezone(datetime.UTC).date()
    return (
        # Alumni too: the practice goes on after the program ends or is archived.
        Membership.objects.practising()
        .filter(
            program__starts_on__lte=today + datetime.timedelta(days=1),
        )
        .exclude(reminders_turned_off(kind))
        .annotate(
            slot_plan=FilteredRelation(
                "user__be_better_now_plans",
                condition=Q(user__be_better_now_plans__program=F("program")),
            ),
        )
        .annotate(
            slot_weekday=Coalesce("slot_plan__checkin_weekday", "program__checkin_weekday"),
            slot_time=Coalesce("slot_plan__checkin_time", "program__checkin_time"),
            slot_zone=F("user__time_zone"),
            program_starts_on=F("program__starts_on"),
            program_ends_on=F("program__ends_on"),
            joined_at=F("created_at"),
        )
        .order_by()
    )


def due_slots(now: datetime.datetime, kind: str = ReminderKind.CHECKIN) -> list[Slot]:
    """The distinct slots of participants whose moment this week has passed. Slots are
    few (weekdays × times × zones), so their instants are computed here."""
    combos = running_participants(now, kind).values_list(*SLOT_FIELDS).distinct()
    slots = [Slot.this_week(now, weekday, at, zone) for weekday, at, zone in combos]
    return [slot for slot in slots if slot.due_at <= now]


@transaction.atomic
def do_plan_reminders(
    *, now: datetime.datetime | None = None, kind: str = ReminderKind.CHECKIN
) -> list[int]:
    """Insert one queued delivery for every participant who is due and enqueue their
    sending once the transaction commits. Returns the ids of the deliveries this call
    inserted (none when another tick planned them first).

    Due: a participant of a program that has begun (or one of its alumni), reminders on,
    who joined before this ISO week began on their own clock, whose check-in slot this
    week has passed, who has not checked in that week and has no delivery for it yet.
    Two statements whatever the number of participants: one reads the distinct slots,
    one inserts the deliveries of the due ones (one more per PLAN_SLOTS_PER_STATEMENT due
    slots)."""
    now = now or timezone.now()
    slots = due_slots(now, kind)
    tick = uuid.uuid4()
    planned: list[int] = []
    for start in range(0, len(slots), PLAN_SLOTS_PER_STATEMENT):
        planned += _insert_deliveries(
            slots[start : start + PLAN_SLOTS_PER_STATEMENT], now=now, kind=kind, tick=tick
        )
    planned.sort()
    enqueue_sending(planned)
    return planned


def _insert_deliveries(
    slots: Sequence[Slot], *, now: datetime.datetime, kind: str, tick: uuid.UUID
) -> list[int]:
    """One INSERT … SELECT: the running participants whose slot is one of `slots`, joined
    to a list of those slots with their week and instant, less whoever checked in that
    week or has the delivery already. ON CONFLICT DO NOTHING leaves a row that a
    concurrent tick inserted first to that tick. Returns the ids inserted.

    The ORDER BY makes the database finish the SELECT (and its look-ups in the delivery
    table) before the first row goes in, instead of scanning a table that grows under
    it row by row; it also has concurrent ticks take their row locks in one order."""
    quote = connection.ops.quote_name
    delivery, checkin = ReminderDelivery._meta, CheckIn._meta

    def field(meta: Options[Any], name: str) -> Field[Any, Any]:
        found = meta.get_field(name)
        if not isinstance(found, Field):
            raise TypeError(f"{meta.label}.{name} is not a column.")
        return found

    def column(meta: Options[Any], name: str) -> str:
        return quote(str(field(meta, name).column))

    def param(meta: Options[Any], name: str, value: object) -> tuple[str, object]:
        """A placeholder for `value` as the field `name` stores it. PostgreSQL is told the
        type: an untyped parameter in a VALUES list or a select list would be text."""
        target = field(meta, name)
        placeholder = "%s"
        if connection.vendor == "postgresql":
            placeholder = f"CAST(%s AS {target.db_type(connection)})"
        return placeholder, target.get_db_prep_save(value, connection)

    rows, values_params = [], []
    for slot in slots:
        row = [
            param(Plan._meta, "checkin_weekday", slot.weekday),
            param(Plan._meta, "checkin_time", slot.at),
            param(delivery, "time_zone", slot.zone_name),
            param(delivery, "iso_year", slot.week.iso_year),
            param(delivery, "iso_week", slot.week.iso_week),
            param(delivery, "due_at", slot.due_at),
            param(Program._meta, "starts_on", slot.day),
            param(Membership._meta, "created_at", slot.week_starts_at),
        ]
        rows.append(f"({', '.join(placeholder for placeholder, _ in row)})")
        values_params += [value for _, value in row]
    constants = [
        (name, *param(delivery, name, value))
        for name, value in (
            ("kind", kind),
            ("status", Status.QUEUED),
            ("reason", ""),
            ("attempts", 0),
            ("planned_by", tick),
            ("created_at", now),
            ("queued_at", now),
        )
    ]
    participants = running_participants(now, kind).values_list(
        "user_id",
        "program_id",
        *SLOT_FIELDS,
        "program_starts_on",
        "program_ends_on",
        "joined_at",
    )
    base_sql, base_params = participants.query.get_compiler(connection=connection).as_sql()
    week_of_row = (
        "{table}.{user} = p.user_id AND {table}.{program} = p.program_id"
        " AND {table}.{year} = due.due_year AND {table}.{week} = due.due_week"
    )

    def same_week(meta: Options[Any], alias: str) -> str:
        return week_of_row.format(
            table=alias,
            user=column(meta, "user"),
            program=column(meta, "program"),
            year=column(meta, "iso_year"),
            week=column(meta, "iso_week"),
        )

    targets = ["user", "program", "iso_year", "iso_week", "time_zone", "due_at"]
    targets += [name for name, _, _ in constants]
    returning = ""
    if connection.features.can_return_rows_from_bulk_insert:
        returning = f" RETURNING {column(delivery, 'id')}"
    # Only quoted identifiers from the models and placeholders go into the text.
    sql = (
        "WITH due (due_weekday, due_time, due_zone, due_year, due_week, due_at, due_on,"  # noqa: S608
        " due_week_starts_at)"
        f" AS (VALUES {', '.join(rows)})"
        f" INSERT INTO {quote(delivery.db_table)}"
        f" ({', '.join(column(delivery, name) for name in targets)})"
        " SELECT p.user_id, p.program_id, due.due_year, due.due_week, p.slot_zone, due.due_at,"
        f" {', '.join(placeholder for _, placeholder, _ in constants)}"
        f" FROM ({base_sql}) p"
        " INNER JOIN due ON p.slot_weekday = due.due_weekday"
        " AND p.slot_time = due.due_time AND p.slot_zone = due.due_zone"
        " AND p.program_starts_on <= due.due_on"
        " AND p.joined_at < due.due_week_starts_at"
        f" WHERE NOT EXISTS (SELECT 1 FROM {quote(checkin.db_table)} c"
        f" WHERE {same_week(checkin, 'c')})"
        f" AND NOT EXISTS (SELECT 1 FROM {quote(delivery.db_table)} d"
        f" WHERE {same_week(delivery, 'd')} AND d.{column(delivery, 'kind')} = %s)"
        " ORDER BY p.user_id, p.program_id"
        f" ON CONFLICT DO NOTHING{returning}"
    )
    params = [
        *values_params,
        *(value for _, _, value in constants),
        *base_params,
        param(delivery, "kind", kind)[1],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            return [pk for (pk,) in cursor.fetchall()]
    # The tick's own mark finds exactly the rows this call inserted, not those a
    # concurrent tick won.
    return list(ReminderDelivery.objects.filter(planned_by=tick).values_list("pk", flat=True))


def enqueue_batches(delay: Callable[[list[int]], object], delivery_ids: Sequence[int]) -> None:
    """Hand the deliveries to workers after commit (`delay`: a sending task's), with
    SEND_BATCH_SIZE ids per message."""
    for start in range(0, len(delivery_ids), SEND_BATCH_SIZE):
        batch = list(delivery_ids[start : start + SEND_BATCH_SIZE])
        transaction.on_commit(functools.partial(delay, batch))


def enqueue_sending(delivery_ids: Sequence[int]) -> None:
    """Hand the check-in reminders to workers after commit, in batches."""
    from notifications.tasks import send_reminders

    enqueue_batches(send_reminders.delay, delivery_ids)


def do_requeue_stuck_reminders(*, now: datetime.datetime | None = None) -> int:
    """The check-in reminders' sweeper (`pipeline.requeue_stuck`)."""
    return pipeline.requeue_stuck(
        ReminderDelivery,
        enqueue=enqueue_sending,
        now=now or timezone.now(),
        kind=ReminderKind.CHECKIN,
    )


# Sending -------------------------------------------------------------------------------


def _unsubscribe_salt(kind: str) -> str:
    return f"reflections.reminders.unsubscribe.{kind}"


def unsubscribe_token(user: User, kind: str) -> str:
    """A signed token naming the person and the kind of reminder to turn off. It does not
    expire: the link in a months-old email must still work."""
    return signing.dumps({"user": user.pk, "kind": kind}, salt=_unsubscribe_salt(kind))


def unsubscribe_url(user: User, kind: str) -> str:
    return settings.SITE_URL + reverse(
        "notifications:reminder_unsubscribe", args=[kind, unsubscribe_token(user, kind)]
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


def reminder_settings(user: User) -> dict[str, bool]:
    """Whether each kind of email is on for the person (no row means on)."""
    off = set(
        ReminderPreference.objects.filter(user=user, enabled=False).values_list("kind", flat=True)
    )
    return {kind: kind not in off for kind in ReminderKind.values}


def reminders_enabled(user: User, kind: str) -> bool:
    return not ReminderPreference.objects.filter(user=user, kind=kind, enabled=False).exists()


def do_set_reminders(*, user: User, kind: str, enabled: bool) -> ReminderPreference:
    """Turn the person's reminders of `kind` on or off."""
    preference, _ = ReminderPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"enabled": enabled, "updated_at": timezone.now()}
    )
    return preference


@dataclass
class BatchFacts:
    """What sending a batch of deliveries needs to know besides the rows themselves, read
    with one query per kind of fact for the whole batch instead of several per reminder."""

    now: datetime.datetime
    turned_off: set[tuple[int, str]]  # (user, kind)
    checked_in: set[tuple[int, int, int, int]]  # (user, program, ISO year, ISO week)
    participating: set[tuple[int, int]]  # (user, program): participants and alumni
    plans: dict[tuple[int, int], Plan]  # (user, program)
    sent_before: set[tuple[int, int, str]]  # (user, program, kind) with a reminder sent
    invited: set[tuple[int, int]]  # (user, program) whose check-in invitation went out
    prompts: dict[tuple[int, int], Prompt | None]  # (program, program week), filled lazily

    @classmethod
    def load(cls, deliveries: Sequence[ReminderDelivery], now: datetime.datetime) -> BatchFacts:
        users = {d.user_id for d in deliveries}
        programs = {d.program_id for d in deliveries}
        sent_before = set(
            ReminderDelivery.objects.filter(
                user_id__in=users, program_id__in=programs, status=Status.SENT
            ).values_list("user_id", "program_id", "kind")
        )

        def first_ones(delivery: ReminderDelivery) -> bool:
            return (delivery.user_id, delivery.program_id, delivery.kind) not in sent_before

        return cls(
            now=now,
            turned_off=set(
                ReminderPreference.objects.filter(
                    user_id__in=users, kind__in={d.kind for d in deliveries}, enabled=False
                ).values_list("user_id", "kind")
            ),
            checked_in=set(
                CheckIn.objects.filter(
                    user_id__in=users,
                    program_id__in=programs,
                    iso_week__in={d.iso_week for d in deliveries},
                ).values_list("user_id", "program_id", "iso_year", "iso_week")
            ),
            participating=set(
                Membership.objects.practising()
                .filter(user_id__in=users, program_id__in=programs)
                .values_list("user_id", "program_id")
            ),
            plans={
                (plan.user_id, plan.program_id): plan
                for plan in Plan.objects.filter(user_id__in=users, program_id__in=programs)
            },
            sent_before=sent_before,
            invited=invited_to_checkin(
                {(d.user_id, d.program_id) for d in deliveries if first_ones(d)}
            ),
            prompts={},
        )

    def slot(self, delivery: ReminderDelivery) -> CheckInSlot:
        """The person's check-in slot, with their plan, if any, read with the batch."""
        plan = self.plans.get((delivery.user_id, delivery.program_id))
        return CheckInSlot.of(delivery.user, delivery.program, plan)

    def prompt(self, program: Program, today: datetime.date) -> Prompt | None:
        """The prompt the program's schedule offers in the week of `today`, if any."""
        key = (program.pk, program_week(program, today))
        if key not in self.prompts:
            self.prompts[key] = Prompt.objects.filter(program=program, week_number=key[1]).first()
        return self.prompts[key]

    def skip_reason(self, delivery: ReminderDelivery) -> str:
        """Why the reminder should not go out any more ("" when it should)."""
        user, program = delivery.user_id, delivery.program_id
        if (user, delivery.kind) in self.turned_off:
            return "Reminders turned off by the person."
        if (user, program, delivery.iso_year, delivery.iso_week) in self.checked_in:
            return "Checked in before the reminder went out."
        if (user, program) not in self.participating:
            return "No longer an active participant."
        if not delivery.program.has_started(
            delivery.due_at.astimezone(zone_or_site(delivery.time_zone)).date()
        ):
            return "The program has not started."
        if LocalWeek.of(self.now, zone_or_site(delivery.time_zone)) != LocalWeek(
            delivery.iso_year, delivery.iso_week
        ):
            return "The week ended before the reminder could be sent."
        return ""

    def first_of_its_kind(self, delivery: ReminderDelivery) -> bool:
        return (delivery.user_id, delivery.program_id, delivery.kind) not in self.sent_before

    def needs_calendar_file(self, delivery: ReminderDelivery) -> bool:
        """Whether the reminder carries the check-in as a calendar file: the person's
        first reminder, unless their check-in invitation went out (`invitations`), which
        their calendar keeps up to date instead."""
        return (
            self.first_of_its_kind(delivery)
            and (delivery.user_id, delivery.program_id) not in self.invited
        )


def message_id(delivery: ReminderDelivery) -> str:
    """The same Message-ID for every attempt at one delivery: a copy sent again after an
    unrecorded success (see `do_send_reminders`) is recognisably the same message."""
    host = urlsplit(settings.SITE_URL).hostname or "actionlab.localhost"
    return (
        f"<reminder.{delivery.kind}.{delivery.iso_year}w{delivery.iso_week:02d}"
        f".{delivery.pk}@{host}>"
    )


@functools.lru_cache(maxsize=256)
def _path(name: str, *args: int) -> str:
    """A path the reminders link to, worked out once per process (the URLs do not change
    while it runs)."""
    return reverse(name, args=args)


def reminder_message(
    delivery: ReminderDelivery, now: datetime.datetime, facts: BatchFacts | None = None
) -> BulkEmail:
    """The check-in reminder: text and HTML, one-click unsubscribe headers, and the
    calendar event with the person's first reminder when they have no calendar
    invitation to it. `facts` are the batch's, read
    here for this delivery alone when not given."""
    facts = facts or BatchFacts.load([delivery], now)
    user, program = delivery.user, delivery.program
    weekday, at, zone, plan = facts.slot(delivery)
    local_today = now.astimezone(zone_or_site(delivery.time_zone)).date()
    unsubscribe = unsubscribe_url(user, delivery.kind)
    context = {
        "person": user,
        "program": program,
        "plan": plan,
        "prompt": facts.prompt(program, local_today),
        "week": LocalWeek(delivery.iso_year, delivery.iso_week),
        "checkin_url": settings.SITE_URL + _path("reflections:checkin", program.pk),
        "unsubscribe_url": unsubscribe,
        "settings_url": settings.SITE_URL + _path("notifications:reminder_settings"),
        "steps_question": CheckIn.STEPS_QUESTION,
        "focus_question": CheckIn.FOCUS_QUESTION,
    }
    message = compose_email(
        subject=f"Your Be Better Now check-in · {program.name}",
        text_template="notifications/email/reminder_checkin.txt",
        html_template="notifications/email/reminder_checkin.html",
        context=context,
        to=[user.email],
        headers={"Message-ID": message_id(delivery)},
        unsubscribe_url=unsubscribe,
    )
    if facts.needs_calendar_file(delivery):
        message.attach(
            "be-better-now-check-in.ics",
            checkin_calendar(
                user=user, program=program, weekday=weekday, at=at, time_zone=zone, now=now
            ),
            "text/calendar",
        )
    return message


def _compose(claimed: Sequence[int], now: datetime.datetime) -> Iterator[tuple[int, Composed]]:
    """Each claimed reminder's email, or why it is skipped: the batch's facts are read
    with one query per kind of fact for the whole batch."""
    deliveries = list(
        ReminderDelivery.objects.filter(pk__in=claimed)
        .select_related("user", "program")
        .order_by("pk")
    )
    facts = BatchFacts.load(deliveries, now)
    for delivery in deliveries:
        yield delivery.pk, facts.skip_reason(delivery) or reminder_message(delivery, now, facts)


def do_send_reminders(
    *,
    delivery_ids: Iterable[int],
    final_attempt: bool = False,
    now: datetime.datetime | None = None,
) -> list[int]:
    """Send a batch of reminders; returns the ids left queued by a transient failure,
    for the caller to retry later.

    Each reminder is sent unless it was sent, skipped or failed already, or another worker
    claimed it, so a batch that runs twice sends each reminder once. Skipped (with the
    reason) when the person checked in meanwhile, turned reminders off, left the program,
    or the week is over. A transient SMTP failure leaves it queued with the reason, or on
    the final attempt marks it failed. What a worker killed mid-batch leaves, and the one
    point that stays at-least-once, are the pipeline's (`notifications.pipeline`)."""
    statuses = _send_batch(delivery_ids, final_attempt=final_attempt, now=now)
    return [pk for pk, status in statuses.items() if status == Status.QUEUED]


def do_send_reminder(
    *, delivery_id: int, final_attempt: bool = False, now: datetime.datetime | None = None
) -> str:
    """Send one reminder (as a batch of one) and return the delivery's status afterwards."""
    statuses = _send_batch([delivery_id], final_attempt=final_attempt, now=now)
    return statuses.get(delivery_id, Status.SKIPPED)


def _send_batch(
    delivery_ids: Iterable[int], *, final_attempt: bool, now: datetime.datetime | None
) -> dict[int, str]:
    return pipeline.send_batch(
        ReminderDelivery,
        delivery_ids,
        _compose,
        final_attempt=final_attempt,
        now=now or timezone.now(),
    )
