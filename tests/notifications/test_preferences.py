"""Notification emails per kind, the digest hour, and the reversible one-click unsubscribe."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from notifications.delivery import unsubscribe_token
from notifications.kinds import EmailMode, Kind
from notifications.services import digest_hour, do_set_email_mode, email_modes
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def all_now(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = dict.fromkeys(Kind.values, EmailMode.NOW)
    data[Kind.ACTION_DUE] = EmailMode.DAILY
    data["digest_hour"] = 8
    return data | changes


def test_by_default_everything_is_emailed_at_once_but_actions_due_tomorrow(cast: Cast) -> None:
    modes = email_modes(cast.participant)
    assert modes[Kind.ACTION_DUE] == EmailMode.DAILY
    assert {mode for kind, mode in modes.items() if kind != Kind.ACTION_DUE} == {EmailMode.NOW}


def test_the_settings_page_saves_each_kind_and_the_digest_hour(cast: Cast) -> None:
    client = cast.client_for("participant")
    page = client.get(reverse("notifications:settings"))
    assert b"In a daily digest" in page.content and b"Not by email" in page.content
    response = client.post(
        reverse("notifications:settings"),
        all_now(door_answered=EmailMode.OFF, pulse_opened=EmailMode.DAILY, digest_hour=18),
        follow=True,
    )
    assert b"Saved." in response.content
    modes = email_modes(cast.participant)
    assert modes[Kind.DOOR_ANSWERED] == EmailMode.OFF
    assert modes[Kind.PULSE_OPENED] == EmailMode.DAILY
    assert digest_hour(cast.participant) == 18


def test_a_bad_choice_is_refused_and_changes_nothing(cast: Cast) -> None:
    response = cast.client_for("participant").post(
        reverse("notifications:settings"), all_now(door_answered="weekly", digest_hour=25)
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert email_modes(cast.participant)[Kind.DOOR_ANSWERED] == EmailMode.NOW
    assert digest_hour(cast.participant) == 8


def test_my_profile_links_to_the_notification_emails(cast: Cast) -> None:
    response = cast.client_for("participant").get(reverse("programs:profile"))
    assert reverse("notifications:settings").encode() in response.content


def unsubscribe_url(cast: Cast, kind: str) -> str:
    return reverse(
        "notifications:unsubscribe", args=[kind, unsubscribe_token(cast.participant, kind)]
    )


def test_one_click_unsubscribe_turns_the_kind_off_without_signing_in(cast: Cast) -> None:
    # A mail client posts without cookies or a CSRF token (RFC 8058).
    client = Client(enforce_csrf_checks=True)
    url = unsubscribe_url(cast, Kind.DOOR_ANSWERED)
    assert b"Stop these emails?" in client.get(url).content
    assert email_modes(cast.participant)[Kind.DOOR_ANSWERED] == EmailMode.NOW
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert b"Your sponsor answers a door request" in response.content
    assert b"Turn it back on" in response.content
    assert email_modes(cast.participant)[Kind.DOOR_ANSWERED] == EmailMode.OFF


def test_unsubscribing_can_be_undone_from_the_landing_page(cast: Cast) -> None:
    client = Client()
    url = unsubscribe_url(cast, Kind.DOOR_ANSWERED)
    client.post(url)
    undo = reverse(
        "notifications:resubscribe",
        args=[Kind.DOOR_ANSWERED, unsubscribe_token(cast.participant, Kind.DOOR_ANSWERED)],
    )
    response = client.post(undo, {"kinds": [Kind.DOOR_ANSWERED], "email": EmailMode.NOW})
    assert b"Emails turned back on" in response.content
    assert email_modes(cast.participant)[Kind.DOOR_ANSWERED] == EmailMode.NOW


def test_unsubscribing_can_be_undone_from_the_settings_page(cast: Cast) -> None:
    Client().post(unsubscribe_url(cast, Kind.DOOR_ANSWERED))
    cast.client_for("participant").post(reverse("notifications:settings"), all_now())
    assert email_modes(cast.participant)[Kind.DOOR_ANSWERED] == EmailMode.NOW


def test_the_digest_link_stops_the_digest_and_undoing_brings_each_kind_back(cast: Cast) -> None:
    for kind in (Kind.PULSE_OPENED, Kind.SPONSOR_COMMENT):
        do_set_email_mode(user=cast.participant, kind=kind, email=EmailMode.DAILY)
    client = Client()
    response = client.post(unsubscribe_url(cast, "digest"))
    assert b"A team pulse is open" in response.content
    modes = email_modes(cast.participant)
    assert {modes[Kind.PULSE_OPENED], modes[Kind.SPONSOR_COMMENT], modes[Kind.ACTION_DUE]} == {
        EmailMode.OFF
    }
    undo = reverse(
        "notifications:resubscribe", args=["digest", unsubscribe_token(cast.participant, "digest")]
    )
    client.post(
        undo,
        {"kinds": [Kind.PULSE_OPENED, Kind.SPONSOR_COMMENT, Kind.ACTION_DUE], "email": "daily"},
    )
    modes = email_modes(cast.participant)
    assert modes[Kind.PULSE_OPENED] == modes[Kind.ACTION_DUE] == EmailMode.DAILY


def test_a_token_for_one_kind_does_not_turn_off_another(cast: Cast) -> None:
    token = unsubscribe_token(cast.participant, Kind.DOOR_ANSWERED)
    url = reverse("notifications:unsubscribe", args=[Kind.PULSE_OPENED, token])
    response = Client().post(url)
    assert response.status_code == 400
    assert b"This link does not work" in response.content
    assert email_modes(cast.participant)[Kind.PULSE_OPENED] == EmailMode.NOW


def test_a_token_for_one_kind_cannot_turn_another_back_on(cast: Cast) -> None:
    do_set_email_mode(user=cast.participant, kind=Kind.PULSE_OPENED, email=EmailMode.OFF)
    undo = reverse(
        "notifications:resubscribe",
        args=[Kind.DOOR_ANSWERED, unsubscribe_token(cast.participant, Kind.DOOR_ANSWERED)],
    )
    response = Client().post(undo, {"kinds": [Kind.PULSE_OPENED], "email": "now"})
    assert response.status_code == 400
    assert email_modes(cast.participant)[Kind.PULSE_OPENED] == EmailMode.OFF
