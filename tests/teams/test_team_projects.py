"""Every team has its project, in crafting, from the moment the team exists: created by
name in the builder, by applying a proposal, or by a people import."""

from __future__ import annotations

import csv
import importlib
import io

import pytest
from django.apps import apps
from django.urls import reverse

from programs.models import Role
from projects.models import Phase, Project
from teams.models import PeopleImport, Team
from teams.people_import import COLUMNS, do_import_people
from teams.services import do_create_team
from tests import factories as f
from tests.conftest import Cast


def builder_url(name: str, cast: Cast, *extra: int) -> str:
    return reverse(name, args=[cast.program.pk, cast.team.cohort_id, *extra])


def test_a_team_created_by_name_in_the_builder_has_its_project_in_crafting(cast: Cast) -> None:
    cast.client_for("program_admin").post(
        builder_url("teams:builder_team_create", cast), {"name": "Bridge Builders"}
    )
    team = Team.objects.get(name="Bridge Builders")
    assert (team.project.title, team.project.phase) == ("Project of Bridge Builders", "crafting")
    html = cast.client_for("program_admin").get(reverse("teams:detail", args=[team.pk]))
    assert b"No project yet" not in html.content
    assert b"Project of Bridge Builders" in html.content


def test_applying_a_proposal_gives_every_new_team_its_project(cast: Cast) -> None:
    cohort = cast.team.cohort
    for n in range(8):  # two teams of the program's minimum of four
        user = f.UserFactory(first_name=f"Late{n}", last_name="Joiner")
        f.MembershipFactory(user=user, program=cast.program, cohort=cohort, role=Role.PARTICIPANT)
        f.ProfileFactory(user=user, organization=cast.program.organization)
    client = cast.client_for("program_admin")
    propose = builder_url("teams:builder_propose", cast)
    page = client.get(propose, {"team_count": 2})
    client.post(propose, {"team_count": 2, "fingerprint": page.context["fingerprint"]})
    new_teams = Team.objects.filter(cohort=cohort).exclude(
        pk__in=[cast.team.pk, cast.other_team.pk]
    )
    assert new_teams.count() == 2
    assert sorted(Project.objects.filter(team__in=new_teams).values_list("title", "phase")) == [
        ("Project of Team 3", "crafting"),
        ("Project of Team 4", "crafting"),
    ]


def test_a_team_named_in_a_people_import_has_its_project(cast: Cast) -> None:
    unit = cast.participant.profiles.get().unit
    assert unit is not None
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            "nia@example.org",
            "Nia",
            "Newton",
            unit.name,
            "Nurse",
            "Charge Nurse",
            "participant",
            "Night Owls",
            "",
        ]
    )
    people_import = PeopleImport.objects.create(
        program=cast.program,
        cohort=cast.team.cohort,
        uploaded_by=cast.program_admin,
        filename="people.csv",
        content=out.getvalue(),
    )
    plan = do_import_people(people_import=people_import, by=cast.program_admin)
    assert plan.applied
    team = Team.objects.get(name="Night Owls")
    assert team.project.phase == Phase.CRAFTING


def test_the_team_and_its_project_are_created_together_or_not_at_all(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**_: object) -> None:
        raise RuntimeError("the database refused the project")

    monkeypatch.setattr("projects.services.do_start_projects", refuse)
    with pytest.raises(RuntimeError):
        do_create_team(cohort=cast.team.cohort, name="Half Made")
    assert not Team.objects.filter(name="Half Made").exists()


def test_the_migration_gives_teams_made_before_it_their_project(cast: Cast) -> None:
    orphan = f.TeamFactory(cohort=cast.team.cohort, name="Old Timers")
    migration = importlib.import_module("projects.migrations.0003_project_for_every_team")
    migration.start_missing_projects(apps, None)
    assert Project.objects.get(team=orphan).title == "Project of Old Timers"
    # Teams that had a project keep it.
    assert Project.objects.get(team=cast.team).title == "Cut ED boarding time"


def test_an_empty_team_with_an_untouched_project_can_still_be_deleted(cast: Cast) -> None:
    client = cast.client_for("program_admin")
    client.post(builder_url("teams:builder_team_create", cast), {"name": "Mistake"})
    team = Team.objects.get(name="Mistake")
    client.post(builder_url("teams:builder_team_delete", cast, team.pk))
    assert not Team.objects.filter(name="Mistake").exists()
    assert not Project.objects.filter(title="Project of Mistake").exists()


def test_the_team_page_asks_members_to_name_their_new_project(cast: Cast) -> None:
    team = do_create_team(cohort=cast.team.cohort, name="Night Owls")
    member = f.add_participant(team)
    client = cast.client_for("program_admin")
    page = client.get(reverse("teams:detail", args=[team.pk])).content.decode()
    assert "Project of Night Owls" in page
    assert "Give your project its own title and type" not in page  # admins do not name it
    client.force_login(member)
    page = client.get(reverse("teams:detail", args=[team.pk])).content.decode()
    assert "Give your project its own title and type" in page
