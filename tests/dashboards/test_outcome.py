"""The printable outcome report: its self-assessment figures, counted when a stage
closes, and its queries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from tests import factories as f
from tests.conftest import Cast
from tests.dashboards.conftest import build_program, count_queries
from tests.programs.conftest import close, open_every_stage, rate


@pytest.fixture
def with_competencies(cast: Cast) -> Cast:
    return open_every_stage(cast)


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
    # The chart of the same figures: the baseline's point, none for the end of the program.
    chart = text.split("Self-assessment by competency, average at each stage", 1)[1]
    chart = chart.split("</details>", 1)[0]
    assert "Leading across boundaries, Baseline: 2.0" in chart
    assert "Leading across boundaries, End" not in chart
    assert (
        '<td data-label="Stage">End</td><td data-label="Leading across boundaries">no figure</td>'
        in chart
    )


def test_the_report_draws_no_self_assessment_chart_before_a_stage_closes(
    with_competencies: Cast,
) -> None:
    cast = with_competencies
    people = [cast.participant, cast.teammate] + [f.add_participant(cast.team) for _ in range(3)]
    rate(people, cast, "baseline", 3)
    text = report(cast)
    assert "Self-assessment by competency, average at each stage" not in text
    assert "Projects by phase" in text
    assert '<td data-label="Phase">Crafting</td><td data-label="Projects">2</td>' in text


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


def test_report_runs_the_same_queries_for_1_and_50_teams_and_at_most_10(db: None) -> None:
    today = datetime.date(2026, 11, 20)
    small = build_program(1, today=today)
    large = build_program(50, today=today)
    small_count = count_queries(small.admin, reverse("dashboards:report", args=[small.program.pk]))
    large_count = count_queries(large.admin, reverse("dashboards:report", args=[large.program.pk]))
    assert small_count == large_count, f"{small_count} vs {large_count} queries"
    assert large_count <= 16, f"{large_count} queries"


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
