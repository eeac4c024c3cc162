"""The sponsor's dashboard: every project they sponsor with its phase, what awaits their
approval, open asks with the oldest one's age, and the last status update."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs.models import Membership, Role, User
from projects.models import (
    CriterionAssessment,
    DoorRequest,
    Phase,
    Project,
    StatusUpdate,
    TransitionPlan,
)
from projects.work import sponsored_projects
from tests import factories as f
from tests.conftest import Cast

URL = reverse("projects:sponsor_dashboard")
NOW = datetime.datetime(2027, 3, 10, 12, 0, tzinfo=datetime.UTC)


def dashboard(client: Client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def row_of(html: str, project: Project) -> str:
    return html.split(f'<tr id="project-{project.pk}">', 1)[1].split("</tr>", 1)[0]


def test_empty_state_for_someone_who_sponsors_nothing(cast: Cast) -> None:
    for who in ("participant", "coach", "outsider"):
        html = dashboard(cast.client_for(who))
        assert "You do not sponsor a project yet." in html, who


def test_anonymous_visitor_is_sent_to_login(db: None) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_sponsor_sees_their_projects_only(cast: Cast) -> None:
    html = dashboard(cast.client_for("sponsor"))
    assert "Cut ED boarding time" in html
    assert "Discharge huddles" not in html
    assert reverse("projects:detail", args=[cast.project.pk]) in html
    assert "Crafting" in html
    assert "Nothing to approve" in html
    assert "None open" in html
    assert "No updates yet" in html


def test_an_ended_sponsor_membership_hides_the_project(cast: Cast) -> None:
    Membership.objects.filter(user=cast.sponsor, role=Role.SPONSOR).update(is_active=False)
    assert sponsored_projects(cast.sponsor) == []


def test_a_team_sponsor_without_the_sponsor_role_sees_nothing(cast: Cast) -> None:
    cast.team.sponsor = cast.coach  # named sponsor, but holds the coach role only
    cast.team.save()
    assert sponsored_projects(cast.coach) == []


def test_what_awaits_the_sponsor(cast: Cast) -> None:
    project = cast.project
    project.charter_submitted_at = timezone.now()
    project.save()
    for number, rationale, review in (
        (1, "We change the discharge process itself.", "pending"),
        (2, "Five units take part.", "pending"),
        (3, "", "pending"),  # nothing written: nothing to review
        (4, "Board goal 2.", "confirmed"),
    ):
        CriterionAssessment.objects.create(
            project=project, criterion=number, rationale=rationale, review=review
        )
    html = row_of(dashboard(cast.client_for("sponsor")), project)
    assert "Charter submitted for your approval" in html
    assert "2 criteria awaiting your review" in html
    assert "Transition plan" not in html


def test_a_submitted_transition_plan_awaits_acceptance_until_accepted(cast: Cast) -> None:
    project = cast.project
    project.phase = Phase.TRANSITIONING
    project.charter_submitted_at = timezone.now()  # no longer counts once past crafting
    project.save()
    plan = TransitionPlan.objects.create(
        project=project,
        new_owner_name="Jordan Lee",
        new_owner_unit=f.UnitFactory(organization=cast.program.organization),
        sustainment="Weekly huddle",
        submitted_at=timezone.now(),
    )
    [row] = sponsored_projects(cast.sponsor)
    assert row.awaiting == ["Transition plan awaiting your acceptance"]
    plan.accepted_at = timezone.now()
    plan.save()
    [row] = sponsored_projects(cast.sponsor)
    assert row.awaiting == []


def test_open_asks_show_their_count_and_the_oldest_age_and_the_last_update(cast: Cast) -> None:
    with time_machine.travel(NOW - datetime.timedelta(days=9), tick=False):
        DoorRequest.objects.create(project=cast.project, kind="resource", request="Analyst")
        StatusUpdate.objects.create(project=cast.project, progress="p", next_steps="n")
    with time_machine.travel(NOW - datetime.timedelta(days=12), tick=False):
        DoorRequest.objects.create(
            project=cast.project,
            kind="decision",
            request="Old but answered",
            answered_at=NOW - datetime.timedelta(days=10),
        )
    with time_machine.travel(NOW - datetime.timedelta(days=2), tick=False):
        DoorRequest.objects.create(project=cast.project, kind="introduction", request="CMO")
        StatusUpdate.objects.create(project=cast.project, progress="p", next_steps="n")
    with time_machine.travel(NOW, tick=False):
        html = row_of(dashboard(cast.client_for("sponsor")), cast.project)
    assert "2 open</a> · <strong>oldest open for 9 days</strong>" in html
    assert reverse("projects:doors", args=[cast.project.pk]) in html
    assert "8 Mar 2027" in html  # the latest update


# Query counts ---------------------------------------------------------------------------


def sponsor_of(project_count: int, each: int) -> User:
    """A sponsor of `project_count` projects, each with `each` open asks and updates and
    something awaiting approval."""
    program = f.ProgramFactory()
    cohort = f.CohortFactory(program=program)
    sponsor = f.UserFactory()
    f.MembershipFactory(user=sponsor, program=program, role=Role.SPONSOR)
    unit = f.UnitFactory(organization=program.organization)
    for i in range(project_count):
        team = f.TeamFactory(cohort=cohort, sponsor=sponsor)
        f.add_participant(team)
        project = f.ProjectFactory(team=team, charter_submitted_at=timezone.now())
        CriterionAssessment.objects.create(project=project, criterion=1, rationale="Because")
        if i % 2:
            TransitionPlan.objects.create(
                project=project,
                new_owner_name="Jordan Lee",
                new_owner_unit=unit,
                sustainment="Weekly",
                submitted_at=timezone.now(),
            )
        for _ in range(each):
            DoorRequest.objects.create(project=project, kind="resource", request="Analyst")
            StatusUpdate.objects.create(project=project, progress="p", next_steps="n")
    return sponsor


def queries(user: User) -> int:
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(("small", "large"), [((1, 1), (20, 1)), ((1, 1), (1, 50))])
def test_the_dashboard_runs_the_same_queries_however_much_there_is_and_at_most_10(
    db: None, small: tuple[int, int], large: tuple[int, int]
) -> None:
    few = queries(sponsor_of(*small))
    many = queries(sponsor_of(*large))
    assert few == many, f"{few} vs {many} queries"
    assert many <= 10
