"""One claim rule for every email the app sends: an event notification, a daily digest, a
weekly reminder, a coach digest, a partner note and a calendar invitation are each claimed
by a worker (queued → sending), and a worker that dies after claiming leaves them to the
sweeper once the lease is over, never to a second worker before it; after the lease each
goes out exactly once."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications import pipeline
from notifications.delivery import do_plan_digests, do_send_emails
from notifications.digests import do_plan_coach_digests, do_send_digest_deliveries
from notifications.invitations import do_invite_to_checkin, do_send_invitations
from notifications.kinds import EmailMode, Kind
from notifications.models import EmailDelivery, InvitationDelivery, ReminderDelivery
from notifications.reminders import do_send_reminders
from notifications.services import do_notify, do_set_email_mode
from notifications.sweeper import do_sweep
from reflections.models import Plan, ReminderKind
from reflections.services import do_create_checkin
from reflections.weeks import LocalWeek
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

WEDNESDAY = datetime.datetime(2026, 11, 18, 15, 0, tzinfo=datetime.UTC)
Row = EmailDelivery | ReminderDelivery | InvitationDelivery


@pytest.fixture(autouse=True)
def _on_a_wednesday() -> Iterator[None]:
    with time_machine.travel(WEDNESDAY, tick=False):
        yield


def event_email(cast: Cast) -> Row | None:
    do_notify(
        kind=Kind.DOOR_REQUESTED,
        recipients=[cast.sponsor],
        program=cast.program,
        subject="Flow Forward asks you to open a door",
        link="/",
    )
    return EmailDelivery.objects.first()


def daily_digest(cast: Cast) -> Row:
    # Wednesday 15:00 UTC: the sponsor's digest hour (UTC, 08:00) has passed today.
    do_set_email_mode(user=cast.sponsor, kind=Kind.DOOR_REQUESTED, email=EmailMode.DAILY)
    with time_machine.travel(WEDNESDAY - datetime.timedelta(hours=9), tick=False):
        event_email(cast)
    do_plan_digests()
    return EmailDelivery.objects.get(digest_day__isnull=False)


def reminder(cast: Cast) -> Row:
    week = LocalWeek.of(timezone.now(), cast.teammate.zone)
    now = timezone.now()
    return ReminderDelivery.objects.create(
        user=cast.teammate,
        program=cast.program,
        kind=ReminderKind.CHECKIN,
        iso_year=week.iso_year,
        iso_week=week.iso_week,
        time_zone=cast.teammate.time_zone,
        due_at=now,
        planned_by="00000000-0000-0000-0000-000000000001",
        created_at=now,
        queued_at=now,
    )


def coach_digest(cast: Cast) -> Row:
    do_plan_coach_digests()
    # The other team's coach gets one too: one digest is enough here.
    ReminderDelivery.objects.exclude(user=cast.coach).delete()
    return ReminderDelivery.objects.get(user=cast.coach)


def partner_note(cast: Cast) -> Row:
    now = timezone.now()
    Plan.objects.create(
        user=cast.participant,
        program=cast.program,
        aspect="How I listen in meetings.",
        action="ask one open question before I advise",
        checkin_weekday=4,
        checkin_time=datetime.time(9, 0),
        partner_user=cast.teammate,
        notify_partner=True,
        created_at=now,
        updated_at=now,
    )
    do_create_checkin(
        user=cast.participant,
        program=cast.program,
        time_zone=cast.participant.time_zone,
        steps_taken="Asked first.",
        next_focus="Listen longer.",
        progress=4,
        visibility="private",
    )
    return ReminderDelivery.objects.get(kind=ReminderKind.PARTNER_NUDGE)


def calendar_invitation(cast: Cast) -> Row:
    do_invite_to_checkin(user_id=cast.teammate.pk, program_id=cast.program.pk)
    return InvitationDelivery.objects.get()


KINDS: dict[str, tuple[Callable[[Cast], Row | None], Callable[..., list[int]]]] = {
    "event email": (event_email, do_send_emails),
    "daily digest": (daily_digest, do_send_emails),
    "weekly reminder": (reminder, do_send_reminders),
    "coach digest": (coach_digest, do_send_digest_deliveries),
    "partner note": (partner_note, do_send_digest_deliveries),
    "calendar invitation": (calendar_invitation, do_send_invitations),
}


@pytest.mark.parametrize("kind", KINDS)
def test_a_worker_killed_after_its_claim_leaves_the_email_to_the_sweeper_then_sent_once(
    kind: str, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    plan, send = KINDS[kind]
    with django_capture_on_commit_callbacks():  # planned; the broker message is held
        row = plan(cast)
    assert row is not None
    model = type(row)

    # A worker claims the batch and is killed before sending anything.
    assert pipeline.claim(model, [row.pk], timezone.now()) == [row.pk]
    row.refresh_from_db()
    assert (row.status, row.attempts, row.claimed_at) == ("sending", 1, timezone.now())

    # The broker hands the message to another worker: it does not take a claimed row.
    assert send(delivery_ids=[row.pk]) == []
    assert mail.outbox == []
    # Nor does the sweeper while the lease runs.
    with (
        time_machine.travel(WEDNESDAY + pipeline.LEASE - datetime.timedelta(seconds=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert do_sweep() == 0
    assert mail.outbox == []

    # Once it is over, the sweeper hands the row on and it goes out once.
    with (
        time_machine.travel(WEDNESDAY + pipeline.LEASE + datetime.timedelta(seconds=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert do_sweep() == 1
        assert do_sweep() == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_an_email_that_keeps_killing_its_worker_is_given_up_after_the_last_attempt(
    kind: str, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    plan, _ = KINDS[kind]
    with django_capture_on_commit_callbacks():
        row = plan(cast)
    assert row is not None
    model = type(row)
    model.objects.filter(pk=row.pk).update(attempts=pipeline.MAX_ATTEMPTS - 1)
    pipeline.claim(model, [row.pk], timezone.now())

    with (
        time_machine.travel(WEDNESDAY + pipeline.LEASE + datetime.timedelta(seconds=1)),
        django_capture_on_commit_callbacks(execute=True) as handed_on,
    ):
        assert do_sweep() == 0
    row.refresh_from_db()
    assert (row.status, row.reason) == (
        "failed",
        f"Gave up after {pipeline.MAX_ATTEMPTS} attempts.",
    )
    assert handed_on == []
    assert mail.outbox == []
