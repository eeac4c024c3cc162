from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import time_machine
from django.utils import timezone

from coaching.models import PULSE_DIMENSIONS, PulseResponse, PulseSurvey
from teams.models import Team
from tests import factories as f
from tests.conftest import Cast

# A Wednesday; the sessions below are the week after.
NOW = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def now() -> Iterator[datetime.datetime]:
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def zoned_cast(cast: Cast) -> Cast:
    """The cast on three clocks: the participant in New York, the teammate in Berlin, the
    coach and sponsor in UTC."""
    cast.participant.time_zone = "America/New_York"
    cast.participant.save(update_fields=["time_zone"])
    cast.teammate.time_zone = "Europe/Berlin"
    cast.teammate.save(update_fields=["time_zone"])
    return cast


def add_pulse(team: Team, meeting_on: datetime.date, answers: list[dict[str, int]]) -> PulseSurvey:
    """A pulse for the meeting, answered by new members of the team, one per answer; opened
    at the end of the meeting day, so a pulse of a meeting days ago has closed."""
    opened = datetime.datetime.combine(meeting_on, datetime.time(18), tzinfo=datetime.UTC)
    survey = PulseSurvey.objects.create(team=team, meeting_on=meeting_on, created_at=opened)
    for scores in answers:
        respondent = f.UserFactory()
        PulseResponse.objects.create(
            survey=survey,
            respondent=respondent,
            created_at=timezone.now(),
            **{name: scores.get(name, 3) for name in PULSE_DIMENSIONS},
        )
    return survey
