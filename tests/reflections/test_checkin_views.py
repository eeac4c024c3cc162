"""The Be Better Now plan (with its calendar file and partner email), this week's check-in,
the check-in history with its streak, and one check-in's page."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from programs.models import Program, User
from reflections.forms import clean_action
from reflections.models import CheckIn, CheckInVisibility, Plan, ReadReceipt
from tests import factories as f
from tests.conftest import Cast
from tests.reflections.builders import check_in, plan_for

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def plan_data(**overrides: object) -> dict[str, object]:
    return {
        "aspect": "How I listen in meetings I chair.",
        "action": "ask one open question before I give advice",
        "partner_user": "",
        "partner_name": "",
        "partner_email": "",
        "checkin_weekday": "4",
        "checkin_time": "09:00",
    } | overrides


def checkin_data(**overrides: object) -> dict[str, object]:
    return {
        "steps_taken": "Asked an open question in three huddles.",
        "next_focus": "Let the charge nurse lead the bed meeting.",
        "progress": "4",
        "visibility": "private",
    } | overrides


# The plan. ------------------------------------------------------------------------------


def test_a_new_plan_starts_from_the_programs_slot_in_my_time_zone(cast: Cast) -> None:
    User.objects.filter(pk=cast.participant.pk).update(time_zone="Europe/London")
    Program.objects.filter(pk=cast.program.pk).update(
        checkin_weekday=Program.Weekday.TUESDAY, checkin_time=datetime.time(16, 30)
    )
    html = (
        cast.client_for("participant")
        .get(reverse("reflections:plan", args=[cast.program.pk]))
        .content.decode()
    )
    assert "No plan yet — take five minutes now" in html
    assert '<option value="1" selected>Tuesday</option>' in html
    assert 'value="16:30"' in html
    assert "On your own clock: Europe/London." in html


def test_saving_a_plan_with_a_program_member_as_partner(cast: Cast) -> None:
    response = cast.client_for("participant").post(
        reverse("reflections:plan", args=[cast.program.pk]),
        plan_data(partner_user=cast.teammate.pk),
        follow=True,
    )
    plan = Plan.objects.get()
    assert (plan.user, plan.partner_user, plan.partner_email) == (
        cast.participant,
        cast.teammate,
        "",
    )
    html = response.content.decode()
    assert "Your Be Better Now plan is saved." in html
    assert "I will ask one open question before I give advice" in html
    assert "Fridays at 09:00, 10 minutes, on your clock (America/New_York)" in html
    assert reverse("reflections:plan_calendar", args=[cast.program.pk]) in html
    assert mail.outbox == []


def test_an_outside_partner_gets_one_opt_in_email_after_the_plan_is_saved(
    cast: Cast, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = cast.client_for("participant")
    url = reverse("reflections:plan", args=[cast.program.pk])
    outside = plan_data(partner_name="Alex Mentor", partner_email="Alex.Mentor@Example.com")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url, outside, follow=True)
    assert len(callbacks) == 1
    assert "We are emailing Alex Mentor once" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alex.mentor@example.com"]
    assert "Pat Participant asks you to be their accountability partner" in message.subject
    assert "I will ask one open question before I give advice" in message.body
    # Saving the plan again does not email the same person again.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, outside | {"aspect": "Changed aspect"})
    assert len(mail.outbox) == 1
    assert Plan.objects.get().partner_invited_at is not None


def test_a_new_outside_partner_gets_their_own_email(
    cast: Cast, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    url = reverse("reflections:plan", args=[cast.program.pk])
    client = cast.client_for("participant")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, plan_data(partner_name="Alex", partner_email="alex@example.com"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, plan_data(partner_name="Blair", partner_email="blair@example.com"))
    assert [m.to for m in mail.outbox] == [["alex@example.com"], ["blair@example.com"]]


def test_the_partner_agrees_through_the_link_and_the_plan_shows_it(
    cast: Cast, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        plan_for(cast.participant, cast.program)
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/accountability-partners/" in line
    )
    path = link.strip().removeprefix("https://actionlab.example.org")
    anonymous = Client()
    page = anonymous.get(path)
    assert page.status_code == 200
    assert b"I agree to be their accountability partner" in page.content
    assert Plan.objects.get().partner_confirmed_at is None  # opening the link is not agreeing
    assert anonymous.post(path).status_code == 200
    assert Plan.objects.get().partner_confirmed_at is not None
    html = cast.client_for("participant").get(reverse("reflections:plan", args=[cast.program.pk]))
    assert b"agreed on" in html.content


def test_a_tampered_partner_link_is_not_found(db: None) -> None:
    response = Client().get(reverse("reflections:partner_confirm", args=["not-a-real-token"]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("I will", "Say what you will do."),
        ("I think I should listen more", "“I” is not a verb."),
        ("My team will decide", "“My” is not a verb."),
        ("The huddles need work", "“The” is not a verb."),
        ("A walk on the unit", "“A” is not a verb."),
        ("maybe ask more questions", "“maybe” is not a verb."),
        ("3 things a day", "Start with a word, not a number or a sign."),
        ("… and listen", "Start with a word, not a number or a sign."),
        ("listen", "Make it a sentence"),
    ],
)
def test_the_i_will_sentence_must_start_with_a_verb(cast: Cast, action: str, message: str) -> None:
    response = cast.client_for("participant").post(
        reverse("reflections:plan", args=[cast.program.pk]),
        plan_data(action=action, partner_user=cast.teammate.pk),
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Start with a verb that says what you will do" in response.content.decode()
    assert not Plan.objects.exists()


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("ask one open question", "ask one open question"),
        ("I will ask one open question", "ask one open question"),
        ("i will:  Delegate the data pull", "Delegate the data pull"),
        ("Block thirty minutes on Fridays", "Block thirty minutes on Fridays"),
    ],
)
def test_an_i_will_sentence_that_starts_with_a_verb_is_kept(typed: str, kept: str) -> None:
    assert clean_action(typed) == kept


@pytest.mark.parametrize(
    ("partner", "message"),
    [
        ({}, "Name an accountability partner"),
        ({"partner_name": "Alex"}, "Give your partner&#x27;s email too."),
        ({"partner_email": "alex@example.com"}, "Give your partner&#x27;s name too."),
        ({"partner_name": "Alex", "partner_email": "not-an-email"}, "Enter a valid email"),
        ({"partner_user": "TEAMMATE", "partner_name": "Alex"}, "not both"),
        ({"partner_user": "OUTSIDER"}, "Select a valid choice."),
    ],
)
def test_the_partner_is_a_program_member_or_a_name_and_email(
    cast: Cast, partner: dict[str, str], message: str
) -> None:
    ids = {"TEAMMATE": str(cast.teammate.pk), "OUTSIDER": str(cast.outsider.pk)}
    partner = {key: ids.get(value, value) for key, value in partner.items()}
    response = cast.client_for("participant").post(
        reverse("reflections:plan", args=[cast.program.pk]), plan_data(**partner)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Plan.objects.exists()


# The calendar file. ---------------------------------------------------------------------


def calendar_for(cast: Cast) -> Calendar:
    response = cast.client_for("participant").get(
        reverse("reflections:plan_calendar", args=[cast.program.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "be-better-now-check-in.ics" in response["Content-Disposition"]
    return Calendar.from_ical(response.content)


def test_the_calendar_file_is_a_weekly_ten_minute_event_in_new_york_time(cast: Cast) -> None:
    plan_for(cast.participant, cast.program)  # Fridays 09:00, America/New_York
    # Wednesday 28 October 2026: the next Friday is still in daylight saving time, the
    # Friday after it is not (clocks go back on 1 November).
    with time_machine.travel(datetime.datetime(2026, 10, 28, 12, tzinfo=NEW_YORK)):
        calendar = calendar_for(cast)
    event = calendar.events[0]
    start = event["DTSTART"]
    assert start.params["TZID"] == "America/New_York"
    assert event.start == datetime.datetime(2026, 10, 30, 9, 0, tzinfo=NEW_YORK)
    assert event.start.utcoffset() == datetime.timedelta(hours=-4)
    assert event.duration == datetime.timedelta(minutes=10)
    rule = event["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    assert rule["BYDAY"] == ["FR"]
    assert rule["UNTIL"][0].date() == datetime.date(2027, 6, 5)  # the program ends 4 June
    [zone] = calendar.timezones
    assert zone["TZID"] == "America/New_York"
    kinds = {component.name for component in zone.subcomponents}
    assert kinds == {"STANDARD", "DAYLIGHT"}
    # The timezone knows the change on 1 November, so the meeting stays at 09:00 local.
    after_the_change = datetime.datetime(2026, 11, 6, 9, tzinfo=zone.to_tz())
    assert after_the_change.utcoffset() == datetime.timedelta(hours=-5)
    [alarm] = event.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm["TRIGGER"].dt == datetime.timedelta(minutes=-5)
    description = str(event["DESCRIPTION"])
    assert "What clear steps did I take last week for my own development?" in description
    assert "What will I focus on executing next week?" in description
    assert reverse("reflections:checkin", args=[cast.program.pk]) in description


def test_the_calendar_event_starts_next_week_once_this_weeks_slot_has_passed(
    cast: Cast,
) -> None:
    plan_for(cast.participant, cast.program)
    with time_machine.travel(datetime.datetime(2026, 10, 30, 9, 30, tzinfo=NEW_YORK)):
        event = calendar_for(cast).events[0]
    assert event.start == datetime.datetime(2026, 11, 6, 9, 0, tzinfo=NEW_YORK)


def test_before_a_plan_exists_the_calendar_uses_the_programs_slot(cast: Cast) -> None:
    User.objects.filter(pk=cast.participant.pk).update(time_zone="Asia/Kolkata")
    with time_machine.travel(datetime.datetime(2026, 10, 28, 12, tzinfo=datetime.UTC)):
        event = calendar_for(cast).events[0]
    assert event["DTSTART"].params["TZID"] == "Asia/Kolkata"
    assert event.start.hour == 9
    assert event.start.weekday() == 4


def test_the_calendar_uid_stays_the_same_so_a_new_download_updates_the_event(
    cast: Cast,
) -> None:
    assert calendar_for(cast).events[0]["UID"] == calendar_for(cast).events[0]["UID"]


# This week's check-in. ------------------------------------------------------------------


def checkin_page(client: Client, program: Program) -> str:
    response = client.get(reverse("reflections:checkin", args=[program.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_check_in_asks_the_two_questions_and_shows_last_weeks_focus(cast: Cast) -> None:
    with time_machine.travel(datetime.datetime(2026, 11, 20, 15, tzinfo=datetime.UTC)):
        check_in(cast.participant, cast.program, focus="Let others speak first")
    with time_machine.travel(datetime.datetime(2026, 11, 25, 15, tzinfo=datetime.UTC)):
        html = checkin_page(cast.client_for("participant"), cast.program)
    assert "What clear steps did I take last week for my own development?" in html
    assert "What will I focus on executing next week?" in html
    assert "Last week you said you would focus on" in html
    assert "Let others speak first" in html


def test_without_last_weeks_check_in_the_page_says_where_to_start(cast: Cast) -> None:
    html = checkin_page(cast.client_for("participant"), cast.program)
    assert "You did not check in last week. Start from today" in html


def test_a_check_in_is_saved_with_a_message_naming_the_week(cast: Cast) -> None:
    with time_machine.travel(datetime.datetime(2026, 11, 25, 15, tzinfo=datetime.UTC)):
        response = cast.client_for("participant").post(
            reverse("reflections:checkin", args=[cast.program.pk]), checkin_data(), follow=True
        )
    saved = CheckIn.objects.get()
    assert (saved.progress, saved.visibility, saved.team) == (4, "private", cast.team)
    html = response.content.decode()
    assert "Your check-in for the week of 23–29 November 2026 is saved." in html
    assert "You can change it until the end of Sunday, 29 November." in html


def test_after_the_week_ends_the_page_offers_a_new_check_in(cast: Cast) -> None:
    with time_machine.travel(datetime.datetime(2026, 11, 25, 15, tzinfo=datetime.UTC)):
        check_in(cast.participant, cast.program, steps="Old week steps")
    with time_machine.travel(datetime.datetime(2026, 12, 1, 15, tzinfo=datetime.UTC)):
        client = cast.client_for("participant")
        html = checkin_page(client, cast.program)
        assert "Old week steps" not in html.split("<form")[1]
        client.post(
            reverse("reflections:checkin", args=[cast.program.pk]), checkin_data(steps_taken="New")
        )
    assert list(CheckIn.objects.values_list("steps_taken", flat=True)) == ["New", "Old week steps"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"steps_taken": "  "}, "A few words are enough, but answer this question."),
        ({"next_focus": ""}, "A few words are enough, but answer this question."),
        ({"progress": "7"}, "Select a valid choice."),
        ({"visibility": "sponsor"}, "Select a valid choice."),
        ({"visibility": "partner"}, "names no accountability partner in the program"),
    ],
)
def test_bad_check_in_input_gets_a_clear_error_and_saves_nothing(
    cast: Cast, changes: dict[str, str], message: str
) -> None:
    response = cast.client_for("participant").post(
        reverse("reflections:checkin", args=[cast.program.pk]), checkin_data(**changes)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CheckIn.objects.exists()


def test_a_check_in_can_be_shared_with_a_partner_named_in_the_plan(cast: Cast) -> None:
    plan_for(cast.participant, cast.program, partner=cast.teammate)
    response = cast.client_for("participant").post(
        reverse("reflections:checkin", args=[cast.program.pk]),
        checkin_data(visibility="partner"),
    )
    assert response.status_code == 302
    assert CheckIn.objects.get().visibility == CheckInVisibility.PARTNER


def test_a_check_in_saved_meanwhile_elsewhere_is_shown_with_a_clear_error(cast: Cast) -> None:
    from reflections import checkin_views

    client = cast.client_for("participant")
    url = reverse("reflections:checkin", args=[cast.program.pk])
    original = checkin_views.do_create_checkin

    def another_window_was_faster(**kwargs: Any) -> CheckIn:
        original(**(kwargs | {"steps_taken": "From my phone"}))
        return original(**kwargs)

    checkin_views.do_create_checkin = another_window_was_faster  # type: ignore[assignment]
    try:
        response = client.post(url, checkin_data(steps_taken="From my laptop"))
    finally:
        checkin_views.do_create_checkin = original
    assert response.status_code == 409
    html = response.content.decode()
    assert "This week&#x27;s check-in was saved a moment ago" in html
    assert "From my phone" in html
    assert list(CheckIn.objects.values_list("steps_taken", flat=True)) == ["From my phone"]


# History and streak. --------------------------------------------------------------------


def test_the_history_lists_my_check_ins_with_the_streak(cast: Cast) -> None:
    for day in (4, 11, 18, 25):  # four Wednesdays in a row
        moment = datetime.datetime(2026, 11, day, 15, tzinfo=datetime.UTC)
        check_in(cast.participant, cast.program, steps=f"Steps of the {day}th", now=moment)
    check_in(cast.teammate, cast.program, steps="Not mine")
    with time_machine.travel(datetime.datetime(2026, 11, 26, 15, tzinfo=datetime.UTC)):
        html = (
            cast.client_for("participant")
            .get(reverse("reflections:checkin_history", args=[cast.program.pk]))
            .content.decode()
        )
    assert "4 weeks in a row" in html
    assert html.index("Steps of the 25th") < html.index("Steps of the 4th")
    assert "Not mine" not in html
    assert "This week" in html


def test_an_empty_history_says_what_to_do_next(cast: Cast) -> None:
    html = cast.client_for("participant").get(
        reverse("reflections:checkin_history", args=[cast.program.pk])
    )
    assert b"No check-ins yet" in html.content
    assert b"0 weeks in a row" in html.content


def add_checkins(user: User, program: Program, count: int) -> None:
    now = timezone.now()
    monday = now.date() - datetime.timedelta(days=now.weekday())
    rows = []
    for n in range(count):
        start = monday - datetime.timedelta(weeks=n)
        iso = start.isocalendar()
        rows.append(
            CheckIn(
                user=user,
                program=program,
                iso_year=iso.year,
                iso_week=iso.week,
                week_starts_on=start,
                time_zone="America/New_York",
                steps_taken=f"Steps {n}",
                next_focus="Focus",
                progress=3,
                visibility=CheckInVisibility.COACH if n % 2 else CheckInVisibility.PRIVATE,
                created_at=now,
                updated_at=now,
            )
        )
    CheckIn.objects.bulk_create(rows)


def test_the_history_runs_the_same_queries_for_5_and_500_check_ins_and_at_most_10(
    cast: Cast,
) -> None:
    add_checkins(cast.participant, cast.program, 5)
    add_checkins(cast.teammate, cast.program, 500)
    url = reverse("reflections:checkin_history", args=[cast.program.pk])
    counts = []
    for user in (cast.participant, cast.teammate):
        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 10


def test_the_history_shows_twenty_check_ins_a_page(cast: Cast) -> None:
    add_checkins(cast.participant, cast.program, 25)
    client = cast.client_for("participant")
    url = reverse("reflections:checkin_history", args=[cast.program.pk])
    assert len(re.findall(r"Steps \d+", client.get(url).content.decode())) == 20
    assert len(re.findall(r"Steps \d+", client.get(url, {"page": 2}).content.decode())) == 5


# One check-in. --------------------------------------------------------------------------


def test_the_author_sees_who_read_a_shared_check_in(cast: Cast) -> None:
    item = check_in(cast.participant, cast.program, visibility=CheckInVisibility.COACH)
    url = reverse("reflections:checkin_detail", args=[item.pk])
    coach_page = cast.client_for("coach").get(url).content.decode()
    assert "Pat Participant’s check-in" in coach_page
    assert "Who read it" not in coach_page
    html = cast.client_for("participant").get(url).content.decode()
    assert "Casey Coach" in html.split('id="reads-heading"')[1]
    assert ReadReceipt.objects.filter(checkin=item).count() == 1


def test_a_coach_finds_check_ins_shared_with_them_on_the_shared_page(cast: Cast) -> None:
    check_in(cast.participant, cast.program, visibility=CheckInVisibility.COACH)
    check_in(cast.teammate, cast.program, visibility=CheckInVisibility.PRIVATE)
    html = cast.client_for("coach").get(reverse("reflections:shared", args=[cast.program.pk]))
    content = html.content.decode().split('id="shared-checkins-heading"')[1]
    assert "Pat Participant" in content
    assert "Terry Teammate" not in content


def test_a_check_in_page_for_someone_without_a_profile_uses_the_site_zone(cast: Cast) -> None:
    newcomer = f.UserFactory()
    f.MembershipFactory(user=newcomer, program=cast.program)
    item = check_in(newcomer, cast.program, time_zone="")
    assert item.time_zone == "UTC"
    client = Client()
    client.force_login(newcomer)
    assert client.get(reverse("reflections:checkin_detail", args=[item.pk])).status_code == 200
