"""Changing one's time zone mid-week neither loses nor duplicates a check-in or a
reminder: a person walks across zones around a week boundary, where Sunday night in one
zone is already Monday in another."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from notifications.models import ReminderDelivery
from notifications.reminders import do_plan_reminders
from programs.models import Membership, Program, Role, User
from reflections.models import CheckIn
from tests import factories as f

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")
# Weeks 47 and 48 of 2026: 16–22 and 23–29 November.
W47, W48 = (2026, 47), (2026, 48)


@pytest.fixture
def program(db: None) -> Program:
    program = f.ProgramFactory(
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2027, 5, 31),
        checkin_weekday=Program.Weekday.FRIDAY,
        checkin_time=datetime.time(9, 0),
    )
    f.CohortFactory(program=program, starts_on=program.starts_on, ends_on=program.ends_on)
    return program


@pytest.fixture
def priya(program: Program) -> User:
    person = f.UserFactory(first_name="Priya", last_name="Natarajan", time_zone="America/New_York")
    f.MembershipFactory(
        user=person, program=program, cohort=program.cohorts.get(), role=Role.PARTICIPANT
    )
    # She joined when the program started, weeks before the weeks walked through here.
    Membership.objects.filter(user=person).update(
        created_at=datetime.datetime(2026, 9, 1, 9, 0, tzinfo=datetime.UTC)
    )
    return person


def signed_in(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def move_to(client: Client, person: User, program: Program, zone: str) -> None:
    """Change the zone on "My profile", as the person would."""
    response = client.post(
        reverse("programs:profile"),
        {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "time_zone": zone,
            f"org{program.organization_id}-discipline": "nurse",
        },
    )
    assert response.status_code == 302, response.content.decode()


def check_in(client: Client, program: Program, text: str) -> str:
    client.post(
        reverse("reflections:checkin", args=[program.pk]),
        {"steps_taken": text, "next_focus": f"Focus after {text}", "visibility": "private"},
    )
    return client.get(reverse("reflections:checkin", args=[program.pk])).content.decode()


def tick(moment: datetime.datetime) -> list[int]:
    with time_machine.travel(moment, tick=False):
        return do_plan_reminders()


def weeks(model: type[CheckIn] | type[ReminderDelivery], person: User) -> list[tuple[int, int]]:
    return sorted(model.objects.filter(user=person).values_list("iso_year", "iso_week"))


def test_moving_east_over_the_week_boundary_and_back(program: Program, priya: User) -> None:
    client = signed_in(priya)
    # Friday of week 47, 09:00 in New York: her reminder for week 47.
    assert len(tick(datetime.datetime(2026, 11, 20, 9, 0, tzinfo=NEW_YORK))) == 1

    # Sunday 22 November, 21:00 in New York: she checks in for week 47, then flies to
    # Kolkata, where it is already Monday of week 48.
    sunday_night = datetime.datetime(2026, 11, 22, 21, 0, tzinfo=NEW_YORK)
    with time_machine.travel(sunday_night, tick=False):
        page = check_in(client, program, "Week 47, from New York")
        assert "Week of 16–22 November 2026 on your clock (America/New_York)" in page
        move_to(client, priya, program, "Asia/Kolkata")
        page = client.get(reverse("reflections:checkin", args=[program.pk])).content.decode()
    assert "Week of 23–29 November 2026 on your clock (Asia/Kolkata)" in page
    assert "Focus after Week 47, from New York" in page  # last week's check-in, kept
    assert "You checked in this week" not in page
    assert tick(sunday_night) == []  # week 47's reminder went out already

    # Monday morning in Kolkata she checks in for week 48, then goes back to New York,
    # where it is still Sunday of week 47.
    with time_machine.travel(datetime.datetime(2026, 11, 23, 8, 0, tzinfo=KOLKATA), tick=False):
        check_in(client, program, "Week 48, from Kolkata")
        move_to(client, priya, program, "America/New_York")
        page = client.get(reverse("reflections:checkin", args=[program.pk])).content.decode()
        assert "Week of 16–22 November 2026 on your clock (America/New_York)" in page
        assert "You checked in this week" in page  # week 47's, not a new empty one
        check_in(client, program, "Week 47, edited back in New York")

    # Friday of week 48 in New York: she checked in for week 48 already, so no reminder.
    assert tick(datetime.datetime(2026, 11, 27, 9, 0, tzinfo=NEW_YORK)) == []
    assert weeks(CheckIn, priya) == [W47, W48]
    assert weeks(ReminderDelivery, priya) == [W47]
    assert CheckIn.objects.get(user=priya, iso_week=47).steps_taken == (
        "Week 47, edited back in New York"
    )


def test_moving_west_after_the_reminder_sends_no_second_one(program: Program, priya: User) -> None:
    client = signed_in(priya)
    with time_machine.travel(datetime.datetime(2026, 11, 19, 12, 0, tzinfo=NEW_YORK)):
        move_to(client, priya, program, "Asia/Kolkata")
    # Friday 09:00 in Kolkata: the week-47 reminder.
    friday_kolkata = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=KOLKATA)
    assert len(tick(friday_kolkata)) == 1
    # She flies to New York, where it is still Thursday night of week 47.
    with time_machine.travel(friday_kolkata, tick=False):
        move_to(client, priya, program, "America/New_York")
    # Friday 09:00 in New York, and every tick until the week ends there: nothing more.
    friday_new_york = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=NEW_YORK)
    for hours in range(0, 63, 6):
        assert tick(friday_new_york + datetime.timedelta(hours=hours)) == []
    # The next week's reminder comes at her new slot.
    assert len(tick(datetime.datetime(2026, 11, 27, 9, 0, tzinfo=NEW_YORK))) == 1
    assert weeks(ReminderDelivery, priya) == [W47, W48]
