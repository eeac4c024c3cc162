"""The cohort showcase: a team's members publish its charter and results to the cohort;
the gallery shows only what was published (title, team, problem, outcome, results), as it
was published, and never any private writing."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from dashboards.models import ShowcaseItem
from projects.models import Project, ProjectResults, SuccessMeasure
from reflections.models import Visibility
from tests import factories as f
from tests.conftest import Cast
from tests.reflections.builders import write


def chartered(cast: Cast) -> Project:
    Project.objects.filter(pk=cast.project.pk).update(
        problem_statement="Patients wait 6 hours in the ED for a bed.",
        intended_outcomes="Halve the time from decision to admit to a bed.",
    )
    SuccessMeasure.objects.create(
        project=cast.project, name="Boarding time", baseline="6 h", target="3 h", achieved="3.5 h"
    )
    ProjectResults.objects.create(project=cast.project, narrative="Two units now pull early.")
    return Project.objects.get(pk=cast.project.pk)


def gallery(cast: Cast, who: str) -> str:
    response = cast.client_for(who).get(reverse("dashboards:showcase", args=[cast.team.cohort_id]))
    assert response.status_code == 200
    return response.content.decode()


def publish(cast: Cast, who: str, action: str = "publish") -> int:
    response = cast.client_for(who).post(
        reverse("dashboards:showcase_publish", args=[cast.project.pk]), {"action": action}
    )
    return response.status_code


def test_nothing_is_shown_before_a_team_publishes(cast: Cast) -> None:
    chartered(cast)
    html = gallery(cast, "other_participant")
    assert "Nothing published yet" in html
    assert "Patients wait 6 hours" not in html


def test_a_team_member_publishes_and_the_cohort_and_sponsor_see_it(cast: Cast) -> None:
    chartered(cast)
    assert publish(cast, "participant") == 302
    for who in ("other_participant", "sponsor", "coach", "program_admin", "teammate"):
        html = gallery(cast, who)
        assert "Cut ED boarding time" in html
        assert "Flow Forward" in html
        assert "Patients wait 6 hours in the ED for a bed." in html
        assert "Halve the time from decision to admit" in html
        assert "Two units now pull early." in html
        assert "3.5 h" in html


def test_the_gallery_shows_what_was_published_until_the_team_publishes_again(
    cast: Cast,
) -> None:
    chartered(cast)
    publish(cast, "teammate")
    Project.objects.filter(pk=cast.project.pk).update(problem_statement="A draft rewrite.")
    assert "A draft rewrite." not in gallery(cast, "other_participant")
    publish(cast, "teammate")
    assert "A draft rewrite." in gallery(cast, "other_participant")


def test_withdrawing_takes_the_project_off_the_showcase(cast: Cast) -> None:
    chartered(cast)
    publish(cast, "participant")
    assert publish(cast, "participant", "withdraw") == 302
    assert not ShowcaseItem.objects.exists()
    assert "Cut ED boarding time" not in gallery(cast, "other_participant")


def test_only_the_teams_members_publish(cast: Cast) -> None:
    chartered(cast)
    for who in ("other_participant", "coach", "sponsor", "program_admin", "former_participant"):
        assert publish(cast, who) == 403
    assert publish(cast, "stranger") == 404
    assert not ShowcaseItem.objects.exists()


def test_a_bad_choice_changes_nothing(cast: Cast) -> None:
    assert publish(cast, "participant", "delete-everything") == 400
    assert not ShowcaseItem.objects.exists()


def test_no_private_writing_reaches_the_showcase(cast: Cast) -> None:
    chartered(cast)
    write(cast.participant, cast.program, title="My private doubt", body="SECRET-WORRY")
    write(cast.participant, cast.program, title="For the team", visibility=Visibility.TEAM)
    publish(cast, "participant")
    html = gallery(cast, "other_participant")
    assert "SECRET-WORRY" not in html and "My private doubt" not in html
    assert "For the team" not in html


def test_a_participant_of_another_cohort_gets_403_and_an_outsider_404(cast: Cast) -> None:
    chartered(cast)
    publish(cast, "participant")
    elsewhere = f.CohortFactory(program=cast.program, name="Cohort 2")
    team = f.TeamFactory(cohort=elsewhere, name="Night Shift")
    late = f.add_participant(team)
    url = reverse("dashboards:showcase", args=[cast.team.cohort_id])
    assert cast.client_for("stranger").get(url).status_code == 404
    client = Client()
    client.force_login(late)
    assert client.get(url).status_code == 403
