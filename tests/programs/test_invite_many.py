"""Inviting many people at once by pasting their addresses, with one role."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import SecurityEvent
from programs.invite_forms import split_addresses
from programs.models import Invitation, Role
from tests import factories as f
from tests.conftest import Cast


def page_text(content: bytes) -> str:
    """The page as a reader sees it, each cell apart from the next."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content.decode())).split())


def paste(cast: Cast, addresses: str, role: str = Role.PARTICIPANT, **extra: object) -> object:
    data: dict[str, object] = {"many-addresses": addresses, "many-role": role}
    if role == Role.PARTICIPANT:
        data["many-cohort"] = cast.team.cohort_id
    data |= {f"many-{k}": v for k, v in extra.items()}
    return cast.client_for("program_admin").post(
        reverse("programs:invite_many", args=[cast.program.pk]), data
    )


def test_the_invite_page_offers_inviting_many_at_once(cast: Cast) -> None:
    page = cast.client_for("program_admin").get(reverse("programs:invite", args=[cast.program.pk]))
    assert page.status_code == 200
    text = page_text(page.content)
    assert "Many people at once" in text and "Send the invitations" in text


@pytest.mark.parametrize(
    ("text", "entries"),
    [
        ("a@x.org\nb@x.org", ["a@x.org", "b@x.org"]),
        ("a@x.org, b@x.org; c@x.org", ["a@x.org", "b@x.org", "c@x.org"]),
        (
            '"Lee, Ana" <ana@x.org>, Bo Boss <bo@x.org>',
            ['"Lee, Ana" <ana@x.org>', "Bo Boss <bo@x.org>"],
        ),
        ("Lee, Ana <ana@x.org>\n\n", ["Lee, Ana <ana@x.org>"]),
    ],
)
def test_pasted_lists_are_split_into_entries(text: str, entries: list[str]) -> None:
    assert split_addresses(text) == entries


def test_each_pasted_address_gets_its_outcome_and_only_new_ones_an_invitation(
    cast: Cast,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    Invitation.objects.create(
        program=cast.program,
        email="open@example.org",
        role=Role.PARTICIPANT,
        cohort=cast.team.cohort,
        nonce="0" * 32,
        invited_by=cast.program_admin,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = paste(
            cast,
            "Nia Newton <Nia@Example.org>\n"
            f"{cast.participant.email}; not-an-address, open@example.org\n"
            "nia@example.org",
        )
    assert response.status_code == 200
    text = page_text(response.content)
    assert "1 invitation sent, as participant" in text
    assert "Nia Newton <Nia@Example.org> Invited" in text
    assert f"{cast.participant.email} Already a member with this role" in text
    assert "not-an-address Not a valid email address" in text
    assert "open@example.org Already invited with this role" in text
    assert "nia@example.org Given twice: invited once" in text
    # Only what was typed is shown: not the stored name of the existing member.
    assert "Pat Participant" not in text
    assert [m.to for m in mail.outbox] == [["nia@example.org"]]
    invitation = Invitation.objects.get(email="nia@example.org")
    assert (invitation.role, invitation.cohort) == (Role.PARTICIPANT, cast.team.cohort)


def test_an_existing_account_of_another_organisation_is_only_invited(cast: Cast) -> None:
    elsewhere = f.UserFactory(email="far@example.org", first_name="Faraway", last_name="Person")
    other = f.ProgramFactory(organization=f.OrganizationFactory(name="Elsewhere Health"))
    f.MembershipFactory(user=elsewhere, program=other, role=Role.COACH)
    response = paste(cast, "far@example.org", role=Role.COACH)
    text = page_text(response.content)
    assert "far@example.org Invited" in text and "Faraway" not in text
    assert not cast.program.memberships.filter(user=elsewhere).exists()
    assert Invitation.objects.get(email="far@example.org").accepted_at is None


def test_participants_need_a_cohort_and_nothing_is_sent_without_one(cast: Cast) -> None:
    response = cast.client_for("program_admin").post(
        reverse("programs:invite_many", args=[cast.program.pk]),
        {"many-addresses": "a@example.org", "many-role": Role.PARTICIPANT},
    )
    assert response.status_code == 400
    assert "Choose the cohort these participants join." in page_text(response.content)
    assert not Invitation.objects.exists()


def test_too_many_addresses_are_refused(cast: Cast) -> None:
    response = paste(cast, "\n".join(f"p{i}@example.org" for i in range(201)))
    assert response.status_code == 400
    assert "201 addresses were pasted; at most 200" in page_text(response.content)
    assert not Invitation.objects.exists()


def test_an_admin_pasting_her_own_address_as_sponsor_is_recorded(cast: Cast) -> None:
    paste(cast, f"Me <{cast.program_admin.email}>", role=Role.SPONSOR)
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.ROLE_GRANTED)
    assert event.user == cast.program_admin
    assert event.details["self_granted"] is True and event.details["role"] == Role.SPONSOR
