"""The one-click unsubscribe link in every reminder."""

from __future__ import annotations

from django.core import signing
from django.test import Client
from django.urls import reverse

from notifications.reminders import reminders_enabled, unsubscribe_token
from programs.models import User
from reflections.models import ReminderKind
from tests.reminders.conftest import Person

CHECKIN = ReminderKind.CHECKIN


def url_for(user: User) -> str:
    return reverse(
        "notifications:reminder_unsubscribe", args=[CHECKIN, unsubscribe_token(user, CHECKIN)]
    )


def test_the_link_asks_for_confirmation_without_login_and_changes_nothing(
    person: Person,
) -> None:
    member = person()

    response = Client().get(url_for(member))

    assert response.status_code == 200
    assert b"Turn off reminders" in response.content
    assert reminders_enabled(member, CHECKIN)


def test_pressing_the_button_turns_reminders_off_without_login(person: Person) -> None:
    member, other = person(), person()

    response = Client(enforce_csrf_checks=True).post(url_for(member))

    assert response.status_code == 200
    assert b"Reminders turned off" in response.content
    assert not reminders_enabled(member, CHECKIN)
    assert reminders_enabled(other, CHECKIN)


def test_a_mail_clients_one_click_post_turns_reminders_off(person: Person) -> None:
    member = person()

    response = Client(enforce_csrf_checks=True).post(
        url_for(member),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert not reminders_enabled(member, CHECKIN)


def test_an_altered_token_gets_a_clear_error_and_changes_nothing(person: Person) -> None:
    member = person()
    token = unsubscribe_token(member, CHECKIN)
    altered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    response = Client().post(
        reverse("notifications:reminder_unsubscribe", args=[CHECKIN, altered])
    )

    assert response.status_code == 400
    assert b"This link does not work" in response.content
    assert reminders_enabled(member, CHECKIN)


def test_a_token_forged_for_someone_else_or_signed_for_another_purpose_is_refused(
    person: Person,
) -> None:
    member = person()
    forged = signing.dumps({"user": member.pk, "kind": CHECKIN}, salt="another.purpose")
    unsigned = signing.dumps({"user": member.pk, "kind": CHECKIN}, key="not-our-secret-key")

    for token in (forged, unsigned, "nonsense"):
        response = Client().post(
            reverse("notifications:reminder_unsubscribe", args=[CHECKIN, token])
        )
        assert response.status_code == 400
    response = Client().post(
        reverse(
            "notifications:reminder_unsubscribe",
            args=["digest", unsubscribe_token(member, CHECKIN)],
        )
    )
    assert response.status_code == 400
    assert reminders_enabled(member, CHECKIN)
