"""The coach's weekly digest: completion per team and week, never content, once a week."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator

import pytest
import time_machine
from django.core import mail, signing
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from notifications.digests import (
    build_coach_digest,
    do_plan_coach_digests,
    do_requeue_stuck_digests,
    do_send_digest_delivery,
)
from notifications.kinds import Kind
from notifications.models import ReminderDelivery
from notifications.reminders import (
    do_requeue_stuck_reminders,
    reminders_enabled,
    unsubscribe_token,
)
from notifications.services import do_notify
from notifications.sweeper import do_sweep
from notifications.tasks import plan_coach_digests, send_digest_deliveries
from programs.models import Role, User
from reflections.models import (
    CheckIn,
    Reflection,
    ReminderKind,
    TeamReflection,
    Visibility,
)
from reflections.weeks import LocalWeek
from teams.models import Team
from tests import factories as f
from tests.conftest import Cast
from tests.reminders.flaky import FlakyBackend

DIGEST = ReminderKind.COACH_DIGEST
# Monday 16 November 2026, 08:00 UTC: the coach (no profile) lives on the site's UTC clock.
MONDAY_8 = datetime.datetime(2026, 11, 16, 8, 0, tzinfo=datetime.UTC)
THIS_WEEK = LocalWeek(2026, 47)
CANARY = "CANARY-7f3a9"


@pytest.fixture(autouse=True)
def _on_monday_morning() -> Iterator[None]:
    with time_machine.travel(MONDAY_8, tick=False):
        yield


def week_ago(weeks: int) -> LocalWeek:
    week = THIS_WEEK
    for _ in range(weeks):
        week = week.previous()
    return week


def checked_in(user: User, cast: Cast, week: LocalWeek, text: str = "Asked first.") -> CheckIn:
    return CheckIn.objects.create(
        user=user,
        program=cast.program,
        iso_year=week.iso_year,
        iso_week=week.iso_week,
        week_starts_on=week.starts_on,
        time_zone="America/New_York",
        steps_taken=text,
        next_focus=text,
        progress=3,
        visibility="coach",
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )


@pytest.fixture
def night_shift(cast: Cast) -> Team:
    """A second team of the same coach, with two members."""
    team = f.TeamFactory(cohort=cast.team.cohort, name="Night Shift", coach=cast.coach)
    f.add_participant(team, f.UserFactory(first_name="Ana", last_name="Alder"))
    f.add_participant(team, f.UserFactory(first_name="Ben", last_name="Birch"))
    return team


@pytest.fixture
def weeks_of_check_ins(cast: Cast, night_shift: Team) -> None:
    """Flow Forward: Pat, Terry, Quinn, and Rory who left the program; Night Shift: Ana and
    Ben. Safe Passage has another coach."""
    quinn = f.add_participant(cast.team, f.UserFactory(first_name="Quinn", last_name="Quill"))
    rory = f.add_participant(cast.team, f.UserFactory(first_name="Rory", last_name="Left"))
    rory.memberships.update(is_active=False)
    ana, ben = (member.user for member in night_shift.members.order_by("user__last_name"))
    for user, weeks in (
        (cast.participant, [1, 2, 3]),
        (cast.teammate, [1]),
        (quinn, []),
        (rory, [1, 2]),
        (ana, [0]),
        (ben, [4]),
        (cast.other_participant, [0, 1, 2, 3, 4]),
    ):
        for weeks_back in weeks:
            checked_in(user, cast, week_ago(weeks_back))


def plan_and_send(django_capture_on_commit_callbacks) -> list[int]:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        return do_plan_coach_digests()


def to_coach(cast: Cast, outbox: list[mail.EmailMessage]) -> mail.EmailMessage:
    """The one email to the cast's coach (Safe Passage's coach gets one too)."""
    [message] = [m for m in outbox if m.to == [cast.coach.email]]
    return message


def test_the_digest_counts_check_ins_per_team_and_week(
    cast: Cast, night_shift: Team, weeks_of_check_ins: None
) -> None:
    digest = build_coach_digest(coach=cast.coach, program=cast.program, current=THIS_WEEK)

    assert [item.team.name for item in digest] == ["Flow Forward", "Night Shift"]
    flow, night = digest
    assert [(c.week, c.done, c.members) for c in flow.weeks] == [
        (week_ago(0), 0, 3),
        (week_ago(1), 2, 3),
        (week_ago(2), 1, 3),
        (week_ago(3), 1, 3),
        (week_ago(4), 0, 3),
    ]
    assert [(c.done, c.members) for c in night.weeks] == [(1, 2), (0, 2), (0, 2), (0, 2), (1, 2)]
    assert flow.missed_last_week == ["Quinn Quill"]
    assert night.missed_last_week == ["Ana Alder", "Ben Birch"]


def test_the_coach_gets_the_counts_by_email_on_monday_morning(
    cast: Cast,
    night_shift: Team,
    weeks_of_check_ins: None,
    django_capture_on_commit_callbacks,
    mailoutbox: list[mail.EmailMessage],
) -> None:  # type: ignore[no-untyped-def]
    plan_and_send(django_capture_on_commit_callbacks)

    message = to_coach(cast, mailoutbox)
    flow, night = message.body.split("Flow Forward")[1].split("Night Shift")
    assert "This week, so far: 0 of 3 checked in" in flow
    assert "Week of 9 Nov 2026: 2 of 3 checked in" in flow
    assert "Week of 2 Nov 2026: 1 of 3 checked in" in flow
    assert "No check-in last week: Quinn Quill" in flow
    assert "This week, so far: 1 of 2 checked in" in night
    assert "Week of 19 Oct 2026: 1 of 2 checked in" in night
    assert "Safe Passage" not in message.body
    html = message.alternatives[0].content  # type: ignore[attr-defined]
    assert "Night Shift" in html and "2 of 3" in html
    dashboard = "https://actionlab.example.org" + reverse(
        "dashboards:coach_dashboard", args=[cast.program.pk]
    )
    assert dashboard in message.body and dashboard in html
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(
        "https://actionlab.example.org/reminders/unsubscribe/coach_digest/"
    )
    assert unsubscribe in message.body and unsubscribe in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    delivery = ReminderDelivery.objects.get(kind=DIGEST, user=cast.coach)
    assert (delivery.status, delivery.sent_at) == ("sent", MONDAY_8)


def test_the_digest_never_contains_what_anyone_wrote(
    cast: Cast,
    django_capture_on_commit_callbacks,
    mailoutbox: list[mail.EmailMessage],
) -> None:  # type: ignore[no-untyped-def]
    for weeks_back in range(5):
        checked_in(cast.participant, cast, week_ago(weeks_back), f"{CANARY} check-in")
    Reflection.objects.create(
        author=cast.teammate,
        program=cast.program,
        team=cast.team,
        title=f"{CANARY} title",
        body=f"{CANARY} reflection",
        visibility=Visibility.COACH,
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    TeamReflection.objects.create(
        team=cast.team,
        title=f"{CANARY} team title",
        body=f"{CANARY} team reflection",
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )

    plan_and_send(django_capture_on_commit_callbacks)

    message = to_coach(cast, mailoutbox)
    html = message.alternatives[0].content  # type: ignore[attr-defined]
    assert "1 of 2 checked in" in message.body  # the check-ins were counted …
    for text in (message.subject, message.body, html):
        assert CANARY not in text  # … and not one word of them is in the email


def beat_tick(django_capture_on_commit_callbacks) -> int:  # type: ignore[no-untyped-def]
    """What beat starts every five minutes: the tick task, and the sending it enqueues."""
    with django_capture_on_commit_callbacks(execute=True):
        return int(plan_coach_digests.delay().get())


def test_one_digest_per_coach_per_week_however_often_the_tick_runs(
    cast: Cast, django_capture_on_commit_callbacks, mailoutbox: list[mail.EmailMessage]
) -> None:  # type: ignore[no-untyped-def]
    assert beat_tick(django_capture_on_commit_callbacks) == 2  # both coaches
    assert beat_tick(django_capture_on_commit_callbacks) == 0
    with time_machine.travel(MONDAY_8 + datetime.timedelta(days=2), tick=False):
        assert beat_tick(django_capture_on_commit_callbacks) == 0

    coach_mail = [m for m in mailoutbox if m.to == [cast.coach.email]]
    assert len(coach_mail) == 1
    assert ReminderDelivery.objects.filter(user=cast.coach, kind=DIGEST).count() == 1

    with time_machine.travel(MONDAY_8 + datetime.timedelta(weeks=1), tick=False):
        assert beat_tick(django_capture_on_commit_callbacks) == 2
    assert ReminderDelivery.objects.filter(user=cast.coach, kind=DIGEST).count() == 2


def test_beat_runs_the_digest_tick_and_the_one_sweeper_every_five_minutes(
    settings: object,
) -> None:
    schedule = {
        entry["task"]: entry["schedule"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()  # type: ignore[attr-defined]
    }
    assert schedule["digests.tick"] == schedule["notifications.sweep"] == 300.0
    # One sweeper for the whole pipeline; the former names still run queued sweeps.
    assert "digests.sweep" not in schedule and "reminders.sweep" not in schedule
    assert {"digests.tick", "digests.send", "digests.sweep", "reminders.sweep"} <= set(
        celery_app.tasks
    )


def test_the_reminder_log_names_each_deliverys_kind(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    plan_and_send(django_capture_on_commit_callbacks)

    response = cast.client_for("program_admin").get(
        reverse("notifications:reminder_log", args=[cast.program.pk])
    )

    assert response.content.count(b"Weekly coach digest") == 2
    assert b"Casey Coach" in response.content


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_ticks_plan_one_digest_per_coach() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")
    program = f.ProgramFactory(starts_on=datetime.date(2026, 9, 7))
    cohort = f.CohortFactory(program=program)
    coaches = f.UserFactory.create_batch(10)
    for number, coach in enumerate(coaches):
        f.MembershipFactory(user=coach, program=program, role=Role.COACH)
        f.TeamFactory(cohort=cohort, name=f"Team {number}", coach=coach)
    start = threading.Barrier(2)
    planned: list[list[int]] = []
    errors: list[BaseException] = []

    def tick() -> None:
        try:
            start.wait()
            planned.append(do_plan_coach_digests(now=MONDAY_8))
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert ReminderDelivery.objects.filter(kind=DIGEST).count() == len(coaches)
    assert sorted(pk for ids in planned for pk in ids) == sorted(
        ReminderDelivery.objects.values_list("pk", flat=True)
    )


def test_the_send_task_run_twice_sends_one_digest(
    cast: Cast, django_capture_on_commit_callbacks, mailoutbox: list[mail.EmailMessage]
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks():
        planned = do_plan_coach_digests()

    send_digest_deliveries.delay(planned)
    send_digest_deliveries.delay(planned)

    assert len(mailoutbox) == 2  # one per coach


@pytest.mark.parametrize(
    ("zone", "not_yet", "due"),
    [
        # Monday 08:00 in Tokyo is Sunday 23:00 UTC; in Los Angeles, Monday 16:00 UTC.
        ("Asia/Tokyo", "2026-11-15T22:55", "2026-11-15T23:00"),
        ("America/Los_Angeles", "2026-11-16T15:55", "2026-11-16T16:00"),
    ],
)
def test_the_digest_waits_for_monday_eight_oclock_on_the_coachs_clock(
    cast: Cast, zone: str, not_yet: str, due: str
) -> None:
    f.ProfileFactory(user=cast.coach, organization=cast.program.organization, time_zone=zone)
    mine = ReminderDelivery.objects.filter(user=cast.coach)

    with time_machine.travel(datetime.datetime.fromisoformat(not_yet + "+00:00"), tick=False):
        do_plan_coach_digests()
    assert not mine.exists()

    with time_machine.travel(datetime.datetime.fromisoformat(due + "+00:00"), tick=False):
        do_plan_coach_digests()
    assert mine.get().iso_week == THIS_WEEK.iso_week


@pytest.mark.parametrize(
    "dates",
    [
        {"ends_on": datetime.date(2026, 11, 13)},  # closed on the Friday before
        {"starts_on": datetime.date(2026, 11, 23), "ends_on": datetime.date(2027, 6, 4)},
    ],
    ids=["closed", "not-started"],
)
def test_no_digest_for_a_program_closed_or_not_started(
    cast: Cast, dates: dict[str, datetime.date], mailoutbox: list[mail.EmailMessage]
) -> None:
    for field, value in dates.items():
        setattr(cast.program, field, value)
    cast.program.save()

    assert do_plan_coach_digests() == []
    assert mailoutbox == []


def test_a_digest_planned_before_the_program_closed_is_skipped(
    cast: Cast, django_capture_on_commit_callbacks, mailoutbox: list[mail.EmailMessage]
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks():
        do_plan_coach_digests()
    cast.program.ends_on = datetime.date(2026, 11, 15)
    cast.program.save()

    delivery = ReminderDelivery.objects.get(user=cast.coach)
    assert do_send_digest_delivery(delivery_id=delivery.pk) == "skipped"
    delivery.refresh_from_db()
    assert delivery.reason == "The program is not running."
    assert mailoutbox == []


def test_only_active_coaches_who_guide_a_team_get_a_digest(cast: Cast) -> None:
    idle = f.UserFactory()
    f.MembershipFactory(user=idle, program=cast.program, role=Role.COACH)
    cast.coach.memberships.update(is_active=False)

    do_plan_coach_digests()

    assert not ReminderDelivery.objects.filter(user__in=[idle, cast.coach]).exists()
    assert ReminderDelivery.objects.filter(kind=DIGEST).count() == 1  # Safe Passage's coach


def digest_url(user: User, kind: str = DIGEST, token: str | None = None) -> str:
    return reverse(
        "notifications:reminder_unsubscribe", args=[kind, token or unsubscribe_token(user, DIGEST)]
    )


def test_the_unsubscribe_link_works_without_login_and_stops_next_weeks_digest(
    cast: Cast, django_capture_on_commit_callbacks, mailoutbox: list[mail.EmailMessage]
) -> None:  # type: ignore[no-untyped-def]
    plan_and_send(django_capture_on_commit_callbacks)
    link = to_coach(cast, mailoutbox).extra_headers["List-Unsubscribe"].strip("<>")
    path = link.removeprefix("https://actionlab.example.org")

    asked = Client().get(path)
    assert asked.status_code == 200
    assert b"Turn off the weekly coach digest?" in asked.content
    assert reminders_enabled(cast.coach, DIGEST)

    done = Client(enforce_csrf_checks=True).post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200
    assert b"Digest turned off" in done.content
    assert not reminders_enabled(cast.coach, DIGEST)
    assert reminders_enabled(cast.coach, ReminderKind.CHECKIN)

    with time_machine.travel(MONDAY_8 + datetime.timedelta(weeks=1), tick=False):
        do_plan_coach_digests()
    assert ReminderDelivery.objects.filter(user=cast.coach, kind=DIGEST).count() == 1


def test_a_forged_or_altered_digest_link_gets_a_clear_error_and_changes_nothing(
    cast: Cast,
) -> None:
    token = unsubscribe_token(cast.coach, DIGEST)
    forged = signing.dumps({"user": cast.coach.pk, "kind": DIGEST}, salt="another.purpose")
    altered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    checkin_token = unsubscribe_token(cast.coach, ReminderKind.CHECKIN)

    for bad in (forged, altered, checkin_token):
        response = Client().post(digest_url(cast.coach, token=bad))
        assert response.status_code == 400
        assert b"This link does not work" in response.content
    assert reminders_enabled(cast.coach, DIGEST)


def test_an_smtp_failure_is_retried_and_the_digest_sent_once(
    cast: Cast, django_capture_on_commit_callbacks, flaky_smtp: type[FlakyBackend]
) -> None:  # type: ignore[no-untyped-def]
    cast.other_team.coach = None
    cast.other_team.save()
    flaky_smtp.failures_left = 2

    plan_and_send(django_capture_on_commit_callbacks)

    assert [m.to for m in mail.outbox] == [[cast.coach.email]]
    delivery = ReminderDelivery.objects.get(kind=DIGEST)
    assert (delivery.status, delivery.attempts, delivery.reason) == ("sent", 3, "")


def test_a_stuck_digest_is_swept_by_its_own_sweeper_not_the_check_in_one(
    cast: Cast, django_capture_on_commit_callbacks, mailoutbox: list[mail.EmailMessage]
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks():  # planned, but the message was lost
        do_plan_coach_digests()

    with (
        time_machine.travel(MONDAY_8 + datetime.timedelta(minutes=16), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert do_requeue_stuck_reminders() == 0
        assert do_requeue_stuck_digests() == 2

    assert sorted(ReminderDelivery.objects.values_list("status", flat=True)) == ["sent", "sent"]
    assert len(mailoutbox) == 2


def test_the_one_sweeper_sends_lost_digests_and_a_lost_event_email_once_each(
    cast: Cast, django_capture_on_commit_callbacks, mailoutbox: list[mail.EmailMessage]
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks():  # planned, but every broker message was lost
        do_plan_coach_digests()
        do_notify(
            kind=Kind.DOOR_REQUESTED,
            recipients=[cast.sponsor],
            program=cast.program,
            subject="Flow Forward asks you to open a door",
            link="/",
        )

    with (
        time_machine.travel(MONDAY_8 + datetime.timedelta(minutes=16), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert do_sweep() == 3
    with (
        time_machine.travel(MONDAY_8 + datetime.timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert do_sweep() == 0

    assert sorted(ReminderDelivery.objects.values_list("status", flat=True)) == ["sent", "sent"]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [*ReminderDelivery.objects.values_list("user__email", flat=True), cast.sponsor.email]
    )


def test_coach_digests_stop_when_the_program_ends_or_is_archived(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from programs.services import do_archive_program

    # The Monday after the program's last day (4 June 2027): no team left to coach.
    after_the_end = datetime.datetime(2027, 6, 7, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(after_the_end, tick=False):
        assert beat_tick(django_capture_on_commit_callbacks) == 0
    do_archive_program(program=cast.program, by=cast.program_admin)
    assert beat_tick(django_capture_on_commit_callbacks) == 0
    assert not ReminderDelivery.objects.filter(kind=DIGEST).exists()
