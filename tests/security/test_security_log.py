"""The security log: what is recorded, from which address, read-only in the admin, and
never anything people wrote."""

from __future__ import annotations

import datetime
import json
import logging
import re
import uuid

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from core.models import SecurityEvent
from core.tasks import purge_security_events
from programs.models import Role, User
from programs.services import do_invite, invitation_token
from reflections.models import CheckIn, Reflection
from tests import factories as f
from tests.conftest import Cast
from tests.security.conftest import (
    activate_totp_through_the_pages,
    give_totp,
    post_totp_code,
    sign_in,
    verified,
)

Kind = SecurityEvent.Kind
NEW_PASSWORD = "a-brand-new-passphrase-42"


def events(kind: str) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind=kind))


# Sign-in and sign-out. ----------------------------------------------------------------------


def test_a_sign_in_is_recorded_with_the_account_and_the_connection_address(
    person: User,
) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    sign_in(client, person.email)
    [event] = events(Kind.LOGIN)
    assert (event.user, event.ip_address) == (person, "203.0.113.7")
    assert event.created_at is not None


def test_a_forwarded_for_header_is_not_believed_unless_the_proxy_is_trusted(
    person: User, settings: Settings
) -> None:
    sign_in(Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="192.0.2.1"), person.email)
    assert events(Kind.LOGIN)[0].ip_address == "203.0.113.7"

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    sign_in(Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1"), person.email)
    assert events(Kind.LOGIN)[0].ip_address == "192.0.2.1"


def test_a_failed_sign_in_records_the_attempted_email_and_never_the_password(
    person: User,
) -> None:
    sign_in(Client(), "Grace.Adeyemi@example.org", "my-secret-guess-123")
    sign_in(Client(), "nobody@example.org", "another-secret-guess")
    failed = events(Kind.LOGIN_FAILED)
    assert sorted(e.details["login"] for e in failed) == [
        "grace.adeyemi@example.org",
        "nobody@example.org",
    ]
    assert all(e.user is None and e.ip_address == "127.0.0.1" for e in failed)
    everything = json.dumps(list(SecurityEvent.objects.values()), default=str)
    assert "secret-guess" not in everything


def test_a_sign_in_refused_by_the_rate_limit_is_recorded(person: User) -> None:
    client = Client()
    for _ in range(6):
        sign_in(client, person.email, "wrong")
    assert len(events(Kind.LOGIN_FAILED)) == 5
    [blocked] = events(Kind.LOGIN_BLOCKED)
    assert blocked.details == {"login": person.email}


def test_signing_out_is_recorded(person: User) -> None:
    client = Client()
    sign_in(client, person.email)
    client.post(reverse("account_logout"))
    [event] = events(Kind.LOGOUT)
    assert event.user == person


def test_a_wrong_sign_in_code_is_recorded(person: User) -> None:
    client = Client()
    client.post(reverse("account_request_login_code"), {"email": person.email})
    client.post(reverse("account_confirm_login_code"), {"code": "WRONG1"})
    [event] = events(Kind.LOGIN_CODE_FAILED)
    assert event.user == person


# Two-factor authentication and passwords. ---------------------------------------------------


def test_adding_and_removing_an_authenticator_is_recorded(
    person: User, django_capture_on_commit_callbacks
) -> None:
    client = Client()
    sign_in(client, person.email)
    with django_capture_on_commit_callbacks(execute=True):
        activate_totp_through_the_pages(client)
    added = events(Kind.MFA_ADDED)
    # allauth adds recovery codes along with the TOTP authenticator.
    assert {e.details["type"] for e in added} == {"totp", "recovery_codes"}
    assert all(e.user == person for e in added)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=person).exists()
    assert {e.details["type"] for e in events(Kind.MFA_REMOVED)} == {"totp", "recovery_codes"}


def test_a_wrong_two_factor_code_at_sign_in_is_recorded(person: User) -> None:
    secret = give_totp(person)
    client = Client()
    sign_in(client, person.email)
    post_totp_code(client, reverse("mfa_authenticate"), secret, wrong=True)
    [event] = events(Kind.MFA_FAILED)
    assert (event.user, event.details["type"]) == (person, "totp")
    assert not events(Kind.LOGIN)


def test_changing_the_password_is_recorded(person: User) -> None:
    client = Client()
    sign_in(client, person.email)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": f.PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    [event] = events(Kind.PASSWORD_CHANGED)
    assert event.user == person
    assert NEW_PASSWORD not in json.dumps(event.details)


def reset_password(client: Client, email: str) -> None:
    client.post(reverse("account_reset_password"), {"email": email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    form = client.get(link.group(1), follow=True)
    response = client.post(
        form.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302


def test_resetting_the_password_is_recorded(person: User) -> None:
    reset_password(Client(), person.email)
    [event] = events(Kind.PASSWORD_RESET)
    assert event.user == person


# Invitations and refusals. ------------------------------------------------------------------


def accept_invitation(cast: Cast, email: str = "new.leader@example.org") -> User:
    invitation = do_invite(
        program=cast.program,
        email=email,
        role=Role.COACH,
        cohort=None,
        by=cast.program_admin,
    )
    newcomer = verified(f.UserFactory(email=email))
    client = Client()
    client.force_login(newcomer)
    url = reverse("programs:invitation", args=[invitation_token(invitation)])
    assert client.post(url).status_code == 302
    return newcomer


def test_accepting_an_invitation_is_recorded(cast: Cast) -> None:
    newcomer = accept_invitation(cast)
    [event] = events(Kind.INVITATION_ACCEPTED)
    assert event.user == newcomer
    assert event.details["program_id"] == cast.program.pk
    assert event.details["role"] == Role.COACH


def test_a_403_is_recorded_with_the_page_and_ids_but_not_the_form(cast: Cast) -> None:
    client = cast.client_for("participant")
    response = client.post(
        reverse("programs:edit", args=[cast.program.pk]), {"name": "A name typed in"}
    )
    assert response.status_code == 403
    [event] = events(Kind.PERMISSION_DENIED)
    assert event.user == cast.participant
    assert event.details == {
        "method": "POST",
        "view": "programs:edit",
        "program_id": cast.program.pk,
    }


def test_a_404_for_an_outsider_is_not_a_security_event(cast: Cast) -> None:
    response = cast.client_for("outsider").get(reverse("programs:edit", args=[cast.program.pk]))
    assert response.status_code == 404
    assert not SecurityEvent.objects.exclude(kind=Kind.LOGIN).exists()


def test_a_refused_csrf_token_is_recorded(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.participant)
    response = client.post(reverse("reflections:write", args=[cast.program.pk]), {"title": "x"})
    assert response.status_code == 403
    [event] = events(Kind.PERMISSION_DENIED)
    assert event.details["view"] == "reflections:write"


def test_a_429_is_recorded(person: User) -> None:
    client = Client()
    for _ in range(6):
        client.post(reverse("account_reset_password"), {"email": person.email})
    [event] = events(Kind.RATE_LIMITED)
    assert event.details["view"] == "account_reset_password"
    assert event.user is None


def test_a_token_in_the_address_is_not_recorded(cast: Cast) -> None:
    # The Django admin refuses signed-in people without staff rights with a 403; the
    # query string (which could carry a token) is not part of the record.
    client = cast.client_for("participant")
    assert client.get("/admin/login/?next=/secret-token-abc/").status_code == 403
    everything = json.dumps(list(SecurityEvent.objects.values()), default=str)
    assert "secret-token-abc" not in everything


# The log in the Django admin. ----------------------------------------------------------------


def test_site_admins_read_the_log_in_the_admin(person: User, site_admin: Client) -> None:
    sign_in(Client(), person.email, "wrong")
    response = site_admin.get("/admin/core/securityevent/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sign-in failed" in html
    assert "grace.adeyemi@example.org" in html
    event = SecurityEvent.objects.get(kind=Kind.LOGIN_FAILED)
    detail = site_admin.get(f"/admin/core/securityevent/{event.pk}/change/")
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content


def test_the_log_cannot_be_added_to_changed_or_deleted_in_the_admin(
    person: User, site_admin: Client
) -> None:
    sign_in(Client(), person.email, "wrong")
    event = SecurityEvent.objects.get(kind=Kind.LOGIN_FAILED)
    assert site_admin.get("/admin/core/securityevent/add/").status_code == 403
    assert (
        site_admin.post(
            f"/admin/core/securityevent/{event.pk}/change/", {"kind": "login"}
        ).status_code
        == 403
    )
    delete = f"/admin/core/securityevent/{event.pk}/delete/"
    assert site_admin.post(delete, {"post": "yes"}).status_code == 403
    listing = site_admin.get("/admin/core/securityevent/")
    assert b"delete_selected" not in listing.content
    site_admin.post(
        "/admin/core/securityevent/",
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    event.refresh_from_db()
    assert event.kind == Kind.LOGIN_FAILED


# The canary: nothing people write reaches the log. --------------------------------------------


def test_nothing_people_write_reaches_the_security_log_or_the_log_output(
    cast: Cast,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks,
) -> None:
    caplog.set_level(logging.DEBUG)
    canary = f"CANARY-{uuid.uuid4().hex}"
    participant = verified(cast.participant)
    client = Client(REMOTE_ADDR="203.0.113.7")

    # Signed in with a password, the participant writes a reflection and a check-in
    # that carry the canary.
    sign_in(client, participant.email)
    response = client.post(
        reverse("reflections:write", args=[cast.program.pk]),
        {
            "title": f"Huddle {canary}",
            "body": f"I listened. {canary}",
            "tags": "listening",
            "visibility": "team",
            "prompt": "",
            "draft_token": "t" * 16,
        },
    )
    assert response.status_code == 302, response
    response = client.post(
        reverse("reflections:checkin", args=[cast.program.pk]),
        {
            "steps_taken": f"Asked an open question. {canary}",
            "next_focus": f"Let others lead. {canary}",
            "progress": "4",
            "visibility": "private",
        },
    )
    assert response.status_code == 302, response
    assert Reflection.objects.filter(body__contains=canary).exists()
    assert CheckIn.objects.filter(steps_taken__contains=canary).exists()

    # Every logged action, several with the canary in the request.
    with django_capture_on_commit_callbacks(execute=True):
        activate_totp_through_the_pages(client)  # MFA added
        client.post(reverse("mfa_deactivate_totp"))  # MFA removed
    client.post(
        reverse("account_change_password"),
        {"oldpassword": f.PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    # 403s that carry the canary: a sponsor posting into a journal, a forged form.
    sponsor = cast.client_for("sponsor")
    refused = sponsor.post(
        reverse("reflections:write", args=[cast.program.pk]),
        {"title": canary, "body": canary, "visibility": "private"},
    )
    assert refused.status_code == 403
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(participant)
    refused = forged.post(
        reverse("reflections:checkin", args=[cast.program.pk]),
        {"steps_taken": canary, "next_focus": canary},
    )
    assert refused.status_code == 403
    client.post(reverse("account_logout"))
    sign_in(Client(), participant.email, "wrong")  # failed sign-ins, then a blocked one
    for _ in range(5):
        sign_in(Client(), participant.email, "wrong")
    for _ in range(6):  # a 429
        Client().post(reverse("account_reset_password"), {"email": participant.email})
    reset_password(Client(), verified(cast.teammate).email)
    accept_invitation(cast)

    done = set(SecurityEvent.objects.values_list("kind", flat=True))
    assert {
        Kind.LOGIN,
        Kind.LOGIN_FAILED,
        Kind.LOGIN_BLOCKED,
        Kind.LOGOUT,
        Kind.MFA_ADDED,
        Kind.MFA_REMOVED,
        Kind.PASSWORD_CHANGED,
        Kind.PASSWORD_RESET,
        Kind.INVITATION_ACCEPTED,
        Kind.PERMISSION_DENIED,
        Kind.RATE_LIMITED,
    } <= done

    for row in SecurityEvent.objects.values():
        assert canary not in json.dumps(row, default=str), row
    assert canary not in caplog.text
    # The check would notice a leak: the security logger's lines are captured.
    assert "security event login" in caplog.text


# Retention. --------------------------------------------------------------------------------


def test_events_past_their_retention_are_purged_by_the_daily_task(
    person: User, settings: Settings
) -> None:
    settings.SECURITY_LOG_RETENTION_DAYS = 30
    now = timezone.now()
    old = SecurityEvent.objects.create(kind=Kind.LOGIN, user=person)
    SecurityEvent.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(days=31))
    recent = SecurityEvent.objects.create(kind=Kind.LOGOUT, user=person)
    SecurityEvent.objects.filter(pk=recent.pk).update(created_at=now - datetime.timedelta(days=29))

    assert purge_security_events.delay().get() == 1

    assert list(SecurityEvent.objects.values_list("kind", flat=True)) == [Kind.LOGOUT]
    assert "core-purge-security-events" in django_settings.CELERY_BEAT_SCHEDULE
