"""Every change of who is on a team or advises it is recorded (a security event) and shown
on the team page: the coach and sponsor since when, and the latest changes."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import SecurityEvent
from programs.models import Role
from teams.models import PeopleImport, TeamChange
from teams.services import do_apply_proposal, do_end_membership, do_set_advisors
from tests import factories as f
from tests.conftest import Cast


def team_page(cast: Cast, who: str = "participant") -> str:
    return cast.client_for(who).get(reverse("teams:detail", args=[cast.team.pk])).content.decode()


def test_the_team_page_says_who_its_coach_is_since_when(cast: Cast) -> None:
    do_set_advisors(
        team=cast.team, coach=cast.other_coach, sponsor=cast.sponsor, by=cast.program_admin
    )
    html = team_page(cast)
    assert "Your coach is now Cory Othercoach" in html
    assert "Cory Othercoach became the team's learning coach, after Casey Coach" in html
    # Setting the same advisors again changes nothing and records nothing.
    do_set_advisors(team=cast.team, coach=cast.other_coach, sponsor=cast.sponsor)
    assert TeamChange.objects.filter(team=cast.team).count() == 1


def test_a_coach_whose_membership_ends_leaves_a_line_on_the_teams_page(cast: Cast) -> None:
    membership = cast.coach.memberships.get(program=cast.program, role=Role.COACH)
    do_end_membership(membership=membership, by=cast.program_admin)
    assert "Casey Coach is no longer your coach" in team_page(cast)
    ended = SecurityEvent.objects.get(kind=SecurityEvent.Kind.ROLE_ENDED, user=cast.coach)
    assert (ended.details["role"], ended.details["by"]) == (Role.COACH, cast.program_admin.pk)


def test_people_placed_by_a_proposal_are_recorded_on_their_new_team(cast: Cast) -> None:
    cohort = cast.team.cohort
    newcomer = f.add_participant(cast.other_team)
    cast.other_team.members.filter(user=newcomer).delete()
    teams = do_apply_proposal(
        cohort=cohort,
        groups=[],
        first_number=9,
        placements={newcomer.pk: cast.team.pk},
        by=cast.program_admin,
    )
    assert teams == []
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.TEAM_MEMBER_MOVED, user=newcomer)
    assert (event.details["joined_team"], event.details["how"]) == (cast.team.pk, "proposal")
    assert f"{newcomer.display_name} joined the team" in team_page(cast)


def test_people_placed_by_an_import_are_recorded_on_their_team(cast: Cast) -> None:
    client = cast.client_for("program_admin")
    csv = (
        "email,first_name,last_name,role,team\n"
        "nadia.new@example.org,Nadia,New,participant,Flow Forward\n"
    )
    response = client.post(
        reverse("teams:import", args=[cast.program.pk]),
        {
            "cohort": cast.team.cohort_id,
            "file": SimpleUploadedFile("people.csv", csv.encode(), "text/csv"),
        },
    )
    assert response.status_code == 302
    people_import = PeopleImport.objects.get(program=cast.program)
    client.post(
        reverse("teams:import_confirm", args=[cast.program.pk, people_import.pk]), {"rows": "all"}
    )
    assert cast.team.members.filter(user__email="nadia.new@example.org").exists()
    event = SecurityEvent.objects.get(
        kind=SecurityEvent.Kind.TEAM_MEMBER_MOVED, user__email="nadia.new@example.org"
    )
    assert (event.details["how"], event.details["by"]) == ("import", cast.program_admin.pk)
    assert "Nadia New joined the team" in team_page(cast)
