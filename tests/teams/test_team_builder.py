"""The team builder: place people on teams with htmx, set coach and sponsor, create and
delete teams, and propose teams for the unassigned participants."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs.models import Cohort, Discipline, Program, Role, Unit, User
from reflections.models import TeamReflection
from teams.models import Team, TeamMember
from tests import factories as f
from tests.conftest import Cast

HTMX = {"HTTP_HX_REQUEST": "true"}


def cohort_of(cast: Cast) -> Cohort:
    return cast.program.cohorts.get()


def url(name: str, cast: Cast, *extra: int) -> str:
    return reverse(name, args=[cast.program.pk, cohort_of(cast).pk, *extra])


def newcomer(cast: Cast, first: str = "Nora", unit: str | None = None, **profile: object) -> User:
    user = f.UserFactory(first_name=first, last_name="Newcomer")
    f.MembershipFactory(
        user=user, program=cast.program, cohort=cohort_of(cast), role=Role.PARTICIPANT
    )
    organization = cast.program.organization
    unit_obj = (
        Unit.objects.get_or_create(organization=organization, name=unit)[0] if unit else None
    )
    f.ProfileFactory(user=user, organization=organization, unit=unit_obj, **profile)
    return user


def test_builder_shows_teams_measures_and_unassigned_people(cast: Cast) -> None:
    newcomer(cast)
    html = cast.client_for("program_admin").get(url("teams:builder", cast)).content.decode()
    assert "Unassigned participants (1 of 4)" in html
    assert "Nora Newcomer" in html
    assert "Flow Forward" in html and "Safe Passage" in html
    assert "2 members" in html


def test_placing_a_participant_with_htmx_returns_the_updated_builder(cast: Cast) -> None:
    person = newcomer(cast)
    response = cast.client_for("program_admin").post(
        url("teams:builder_assign", cast), {"user": person.pk, "team": cast.team.pk}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="builder"')  # the partial, not a whole page
    assert "<html" not in html
    assert "Nora Newcomer moved to Flow Forward." in html
    assert TeamMember.objects.get(user=person).team == cast.team


def test_moving_a_member_to_another_team_keeps_one_team_per_cohort(cast: Cast) -> None:
    client = cast.client_for("program_admin")
    client.post(
        url("teams:builder_assign", cast),
        {"user": cast.participant.pk, "team": cast.other_team.pk},
    )
    assert list(
        TeamMember.objects.filter(user=cast.participant).values_list("team", flat=True)
    ) == [cast.other_team.pk]
    client.post(url("teams:builder_assign", cast), {"user": cast.participant.pk, "team": ""})
    assert not TeamMember.objects.filter(user=cast.participant).exists()


def test_a_plain_post_redirects_back_to_the_builder(cast: Cast) -> None:
    person = newcomer(cast)
    response = cast.client_for("program_admin").post(
        url("teams:builder_assign", cast), {"user": person.pk, "team": cast.team.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == url("teams:builder", cast)


def test_someone_outside_the_cohort_cannot_be_placed(cast: Cast) -> None:
    response = cast.client_for("program_admin").post(
        url("teams:builder_assign", cast), {"user": cast.coach.pk, "team": cast.team.pk}, **HTMX
    )
    assert response.status_code == 400
    assert "Choose one of the people offered." in response.content.decode()
    assert not TeamMember.objects.filter(user=cast.coach).exists()


def test_coach_and_sponsor_are_set_from_the_program_advisors(cast: Cast) -> None:
    client = cast.client_for("program_admin")
    response = client.post(
        url("teams:builder_team_advisors", cast, cast.other_team.pk),
        {"coach": cast.coach.pk, "sponsor": cast.sponsor.pk},
        **HTMX,
    )
    assert response.status_code == 200
    cast.other_team.refresh_from_db()
    assert (cast.other_team.coach, cast.other_team.sponsor) == (cast.coach, cast.sponsor)


def test_a_participant_cannot_be_made_coach(cast: Cast) -> None:
    response = cast.client_for("program_admin").post(
        url("teams:builder_team_advisors", cast, cast.other_team.pk),
        {"coach": cast.participant.pk, "sponsor": ""},
        **HTMX,
    )
    assert response.status_code == 400
    assert "Choose one of the people offered." in response.content.decode()
    cast.other_team.refresh_from_db()
    assert cast.other_team.coach != cast.participant


def test_teams_are_created_by_name_and_duplicates_refused(cast: Cast) -> None:
    client = cast.client_for("program_admin")
    client.post(url("teams:builder_team_create", cast), {"name": "Bridge Builders"}, **HTMX)
    assert Team.objects.filter(cohort=cohort_of(cast), name="Bridge Builders").exists()
    again = client.post(
        url("teams:builder_team_create", cast), {"name": "bridge builders"}, **HTMX
    )
    assert again.status_code == 400
    assert "already has a team called" in again.content.decode()
    assert Team.objects.filter(cohort=cohort_of(cast)).count() == 3


def test_only_an_empty_team_without_a_project_is_deleted_and_only_after_confirming(
    cast: Cast,
) -> None:
    client = cast.client_for("program_admin")
    empty = Team.objects.create(cohort=cohort_of(cast), name="Spare")
    delete = url("teams:builder_team_delete", cast, empty.pk)
    assert b"Delete the team" in client.get(delete).content
    assert Team.objects.filter(pk=empty.pk).exists()
    client.post(delete)
    assert not Team.objects.filter(pk=empty.pk).exists()
    client.post(url("teams:builder_team_delete", cast, cast.team.pk))
    assert Team.objects.filter(pk=cast.team.pk).exists()


def test_proposal_is_shown_then_applied_creating_balanced_mixed_teams(cast: Cast) -> None:
    units = ["ED", "ED", "ED", "Finance", "Finance", "Finance", "Pharmacy", "Pharmacy"]
    disciplines = [Discipline.PHYSICIAN, Discipline.NURSE] * 4
    people = [
        newcomer(cast, first=f"P{i}", unit=units[i], discipline=disciplines[i]) for i in range(8)
    ]
    client = cast.client_for("program_admin")
    proposal = client.get(url("teams:builder_propose", cast), {"team_count": "2"})
    assert proposal.status_code == 200
    html = proposal.content.decode()
    assert "Nothing is saved until you apply it." in html
    assert not Team.objects.filter(name__startswith="Team ").exists()
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    response = client.post(
        url("teams:builder_propose", cast), {"team_count": "2", "fingerprint": fingerprint}
    )
    assert response.status_code == 302
    new_teams = Team.objects.filter(cohort=cohort_of(cast), name__startswith="Team ")
    assert new_teams.count() == 2
    sizes = sorted(t.members.count() for t in new_teams)
    assert sizes == [4, 4]
    for team in new_teams:  # three units and both disciplines on each team
        members = team.members.all()
        assert len({m.user.profiles.get().unit_id for m in members}) == 3
        assert len({m.user.profiles.get().discipline for m in members}) == 2
    placed = set(TeamMember.objects.filter(team__in=new_teams).values_list("user_id", flat=True))
    assert placed == {p.pk for p in people}


def test_the_proposal_is_the_same_every_time_for_the_same_people(cast: Cast) -> None:
    for i in range(7):
        newcomer(cast, first=f"P{i}")
    client = cast.client_for("program_admin")
    first = client.get(url("teams:builder_propose", cast), {"target_size": "4"}).content
    second = client.get(url("teams:builder_propose", cast), {"target_size": "4"}).content

    def body(html: bytes) -> bytes:
        return html.split(b"<h1>", 1)[1].split(b"</main>")[0].split(b'name="fingerprint"')[1]

    assert body(first) == body(second)


def test_discarding_changes_nothing_and_a_stale_proposal_is_not_applied(cast: Cast) -> None:
    for i in range(4):
        newcomer(cast, first=f"P{i}")
    client = cast.client_for("program_admin")
    html = client.get(url("teams:builder_propose", cast), {"team_count": "2"}).content.decode()
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    newcomer(cast, first="Late")  # the unassigned people change before applying
    response = client.post(
        url("teams:builder_propose", cast), {"team_count": "2", "fingerprint": fingerprint}
    )
    assert response.status_code == 302
    assert "team_count=2" in response["Location"]
    assert not Team.objects.filter(name__startswith="Team ").exists()


def test_a_team_count_out_of_range_gets_a_message(cast: Cast) -> None:
    newcomer(cast)
    client = cast.client_for("program_admin")
    response = client.get(url("teams:builder_propose", cast), {"team_count": "5"}, follow=True)
    assert "Choose between 1 and 1 teams for 1 people." in response.content.decode()


@pytest.mark.parametrize("who", ["coach", "sponsor", "participant"])
def test_other_roles_get_403_and_change_nothing(cast: Cast, who: str) -> None:
    person = newcomer(cast)
    client = cast.client_for(who)
    assert client.get(url("teams:builder", cast)).status_code == 403
    response = client.post(
        url("teams:builder_assign", cast), {"user": person.pk, "team": cast.team.pk}
    )
    assert response.status_code == 403
    assert not TeamMember.objects.filter(user=person).exists()


def build(size: int) -> tuple[User, Program, Cohort]:
    program = f.ProgramFactory()
    cohort = f.CohortFactory(program=program)
    admin = f.UserFactory()
    f.MembershipFactory(user=admin, program=program, role=Role.PROGRAM_ADMIN)
    for _ in range(3):
        f.MembershipFactory(program=program, role=Role.COACH)
        f.MembershipFactory(program=program, role=Role.SPONSOR)
    teams = [f.TeamFactory(cohort=cohort) for _ in range(size // 10)]
    for i in range(size):
        if i % 3 == 0:  # a third not yet on a team
            user = f.UserFactory()
            f.MembershipFactory(user=user, program=program, cohort=cohort, role=Role.PARTICIPANT)
            f.ProfileFactory(user=user, organization=program.organization)
        else:
            f.add_participant(teams[i % len(teams)])
    return admin, program, cohort


def count(admin: User, path: str, params: dict[str, str] | None = None) -> int:
    client = Client()
    client.force_login(admin)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params or {}).status_code == 200
    return len(queries)


def test_builder_and_proposal_run_the_same_queries_for_30_and_300_participants(db: None) -> None:
    counts = {}
    for size in (30, 300):
        admin, program, cohort = build(size)
        counts[size] = (
            count(admin, reverse("teams:builder", args=[program.pk, cohort.pk])),
            count(
                admin,
                reverse("teams:builder_propose", args=[program.pk, cohort.pk]),
                {"target_size": "6"},
            ),
        )
    assert counts[30] == counts[300]
    assert max(counts[300]) <= 12


def test_a_team_is_renamed_and_a_name_taken_in_the_cohort_is_refused(cast: Cast) -> None:
    client = cast.client_for("program_admin")
    response = client.post(
        url("teams:builder_team_rename", cast, cast.other_team.pk), {"name": "Night Owls"}, **HTMX
    )
    assert response.status_code == 200
    assert "“Safe Passage” is now called “Night Owls”." in response.content.decode()
    assert Team.objects.get(pk=cast.other_team.pk).name == "Night Owls"
    taken = client.post(
        url("teams:builder_team_rename", cast, cast.other_team.pk),
        {"name": "flow forward"},
        **HTMX,
    )
    assert taken.status_code == 400
    assert "Cohort 1 already has a team called “flow forward”." in taken.content.decode()
    empty = client.post(
        url("teams:builder_team_rename", cast, cast.other_team.pk), {"name": "  "}, **HTMX
    )
    assert empty.status_code == 400
    assert Team.objects.get(pk=cast.other_team.pk).name == "Night Owls"


def test_a_member_moves_to_another_team_in_one_step_from_their_team_card(cast: Cast) -> None:
    client = cast.client_for("program_admin")
    builder = client.get(url("teams:builder", cast)).content.decode()
    assert f'id="move-{cast.participant.pk}"' in builder
    old_row = TeamMember.objects.get(user=cast.participant)
    response = client.post(
        url("teams:builder_assign", cast),
        {"user": cast.participant.pk, "team": cast.other_team.pk},
        **HTMX,
    )
    assert "Pat Participant moved to Safe Passage." in response.content.decode()
    rows = list(TeamMember.objects.filter(user=cast.participant))
    assert [row.team_id for row in rows] == [cast.other_team.pk]
    assert rows[0].pk != old_row.pk  # the old place is gone, a new one was added


def test_a_move_keeps_what_the_person_wrote_with_their_old_team(cast: Cast) -> None:
    now = timezone.now()
    written = TeamReflection.objects.create(
        team=cast.team,
        title="What we learnt",
        body="Pat's part of it.",
        created_by=cast.participant,
        created_at=now,
        updated_by=cast.participant,
        updated_at=now,
    )
    cast.client_for("program_admin").post(
        url("teams:builder_assign", cast),
        {"user": cast.participant.pk, "team": cast.other_team.pk},
    )
    assert TeamReflection.objects.get(pk=written.pk).team_id == cast.team.pk


def test_a_person_cannot_be_moved_to_a_team_of_another_cohort(cast: Cast) -> None:
    assign = url("teams:builder_assign", cast)
    elsewhere = f.TeamFactory(cohort=f.CohortFactory(program=cast.program, name="Cohort 2"))
    response = cast.client_for("program_admin").post(
        assign,
        {"user": cast.participant.pk, "team": elsewhere.pk},
        **HTMX,
    )
    assert response.status_code == 400
    assert TeamMember.objects.get(user=cast.participant).team_id == cast.team.pk


def test_three_leftovers_are_offered_existing_teams_with_room_not_a_team_too_small(
    cast: Cast,
) -> None:
    # The program's teams have 4 to 8 members; three people cannot make a team.
    report = newcomer(cast, first="Rae", unit="Finance")
    report.profiles.update(reports_to=cast.participant)
    others = [newcomer(cast, first=name, unit="Pharmacy") for name in ("Sol", "Tam")]
    client = cast.client_for("program_admin")
    page = client.get(url("teams:builder_propose", cast), {"team_count": "1"})
    html = unescape(page.content.decode())
    assert "3 people are fewer than the program's minimum team size of 4" in html
    assert "Joining existing teams" in html
    assert "Apply: place 3 on existing teams" in html
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    response = client.post(
        url("teams:builder_propose", cast),
        {"team_count": "1", "fingerprint": fingerprint},
        follow=True,
    )
    assert "3 participants placed on existing teams." in unescape(response.content.decode())
    assert Team.objects.filter(cohort=cohort_of(cast)).count() == 2  # no new team
    # Rae reports to Pat, who is on Flow Forward: she joins the other team.
    assert TeamMember.objects.get(user=report).team == cast.other_team
    assert all(TeamMember.objects.filter(user=other).exists() for other in others)


def test_asking_for_more_teams_than_the_minimum_allows_proposes_fewer_and_says_why(
    cast: Cast,
) -> None:
    for i in range(9):
        newcomer(cast, first=f"P{i}")
    page = cast.client_for("program_admin").get(
        url("teams:builder_propose", cast), {"team_count": "3"}
    )
    html = page.content.decode()
    assert "9 people make at most 2 teams of at least 4" in html
    assert "Apply: create 2 teams" in html
