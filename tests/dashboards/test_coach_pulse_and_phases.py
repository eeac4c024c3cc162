"""The coach dashboard's pulse values and the program's own settings for its flags: a low
pulse (below the program's threshold) and a long phase (longer than the program expects),
both set on the program form."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from coaching.models import PulseSurvey
from programs.models import Program
from projects.models import Phase, Project
from teams.models import TeamMember
from tests.coaching.conftest import add_pulse
from tests.conftest import Cast

NOW = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()

PROGRAM_FORM = {
    "name": "System Leadership Academy",
    "description": "",
    "starts_on": "2026-09-07",
    "ends_on": "2027-06-04",
    "learning_goals": "",
    "competencies": "",
    "checkin_weekday": "4",
    "checkin_time": "09:00",
    "team_min_size": "4",
    "team_max_size": "8",
}


@pytest.fixture
def frozen(cast: Cast) -> object:
    start = datetime.datetime.combine(
        cast.program.starts_on, datetime.time(9), tzinfo=datetime.UTC
    )
    TeamMember.objects.filter(team__cohort__program=cast.program).update(joined_at=start)
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def dashboard(cast: Cast) -> str:
    response = cast.client_for("coach").get(
        reverse("dashboards:coach_dashboard", args=[cast.program.pk])
    )
    assert response.status_code == 200
    return response.content.decode()


def pulse_section(html: str) -> str:
    return html.split('class="dash-pulse"')[1].split("</table>")[0]


def test_closed_pulses_show_their_averages_labelled_by_meeting_date(
    cast: Cast, frozen: object
) -> None:
    add_pulse(cast.team, TODAY - datetime.timedelta(days=14), [{"learning": 4}] * 3)
    add_pulse(
        cast.team, TODAY - datetime.timedelta(days=7), [{"learning": 5}, {"learning": 4}] * 2
    )
    table = pulse_section(dashboard(cast))
    assert "Meeting of 6 Nov 2026" in table and "Meeting of 13 Nov 2026" in table
    assert "(4 answers)" in table
    learning = table.split("Learning")[1].split("</tr>")[0]
    assert ">4.0<" in learning and ">4.5<" in learning


def test_an_open_pulse_or_one_with_too_few_answers_shows_no_values(
    cast: Cast, frozen: object
) -> None:
    add_pulse(cast.team, TODAY - datetime.timedelta(days=7), [{"learning": 1}] * 2)
    # Opened at the end of today's meeting: still open.
    still_open = PulseSurvey.objects.create(
        team=cast.team, meeting_on=TODAY, created_at=NOW - datetime.timedelta(hours=1)
    )
    assert still_open.pk
    html = dashboard(cast)
    assert 'class="dash-pulse"' not in html
    assert "is low" not in html


def test_a_pulse_below_the_programs_threshold_is_flagged(cast: Cast, frozen: object) -> None:
    add_pulse(
        cast.team,
        TODAY - datetime.timedelta(days=7),
        [{"psychological_safety": 2, "learning": 4}] * 3,
    )
    html = dashboard(cast)
    assert (
        "The pulse after the meeting of 13 Nov 2026 is low: psychological safety 2.0 "
        "(below 2.5, this program&#x27;s threshold)."
    ) in html
    assert "learning 4.0" not in html
    assert 'class="dash-low"' in pulse_section(html)


def test_the_threshold_is_the_programs_own(cast: Cast, frozen: object) -> None:
    add_pulse(cast.team, TODAY - datetime.timedelta(days=7), [{"progress": 3}] * 3)
    assert "is low" not in dashboard(cast)
    response = cast.client_for("program_admin").post(
        reverse("programs:edit", args=[cast.program.pk]),
        PROGRAM_FORM | {"low_pulse_threshold": "3.5"},
    )
    assert response.status_code == 302
    assert "is low: goal clarity 3.0" in dashboard(cast)


def test_phase_expectations_are_set_per_program(cast: Cast, frozen: object) -> None:
    Project.objects.filter(pk=cast.project.pk).update(
        phase=Phase.CRAFTING, phase_changed_at=NOW - datetime.timedelta(weeks=5)
    )
    assert "The project has been in" not in dashboard(cast)
    response = cast.client_for("program_admin").post(
        reverse("programs:edit", args=[cast.program.pk]),
        PROGRAM_FORM
        | {
            "expected_weeks_crafting": "4",
            "expected_weeks_carrying_out": "10",
            "expected_weeks_transitioning": "3",
        },
    )
    assert response.status_code == 302
    html = dashboard(cast)
    assert "The project has been in crafting for 5 weeks; about 4 is usual." in html
    assert "(about 4 is usual)" in html


def test_the_program_form_offers_the_settings_and_refuses_a_threshold_off_the_scale(
    cast: Cast,
) -> None:
    client = cast.client_for("program_admin")
    page = client.get(reverse("programs:edit", args=[cast.program.pk])).content.decode()
    assert "Low pulse threshold" in page and "Expected weeks in crafting" in page
    response = client.post(
        reverse("programs:edit", args=[cast.program.pk]),
        PROGRAM_FORM | {"low_pulse_threshold": "7", "expected_weeks_crafting": "0"},
    )
    assert response.status_code == 400
    assert "less than or equal to 5" in response.content.decode()
    program = Program.objects.get(pk=cast.program.pk)
    assert program.low_pulse_threshold == Decimal("2.5")
    assert program.expected_weeks_crafting == 8


def test_leaving_the_settings_out_keeps_them(cast: Cast) -> None:
    Program.objects.filter(pk=cast.program.pk).update(expected_weeks_crafting=12)
    response = cast.client_for("program_admin").post(
        reverse("programs:edit", args=[cast.program.pk]), PROGRAM_FORM
    )
    assert response.status_code == 302
    assert Program.objects.get(pk=cast.program.pk).expected_weeks_crafting == 12
