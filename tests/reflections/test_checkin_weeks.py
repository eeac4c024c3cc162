"""One check-in per person, program and ISO week of the person's own clock."""

from __future__ import annotations

import datetime
import threading
import zoneinfo

import pytest
import time_machine
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse

from programs.models import Role, User
from reflections.models import CheckIn
from reflections.services import CheckInExists, WeekIsOver, do_update_checkin
from reflections.weeks import LocalWeek, next_slot, streak
from tests import factories as f
from tests.conftest import Cast
from tests.reflections.builders import check_in

LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")
AUCKLAND = zoneinfo.ZoneInfo("Pacific/Auckland")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def set_time_zone(cast: Cast, who: str, name: str) -> None:
    User.objects.filter(pk=getattr(cast, who).pk).update(time_zone=name)


def post_checkin(cast: Cast, who: str) -> None:
    response = cast.client_for(who).post(
        reverse("reflections:checkin", args=[cast.program.pk]),
        {"steps_taken": "Asked first", "next_focus": "Listen", "visibility": "private"},
    )
    assert response.status_code == 302


# The week is the person's own. ----------------------------------------------------------


def test_late_sunday_in_los_angeles_is_still_last_week_although_utc_says_monday(
    cast: Cast,
) -> None:
    set_time_zone(cast, "participant", "America/Los_Angeles")
    sunday_night = datetime.datetime(2026, 11, 29, 23, 30, tzinfo=LOS_ANGELES)
    assert sunday_night.astimezone(datetime.UTC).isocalendar().week == 49
    with time_machine.travel(sunday_night, tick=False):
        post_checkin(cast, "participant")
    saved = CheckIn.objects.get()
    assert (saved.iso_year, saved.iso_week) == (2026, 48)
    assert saved.week_starts_on == datetime.date(2026, 11, 23)
    assert saved.time_zone == "America/Los_Angeles"


def test_early_monday_in_auckland_is_already_the_new_week_although_utc_says_sunday(
    cast: Cast,
) -> None:
    set_time_zone(cast, "participant", "Pacific/Auckland")
    monday_morning = datetime.datetime(2026, 11, 30, 0, 30, tzinfo=AUCKLAND)
    assert monday_morning.astimezone(datetime.UTC).isocalendar().week == 48
    with time_machine.travel(monday_morning, tick=False):
        post_checkin(cast, "participant")
    saved = CheckIn.objects.get()
    assert (saved.iso_year, saved.iso_week) == (2026, 49)
    assert saved.week_starts_on == datetime.date(2026, 11, 30)


def test_at_the_same_instant_auckland_and_los_angeles_are_in_different_weeks(
    cast: Cast,
) -> None:
    set_time_zone(cast, "participant", "Pacific/Auckland")
    set_time_zone(cast, "teammate", "America/Los_Angeles")
    # Sunday 29 November, 11:30 UTC: Monday 00:30 in Auckland, Sunday 03:30 in Los Angeles.
    with time_machine.travel(datetime.datetime(2026, 11, 29, 11, 30, tzinfo=datetime.UTC)):
        post_checkin(cast, "participant")
        post_checkin(cast, "teammate")
    weeks = dict(CheckIn.objects.values_list("user__time_zone", "iso_week"))
    assert weeks == {"Pacific/Auckland": 49, "America/Los_Angeles": 48}


def test_the_iso_year_follows_the_local_clock_at_the_turn_of_the_year(cast: Cast) -> None:
    set_time_zone(cast, "participant", "Pacific/Auckland")
    # Sunday 3 January 2027 in UTC is in week 53 of 2026; in Auckland it is Monday, week 1.
    with time_machine.travel(datetime.datetime(2027, 1, 4, 0, 30, tzinfo=AUCKLAND)):
        post_checkin(cast, "participant")
    saved = CheckIn.objects.get()
    assert (saved.iso_year, saved.iso_week) == (2027, 1)


def test_the_check_in_page_names_the_week_on_the_persons_clock(cast: Cast) -> None:
    set_time_zone(cast, "participant", "America/Los_Angeles")
    with time_machine.travel(datetime.datetime(2026, 11, 29, 23, 30, tzinfo=LOS_ANGELES)):
        html = (
            cast.client_for("participant")
            .get(reverse("reflections:checkin", args=[cast.program.pk]))
            .content.decode()
        )
    assert "Week of 23–29 November 2026 on your clock (America/Los_Angeles)" in html
    assert f'<a href="{reverse("programs:profile")}">Moving? Change your time zone.</a>' in html


# Only one per week. ---------------------------------------------------------------------


def test_a_second_check_in_for_the_same_week_is_refused_with_the_first(cast: Cast) -> None:
    first = check_in(cast.participant, cast.program)
    with pytest.raises(CheckInExists) as refused:
        check_in(cast.participant, cast.program, steps="Again")
    assert refused.value.existing == first
    assert CheckIn.objects.count() == 1


def test_the_database_itself_refuses_two_check_ins_for_one_week(cast: Cast) -> None:
    first = check_in(cast.participant, cast.program)
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(
            user=cast.participant,
            program=cast.program,
            iso_year=first.iso_year,
            iso_week=first.iso_week,
            week_starts_on=first.week_starts_on,
            time_zone="UTC",
            steps_taken="x",
            next_focus="y",
            created_at=first.created_at,
            updated_at=first.created_at,
        )


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite runs one writer at a time; concurrent inserts need PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_two_check_ins_submitted_at_the_same_moment_leave_exactly_one() -> None:
    program = f.ProgramFactory()
    person = f.UserFactory()
    f.MembershipFactory(user=person, program=program, role=Role.PARTICIPANT)
    start = threading.Barrier(2, timeout=10)
    outcomes: list[tuple[str, int]] = []

    def submit(text: str) -> None:
        try:
            start.wait()
            created = check_in(person, program, steps=text)
            outcomes.append(("created", created.pk))
        except CheckInExists as exists:
            outcomes.append(("refused", exists.existing.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(text,)) for text in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(kind for kind, _ in outcomes) == ["created", "refused"]
    assert len({pk for _, pk in outcomes}) == 1  # the refused one got the saved one back
    assert CheckIn.objects.filter(user=person, program=program).count() == 1


def test_posting_again_in_the_same_week_changes_this_weeks_check_in(cast: Cast) -> None:
    client = cast.client_for("participant")
    url = reverse("reflections:checkin", args=[cast.program.pk])
    with time_machine.travel(datetime.datetime(2026, 11, 24, 15, tzinfo=datetime.UTC)):
        client.post(url, {"steps_taken": "First", "next_focus": "F", "visibility": "private"})
    with time_machine.travel(datetime.datetime(2026, 11, 27, 15, tzinfo=datetime.UTC)):
        response = client.post(
            url, {"steps_taken": "Second", "next_focus": "F", "visibility": "private"}
        )
    assert response.status_code == 302
    assert list(CheckIn.objects.values_list("steps_taken", flat=True)) == ["Second"]


def test_a_check_in_cannot_be_changed_after_its_week(cast: Cast) -> None:
    with time_machine.travel(datetime.datetime(2026, 11, 27, 15, tzinfo=datetime.UTC)):
        item = check_in(cast.participant, cast.program)
    with (
        time_machine.travel(datetime.datetime(2026, 12, 1, 15, tzinfo=datetime.UTC)),
        pytest.raises(WeekIsOver),
    ):
        do_update_checkin(
            checkin=item, steps_taken="Late", next_focus="x", progress=None, visibility="private"
        )
    item.refresh_from_db()
    assert item.steps_taken != "Late"


# Weeks, streaks and slots. --------------------------------------------------------------


def week(year: int, number: int) -> tuple[int, int]:
    return (year, number)


@pytest.mark.parametrize(
    ("done", "expected"),
    [
        ([], 0),
        ([week(2026, 48)], 1),
        ([week(2026, 47)], 1),  # this week not written yet: the streak still stands
        ([week(2026, 46)], 0),  # a missed week breaks it
        ([week(2026, 48), week(2026, 47), week(2026, 46), week(2026, 44)], 3),
        ([week(2026, 47), week(2026, 46), week(2026, 45)], 3),
    ],
)
def test_the_streak_counts_consecutive_weeks_ending_this_or_last_week(
    done: list[tuple[int, int]], expected: int
) -> None:
    assert streak(done, LocalWeek(2026, 48)) == expected


def test_a_streak_runs_across_the_turn_of_a_year_with_53_weeks() -> None:
    done = [(2027, 1), (2026, 53), (2026, 52)]
    assert streak(done, LocalWeek(2027, 1)) == 3


def test_last_week_of_the_first_week_is_the_last_week_of_the_year_before() -> None:
    assert LocalWeek(2027, 1).previous() == LocalWeek(2026, 53)
    assert LocalWeek(2026, 1).previous() == LocalWeek(2025, 52)


def test_the_next_slot_is_later_this_week_or_the_same_day_next_week() -> None:
    wednesday = datetime.datetime(2026, 10, 28, 12, tzinfo=NEW_YORK)
    nine = datetime.time(9, 0)
    assert next_slot(wednesday, 4, nine, NEW_YORK) == datetime.datetime(
        2026, 10, 30, 9, tzinfo=NEW_YORK
    )
    assert next_slot(wednesday, 2, nine, NEW_YORK) == datetime.datetime(
        2026, 11, 4, 9, tzinfo=NEW_YORK
    )
    friday_after = datetime.datetime(2026, 10, 30, 9, 1, tzinfo=NEW_YORK)
    assert next_slot(friday_after, 4, nine, NEW_YORK).date() == datetime.date(2026, 11, 6)
