"""The coach tools' demo data: believable, idempotent, and showing a flag."""

from __future__ import annotations

from django.urls import reverse

from coaching.models import CoachNote, PulseResponse, PulseSurvey
from devtools.demo.coach_tools import seed_coaching
from tests import factories as f
from tests.conftest import Cast


def test_seed_coaching_adds_notes_and_pulses_once(cast: Cast) -> None:
    f.add_participant(cast.team)
    seed_coaching(program=cast.program)
    counts = (
        CoachNote.objects.count(),
        PulseSurvey.objects.count(),
        PulseResponse.objects.count(),
    )
    seed_coaching(program=cast.program)
    assert counts == (
        CoachNote.objects.count(),
        PulseSurvey.objects.count(),
        PulseResponse.objects.count(),
    )
    assert counts[0] == 4  # two notes for each of the two coached teams
    assert counts[1] == 8  # four meetings each
    assert counts[2] == 4 * 3 + 4 * 1  # every member answers


def test_seeded_program_shows_a_pulse_flag_on_the_coach_dashboard(cast: Cast) -> None:
    f.add_participant(cast.team)
    seed_coaching(program=cast.program)
    html = cast.client_for("coach").get(
        reverse("dashboards:coach_dashboard", args=[cast.program.pk])
    )
    assert "Psychological safety fell two meetings in a row" in html.content.decode()


def test_seeded_program_shows_the_closed_baseline_on_the_outcome_report(cast: Cast) -> None:
    cast.program.competencies = "Leading across boundaries\nAsking powerful questions"
    cast.program.save()
    for _ in range(3):
        f.add_participant(cast.team)
    seed_coaching(program=cast.program)
    seed_coaching(program=cast.program)  # once only
    html = cast.client_for("program_admin").get(
        reverse("dashboards:report", args=[cast.program.pk])
    )
    text = html.content.decode()
    assert "(6 people)" in text  # the baseline of the six participants, frozen
    assert "open: figures when the stage closes" in text  # the mid-point and the end
