"""Self-assessment: a participant rates themselves on the program's competencies, stage
by stage, and a program admin closes a stage."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from programs.models import Milestone, SelfAssessment
from programs.self_assessment import do_save_self_assessment
from tests.conftest import Cast
from tests.programs.conftest import COMPETENCIES, close, ratings


def test_participant_rates_themselves_and_sees_their_ratings(with_competencies: Cast) -> None:
    cast = with_competencies
    client = cast.client_for("participant")
    url = reverse("programs:self_assessment", args=[cast.program.pk])
    response = client.post(url, ratings())
    assert response.status_code == 302
    saved = SelfAssessment.objects.get()
    assert saved.ratings == {"Leading across boundaries": 2, "Asking powerful questions": 3}
    html = client.get(url).content.decode()
    assert "My ratings so far" in html


def test_saving_a_stage_again_replaces_its_ratings(with_competencies: Cast) -> None:
    cast = with_competencies
    client = cast.client_for("participant")
    url = reverse("programs:self_assessment", args=[cast.program.pk])
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
        reverse("programs:self_assessment", args=[cast.program.pk]), data
    )
    assert response.status_code == 400
    assert "nothing has been saved yet" in response.content.decode()
    assert not SelfAssessment.objects.exists()


def test_a_program_without_competencies_says_what_to_do(cast: Cast) -> None:
    html = cast.client_for("participant").get(
        reverse("programs:self_assessment", args=[cast.program.pk])
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
        reverse("programs:self_assessment", args=[cast.program.pk])
    )
    assert "My ratings so far" not in html.content.decode()
    assert 'class="chart"' not in html.content.decode()


def test_a_participant_sees_their_own_ratings_as_a_chart_with_its_table(
    with_competencies: Cast,
) -> None:
    cast = with_competencies
    url = reverse("programs:self_assessment", args=[cast.program.pk])
    client = cast.client_for("participant")
    assert 'class="chart"' not in client.get(url).content.decode()
    for stage, first in (("baseline", 2), ("midpoint", 4)):
        do_save_self_assessment(
            user=cast.participant,
            program=cast.program,
            stage=stage,
            ratings={"Leading across boundaries": first, "Asking powerful questions": 3},
        )
    html = client.get(url).content.decode()
    chart = html.split('class="chart-block"', 1)[1].split("</details>", 1)[0]
    assert "My ratings, stage by stage" in chart
    assert "My rating, 1 to 5" in chart
    assert "Leading across boundaries, Mid-point: 4" in chart
    assert (
        '<td data-label="Stage">End</td><td data-label="Leading across boundaries">not rated</td>'
        in chart
    )


@pytest.mark.parametrize("who", ["coach", "sponsor", "program_admin", "former_participant"])
def test_only_participants_assess_themselves(with_competencies: Cast, who: str) -> None:
    cast = with_competencies
    response = cast.client_for(who).post(
        reverse("programs:self_assessment", args=[cast.program.pk]), ratings()
    )
    assert response.status_code == 403
    assert not SelfAssessment.objects.exists()


def test_a_closed_stage_takes_no_more_ratings(with_competencies: Cast) -> None:
    cast = with_competencies
    close(cast, "baseline")
    client = cast.client_for("participant")
    url = reverse("programs:self_assessment", args=[cast.program.pk])
    response = client.post(url, ratings("baseline"))
    assert response.status_code == 400
    assert "That stage is not open: it has closed" in response.content.decode()
    assert not SelfAssessment.objects.exists()
    assert client.post(url, ratings("midpoint")).status_code == 302


def test_closing_a_stage_twice_changes_nothing(with_competencies: Cast) -> None:
    cast = with_competencies
    close(cast, "baseline")
    text = close(cast, "baseline")
    assert "Choose a stage that is still open." in text


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
    url = reverse("programs:self_assessment", args=[cast.program.pk])
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
