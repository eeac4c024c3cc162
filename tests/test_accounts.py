"""Signing in with email through django-allauth."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from programs.models import User
from tests import factories as f


@pytest.fixture
def person(db: None) -> User:
    user = f.UserFactory(email="grace.adeyemi@example.org", first_name="Grace")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def sign_in(client: Client, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_person_signs_in_with_email_and_password_and_sees_home(person: User) -> None:
    client = Client()
    response = sign_in(client, "grace.adeyemi@example.org", f.PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert b"Welcome, Grace" in home.content


def test_email_is_matched_without_regard_to_case(person: User) -> None:
    client = Client()
    assert sign_in(client, "Grace.Adeyemi@Example.org", f.PASSWORD).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_gets_a_clear_error_and_no_session(person: User) -> None:
    client = Client()
    response = sign_in(client, person.email, "not-the-password")
    assert response.status_code == 200
    assert b"The email address and/or password you specified are not correct." in response.content
    assert client.get(reverse("home")).status_code == 302


def test_sixth_wrong_password_within_five_minutes_is_refused_even_with_the_right_one(
    person: User,
) -> None:
    client = Client()
    for _ in range(5):
        assert sign_in(client, person.email, "wrong").status_code == 200
    response = sign_in(client, person.email, f.PASSWORD)
    assert response.status_code == 200
    assert b"Too many failed login attempts" in response.content
    assert client.get(reverse("home")).status_code == 302


def test_failed_attempts_for_one_account_do_not_lock_another(person: User) -> None:
    other = f.UserFactory(email="kevin@example.org")
    EmailAddress.objects.create(user=other, email=other.email, verified=True, primary=True)
    client = Client()
    for _ in range(6):
        sign_in(client, person.email, "wrong")
    assert sign_in(client, other.email, f.PASSWORD).status_code == 302


def test_open_sign_up_is_closed_people_join_by_invitation(db: None) -> None:
    response = Client().get(reverse("account_signup"))
    assert response.status_code == 200
    assert b"Sign Up Closed" in response.content


def test_login_by_code_sends_a_code_by_email(person: User) -> None:
    client = Client()
    response = client.post(reverse("account_request_login_code"), {"email": person.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]


def test_password_reset_sends_a_link(person: User) -> None:
    response = Client().post(reverse("account_reset_password"), {"email": person.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_two_factor_authentication_can_be_set_up(person: User) -> None:
    client = Client()
    sign_in(client, person.email, f.PASSWORD)
    # Setting up MFA is a sensitive change: allauth asks for the password again first.
    assert client.get(reverse("mfa_activate_totp")).status_code == 302
    client.post(reverse("account_reauthenticate"), {"password": f.PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert b"Authenticator" in response.content


def test_account_pages_use_the_site_layout(db: None) -> None:
    response = Client().get(reverse("account_login"))
    assert b"Skip to main content" in response.content
    assert b"css/actionlab.css" in response.content


def test_sign_out_ends_the_session(person: User) -> None:
    client = Client()
    client.force_login(person)
    assert client.post(reverse("account_logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_new_accounts_use_email_without_a_username(db: None) -> None:
    user = User.objects.create_user(email="New.Person@Example.org", password="x-long-password")
    assert user.email == "new.person@example.org"
    assert not hasattr(user, "username") or user.username is None


def test_production_requires_a_verified_email_before_the_first_sign_in(
    db: None, settings: object
) -> None:
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"  # type: ignore[attr-defined]
    user = f.UserFactory(email="new.hire@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    client = Client()
    response = sign_in(client, user.email, f.PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    assert "confirm" in mail.outbox[0].subject.lower()
    assert client.get(reverse("home")).status_code == 302
