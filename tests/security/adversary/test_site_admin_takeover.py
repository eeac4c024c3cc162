"""The site admin tries to take over a participant's account to read their journal.

Before: the Django admin's "change password" form set any user's password; the site admin
signed in as the participant and read their private entries, the log showed only a
"login" and the participant was never told. Now the form is refused for anyone but
oneself and offers to email the person a reset link instead, which is recorded; the
person's address cannot be changed to one the admin reads either.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from core.models import SecurityEvent
from programs.models import User
from tests.conftest import Cast
from tests.factories import PASSWORD

NEW_PASSWORD = "taken-over-by-root-1"


@pytest.fixture
def root(db: None) -> User:
    return User.objects.create_superuser(email="root@example.org", password="a-long-password-1")


@pytest.fixture
def site_admin(root: User) -> Client:
    client = Client()
    client.force_login(root)
    return client


def _password_url(user: User) -> str:
    return reverse("admin:auth_user_password_change", args=(user.pk,))


def test_the_site_admin_cannot_set_a_participants_password(cast: Cast, site_admin: Client) -> None:
    victim = cast.participant
    page = site_admin.get(_password_url(victim))
    assert page.status_code == 200
    assert "Email them a link instead" in page.content.decode()
    assert b"password1" not in page.content

    response = site_admin.post(
        _password_url(victim),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 403
    victim.refresh_from_db()
    assert victim.check_password(PASSWORD)
    assert not victim.check_password(NEW_PASSWORD)
    assert not Client().login(email=victim.email, password=NEW_PASSWORD)
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PERMISSION_DENIED).exists()


def test_the_reset_link_is_emailed_to_the_person_and_recorded(
    cast: Cast, site_admin: Client, root: User
) -> None:
    victim = cast.participant
    EmailAddress.objects.create(user=victim, email=victim.email, verified=True, primary=True)
    send = reverse("admin:programs_user_send_password_reset", args=(victim.pk,))
    assert site_admin.get(send).status_code == 405

    response = site_admin.post(send)
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[victim.email]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.ADMIN_PASSWORD_RESET_SENT)
    assert event.user == victim
    assert event.details["by"] == root.pk
    # The admin chose nothing: the password is still the person's own.
    victim.refresh_from_db()
    assert victim.check_password(PASSWORD)


def test_the_change_form_sets_neither_the_password_nor_the_address(
    cast: Cast, site_admin: Client
) -> None:
    victim = cast.participant
    url = reverse("admin:programs_user_change", args=(victim.pk,))
    page = site_admin.get(url)
    assert page.status_code == 200
    assert "Email them a link to reset it" in page.content.decode()
    assert 'name="email"' not in page.content.decode()

    response = site_admin.post(
        url,
        {
            "email": "root@example.org",
            "password": "md5$salt$0123456789abcdef0123456789abcdef",
            "first_name": "Pat",
            "last_name": "Participant",
            "time_zone": "UTC",
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302  # saved: the rest of the form was valid
    victim.refresh_from_db()
    assert victim.email != "root@example.org"
    assert victim.check_password(PASSWORD)


def test_no_address_or_authenticator_is_added_to_someone_else_in_the_admin(
    cast: Cast, site_admin: Client
) -> None:
    response = site_admin.post(
        reverse("admin:account_emailaddress_add"),
        {"user": cast.participant.pk, "email": "root+pat@example.org", "verified": "on"},
    )
    assert response.status_code == 403
    assert not EmailAddress.objects.filter(email="root+pat@example.org").exists()
    assert site_admin.get(reverse("admin:mfa_authenticator_add")).status_code == 403


def test_the_site_admin_still_changes_their_own_password(site_admin: Client, root: User) -> None:
    response = site_admin.post(
        _password_url(root),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    root.refresh_from_db()
    assert root.check_password(NEW_PASSWORD)
