"""do_notify: one in-app notification per person, and the email planned as they prefer."""

from __future__ import annotations

from typing import Any

import pytest

from notifications.kinds import EmailMode, Kind
from notifications.models import EmailDelivery, Notification
from notifications.services import do_notify, do_set_email_mode
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def notify(cast: Cast, recipients: list[Any], **kwargs: Any) -> list[Notification]:
    defaults: dict[str, Any] = {
        "kind": Kind.CHARTER_APPROVED,
        "program": cast.program,
        "subject": cast.project.title,
        "link": f"/projects/{cast.project.pk}/",
    }
    return do_notify(recipients=recipients, **(defaults | kwargs))


def test_each_recipient_gets_one_notification_in_the_app(cast: Cast) -> None:
    created = notify(cast, [cast.participant, cast.teammate])
    assert {n.recipient for n in created} == {cast.participant, cast.teammate}
    assert Notification.objects.filter(recipient=cast.participant).get().subject == (
        "Cut ED boarding time"
    )


def test_announcing_the_same_event_twice_notifies_once(cast: Cast) -> None:
    notify(cast, [cast.participant], dedupe_key="charter-1-approved")
    again = notify(cast, [cast.participant, cast.teammate], dedupe_key="charter-1-approved")
    assert [n.recipient for n in again] == [cast.teammate]
    assert Notification.objects.filter(recipient=cast.participant).count() == 1


def test_without_a_dedupe_key_each_announcement_notifies(cast: Cast) -> None:
    notify(cast, [cast.participant])
    notify(cast, [cast.participant])
    assert Notification.objects.filter(recipient=cast.participant).count() == 2


def test_a_person_who_left_the_program_gets_nothing(cast: Cast, mailoutbox: list[Any]) -> None:
    assert notify(cast, [cast.former_participant, cast.outsider]) == []
    assert not Notification.objects.exists()
    assert not EmailDelivery.objects.exists()


def test_without_a_program_only_active_accounts_are_notified(cast: Cast) -> None:
    cast.stranger.is_active = False
    cast.stranger.save()
    created = notify(cast, [cast.stranger, cast.outsider], program=None)
    assert [n.recipient for n in created] == [cast.outsider]


def test_immediately_sends_one_email_after_commit(
    cast: Cast, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify(cast, [cast.participant])
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [cast.participant.email]
    assert "Cut ED boarding time" in mailoutbox[0].subject
    assert EmailDelivery.objects.get().status == EmailDelivery.Status.SENT


def test_daily_digest_and_off_send_nothing_now(
    cast: Cast, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    do_set_email_mode(user=cast.participant, kind=Kind.CHARTER_APPROVED, email=EmailMode.DAILY)
    do_set_email_mode(user=cast.teammate, kind=Kind.CHARTER_APPROVED, email=EmailMode.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(cast, [cast.participant, cast.teammate])
    assert mailoutbox == []
    assert not EmailDelivery.objects.exists()
    assert {n.recipient: n.email for n in created} == {
        cast.participant: EmailMode.DAILY,
        cast.teammate: EmailMode.OFF,
    }


def test_an_action_due_tomorrow_waits_for_the_digest_by_default(
    cast: Cast, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        (created,) = notify(cast, [cast.participant], kind=Kind.ACTION_DUE)
    assert created.email == EmailMode.DAILY
    assert mailoutbox == []


def test_nothing_is_sent_when_the_transaction_rolls_back(
    cast: Cast, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(cast, [cast.participant])
    assert len(callbacks) == 1
    assert mailoutbox == []
