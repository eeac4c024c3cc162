"""Self-assessment against the program's competencies, and the printable outcome report."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from programs.models import Milestone, User
from teams.coaching import do_save_self_assessment
from teams.models import SelfAssessment
from tests import factories as f
from tests.conftest import Cast
from tests.dashboards.conftest import build_program, count_queries

COMPETENCIES = "Leading across boundaries\nAsking powerful questions\n"


@pytest.fixture
def with_competencies(cast: Cast) -> Cast:
    """The program with competencies, past its mid-point review and its showcase, so every
    stage of the self-assessment is open."""
    cast.program.competencies = COMPETENCIES
    cast.program.save()
    for kind, day in (
        (Milestone.Kind.MIDPOINT_REVIEW, datetime.date(2026, 10, 1)),
        (Milestone.Kind.SHOWCASE, datetime.date(2026, 11, 1)),
    ):
        Milestone.objects.create(program=cast.program, kind=kind, title=kind.label, due_on=day)
    return cast


def ratings(stage: str = "baseline", first: int = 2, second: int = 3) -> dict[str, str]:
    return {"stage": stage, "c0": str(first), "c1": str(second)}


def test_participant_rates_themselves_and_sees_their_ratings(with_competencies: Cast) -> None:
    cast = with_competencies
    client = cast.client_for("participant")
    url = reverse("dashboards:self_assessment", args=[cast.program.pk])
    response = client.post(url, ratings())
    assert response.status_code == 302
    saved = SelfAssessment.objects.get()
    assert saved.ratings == {"Leading across boundaries": 2, "Asking powerful questions": 3}
    html = client.get(url).content.decode()
    assert "My ratings so far" in html


def test_saving_a_stage_again_replaces_its_ratings(with_competencies: Cast) -> None:
    cast = with_competencies
    client = cast.client_for("participant")
    url = reverse("dashboards:self_assessment", args=[cast.program.pk])
    client.post(url, ratings(first=2))
    client.post(url, ratings(first=4))
    assert SelfAssessment.objects.get().ratings["Leading across boundaries"] == 4


@pytest.mark.parametrize(
    "data",
    [
        {"stage": "baseline", "c0": "2"},
        ratings(first=9),
        ratings(stage="someday"),
    ],
)
def test_bad_ratings_get_a_form_error_and_save_nothing(
    with_competencies: Cast, data: dict
) -> None:
    cast = with_competencies
    response = cast.client_for("participant").post(
        reverse("dashboards:self_assessment", args=[cast.program.pk]), data
    )
    assert response.status_code == 400
    assert "nothing has been saved yet" in response.content.decode()
    assert not SelfAssessment.objects.exists()


def test_a_program_without_competencies_says_what_to_do(cast: Cast) -> None:
    html = cast.client_for("participant").get(
        reverse("dashboards:self_assessment", args=[cast.program.pk])
    )
    assert "no competencies listed yet" in html.content.decode()


def test_teammates_and_coaches_never_see_someone_elses_ratings(with_competencies: Cast) -> None:
    cast = with_competencies
    do_save_self_assessment(
        user=cast.participant,
        program=cast.program,
        stage="baseline",
        ratings={"Leading across boundaries": 1, "Asking powerful questions": 1},
    )
    html = cast.client_for("teammate").get(
        reverse("dashboards:self_assessment", args=[cast.program.pk])
    )
    assert "My ratings so far" not in html.content.decode()


@pytest.mark.parametrize("who", ["coach", "sponsor", "program_admin", "former_participant"])
def test_only_participants_assess_themselves(with_competencies: Cast, who: str) -> None:
    cast = with_competencies
    response = cast.client_for(who).post(
        reverse("dashboards:self_assessment", args=[cast.program.pk]), ratings()
    )
    assert response.status_code == 403
    assert not SelfAssessment.objects.exists()


def rate(users: list[User], cast: Cast, stage: str, value: int) -> None:
    for user in users:
        do_save_self_assessment(
            user=user,
            program=cast.program,
            stage=stage,
            ratings={"Leading across boundaries": value, "Asking powerful questions": value},
        )


def close(cast: Cast, stage: str) -> str:
    """A program admin closes the stage on the report page; the page's text afterwards."""
    client = cast.client_for("program_admin")
    response = client.post(
        reverse("dashboards:self_assessment_close", args=[cast.program.pk]),
        {"stage": stage},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def report(cast: Cast) -> str:
    return (
        cast.client_for("program_admin")
        .get(reverse("dashboards:report", args=[cast.program.pk]))
        .content.decode()
    )


def test_report_shows_averages_only_for_five_or_more_people(with_competencies: Cast) -> None:
    cast = with_competencies
    team_members = [cast.participant, cast.teammate] + [
        f.add_participant(cast.team) for _ in range(3)
    ]
    rate(team_members, cast, "baseline", 2)
    rate(team_members[:4], cast, "end", 4)
    close(cast, "baseline")
    text = close(cast, "end")
    assert "“End of the program” is closed: its figures are counted over 4 people" in text
    assert "2.0 (5 people)" in text
    assert "4.0" not in text
    assert "fewer than 5" in text
    assert "Projects by phase" in text


def test_an_open_stage_shows_no_figures_however_many_answered(with_competencies: Cast) -> None:
    cast = with_competencies
    people = [cast.participant, cast.teammate] + [f.add_participant(cast.team) for _ in range(4)]
    rate(people, cast, "baseline", 3)
    text = report(cast)
    assert "3.0" not in text
    assert "open: figures when the stage closes" in text
    assert "Close this stage" in text


def test_a_closed_stage_keeps_its_figures_when_a_membership_ends(with_competencies: Cast) -> None:
    from programs.models import Membership
    from teams.services import do_end_membership

    cast = with_competencies
    people = [cast.participant, cast.teammate] + [f.add_participant(cast.team) for _ in range(3)]
    rate(people, cast, "baseline", 3)
    close(cast, "baseline")
    before = report(cast)
    assert "3.0 (5 people)" in before
    do_end_membership(membership=Membership.objects.get(user=cast.participant))
    assert "3.0 (5 people)" in report(cast)


def test_a_closed_stage_takes_no_more_ratings(with_competencies: Cast) -> None:
    cast = with_competencies
    close(cast, "baseline")
    client = cast.client_for("participant")
    url = reverse("dashboards:self_assessment", args=[cast.program.pk])
    response = client.post(url, ratings("baseline"))
    assert response.status_code == 400
    assert "That stage is not open: it has closed" in response.content.decode()
    assert not SelfAssessment.objects.exists()
    assert client.post(url, ratings("midpoint")).status_code == 302


def test_later_stages_count_the_people_of_the_first_closed_stage(
    with_competencies: Cast,
) -> None:
    cast = with_competencies
    people = [cast.participant, cast.teammate] + [f.add_participant(cast.team) for _ in range(3)]
    rate(people, cast, "baseline", 2)
    close(cast, "baseline")
    late = f.add_participant(cast.team)
    rate([*people, late], cast, "midpoint", 4)
    text = close(cast, "midpoint")
    assert "4.0 (5 people)" in text  # the late joiner has no baseline to compare with


def test_closing_a_stage_twice_changes_nothing(with_competencies: Cast) -> None:
    cast = with_competencies
    close(cast, "baseline")
    text = close(cast, "baseline")
    assert "Choose a stage that is still open." in text


def test_report_runs_the_same_queries_for_1_and_50_teams_and_at_most_10(db: None) -> None:
    today = datetime.date(2026, 11, 20)
    small = build_program(1, today=today)
    large = build_program(50, today=today)
    small_count = count_queries(small.admin, reverse("dashboards:report", args=[small.program.pk]))
    large_count = count_queries(large.admin, reverse("dashboards:report", args=[large.program.pk]))
    assert small_count == large_count, f"{small_count} vs {large_count} queries"
    assert large_count <= 16, f"{large_count} queries"


def test_the_end_of_program_stage_opens_only_with_the_showcase(cast: Cast) -> None:
    cast.program.competencies = COMPETENCIES
    cast.program.save()
    Milestone.objects.create(
        program=cast.program,
        kind=Milestone.Kind.SHOWCASE,
        title="Showcase",
        due_on=datetime.date(2027, 5, 20),
    )
    client = cast.client_for("participant")
    url = reverse("dashboards:self_assessment", args=[cast.program.pk])
    with time_machine.travel(datetime.datetime(2026, 9, 10, 12, tzinfo=datetime.UTC)):
        page = client.get(url).content.decode()
        assert "End of the program on 20 May 2027" in page
        response = client.post(url, ratings("end"))
        assert response.status_code == 400
        assert "its milestone has not come yet" in response.content.decode()
        text = close(cast, "end")
        assert "This stage opens on 20 May 2027" in text
    assert not SelfAssessment.objects.exists()
    with time_machine.travel(datetime.datetime(2027, 5, 21, 12, tzinfo=datetime.UTC)):
        assert client.post(url, ratings("end")).status_code == 302


def test_growth_compares_the_same_people_with_themselves(with_competencies: Cast) -> None:
    cast = with_competencies
    people = [cast.participant, cast.teammate] + [f.add_participant(cast.team) for _ in range(4)]
    rate(people, cast, "baseline", 2)
    close(cast, "baseline")
    # Five of the six answer at the end, each one point higher; a newcomer's 5 is not
    # counted (no baseline of theirs).
    rate(people[:5], cast, "end", 3)
    rate([f.add_participant(cast.team)], cast, "end", 5)
    text = close(cast, "end")
    assert "3.0 (5 people)" in text
    assert "+1.0 (5 people)" in text


def test_the_service_refuses_a_rating_for_a_stage_its_milestone_has_not_opened(
    cast: Cast,
) -> None:
    cast.program.competencies = COMPETENCIES
    cast.program.save()
    Milestone.objects.create(
        program=cast.program,
        kind=Milestone.Kind.MIDPOINT_REVIEW,
        title="Mid-point review",
        due_on=datetime.date(2027, 1, 20),
    )
    early = datetime.datetime(2026, 9, 10, 12, tzinfo=datetime.UTC)
    for stage in ("midpoint", "end"):
        with pytest.raises(ValidationError, match="This stage opens on"):
            do_save_self_assessment(
                user=cast.participant,
                program=cast.program,
                stage=stage,
                ratings={"Leading across boundaries": 4},
                now=early,
            )
    assert not SelfAssessment.objects.exists()
    do_save_self_assessment(
        user=cast.participant,
        program=cast.program,
        stage="midpoint",
        ratings={"Leading across boundaries": 4},
        now=datetime.datetime(2027, 1, 20, 12, tzinfo=datetime.UTC),
    )
    assert SelfAssessment.objects.filter(stage="midpoint").count() == 1
