"""The tick plans one reminder per person and local week, at the person's own slot."""

from __future__ import annotations

import datetime
import zoneinfo
from collections import Counter
from collections.abc import Iterator

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import ReminderDelivery
from notifications.reminders import (
    SEND_BATCH_SIZE,
    do_plan_reminders,
    do_send_reminder,
    do_set_reminders,
)
from programs.models import Cohort, Membership, Program, User
from reflections.models import Plan, ReminderKind
from reflections.services import do_create_checkin
from tests.reminders.conftest import Person

UTC = datetime.UTC
TICK = datetime.timedelta(minutes=5)
ZONES = ("America/New_York", "Europe/London", "Asia/Kolkata", "Pacific/Auckland")


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


# Around every Sunday 09:00 of the four zones, in UTC, whether or not daylight saving is on:
# Auckland (Saturday 20:00 or 21:00), Kolkata (03:30), London (08:00 or 09:00) and New York
# (13:00 or 14:00).
DENSE = (
    (5, datetime.time(19, 50), datetime.time(21, 10)),
    (6, datetime.time(3, 20), datetime.time(3, 40)),
    (6, datetime.time(7, 50), datetime.time(9, 10)),
    (6, datetime.time(12, 50), datetime.time(14, 10)),
)


def ticks(first_monday: datetime.datetime, weeks: int) -> Iterator[datetime.datetime]:
    """Beat's tick every five minutes around the slots, and every six hours in between (a
    tick with nothing due does nothing; skipping most of those keeps the test quick)."""
    moment = first_monday
    end = first_monday + datetime.timedelta(weeks=weeks)
    while moment < end:
        yield moment
        dense = any(
            moment.weekday() == day and start <= moment.time() < stop for day, start, stop in DENSE
        )
        if dense:
            moment += TICK
        else:
            following = moment.replace(minute=0) + datetime.timedelta(hours=6)
            starts = [
                datetime.datetime.combine(
                    moment.date() + datetime.timedelta(days=(day - moment.weekday()) % 7),
                    start,
                    tzinfo=UTC,
                )
                for day, start, _ in DENSE
            ]
            moment = min([following, *(s for s in starts if s > moment)])


def run_ticks(moments: Iterator[datetime.datetime]) -> None:
    first = next(moments)
    with time_machine.travel(first, tick=False) as traveller:
        do_plan_reminders()
        for moment in moments:
            traveller.move_to(moment)
            do_plan_reminders()


def sunday_slots(zone: str, first_monday: datetime.datetime, weeks: int) -> set[tuple[int, int]]:
    """The local ISO weeks whose Sunday 09:00 lies inside the simulated span."""
    local = zoneinfo.ZoneInfo(zone)
    found = set()
    for week in range(weeks + 1):
        sunday = first_monday.date() + datetime.timedelta(weeks=week, days=-1)
        slot = datetime.datetime.combine(sunday, datetime.time(9), tzinfo=local)
        if first_monday <= slot < first_monday + datetime.timedelta(weeks=weeks):
            iso = sunday.isocalendar()
            found.add((iso.year, iso.week))
    return found


@pytest.mark.parametrize(
    ("first_monday", "weeks"),
    [
        # New York springs forward on 8 March, London on 29 March, Auckland falls back
        # on 5 April.
        pytest.param(at("2026-03-02 12:00"), 6, id="spring-2026"),
        # Auckland springs forward on 27 September, London falls back on 25 October,
        # New York on 1 November.
        pytest.param(at("2026-09-21 12:00"), 7, id="autumn-2026"),
    ],
)
def test_a_nine_oclock_slot_is_planned_at_nine_local_once_every_week_across_dst(
    person: Person, first_monday: datetime.datetime, weeks: int
) -> None:
    people = {zone: person(zone) for zone in ZONES}

    run_ticks(ticks(first_monday, weeks))

    for zone, member in people.items():
        local = zoneinfo.ZoneInfo(zone)
        deliveries = list(ReminderDelivery.objects.filter(user=member))
        per_week = Counter((d.iso_year, d.iso_week) for d in deliveries)
        assert set(per_week) == sunday_slots(zone, first_monday, weeks), zone
        assert set(per_week.values()) == {1}, zone
        for delivery in deliveries:
            due = delivery.due_at.astimezone(local)
            assert (due.weekday(), due.time()) == (6, datetime.time(9)), (zone, due)
            # Planned by the first tick at or after the slot.
            assert datetime.timedelta(0) <= delivery.created_at - delivery.due_at < TICK


def test_a_slot_in_the_repeated_hour_is_planned_once(person: Person, cohort: Cohort) -> None:
    member = person("America/New_York")
    Program.objects.filter(pk=cohort.program.pk).update(checkin_time=datetime.time(1, 30))
    # 1 November 2026, 01:30 happens twice in New York: 05:30 and 06:30 UTC.
    start = at("2026-11-01 04:00")
    run_ticks(start + TICK * n for n in range(12 * 4))

    delivery = ReminderDelivery.objects.get(user=member)
    assert delivery.due_at == at("2026-11-01 05:30")
    assert (delivery.iso_year, delivery.iso_week) == (2026, 44)


def test_a_slot_in_the_skipped_hour_is_planned_once_just_after_it(
    person: Person, cohort: Cohort
) -> None:
    member = person("America/New_York")
    Program.objects.filter(pk=cohort.program.pk).update(checkin_time=datetime.time(2, 30))
    # 8 March 2026, 02:00 jumps to 03:00 in New York; 02:30 never happens.
    start = at("2026-03-08 05:00")
    run_ticks(start + TICK * n for n in range(12 * 4))

    delivery = ReminderDelivery.objects.get(user=member)
    assert delivery.due_at == at("2026-03-08 07:30")


def test_the_plans_slot_wins_over_the_programs_on_the_persons_clock(
    person: Person, cohort: Cohort
) -> None:
    member = person("Europe/London")
    Plan.objects.create(
        user=member,
        program=cohort.program,
        aspect="Listening",
        action="ask before I answer",
        checkin_weekday=Program.Weekday.WEDNESDAY,
        checkin_time=datetime.time(17, 0),
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    # Wednesday 4 March 2026, 17:00 in London is 17:00 UTC.
    assert do_plan_reminders(now=at("2026-03-04 16:55")) == []
    assert len(do_plan_reminders(now=at("2026-03-04 17:00"))) == 1
    assert ReminderDelivery.objects.get(user=member).time_zone == "Europe/London"


def test_running_the_tick_twice_plans_one_reminder_per_person_and_week(person: Person) -> None:
    # Sunday 14:00 UTC: 09:00 has passed in New York, London and Kolkata.
    members = [person(zone) for zone in ZONES[:3]]
    now = at("2026-05-17 14:00")

    first = do_plan_reminders(now=now)
    second = do_plan_reminders(now=now + TICK)

    assert len(first) == len(members)
    assert second == []
    assert ReminderDelivery.objects.count() == len(members)


def test_planned_reminders_are_sent_after_commit_in_batches(
    person: Person, django_capture_on_commit_callbacks, mailoutbox
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(SEND_BATCH_SIZE + 10):
        person("Europe/London")

    with time_machine.travel(at("2026-05-17 12:00"), tick=False):
        with django_capture_on_commit_callbacks() as callbacks:
            planned = do_plan_reminders()
        assert mailoutbox == []
        assert len(callbacks) == 2  # one message per SEND_BATCH_SIZE deliveries
        for callback in callbacks:
            callback()
    assert len(mailoutbox) == len(planned) == SEND_BATCH_SIZE + 10
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_rolled_back_tick_enqueues_nothing(
    person: Person, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    person("Europe/London")

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        do_plan_reminders(now=at("2026-05-17 12:00"))
        raise RuntimeError("the surrounding work failed")

    assert callbacks == []
    assert not ReminderDelivery.objects.exists()


def test_nobody_is_reminded_before_their_slot(person: Person) -> None:
    person("America/New_York")  # Sunday 09:00 in New York is 13:00 UTC in May
    assert do_plan_reminders(now=at("2026-05-17 12:55")) == []
    assert len(do_plan_reminders(now=at("2026-05-17 13:00"))) == 1


def test_whoever_checked_in_this_week_is_not_reminded(person: Person, cohort: Cohort) -> None:
    done, waiting = person("Europe/London"), person("Europe/London")
    do_create_checkin(
        user=done,
        program=cohort.program,
        time_zone="Europe/London",
        steps_taken="Asked before answering twice.",
        next_focus="Do it in the huddle.",
        progress=3,
        visibility="private",
        now=at("2026-05-13 10:00"),
    )

    do_plan_reminders(now=at("2026-05-17 12:00"))

    assert list(ReminderDelivery.objects.values_list("user", flat=True)) == [waiting.pk]


def test_whoever_turned_reminders_off_is_not_reminded(person: Person) -> None:
    off, on = person("Europe/London"), person("Europe/London")
    do_set_reminders(user=off, kind=ReminderKind.CHECKIN, enabled=False)

    do_plan_reminders(now=at("2026-05-17 12:00"))

    assert list(ReminderDelivery.objects.values_list("user", flat=True)) == [on.pk]


def test_a_former_participant_is_not_reminded(person: Person) -> None:
    member = person("Europe/London")
    Membership.objects.filter(user=member).update(is_active=False)

    assert do_plan_reminders(now=at("2026-05-17 12:00")) == []


def test_someone_who_joins_minutes_before_their_slot_is_not_reminded_that_week(
    person: Person,
) -> None:
    # Sunday 17 May 2026: she accepts her invitation at 08:50 in London; the slot is 09:00.
    member = person("Europe/London", joined_at=at("2026-05-17 07:50"))

    assert do_plan_reminders(now=at("2026-05-17 08:05")) == []
    # Her first full week is the one starting Monday 18 May: its Sunday brings the reminder.
    planned = do_plan_reminders(now=at("2026-05-24 08:05"))
    assert list(
        ReminderDelivery.objects.filter(pk__in=planned).values_list("user", "iso_week")
    ) == [(member.pk, 21)]


def test_the_first_full_week_is_read_on_the_persons_own_clock(person: Person) -> None:
    # Sunday 17 May 2026, 23:30 UTC: still Sunday evening in New York, already Monday
    # 00:30 in London, where the week of 18 May has begun without her.
    joined = at("2026-05-17 23:30")
    new_york = person("America/New_York", joined_at=joined)
    london = person("Europe/London", joined_at=joined)

    # Sunday 24 May, past 09:00 in both zones.
    first = do_plan_reminders(now=at("2026-05-24 14:00"))
    assert set(ReminderDelivery.objects.filter(pk__in=first).values_list("user", flat=True)) == {
        new_york.pk
    }
    following = do_plan_reminders(now=at("2026-05-31 14:00"))
    assert set(
        ReminderDelivery.objects.filter(pk__in=following).values_list("user", flat=True)
    ) == {new_york.pk, london.pk}


def test_nobody_is_reminded_before_the_program_starts(person: Person) -> None:
    person("Europe/London")
    assert do_plan_reminders(now=at("2026-01-04 12:00")) == []


def test_after_the_program_its_alumni_are_still_reminded(person: Person) -> None:
    alumna = person("Europe/London")
    [planned] = do_plan_reminders(now=at("2027-01-03 12:00"))
    assert ReminderDelivery.objects.get(pk=planned).user == alumna


def _queries_for(count: int, make: Person) -> int:
    for _ in range(count):
        make("Europe/London")
    with CaptureQueriesContext(connection) as context:
        planned = do_plan_reminders(now=at("2026-05-17 12:00"))
    assert len(planned) == count
    ReminderDelivery.objects.all().delete()
    User.objects.filter(memberships__isnull=False).delete()
    return len(context.captured_queries)


def test_the_ticks_queries_do_not_grow_with_the_number_of_due_people(person: Person) -> None:
    assert _queries_for(20, person) == _queries_for(200, person)


def test_a_checkin_week_matches_the_reminder_week(person: Person, cohort: Cohort) -> None:
    # Sunday 09:00 in Auckland is still Saturday in UTC: the week is the local one.
    member = person("Pacific/Auckland")
    do_plan_reminders(now=at("2026-05-16 21:05"))
    delivery = ReminderDelivery.objects.get(user=member)
    assert (delivery.iso_year, delivery.iso_week) == (2026, 20)
    # The check-in she writes on reading it counts for that same week, so the reminder,
    # had it not gone out yet, would be skipped.
    checkin = do_create_checkin(
        user=member,
        program=cohort.program,
        time_zone="Pacific/Auckland",
        steps_taken="Asked before answering.",
        next_focus="Listen longer.",
        progress=None,
        visibility="private",
        now=at("2026-05-16 21:10"),
    )
    assert (checkin.iso_year, checkin.iso_week) == (delivery.iso_year, delivery.iso_week)
    # The reminder is still waiting, so sending it really decides (a delivery it could not
    # claim would also answer "skipped"), and the reason says why.
    assert delivery.status == "queued"
    assert do_send_reminder(delivery_id=delivery.pk, now=at("2026-05-16 21:10")) == "skipped"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.reason) == (
        "skipped",
        "Checked in before the reminder went out.",
    )


def test_due_slots_beyond_one_statement_are_all_planned_once(
    person: Person, cohort: Cohort, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Four due slots, planned two per statement.
    monkeypatch.setattr("notifications.reminders.PLAN_SLOTS_PER_STATEMENT", 2)
    with_plan = person("UTC")
    Plan.objects.create(
        user=with_plan,
        program=cohort.program,
        aspect="Listening",
        action="ask before I answer",
        checkin_weekday=Program.Weekday.WEDNESDAY,
        checkin_time=datetime.time(17, 0),
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    due = {person(zone): zone for zone in ("Europe/London", "Asia/Kolkata", "Asia/Tokyo")}
    person("Pacific/Auckland")  # already Monday there: next week's slot is still ahead
    # Sunday 17 May 2026, 14:00 UTC.
    now = at("2026-05-17 14:00")

    planned = do_plan_reminders(now=now)

    assert planned == sorted(planned)
    deliveries = ReminderDelivery.objects.filter(pk__in=planned)
    assert {d.user_id: d.time_zone for d in deliveries} == {
        with_plan.pk: "UTC",
        **{member.pk: zone for member, zone in due.items()},
    }
    assert do_plan_reminders(now=now + TICK) == []
