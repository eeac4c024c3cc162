"""Helpers for the security tests: signing in through allauth's pages, and TOTP codes."""

from __future__ import annotations

import time

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from programs.models import User
from tests import factories as f


def verified(user: User) -> User:
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


@pytest.fixture
def person(db: None) -> User:
    """Someone with a verified address, who signs in through allauth's pages."""
    return verified(f.UserFactory(email="grace.adeyemi@example.org", first_name="Grace"))


def sign_in(client: Client, email: str, password: str = f.PASSWORD) -> HttpResponse:
    return client.post(reverse("account_login"), {"login": email, "password": password})


def post_totp_code(client: Client, url: str, secret: str, *, wrong: bool = False) -> HttpResponse:
    """Post the authenticator's current code (or a wrong one) to `url`. The clock stands
    still meanwhile, so the code cannot go stale at a 30-second boundary mid-request."""
    with time_machine.travel(time.time(), tick=False):
        value = hotp_value(secret, int(time.time()) // 30)
        if wrong:
            value = (value + 1) % 1_000_000
        return client.post(url, {"code": format_hotp_value(value)})


def give_totp(user: User) -> str:
    """Give the user a TOTP authenticator directly; returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def activate_totp_through_the_pages(client: Client, password: str = f.PASSWORD) -> HttpResponse:
    """Add a TOTP authenticator the way a person does: open the set-up page, confirm the
    password when allauth asks for it again, and answer with the current code."""
    page = client.get(reverse("mfa_activate_totp"))
    if page.status_code == 302 and page["Location"].startswith(reverse("account_reauthenticate")):
        client.post(reverse("account_reauthenticate"), {"password": password})
        page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200, page
    return post_totp_code(client, reverse("mfa_activate_totp"), client.session[SECRET_SESSION_KEY])
