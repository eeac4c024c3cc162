"""Another organisation's program admin tries to pull an existing person into her program
with a people import, and to learn their name from the preview.

Before: the admin of a program at Harbour Clinics uploaded a file naming
pat.participant@… (a participant at Lakeside Health). The preview said "the account's name,
Pat Participant, is kept", and confirming made Pat a participant of the Harbour program, gave
Pat a Harbour profile and put Pat on a Harbour team, without Pat being asked. Now an account
the program's organisation does not know is only invited: Pat joins if Pat accepts, and the
preview shows only what the admin typed.
"""

from __future__ import annotations

import html

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags

from programs.models import Cohort, Invitation, Membership, Profile, Program, Role, User
from teams.models import PeopleImport, TeamMember
from tests import factories as f
from tests.conftest import Cast

HEADER = "email,first_name,last_name,unit,job_title,role,team\n"


def harbour_admin() -> tuple[Client, Program, Cohort]:
    harbour = f.OrganizationFactory(name="Harbour Clinics")
    program = f.ProgramFactory(organization=harbour, name="Harbour Leaders")
    cohort = f.CohortFactory(program=program, name="Harbour cohort")
    admin = f.UserFactory(first_name="Hana", last_name="Harbour")
    f.MembershipFactory(user=admin, program=program, role=Role.PROGRAM_ADMIN)
    client = Client()
    client.force_login(admin)
    return client, program, cohort


def page_text(content: bytes) -> str:
    return " ".join(html.unescape(strip_tags(content.decode())).split())


def test_an_import_by_another_organisation_invites_and_shows_only_what_was_typed(
    cast: Cast,
) -> None:
    client, program, cohort = harbour_admin()
    pat = cast.participant
    typed = f"{pat.email.upper()},Someone,Else,Harbour Ward,Analyst,participant,Harbour Team\n"
    response = client.post(
        reverse("teams:import", args=[program.pk]),
        {
            "cohort": cohort.pk,
            "file": SimpleUploadedFile("p.csv", (HEADER + typed).encode(), "text/csv"),
        },
    )
    assert response.status_code == 302
    people_import = PeopleImport.objects.get(program=program)
    preview = page_text(client.get(response["Location"]).content)
    # Only what the admin typed: not the stored name, nor anything else Pat's account holds.
    assert "Pat" not in preview and "Participant Pat" not in preview
    assert pat.last_name not in preview.replace("Participant", "")
    assert "Someone Else" in preview
    assert "they join only when they accept it" in preview

    client.post(
        reverse("teams:import_confirm", args=[program.pk, people_import.pk]),
        {"rows": "all", "create_units": "on"},
    )
    people_import.refresh_from_db()
    assert people_import.applied_at is not None
    # Nothing of Pat's changed and Pat is nowhere in the Harbour program...
    assert not Membership.objects.filter(user=pat, program=program).exists()
    assert not Profile.objects.filter(user=pat, organization=program.organization).exists()
    assert not TeamMember.objects.filter(user=pat, cohort=cohort).exists()
    pat.refresh_from_db()
    assert (pat.first_name, pat.last_name) == ("Pat", "Participant")
    # ...until Pat accepts the invitation sent to the address.
    invitation = Invitation.objects.get(program=program)
    assert (invitation.email, invitation.role, invitation.cohort) == (
        pat.email.lower(),
        Role.PARTICIPANT,
        cohort,
    )
    assert invitation.accepted_at is None
    assert User.objects.filter(email__iexact=pat.email).count() == 1


def test_a_person_already_known_to_the_organisation_is_still_enrolled_directly(
    cast: Cast,
) -> None:
    """The rule is about reach, not about every existing account: someone with a profile in
    the program's organisation is enrolled by its import, as before."""
    program = f.ProgramFactory(organization=cast.program.organization, name="Second Academy")
    cohort = f.CohortFactory(program=program)
    admin = cast.program_admin
    f.MembershipFactory(user=admin, program=program, role=Role.PROGRAM_ADMIN)
    people_import = PeopleImport.objects.create(
        program=program,
        cohort=cohort,
        uploaded_by=admin,
        filename="p.csv",
        content=f"email,role\n{cast.participant.email},participant\n",
    )
    client = Client()
    client.force_login(admin)
    client.post(reverse("teams:import_confirm", args=[program.pk, people_import.pk]))
    assert Membership.objects.get(user=cast.participant, program=program).is_active
    assert not Invitation.objects.filter(program=program).exists()


def test_an_admin_of_the_programs_organisation_is_known_to_it(cast: Cast) -> None:
    client, program, cohort = harbour_admin()
    head = f.UserFactory(email="head@harbour.example.org")
    f.OrganizationAdminFactory(user=head, organization=program.organization)
    people_import = PeopleImport.objects.create(
        program=program,
        cohort=cohort,
        filename="p.csv",
        content="email,role\nhead@harbour.example.org,sponsor\n",
    )
    client.post(reverse("teams:import_confirm", args=[program.pk, people_import.pk]))
    assert Membership.objects.get(user=head, program=program).role == Role.SPONSOR
    assert not Invitation.objects.filter(program=program).exists()
