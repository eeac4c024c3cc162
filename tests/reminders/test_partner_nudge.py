"""The accountability partner's note: opt-in, that the person checked in, never what they
wrote, once a week, with its own one-click unsubscribe."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from io import StringIO

import pytest
import time_machine
from django.core import mail, signing
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.digests import do_send_digest_delivery, partner_opt_out_token
from notifications.models import ReminderDelivery
from notifications.reminders import reminders_enabled
from programs.models import User
from reflections.models import PartnerNudgeOptOut, Plan, ReminderKind
from tests.conftest import Cast
from tests.reminders.flaky import FlakyBackend

NUDGE = ReminderKind.PARTNER_NUDGE
# Wednesday 18 November 2026, 10:00 in New York, where the cast's participants live.
WEDNESDAY = datetime.datetime(2026, 11, 18, 15, 0, tzinfo=datetime.UTC)
NEXT_WEEK = WEDNESDAY + datetime.timedelta(weeks=1)
CANARY = "CANARY-51c2e"


@pytest.fixture(autouse=True)
def _on_a_wednesday() -> Iterator[None]:
    with time_machine.travel(WEDNESDAY, tick=False):
        yield


def make_plan(cast: Cast, **partner: object) -> Plan:
    """Pat's plan; the partner is Terry, the teammate, unless `partner` says otherwise."""
    now = timezone.now()
    fields: dict[str, object] = {"partner_user": cast.teammate, "notify_partner": True}
    return Plan.objects.create(
        user=cast.participant,
        program=cast.program,
        aspect="How I listen in meetings.",
        action="ask one open question before I advise",
        checkin_weekday=4,
        checkin_time=datetime.time(9, 0),
        created_at=now,
        updated_at=now,
        **(fields | partner),
    )


def check_in(cast: Cast, django_capture_on_commit_callbacks, text: str = "Asked first.") -> None:  # type: ignore[no-untyped-def]
    """Pat writes (or rewrites) this week's check-in on the check-in page."""
    client = cast.client_for("participant")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reflections:checkin", args=[cast.program.pk]),
            {
                "steps_taken": f"{text} (steps)",
                "next_focus": f"{text} (focus)",
                "progress": "4",
                "visibility": "private",
            },
        )
    assert response.status_code == 302


def notes() -> list[ReminderDelivery]:
    return list(ReminderDelivery.objects.filter(kind=NUDGE).order_by("pk"))


def test_a_partner_is_not_told_unless_the_person_switched_it_on(
    cast: Cast, django_capture_on_commit_callbacks, mailoutbox: list[mail.EmailMessage]
) -> None:  # type: ignore[no-untyped-def]
    make_plan(cast, notify_partner=False)

    check_in(cast, django_capture_on_commit_callbacks)

    assert mailoutbox == []
    assert notes() == []


def test_the_partner_hears_that_the_person_checked_in_never_what_they_wrote(
    cast: Cast, django_capture_on_commit_callbacks, mailoutbox: list[mail.EmailMessage]
) -> None:  # type: ignore[no-untyped-def]
    make_plan(cast)

    check_in(cast, django_capture_on_commit_callbacks, text=CANARY)

    [message] = mailoutbox
    assert message.to == [cast.teammate.email]
    html = message.alternatives[0].content  # type: ignore[attr-defined]
    for text in (message.body, html):
        assert "Hello Terry" in text
        assert "Pat Participant did their Be Better Now check-in for the week of 16 November" in (
            text.replace("\n", " ")
        )
    for text in (message.subject, message.body, html):
        assert CANARY not in text
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(
        "https://actionlab.example.org/reminders/unsubscribe/partner_nudge/"
    )
    assert unsubscribe in message.body and unsubscribe in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [note] = notes()
    assert (note.user, note.status, note.iso_week) == (cast.participant, "sent", 47)


def test_an_edited_check_in_sends_no_second_note_that_week(
    cast: Cast, django_capture_on_commit_callbacks, mailoutbox: list[mail.EmailMessage]
) -> None:  # type: ignore[no-untyped-def]
    make_plan(cast)

    check_in(cast, django_capture_on_commit_callbacks, text="First")
    with time_machine.travel(WEDNESDAY + datetime.timedelta(days=1), tick=False):
        check_in(cast, django_capture_on_commit_callbacks, text="Edited")
        check_in(cast, django_capture_on_commit_callbacks, text="Edited again")

    assert len(mailoutbox) == 1
    assert len(notes()) == 1

    with time_machine.travel(NEXT_WEEK, tick=False):
        check_in(cast, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 2
    assert [note.iso_week for note in notes()] == [47, 48]


def test_switching_the_note_on_after_checking_in_tells_the_partner_at_the_next_save(
    cast: Cast, django_capture_on_commit_callbacks, mailoutbox: list[mail.EmailMessage]
) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(cast, notify_partner=False)
    check_in(cast, django_capture_on_commit_callbacks)
    plan.notify_partner = True
    plan.save()

    check_in(cast, django_capture_on_commit_callbacks, text="Edited")

    assert [m.to for m in mailoutbox] == [[cast.teammate.email]]


def test_an_outside_partner_is_told_only_after_agreeing_to_be_the_partner(
    cast: Cast, django_capture_on_commit_callbacks, mailoutbox: list[mail.EmailMessage]
) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(
        cast, partner_user=None, partner_name="Morgan Mentor", partner_email="morgan@example.net"
    )

    check_in(cast, django_capture_on_commit_callbacks)
    assert mailoutbox == []
    assert notes() == []

    plan.partner_confirmed_at = timezone.now()
    plan.save()
    with time_machine.travel(NEXT_WEEK, tick=False):
        check_in(cast, django_capture_on_commit_callbacks)

    [message] = mailoutbox
    assert message.to == ["morgan@example.net"]
    assert "Hello Morgan Mentor" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith(
        "<https://actionlab.example.org/reminders/partner-notes/unsubscribe/"
    )


def test_an_outside_partner_stops_the_notes_with_one_click_without_login(
    cast: Cast, django_capture_on_commit_callbacks, mailoutbox: list[mail.EmailMessage]
) -> None:  # type: ignore[no-untyped-def]
    make_plan(
        cast,
        partner_user=None,
        partner_name="Morgan Mentor",
        partner_email="morgan@example.net",
        partner_confirmed_at=timezone.now(),
    )
    check_in(cast, django_capture_on_commit_callbacks)
    [message] = mailoutbox
    path = message.extra_headers["List-Unsubscribe"].strip("<>")
    path = path.removeprefix("https://actionlab.example.org")

    asked = Client().get(path)
    assert asked.status_code == 200
    assert b"Stop the check-in notes?" in asked.content
    assert not PartnerNudgeOptOut.objects.exists()

    done = Client(enforce_csrf_checks=True).post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200
    assert b"Check-in notes turned off" in done.content
    assert PartnerNudgeOptOut.objects.get().email == "morgan@example.net"

    with time_machine.travel(NEXT_WEEK, tick=False):
        check_in(cast, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    assert len(notes()) == 1


def test_a_partner_in_the_program_stops_the_notes_with_one_click_without_login(
    cast: Cast, django_capture_on_commit_callbacks, mailoutbox: list[mail.EmailMessage]
) -> None:  # type: ignore[no-untyped-def]
    make_plan(cast)
    check_in(cast, django_capture_on_commit_callbacks)
    [message] = mailoutbox
    path = message.extra_headers["List-Unsubscribe"].strip("<>")
    path = path.removeprefix("https://actionlab.example.org")

    done = Client(enforce_csrf_checks=True).post(path)

    assert done.status_code == 200
    assert b"Check-in notes turned off" in done.content
    assert not reminders_enabled(cast.teammate, NUDGE)
    assert reminders_enabled(cast.teammate, ReminderKind.CHECKIN)
    with time_machine.travel(NEXT_WEEK, tick=False):
        check_in(cast, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    "token",
    [
        signing.dumps({"email": "morgan@example.net"}, salt="another.purpose"),
        signing.dumps({"email": "morgan@example.net"}, key="not-our-secret-key", salt="x"),
        "nonsense",
    ],
    ids=["other-salt", "other-key", "nonsense"],
)
def test_a_forged_partner_link_gets_a_clear_error_and_changes_nothing(
    token: str, db: None
) -> None:
    response = Client().post(reverse("notifications:partner_unsubscribe", args=[token]))

    assert response.status_code == 400
    assert b"This link does not work" in response.content
    assert not PartnerNudgeOptOut.objects.exists()


def test_an_altered_partner_link_gets_a_clear_error(db: None) -> None:
    token = partner_opt_out_token("morgan@example.net")
    altered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    response = Client().post(reverse("notifications:partner_unsubscribe", args=[altered]))

    assert response.status_code == 400
    assert not PartnerNudgeOptOut.objects.exists()


def plan_form(cast: Cast, **changes: str) -> dict[str, str]:
    return {
        "aspect": "How I listen in meetings.",
        "action": "ask one open question before I advise",
        "partner_user": str(cast.teammate.pk),
        "partner_name": "",
        "partner_email": "",
        "checkin_weekday": "4",
        "checkin_time": "09:00",
        "time_zone": "America/New_York",
        **changes,
    }


def test_the_note_is_off_by_default_and_switched_on_on_the_plan_page(cast: Cast) -> None:
    client = cast.client_for("participant")
    url = reverse("reflections:plan", args=[cast.program.pk])
    page = client.get(url)
    assert b"Tell my accountability partner when I check in" in page.content

    client.post(url, plan_form(cast))
    assert Plan.objects.get().notify_partner is False

    client.post(url, plan_form(cast, notify_partner="on"))
    assert Plan.objects.get().notify_partner is True
    assert b"Your partner hears each week that you checked in" in client.get(url).content

    client.post(url, plan_form(cast))
    assert Plan.objects.get().notify_partner is False


def test_a_note_is_skipped_when_the_person_switched_it_off_before_it_went_out(
    cast: Cast, django_capture_on_commit_callbacks, mailoutbox: list[mail.EmailMessage]
) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(cast)
    with django_capture_on_commit_callbacks():  # planned; the worker has not run yet
        cast.client_for("participant").post(
            reverse("reflections:checkin", args=[cast.program.pk]),
            {"steps_taken": "a", "next_focus": "b", "visibility": "private"},
        )
    plan.notify_partner = False
    plan.save()

    [note] = notes()
    assert do_send_digest_delivery(delivery_id=note.pk) == "skipped"
    note.refresh_from_db()
    assert note.reason == "The person no longer tells their partner."
    assert mailoutbox == []


def test_a_partner_whose_membership_ended_hears_nothing_more(
    cast: Cast, django_capture_on_commit_callbacks, mailoutbox: list[mail.EmailMessage]
) -> None:  # type: ignore[no-untyped-def]
    from programs.models import Membership
    from teams.services import do_end_membership

    make_plan(cast)
    check_in(cast, django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [[cast.teammate.email]]
    terry = Membership.objects.get(user=cast.teammate, program=cast.program)
    do_end_membership(membership=terry)
    mailoutbox.clear()

    # Pat checks in the next week: Terry left the program, so no note is planned or sent.
    with time_machine.travel(NEXT_WEEK, tick=False):
        check_in(cast, django_capture_on_commit_callbacks)
    assert mailoutbox == []
    assert len(notes()) == 1


def test_a_note_planned_before_the_partner_left_is_skipped(
    cast: Cast, django_capture_on_commit_callbacks, mailoutbox: list[mail.EmailMessage]
) -> None:  # type: ignore[no-untyped-def]
    from programs.models import Membership
    from teams.services import do_end_membership

    make_plan(cast)
    with django_capture_on_commit_callbacks():  # planned; the worker has not run yet
        cast.client_for("participant").post(
            reverse("reflections:checkin", args=[cast.program.pk]),
            {"steps_taken": "a", "next_focus": "b", "visibility": "private"},
        )
    terry = Membership.objects.get(user=cast.teammate, program=cast.program)
    do_end_membership(membership=terry)

    [note] = notes()
    assert do_send_digest_delivery(delivery_id=note.pk) == "skipped"
    note.refresh_from_db()
    assert note.reason == "The partner's membership in the program ended."
    assert mailoutbox == []


def test_a_note_whose_smtp_server_failed_is_retried_and_sent_once(
    cast: Cast, django_capture_on_commit_callbacks, flaky_smtp: type[FlakyBackend]
) -> None:  # type: ignore[no-untyped-def]
    make_plan(cast)
    flaky_smtp.failures_left = 2

    check_in(cast, django_capture_on_commit_callbacks)

    assert [m.to for m in mail.outbox] == [[cast.teammate.email]]
    [note] = notes()
    assert (note.status, note.attempts) == ("sent", 3)


def test_the_demo_shows_a_participant_who_tells_their_partner(db: None) -> None:
    call_command("seed_demo", stdout=StringIO())

    plan = Plan.objects.get(user__email="aisha.mensah@riverside-health.example")
    assert plan.notify_partner is True
    assert isinstance(plan.partner_user, User)
    sent = ReminderDelivery.objects.filter(user=plan.user, kind=NUDGE, status="sent")
    assert sent.count() >= 3
    assert ReminderDelivery.objects.filter(kind=ReminderKind.COACH_DIGEST, status="sent").exists()

    call_command("seed_demo", stdout=StringIO())
    assert ReminderDelivery.objects.filter(user=plan.user, kind=NUDGE).count() == sent.count()


def test_alumni_keep_their_partner_when_the_program_is_archived(
    cast: Cast, django_capture_on_commit_callbacks, mailoutbox: list[mail.EmailMessage]
) -> None:  # type: ignore[no-untyped-def]
    from programs.services import do_archive_program

    make_plan(cast)
    do_archive_program(program=cast.program, by=cast.program_admin)

    # Pat goes on checking in in her alumni space; Terry, her teammate, is still told.
    check_in(cast, django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [[cast.teammate.email]]
    [note] = notes()
    assert note.status == "sent"
