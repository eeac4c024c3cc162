"""Program admins, coaches, organisation admins and site admins must set up two-factor
authentication when MFA_REQUIRED_FOR_STAFF is on; the Django admin signs in through the
same allauth pages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client, override_settings
from django.urls import reverse

from core.models import SecurityEvent
from programs.models import Membership, User
from tests import factories as f
from tests.conftest import Cast
from tests.security.conftest import (
    activate_totp_through_the_pages,
    give_totp,
    post_totp_code,
    sign_in,
    verified,
)

ROOT = Path(__file__).resolve().parents[2]
SETUP = reverse("mfa_activate_totp")

pytestmark = pytest.mark.usefixtures("mfa_required")


@pytest.fixture
def mfa_required():  # type: ignore[no-untyped-def]
    with override_settings(MFA_REQUIRED_FOR_STAFF=True):
        yield


@pytest.fixture
def site_admin(db: None) -> User:
    return verified(
        User.objects.create_superuser(email="root@example.org", password="a-long-password-1")
    )


def home_for(client: Client):  # type: ignore[no-untyped-def]
    return client.get(reverse("home"))


@pytest.mark.parametrize("who", ["program_admin", "coach", "org_admin"])
def test_program_admins_and_coaches_without_an_authenticator_are_sent_to_set_one_up(
    cast: Cast, who: str
) -> None:
    client = cast.client_for(who)
    for url in (
        reverse("home"),
        reverse("dashboards:program", args=[cast.program.pk]),
        reverse("teams:detail", args=[cast.team.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == SETUP
    # Writes are held back too, not only pages.
    response = client.post(reverse("programs:edit", args=[cast.program.pk]), {"name": "x"})
    assert response["Location"] == SETUP


def test_the_set_up_page_says_why(cast: Cast) -> None:
    client = Client()
    verified(cast.coach)
    sign_in(client, cast.coach.email)
    response = client.get(reverse("home"), follow=True)
    # The set-up first asks for the password again (allauth's rule for sensitive changes).
    assert response.redirect_chain[0][0] == SETUP
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert "Your role needs two-factor authentication." in response.content.decode()


@pytest.mark.parametrize("who", ["participant", "sponsor"])
def test_participants_and_sponsors_are_not_asked(cast: Cast, who: str) -> None:
    assert home_for(cast.client_for(who)).status_code == 200


def test_an_ended_coach_membership_does_not_require_it(cast: Cast) -> None:
    Membership.objects.filter(user=cast.coach).update(is_active=False)
    assert home_for(cast.client_for("coach")).status_code == 200


def test_someone_who_is_a_coach_in_one_program_is_asked_in_every_program(cast: Cast) -> None:
    elsewhere = f.CohortFactory()
    f.add_participant(f.TeamFactory(cohort=elsewhere), cast.coach)
    response = cast.client_for("coach").get(
        reverse("reflections:journal", args=[elsewhere.program.pk])
    )
    assert response["Location"] == SETUP


def test_site_admins_are_asked_too(site_admin: User) -> None:
    client = Client()
    client.force_login(site_admin)
    assert client.get("/admin/")["Location"] == SETUP


def test_with_the_setting_off_nobody_is_asked(cast: Cast) -> None:
    with override_settings(MFA_REQUIRED_FOR_STAFF=False):
        assert home_for(cast.client_for("program_admin")).status_code == 200


def test_the_set_up_pages_sign_out_and_static_files_stay_open(cast: Cast) -> None:
    client = cast.client_for("program_admin")
    # force_login leaves no recent password, so the set-up asks for it first; that page
    # must stay open as well.
    response = client.get(SETUP)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(response["Location"]).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get("/static/css/actionlab.css").status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert home_for(client)["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["program_admin", "coach"])
def test_after_adding_an_authenticator_the_site_opens(
    cast: Cast, who: str, django_capture_on_commit_callbacks
) -> None:
    user = verified(getattr(cast, who))
    client = Client()
    sign_in(client, user.email)
    assert home_for(client)["Location"] == SETUP

    with django_capture_on_commit_callbacks(execute=True):  # allauth signals after commit
        response = activate_totp_through_the_pages(client)

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert home_for(client).status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.MFA_ADDED, user=user).exists()


def test_removing_the_authenticator_brings_the_requirement_back(cast: Cast) -> None:
    give_totp(cast.program_admin)
    client = cast.client_for("program_admin")
    assert home_for(client).status_code == 200
    Authenticator.objects.filter(user=cast.program_admin).delete()
    assert home_for(client)["Location"] == SETUP


def test_with_an_authenticator_signing_in_asks_for_the_code(cast: Cast) -> None:
    user = verified(cast.coach)
    secret = give_totp(user)
    client = Client()
    response = sign_in(client, user.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert home_for(client).status_code == 302  # not signed in yet
    response = post_totp_code(client, reverse("mfa_authenticate"), secret)
    assert response.status_code == 302
    assert home_for(client).status_code == 200


# The Django admin signs in through allauth. --------------------------------------------------


def test_the_admin_login_page_sends_people_to_the_allauth_sign_in(db: None) -> None:
    response = Client().get("/admin/login/?next=/admin/core/securityevent/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert "%2Fadmin%2Fcore%2Fsecurityevent%2F" in response["Location"]


def test_a_site_admin_signs_in_to_the_admin_with_password_and_code(site_admin: User) -> None:
    secret = give_totp(site_admin)
    client = Client()
    login = client.get("/admin/", follow=True).redirect_chain[-1][0]
    assert login.startswith(reverse("account_login"))
    response = client.post(
        login, {"login": site_admin.email, "password": "a-long-password-1", "next": "/admin/"}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    response = post_totp_code(client, reverse("mfa_authenticate"), secret)
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_refuses_signed_in_people_who_are_not_staff(cast: Cast) -> None:
    give_totp(cast.program_admin)
    response = cast.client_for("program_admin").get("/admin/login/")
    assert response.status_code == 403


# The default follows DEBUG. ----------------------------------------------------------------


def settings_value(name: str, **env: str) -> str:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"MFA_REQUIRED_FOR_STAFF", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            f"from django.conf import settings; print(settings.{name})",
        ],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_requirement_is_on_in_production_and_off_with_debug() -> None:
    assert settings_value("MFA_REQUIRED_FOR_STAFF", DEBUG="0") == "True"
    assert settings_value("MFA_REQUIRED_FOR_STAFF", DEBUG="1") == "False"
    assert settings_value("MFA_REQUIRED_FOR_STAFF", DEBUG="0", MFA_REQUIRED_FOR_STAFF="0") == (
        "False"
    )


def test_the_headers_unread_count_on_the_set_up_page_asks_for_nothing_more(cast: Cast) -> None:
    # The set-up page carries the header's unread count, which htmx fetches in the
    # background: answered with the set-up page itself, it would nest page in page forever.
    client = cast.client_for("coach")
    response = client.get(
        reverse("notifications:unread"),
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{SETUP}"},
    )
    assert response.status_code == 204
    assert response.content == b""


def test_a_background_request_from_another_page_sends_the_browser_to_the_set_up(
    cast: Cast,
) -> None:
    # A page opened before the role needed a second factor: its next htmx request moves the
    # whole page to the set-up instead of swapping the set-up page into a corner of it.
    client = cast.client_for("program_admin")
    response = client.post(
        reverse("programs:edit", args=[cast.program.pk]),
        {"name": "x"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/"},
    )
    assert response["HX-Redirect"] == SETUP
    assert response.content == b""
    cast.program.refresh_from_db()
    assert cast.program.name != "x"
