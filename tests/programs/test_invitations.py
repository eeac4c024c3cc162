"""Invitations: a signed, single-use, expiring link that makes the recipient a member."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programs.models import Invitation, Membership, Role, User
from programs.services import do_invite, do_send_invitation_email
from tests import factories as f
from tests.conftest import Cast


def invite(
    cast: Cast, email: str = "new.leader@example.org", role: str = Role.PARTICIPANT
) -> Invitation:
    cohort = cast.program.cohorts.get()
    return do_invite(
        program=cast.program,
        email=email,
        role=role,
        cohort=cohort if role == Role.PARTICIPANT else None,
        by=cast.program_admin,
    )


def link_in(message: mail.EmailMessage) -> str:
    match = re.search(
        r"https://actionlab\.example\.org(/programs/invitations/[^/\s]+/)", message.body
    )
    assert match, message.body
    return match.group(1)


@pytest.fixture
def sent(cast: Cast, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """An invitation sent through the invite form, and its link."""
    client = cast.client_for("program_admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("programs:invite", args=[cast.program.pk]),
            {
                "email": "New.Leader@Example.org",
                "role": Role.PARTICIPANT,
                "cohort": cast.program.cohorts.get().pk,
            },
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    return Invitation.objects.get(), link_in(mail.outbox[0])


def test_invitation_email_is_sent_once_after_commit_with_a_link(
    cast: Cast, sent: tuple[Invitation, str]
) -> None:
    invitation, _link = sent
    assert invitation.email == "new.leader@example.org"
    assert mail.outbox[0].to == ["new.leader@example.org"]
    assert "System Leadership Academy" in mail.outbox[0].subject
    assert mail.outbox[0].alternatives  # an HTML part too
    assert invitation.sent_at is not None
    # The task may run again (a retry, a redelivery): the email is not sent twice.
    assert do_send_invitation_email(invitation_id=invitation.pk, nonce=invitation.nonce) is False
    assert len(mail.outbox) == 1


def test_a_rolled_back_invitation_sends_nothing(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        invite(cast)
        raise RuntimeError("the request failed after the invitation was written")
    assert callbacks == []
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_new_person_creates_an_account_with_name_and_time_zone_and_joins(
    cast: Cast, sent: tuple[Invitation, str]
) -> None:
    invitation, link = sent
    client = Client()
    page = client.get(link)
    assert page.status_code == 200
    assert b"Create my account" in page.content
    signup_url = reverse("programs:invitation_signup", args=[link.split("/")[-2]])
    form = client.get(signup_url)
    assert b"new.leader@example.org" in form.content
    response = client.post(
        signup_url,
        {
            "first_name": "Priya",
            "last_name": "Natarajan",
            "time_zone": "Asia/Kolkata",
            "password1": "a-Strong-passphrase-9",
            "password2": "a-Strong-passphrase-9",
            "org-discipline": "nurse",
            "org-job_title": "Nurse Manager",
        },
        follow=True,
    )
    assert b"Welcome to System Leadership Academy, Priya" in response.content
    user = User.objects.get(email="new.leader@example.org")
    assert (user.first_name, user.last_name, user.time_zone) == (
        "Priya",
        "Natarajan",
        "Asia/Kolkata",
    )
    assert EmailAddress.objects.get(user=user).verified  # the link proved the address
    membership = Membership.objects.get(user=user)
    assert (membership.program, membership.role) == (cast.program, Role.PARTICIPANT)
    assert membership.cohort == cast.program.cohorts.get()
    profile = user.profiles.get(organization=cast.program.organization)
    assert (profile.discipline, profile.job_title) == ("nurse", "Nurse Manager")
    invitation.refresh_from_db()
    assert invitation.accepted_by == user


def test_an_existing_account_is_attached_after_signing_in(
    cast: Cast, sent: tuple[Invitation, str]
) -> None:
    _invitation, link = sent
    existing = f.UserFactory(email="new.leader@example.org")
    client = Client()
    assert b"Sign in to accept" in client.get(link).content
    client.force_login(existing)
    page = client.get(link).content.decode()
    assert "Accept the invitation" in page
    assert 'name="org-discipline"' in page  # the organisation does not know them yet
    response = client.post(link, {"org-discipline": "research", "org-job_title": "Scientist"})
    assert response["Location"] == reverse("home")
    assert Membership.objects.filter(user=existing, program=cast.program).exists()
    profile = existing.profiles.get(organization=cast.program.organization)
    assert (profile.discipline, profile.job_title) == ("research", "Scientist")


def test_accepting_asks_only_what_the_admin_left_empty(
    cast: Cast, sent: tuple[Invitation, str]
) -> None:
    _invitation, link = sent
    existing = f.UserFactory(email="new.leader@example.org")
    f.ProfileFactory(user=existing, organization=cast.program.organization, job_title="")
    client = Client()
    client.force_login(existing)
    page = client.get(link).content.decode()
    assert 'name="org-job_title"' in page
    assert 'name="org-unit"' not in page
    assert 'name="org-discipline"' not in page
    refused = client.post(link, {"org-job_title": "x" * 201})
    assert refused.status_code == 400
    assert not Membership.objects.filter(user=existing, program=cast.program).exists()
    client.post(link, {"org-job_title": "Charge Nurse"})
    assert existing.profiles.get().job_title == "Charge Nurse"
    assert Membership.objects.filter(user=existing, program=cast.program).exists()


def test_someone_signed_in_with_another_email_cannot_accept(
    cast: Cast, sent: tuple[Invitation, str]
) -> None:
    _, link = sent
    client = cast.client_for("outsider")
    assert b"You are signed in as" in client.get(link).content
    response = client.post(link)
    assert response.status_code == 409
    assert b"This invitation is for new.leader@example.org" in response.content
    assert not Membership.objects.filter(user=cast.outsider, program=cast.program).exists()


def test_a_used_link_gets_a_clear_page_and_creates_nothing(
    cast: Cast, sent: tuple[Invitation, str]
) -> None:
    _, link = sent
    person = f.UserFactory(email="new.leader@example.org")
    client = Client()
    client.force_login(person)
    client.post(link, {"org-discipline": "nurse"})
    again = client.post(link, {"org-discipline": "nurse"})
    assert again.status_code == 410
    assert b"already been used" in again.content
    assert Membership.objects.filter(user=person).count() == 1


def test_a_revoked_link_gets_a_clear_page_and_creates_no_membership(
    cast: Cast, sent: tuple[Invitation, str]
) -> None:
    invitation, link = sent
    admin = cast.client_for("program_admin")
    admin.post(reverse("programs:invitation_revoke", args=[cast.program.pk, invitation.pk]))
    person = f.UserFactory(email="new.leader@example.org")
    client = Client()
    client.force_login(person)
    response = client.post(link)
    assert response.status_code == 410
    assert b"withdrawn" in response.content
    assert not Membership.objects.filter(user=person).exists()


def test_an_expired_link_gets_a_clear_page_and_creates_no_membership(
    cast: Cast, sent: tuple[Invitation, str]
) -> None:
    _, link = sent
    person = f.UserFactory(email="new.leader@example.org")
    client = Client()
    client.force_login(person)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=15)):
        response = client.post(link)
    assert response.status_code == 410
    assert b"expired" in response.content
    assert not Membership.objects.filter(user=person).exists()


def test_expiry_is_configurable(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.INVITATION_EXPIRY_DAYS = 3
    invitation = invite(cast)
    assert invitation.expires_at - invitation.created_at < datetime.timedelta(days=3, seconds=5)


def test_a_forged_or_altered_link_gets_a_clear_page(db: None) -> None:
    response = Client().get(reverse("programs:invitation", args=["not-a-real-token"]))
    assert response.status_code == 410
    assert b"not valid" in response.content


def test_resending_sends_a_new_link_and_kills_the_old_one(
    cast: Cast,
    sent: tuple[Invitation, str],
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    invitation, old_link = sent
    admin = cast.client_for("program_admin")
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("programs:invitation_resend", args=[cast.program.pk, invitation.pk]))
    assert len(mail.outbox) == 2
    new_link = link_in(mail.outbox[1])
    assert new_link != old_link
    assert Client().get(old_link).status_code == 410
    assert Client().get(new_link).status_code == 200


def test_a_second_open_invitation_for_the_same_role_is_refused(
    cast: Cast, sent: tuple[Invitation, str]
) -> None:
    response = cast.client_for("program_admin").post(
        reverse("programs:invite", args=[cast.program.pk]),
        {
            "email": "new.leader@example.org",
            "role": Role.PARTICIPANT,
            "cohort": cast.program.cohorts.get().pk,
        },
    )
    assert response.status_code == 400
    assert b"already has an open invitation" in response.content
    assert Invitation.objects.count() == 1


def test_inviting_a_participant_needs_a_cohort(cast: Cast) -> None:
    f.CohortFactory(program=cast.program, name="Cohort 2")
    response = cast.client_for("program_admin").post(
        reverse("programs:invite", args=[cast.program.pk]),
        {"email": "x@example.org", "role": Role.PARTICIPANT, "cohort": ""},
    )
    assert response.status_code == 400
    assert b"Choose the cohort this participant joins." in response.content
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("who", ["coach", "sponsor", "participant"])
def test_only_program_admins_resend_or_revoke(cast: Cast, who: str) -> None:
    invitation = invite(cast)
    client = cast.client_for(who)
    for name in ("programs:invitation_resend", "programs:invitation_revoke"):
        assert client.post(reverse(name, args=[cast.program.pk, invitation.pk])).status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
