"""The coach dashboard: completion heatmap, phase, flags in words, access and a query
count that does not grow with the number of teams."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from programs.models import Role
from projects.models import Action, Phase, Project
from reflections.weeks import LocalWeek
from teams.models import TeamMember
from tests import factories as f
from tests.coaching.conftest import add_pulse
from tests.conftest import Cast
from tests.dashboards.conftest import add_checkin, build_program, count_queries

NOW = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC)  # a Friday, week 47
THIS_WEEK = LocalWeek(2026, 47)


def dashboard(client: Client, cast: Cast) -> str:
    response = client.get(reverse("dashboards:coach_dashboard", args=[cast.program.pk]))
    assert response.status_code == 200
    return response.content.decode()


def weeks_back(n: int) -> LocalWeek:
    week = THIS_WEEK
    for _ in range(n):
        week = week.previous()
    return week


@pytest.fixture
def frozen(cast: Cast) -> object:
    """Friday of week 47; the cast's members joined their teams when the program began."""
    start = datetime.datetime.combine(
        cast.program.starts_on, datetime.time(9), tzinfo=datetime.UTC
    )
    TeamMember.objects.filter(team__cohort__program=cast.program).update(joined_at=start)
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_coach_sees_only_the_teams_they_coach(cast: Cast, frozen: object) -> None:
    html = dashboard(cast.client_for("coach"), cast)
    assert "Flow Forward" in html
    assert "Safe Passage" not in html


def test_heatmap_shows_completion_per_week_but_never_what_was_written(
    cast: Cast, frozen: object
) -> None:
    add_checkin(cast.participant, cast.program, weeks_back(1))
    html = dashboard(cast.client_for("coach"), cast)
    assert "Pat Participant" in html
    assert html.count("dash-cell dash-done") == 1
    assert "Secret steps" not in html
    assert "Secret focus" not in html
    last_week = weeks_back(1).starts_on
    assert f'<abbr title="Week of {last_week.day} Nov 2026">{last_week.day} Nov</abbr>' in html


def test_coach_without_teams_is_told_what_happens_next(cast: Cast, frozen: object) -> None:
    cast.team.coach = None
    cast.team.save()
    assert "You do not coach a team in this program yet" in dashboard(
        cast.client_for("coach"), cast
    )


def test_two_missed_completed_weeks_in_a_row_are_flagged(cast: Cast, frozen: object) -> None:
    # Pat missed only last week; Terry missed the last two (this week is still open).
    for week in (weeks_back(2), weeks_back(3)):
        add_checkin(cast.participant, cast.program, week)
    add_checkin(cast.teammate, cast.program, weeks_back(3))
    html = dashboard(cast.client_for("coach"), cast)
    assert "Terry Teammate has missed the last 2 weekly check-ins." in html
    assert "Pat Participant has missed" not in html


def test_the_current_week_does_not_count_as_missed(cast: Cast, frozen: object) -> None:
    for user in (cast.participant, cast.teammate):
        add_checkin(user, cast.program, weeks_back(1))
        add_checkin(user, cast.program, weeks_back(2))
    html = dashboard(cast.client_for("coach"), cast)
    assert "has missed" not in html
    assert "Nothing flagged" in html


def test_weeks_before_the_cohort_started_are_not_counted_as_missed(
    cast: Cast, frozen: object
) -> None:
    cohort = cast.team.cohort
    cohort.starts_on = weeks_back(1).starts_on
    cohort.save()
    html = dashboard(cast.client_for("coach"), cast)
    assert "has missed" not in html


def test_overdue_actions_are_flagged_with_the_oldest_date(cast: Cast, frozen: object) -> None:
    today = NOW.date()
    for due, status in (
        (today - datetime.timedelta(days=10), Action.Status.TO_DO),
        (today - datetime.timedelta(days=2), Action.Status.BLOCKED),
        (today - datetime.timedelta(days=30), Action.Status.DONE),
        (today, Action.Status.TO_DO),
    ):
        Action.objects.create(project=cast.project, title="Step", due_on=due, status=status)
    html = dashboard(cast.client_for("coach"), cast)
    assert "2 actions are overdue, the oldest due 10 Nov 2026." in html


def test_no_overdue_flag_when_every_past_action_is_done(cast: Cast, frozen: object) -> None:
    Action.objects.create(
        project=cast.project,
        title="Step",
        due_on=NOW.date() - datetime.timedelta(days=3),
        status=Action.Status.DONE,
    )
    assert "overdue" not in dashboard(cast.client_for("coach"), cast)


def test_a_completed_project_raises_no_flags(cast: Cast, frozen: object) -> None:
    Action.objects.create(
        project=cast.project,
        title="Step",
        due_on=NOW.date() - datetime.timedelta(days=3),
        status=Action.Status.TO_DO,
    )
    assert "1 action is overdue" in dashboard(cast.client_for("coach"), cast)
    Project.objects.filter(pk=cast.project.pk).update(
        phase=Phase.COMPLETED, phase_changed_at=NOW - datetime.timedelta(days=400)
    )
    html = dashboard(cast.client_for("coach"), cast)
    assert "overdue" not in html
    assert "weeks; about" not in html  # never "stalled" in the completed phase


def test_actions_dropped_or_handed_over_are_not_overdue(cast: Cast, frozen: object) -> None:
    for status in (Action.Status.DROPPED, Action.Status.HANDED_OVER):
        Action.objects.create(
            project=cast.project,
            title="Step",
            due_on=NOW.date() - datetime.timedelta(days=3),
            status=status,
        )
    assert "overdue" not in dashboard(cast.client_for("coach"), cast)


@pytest.mark.parametrize(
    ("phase", "weeks", "flagged"),
    [
        (Phase.CRAFTING, 9, True),
        (Phase.CRAFTING, 7, False),
        (Phase.CARRYING_OUT, 21, True),
        (Phase.CARRYING_OUT, 19, False),
        (Phase.TRANSITIONING, 7, True),
        (Phase.COMPLETED, 60, False),
    ],
)
def test_a_project_longer_than_usual_in_its_phase_is_flagged(
    cast: Cast, frozen: object, phase: str, weeks: int, flagged: bool
) -> None:
    Project.objects.filter(pk=cast.project.pk).update(
        phase=phase, phase_changed_at=NOW - datetime.timedelta(weeks=weeks)
    )
    html = dashboard(cast.client_for("coach"), cast)
    assert ("The project has been in" in html) is flagged
    if flagged:
        assert f"for {weeks} weeks" in html


def test_a_pulse_dimension_falling_two_meetings_in_a_row_is_flagged(
    cast: Cast, frozen: object
) -> None:
    today = NOW.date()
    for days, safety in ((21, 5), (14, 4), (7, 3)):
        add_pulse(
            cast.team,
            today - datetime.timedelta(days=days),
            [{"psychological_safety": safety}] * 3,
        )
    html = dashboard(cast.client_for("coach"), cast)
    assert "Psychological safety fell two meetings in a row (5.0 → 4.0 → 3.0)." in html
    assert "Learning fell" not in html


def test_a_pulse_with_too_few_answers_does_not_count_towards_a_fall(
    cast: Cast, frozen: object
) -> None:
    today = NOW.date()
    add_pulse(cast.team, today - datetime.timedelta(days=21), [{"learning": 5}] * 3)
    add_pulse(cast.team, today - datetime.timedelta(days=14), [{"learning": 4}] * 3)
    add_pulse(cast.team, today - datetime.timedelta(days=7), [{"learning": 1}] * 2)
    assert "Learning fell" not in dashboard(cast.client_for("coach"), cast)


def test_phase_and_time_in_phase_are_shown(cast: Cast, frozen: object) -> None:
    Project.objects.filter(pk=cast.project.pk).update(
        phase=Phase.CARRYING_OUT, phase_changed_at=NOW - datetime.timedelta(weeks=3)
    )
    html = dashboard(cast.client_for("coach"), cast)
    assert "Carrying out for 3 weeks" in html


def test_dashboard_runs_the_same_queries_for_1_and_50_teams_and_at_most_10(db: None) -> None:
    today = datetime.date(2026, 11, 20)
    with time_machine.travel(NOW, tick=False):
        small = build_program(1, today=today)
        large = build_program(50, today=today)
        small_count = count_queries(
            small.coach, reverse("dashboards:coach_dashboard", args=[small.program.pk])
        )
        large_count = count_queries(
            large.coach, reverse("dashboards:coach_dashboard", args=[large.program.pk])
        )
    assert small_count == large_count, f"{small_count} vs {large_count} queries"
    assert large_count <= 10, f"{large_count} queries"


def test_a_long_silence_is_counted_only_over_the_weeks_shown(cast: Cast, frozen: object) -> None:
    # The cohort started months ago; the dashboard counts back only over its 11 completed
    # weeks, so it says "every week shown" rather than a number it cannot know.
    cast.program.starts_on = datetime.date(2026, 3, 2)
    cast.program.save()
    TeamMember.objects.filter(team=cast.team).update(
        joined_at=datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    )
    cohort = cast.team.cohort
    cohort.starts_on = datetime.date(2026, 3, 2)
    cohort.save()
    add_checkin(cast.participant, cast.program, weeks_back(1))
    html = dashboard(cast.client_for("coach"), cast)
    assert "Terry Teammate has missed every weekly check-in of the last 11 weeks." in html


def test_the_grid_starts_at_the_programs_first_week_with_columns_labelled_by_date(
    cast: Cast, frozen: object
) -> None:
    # The program began on Monday 2 November (week 45): three columns, not twelve.
    cast.program.starts_on = datetime.date(2026, 11, 2)
    cast.program.save()
    html = dashboard(cast.client_for("coach"), cast)
    assert "Weekly check-ins, weeks of 2 Nov to 16 Nov 2026" in html
    heading = html.split('class="dash-heatmap"')[1].split("</thead>")[0]
    assert heading.count("<abbr") == 3
    assert ">2 Nov</abbr>" in heading and ">9 Nov</abbr>" in heading
    assert ">16 Nov</abbr>" in heading and "26 Oct" not in heading


def test_before_the_program_begins_the_grid_says_when_it_starts(
    cast: Cast, frozen: object
) -> None:
    cast.program.starts_on = datetime.date(2026, 12, 7)
    cast.program.save()
    html = dashboard(cast.client_for("coach"), cast)
    assert "The program starts on 7 December 2026" in html
    assert 'class="dash-heatmap"' not in html


def test_a_member_who_joined_the_team_last_week_is_not_due_for_the_weeks_before(
    cast: Cast, frozen: object
) -> None:
    newcomer = f.UserFactory(first_name="Nell", last_name="Newcomer")
    f.MembershipFactory(
        user=newcomer, program=cast.program, cohort=cast.team.cohort, role=Role.PARTICIPANT
    )
    joined = datetime.datetime(2026, 11, 11, 12, tzinfo=datetime.UTC)  # week 46
    f.TeamMemberFactory(team=cast.team, user=newcomer).__class__.objects.filter(
        user=newcomer
    ).update(joined_at=joined)
    for user in (cast.participant, cast.teammate):
        add_checkin(user, cast.program, weeks_back(1))
        add_checkin(user, cast.program, weeks_back(2))
    html = dashboard(cast.client_for("coach"), cast)
    # Nell missed last week only: one missed week is not a flag, the weeks before are
    # not due, and her row shows exactly one "not done" among the completed weeks.
    assert "Nell Newcomer has missed" not in html
    row = html.split("Nell Newcomer")[1].split("</tr>")[0]
    assert row.count("not done") == 1
    assert row.count("not due") == 9  # weeks 37 to 45; the program began in week 37
