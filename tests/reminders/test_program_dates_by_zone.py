"""A program's first and last day are read on each person's clock: the first and the last
week of a program each get their reminder at the person's slot, in every zone from UTC−12
to UTC+14, and no reminder comes for a slot before the first day; after the last, the
program's alumni keep theirs."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from notifications.digests import do_plan_coach_digests
from notifications.models import ReminderDelivery
from notifications.reminders import do_plan_reminders
from programs.models import Membership, Program, Role, User
from tests import factories as f

# A three-week program from Friday 4 to Friday 25 September 2026, checking in on Fridays.
FIRST_DAY = datetime.date(2026, 9, 4)
LAST_DAY = datetime.date(2026, 9, 25)
ZONES = (
    "Etc/GMT+12",  # UTC−12, the last place on Earth where a day ends
    "America/New_York",
    "UTC",
    "Asia/Kolkata",  # UTC+05:30
    "Pacific/Kiritimati",  # UTC+14, the first place where a day begins
)
# Just after midnight and just before: the slots whose UTC date differs from the local one.
SLOT_TIMES = (datetime.time(0, 30), datetime.time(23, 30))
MINUTE = datetime.timedelta(minutes=1)


def participant_in(zone: str, slot: datetime.time) -> User:
    program = f.ProgramFactory(
        starts_on=FIRST_DAY,
        ends_on=LAST_DAY,
        checkin_weekday=Program.Weekday.FRIDAY,
        checkin_time=slot,
    )
    cohort = f.CohortFactory(program=program, starts_on=FIRST_DAY, ends_on=LAST_DAY)
    person = f.UserFactory(time_zone=zone)
    f.MembershipFactory(user=person, program=program, cohort=cohort, role=Role.PARTICIPANT)
    # Joined in August, well before the program's first week began in any zone.
    Membership.objects.filter(user=person).update(
        created_at=datetime.datetime(2026, 8, 3, tzinfo=datetime.UTC)
    )
    return person


def slot_on(day: datetime.date, slot: datetime.time, zone: str) -> datetime.datetime:
    return datetime.datetime.combine(day, slot, tzinfo=zoneinfo.ZoneInfo(zone))


def tick_at(moment: datetime.datetime) -> list[int]:
    with time_machine.travel(moment, tick=False):
        return do_plan_reminders()


@pytest.mark.parametrize("slot", SLOT_TIMES, ids=lambda t: t.strftime("%H%M"))
@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("day", [FIRST_DAY, LAST_DAY], ids=["first-week", "last-week"])
def test_the_first_and_last_week_get_their_reminder_at_the_persons_slot(
    db: None, zone: str, slot: datetime.time, day: datetime.date
) -> None:
    person = participant_in(zone, slot)
    due = slot_on(day, slot, zone)

    assert tick_at(due - MINUTE) == []
    [planned] = tick_at(due)

    delivery = ReminderDelivery.objects.get(pk=planned)
    assert delivery.user == person
    assert delivery.due_at == due
    assert delivery.time_zone == zone
    assert (delivery.iso_year, delivery.iso_week) == day.isocalendar()[:2]


@pytest.mark.parametrize("zone", ZONES)
def test_no_reminder_for_the_slot_before_the_first_day(db: None, zone: str) -> None:
    slot = datetime.time(23, 30)
    participant_in(zone, slot)
    before = FIRST_DAY - datetime.timedelta(days=7)
    # At the slot and for the rest of its week (Sunday night, local time).
    assert tick_at(slot_on(before, slot, zone)) == []
    assert tick_at(slot_on(before + datetime.timedelta(days=2), datetime.time(23, 55), zone)) == []
    assert not ReminderDelivery.objects.exists()


@pytest.mark.parametrize("zone", ZONES)
def test_after_the_last_day_the_alumni_keep_their_weekly_reminder(db: None, zone: str) -> None:
    slot = datetime.time(23, 30)
    person = participant_in(zone, slot)
    after = LAST_DAY + datetime.timedelta(days=7)
    due = slot_on(after, slot, zone)
    assert tick_at(due - MINUTE) == []
    [planned] = tick_at(due)
    delivery = ReminderDelivery.objects.get(pk=planned)
    assert delivery.user == person
    assert (delivery.iso_year, delivery.iso_week) == after.isocalendar()[:2]


@pytest.mark.parametrize("zone", ZONES)
def test_the_coach_digest_of_the_programs_first_monday_comes_at_08_00_on_the_coachs_clock(
    db: None, zone: str
) -> None:
    first_monday = datetime.date(2026, 9, 7)
    program = f.ProgramFactory(starts_on=first_monday, ends_on=LAST_DAY)
    cohort = f.CohortFactory(program=program, starts_on=first_monday, ends_on=LAST_DAY)
    coach = f.UserFactory(time_zone=zone)
    f.MembershipFactory(user=coach, program=program, role=Role.COACH)
    f.TeamFactory(cohort=cohort, coach=coach)
    due = slot_on(first_monday, datetime.time(8, 0), zone)

    with time_machine.travel(due - MINUTE, tick=False):
        assert do_plan_coach_digests() == []
    with time_machine.travel(due, tick=False):
        [planned] = do_plan_coach_digests()
    assert ReminderDelivery.objects.get(pk=planned).due_at == due
