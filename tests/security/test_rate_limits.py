"""allauth's rate limits on signing in, sign-in codes and password resets, and ours on
invitations, counted in the shared cache."""

from __future__ import annotations

from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from programs.models import Invitation, Role, User
from tests import factories as f
from tests.conftest import Cast
from tests.security.conftest import sign_in

TOO_MANY = b"Too many failed login attempts"


# Signing in. ------------------------------------------------------------------------------


def test_sixth_wrong_password_for_one_account_is_refused_even_with_the_right_one(
    person: User,
) -> None:
    client = Client()
    for _ in range(5):
        response = sign_in(client, person.email, "wrong")
        assert response.status_code == 200
        assert TOO_MANY not in response.content
    response = sign_in(client, person.email, f.PASSWORD)
    assert TOO_MANY in response.content
    assert client.get(reverse("home")).status_code == 302


def test_eleventh_failure_from_one_address_is_refused_whichever_account_it_tries(
    person: User,
) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(10):
        assert TOO_MANY not in sign_in(client, f"guess{n}@example.org", "wrong").content
    response = sign_in(client, person.email, f.PASSWORD)
    assert TOO_MANY in response.content
    # Another address is not affected.
    assert sign_in(Client(REMOTE_ADDR="198.51.100.9"), person.email, f.PASSWORD).status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_address_limit(person: User) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(10):
        sign_in(client, f"guess{n}@example.org", "wrong")
    forged = client.post(
        reverse("account_login"),
        {"login": person.email, "password": f.PASSWORD},
        HTTP_X_FORWARDED_FOR="192.0.2.55",
    )
    assert TOO_MANY in forged.content


def test_behind_a_trusted_proxy_the_limit_counts_the_forwarded_client_address(
    person: User, settings: Settings
) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for n in range(10):
        proxy.post(
            reverse("account_login"),
            {"login": f"guess{n}@example.org", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
    other_client = proxy.post(
        reverse("account_login"),
        {"login": person.email, "password": f.PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    assert other_client.status_code == 302


def test_the_counts_live_in_the_shared_cache(person: User) -> None:
    client = Client()
    for _ in range(5):
        sign_in(client, person.email, "wrong")
    assert TOO_MANY in sign_in(client, person.email, f.PASSWORD).content
    # The counts are in Django's default cache (Redis when REDIS_URL is set, so every web
    # process shares them): emptying it lifts the block.
    cache.clear()
    assert sign_in(client, person.email, f.PASSWORD).status_code == 302


def test_thirty_one_sign_in_posts_a_minute_from_one_address_get_429(db: None) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [
        client.post(reverse("account_login"), {"login": "", "password": ""}).status_code
        for _ in range(31)
    ]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429


def test_the_django_admin_login_cannot_be_used_to_get_around_the_limits(person: User) -> None:
    person.is_staff = True
    person.save()
    response = Client().post("/admin/login/", {"username": person.email, "password": f.PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# Sign-in codes and password resets. ---------------------------------------------------------


def test_a_fourth_sign_in_code_for_one_email_within_a_minute_is_refused(person: User) -> None:
    client = Client()
    for _ in range(3):
        response = client.post(reverse("account_request_login_code"), {"email": person.email})
        assert response.status_code == 302
        client = Client()  # a fresh visitor each time, as a script would be
    response = client.post(reverse("account_request_login_code"), {"email": person.email})
    assert response.status_code == 200
    assert TOO_MANY in response.content
    assert len(mail.outbox) == 3


def test_a_sixth_password_reset_for_one_email_within_a_minute_gets_429(person: User) -> None:
    client = Client()
    for _ in range(5):
        response = client.post(reverse("account_reset_password"), {"email": person.email})
        assert response.status_code == 302
    response = client.post(reverse("account_reset_password"), {"email": person.email})
    assert response.status_code == 429
    assert b"Too many requests" in response.content
    assert b"Skip to main content" in response.content  # the site's layout, not a bare page
    assert len(mail.outbox) == 5


def test_password_resets_for_many_emails_from_one_address_are_limited_too(db: None) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [
        client.post(
            reverse("account_reset_password"), {"email": f"someone{n}@example.org"}
        ).status_code
        for n in range(21)
    ]
    assert statuses[:20] == [302] * 20
    assert statuses[20] == 429


# Invitations. -------------------------------------------------------------------------------


def invite_data(cast: Cast, n: int) -> dict[str, object]:
    return {
        "email": f"new.leader{n}@example.org",
        "role": Role.PARTICIPANT,
        "cohort": cast.program.cohorts.get().pk,
    }


def test_the_thirty_first_invitation_within_a_minute_is_refused(cast: Cast) -> None:
    client = cast.client_for("program_admin")
    url = reverse("programs:invite", args=[cast.program.pk])
    for n in range(30):
        assert client.post(url, invite_data(cast, n)).status_code == 302
    response = client.post(url, invite_data(cast, 30))
    assert response.status_code == 429
    assert Invitation.objects.count() == 30
    assert not Invitation.objects.filter(email="new.leader30@example.org").exists()


def test_resending_counts_against_the_same_limit(cast: Cast, settings: Settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = settings.ACCOUNT_RATE_LIMITS | {"invite": "3/m/user"}
    client = cast.client_for("program_admin")
    for n in range(2):
        client.post(reverse("programs:invite", args=[cast.program.pk]), invite_data(cast, n))
    invitation = Invitation.objects.first()
    assert invitation is not None
    resend = reverse("programs:invitation_resend", args=[cast.program.pk, invitation.pk])
    assert client.post(resend).status_code == 302
    nonce = Invitation.objects.get(pk=invitation.pk).nonce
    assert client.post(resend).status_code == 429
    assert Invitation.objects.get(pk=invitation.pk).nonce == nonce  # not sent again


def test_the_invitation_limit_is_per_sender(cast: Cast, settings: Settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = settings.ACCOUNT_RATE_LIMITS | {"invite": "2/m/user"}
    second_admin = f.UserFactory()
    f.MembershipFactory(user=second_admin, program=cast.program, role=Role.PROGRAM_ADMIN)
    first = cast.client_for("program_admin")
    url = reverse("programs:invite", args=[cast.program.pk])
    for n in range(2):
        first.post(url, invite_data(cast, n))
    assert first.post(url, invite_data(cast, 2)).status_code == 429
    second = Client()
    second.force_login(second_admin)
    assert second.post(url, invite_data(cast, 3)).status_code == 302


def test_the_invitation_limit_is_per_address_too(cast: Cast, settings: Settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = settings.ACCOUNT_RATE_LIMITS | {"invite": "2/m/ip"}
    second_admin = f.UserFactory()
    f.MembershipFactory(user=second_admin, program=cast.program, role=Role.PROGRAM_ADMIN)
    url = reverse("programs:invite", args=[cast.program.pk])
    first = cast.client_for("program_admin")
    for n in range(2):
        first.post(url, invite_data(cast, n))
    second = Client()
    second.force_login(second_admin)
    assert second.post(url, invite_data(cast, 2)).status_code == 429


def test_a_form_with_mistakes_does_not_use_up_the_invitation_limit(
    cast: Cast, settings: Settings
) -> None:
    settings.ACCOUNT_RATE_LIMITS = settings.ACCOUNT_RATE_LIMITS | {"invite": "1/m/user"}
    client = cast.client_for("program_admin")
    url = reverse("programs:invite", args=[cast.program.pk])
    assert client.post(url, {"email": "not an email", "role": Role.COACH}).status_code == 400
    assert client.post(url, invite_data(cast, 0)).status_code == 302
