"""Home by role, program overview, team and project pages: what each reader sees, and a
query count that does not grow with the number of teams."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.models import Discipline, Program, Role, User
from teams.models import Team
from tests import factories as f
from tests.conftest import Cast


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_participant_home_shows_team_project_coach_and_sponsor(cast: Cast) -> None:
    html = page(cast.client_for("participant"), reverse("home"))
    assert "Flow Forward" in html
    assert "Cut ED boarding time" in html
    assert "Casey Coach" in html
    assert "Sam Sponsor" in html
    assert "Safe Passage" not in html


def test_coach_home_lists_only_the_teams_they_coach(cast: Cast) -> None:
    html = page(cast.client_for("coach"), reverse("home"))
    assert "Teams I coach" in html
    assert "Flow Forward" in html
    assert "Safe Passage" not in html


def test_sponsor_home_lists_the_projects_they_sponsor(cast: Cast) -> None:
    html = page(cast.client_for("sponsor"), reverse("home"))
    assert "Projects I sponsor" in html
    assert "Cut ED boarding time" in html
    assert "Discharge huddles" not in html


def test_program_admin_home_lists_their_programs_with_counts(cast: Cast) -> None:
    html = page(cast.client_for("program_admin"), reverse("home"))
    assert "Programs I run" in html
    assert "System Leadership Academy" in html
    assert "3 participants · 2 teams" in html


def test_person_without_a_program_is_told_what_happens_next(db: None) -> None:
    client = Client()
    client.force_login(f.UserFactory())
    assert "will send you an invitation" in page(client, reverse("home"))


def test_participant_not_yet_on_a_team_is_told_so(cast: Cast) -> None:
    newcomer = f.UserFactory()
    f.MembershipFactory(user=newcomer, program=cast.program, role=Role.PARTICIPANT)
    client = Client()
    client.force_login(newcomer)
    assert "You are not on a team yet" in page(client, reverse("home"))


def test_person_with_two_roles_in_two_programs_sees_both(cast: Cast) -> None:
    other_program = f.ProgramFactory(name="Emerging Leaders")
    f.MembershipFactory(user=cast.coach, program=other_program, role=Role.PARTICIPANT)
    html = page(cast.client_for("coach"), reverse("home"))
    assert "Teams I coach" in html
    assert "My team" in html
    assert "Emerging Leaders" in html  # in the navigation


def test_program_page_lists_teams_and_links_only_those_the_reader_may_open(cast: Cast) -> None:
    html = page(
        cast.client_for("participant"), reverse("dashboards:program", args=[cast.program.pk])
    )
    assert "Safe Passage" in html
    assert reverse("teams:detail", args=[cast.team.pk]) in html
    assert reverse("teams:detail", args=[cast.other_team.pk]) not in html


def test_program_admin_can_open_every_team_from_the_program_page(cast: Cast) -> None:
    html = page(
        cast.client_for("program_admin"), reverse("dashboards:program", args=[cast.program.pk])
    )
    assert reverse("teams:detail", args=[cast.team.pk]) in html
    assert reverse("teams:detail", args=[cast.other_team.pk]) in html


def test_team_page_shows_members_advisors_and_project(cast: Cast) -> None:
    html = page(cast.client_for("teammate"), reverse("teams:detail", args=[cast.team.pk]))
    assert "Pat Participant" in html
    assert "Terry Teammate" in html
    assert "Casey Coach" in html
    assert "Cut ED boarding time" in html


def test_team_page_explains_a_reporting_line_inside_the_team(cast: Cast) -> None:
    profile = cast.teammate.profiles.get()
    profile.reports_to = cast.participant
    profile.save()
    html = page(cast.client_for("coach"), reverse("teams:detail", args=[cast.team.pk]))
    assert "Terry Teammate reports to Pat Participant" in html


def test_project_page_shows_the_charter_read_only(cast: Cast) -> None:
    html = page(cast.client_for("sponsor"), reverse("projects:detail", args=[cast.project.pk]))
    assert "Patients wait too long for a bed." in html
    assert "Crafting" in html
    assert "<form" not in html.split('<main id="main"')[1]


def build_program(team_count: int, members_per_team: int = 4) -> dict[str, User | Program | Team]:
    """A program with `team_count` teams, each with a coach, a sponsor, members and a
    project; one coach and one sponsor guide all of them."""
    program = f.ProgramFactory()
    cohort = f.CohortFactory(program=program)
    admin, coach, sponsor = f.UserFactory(), f.UserFactory(), f.UserFactory()
    for user, role in ((admin, Role.PROGRAM_ADMIN), (coach, Role.COACH), (sponsor, Role.SPONSOR)):
        f.MembershipFactory(user=user, program=program, role=role)
    disciplines = list(Discipline.values)
    first_team = first_member = None
    for _ in range(team_count):
        team = f.TeamFactory(cohort=cohort, coach=coach, sponsor=sponsor)
        f.ProjectFactory(team=team)
        for m in range(members_per_team):
            member = f.add_participant(team, discipline=disciplines[m % len(disciplines)])
            first_member = first_member or member
        first_team = first_team or team
    return {
        "program": program,
        "admin": admin,
        "coach": coach,
        "sponsor": sponsor,
        "team": first_team,
        "member": first_member,
    }


def count_queries(user: User, url: str) -> int:
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


PAGES = [
    ("home as participant", "member", lambda d: reverse("home")),
    ("home as coach", "coach", lambda d: reverse("home")),
    ("home as sponsor", "sponsor", lambda d: reverse("home")),
    ("home as program admin", "admin", lambda d: reverse("home")),
    ("program", "admin", lambda d: reverse("dashboards:program", args=[d["program"].pk])),
    (
        "program as participant",
        "member",
        lambda d: reverse("dashboards:program", args=[d["program"].pk]),
    ),
    ("team", "coach", lambda d: reverse("teams:detail", args=[d["team"].pk])),
    ("project", "member", lambda d: reverse("projects:detail", args=[d["team"].project.pk])),
]


@pytest.mark.parametrize(("label", "who", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_page_runs_the_same_queries_for_1_and_20_teams_and_at_most_10(
    db: None, label: str, who: str, url: object
) -> None:
    small = build_program(1, members_per_team=4)
    large = build_program(20, members_per_team=8)
    small_count = count_queries(small[who], url(small))  # type: ignore[operator,arg-type]
    large_count = count_queries(large[who], url(large))  # type: ignore[operator,arg-type]
    assert small_count == large_count, f"{label}: {small_count} vs {large_count} queries"
    assert large_count <= 10, f"{label}: {large_count} queries"


def test_a_program_page_reads_the_readers_memberships_once_for_access_and_header(
    cast: Cast,
) -> None:
    # The header lists the reader's programs from the memberships the access check read:
    # one query of the reader's memberships, and a program the reader has left is not listed.
    f.MembershipFactory(
        user=cast.participant, program=f.ProgramFactory(name="Emerging Leaders"), role=Role.COACH
    )
    f.MembershipFactory(
        user=cast.participant,
        program=f.ProgramFactory(name="Former Program"),
        role=Role.PARTICIPANT,
        is_active=False,
    )
    client = cast.client_for("participant")
    own = f'"programs_membership"."user_id" = {cast.participant.pk}'
    for url in (
        reverse("reflections:journal", args=[cast.program.pk]),
        reverse("teams:detail", args=[cast.team.pk]),
        reverse("dashboards:program", args=[cast.program.pk]),
    ):
        with CaptureQueriesContext(connection) as queries:
            html = page(client, url)
        reads = [q["sql"] for q in queries if own in q["sql"]]
        assert len(reads) == 1, (url, reads)
        assert "Emerging Leaders" in html
        assert "Former Program" not in html
