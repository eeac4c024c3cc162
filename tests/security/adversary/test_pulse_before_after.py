"""A coach (or a teammate) reads one person's pulse answers by comparing the averages before
and after that person answered.

Before: averages (and, for the coach, the comments) were shown live from the third answer,
so the coach noted them, waited for Terry's answer and worked out Terry's exact scores
from the change; Terry's comment was the new line. Now a pulse shows nothing while it
takes answers; its results appear once it has closed, and a closed pulse takes no answer,
so the figures never change once shown. Comments appear in alphabetical order, unnamed
and without times.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from coaching.models import PULSE_DIMENSIONS, PulseSurvey
from tests import factories as f
from tests.conftest import Cast

NOW = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC)
CLOSED = NOW + datetime.timedelta(days=4)


@pytest.fixture(autouse=True)
def _frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def answer(client: Client, survey: PulseSurvey, score: int, comment: str) -> None:
    client.post(
        reverse("coaching:pulse_answer", args=[survey.pk]),
        {**{name: str(score) for name in PULSE_DIMENSIONS}, "comment": comment},
    )


def results(cast: Cast) -> tuple[list[str], list[str]]:
    """What the coach's pulse page shows: the averages and the comments."""
    page = cast.client_for("coach").get(reverse("coaching:pulse", args=[cast.team.pk]))
    text = page.content.decode()
    averages = re.findall(r'<td data-label="[^"]+">(\d\.\d)</td>', text)
    comments = re.findall(r"<li>([^<]*)</li>", text.split("Comments (without names)", 1)[-1])
    return averages, comments if "Comments (without names)" in text else []


def test_the_coach_cannot_read_terrys_answers_from_the_change(cast: Cast) -> None:
    others = [f.add_participant(cast.team), f.add_participant(cast.team)]
    cast.client_for("coach").post(
        reverse("coaching:pulse_open", args=[cast.team.pk]), {"meeting_on": "2026-11-19"}
    )
    survey = PulseSurvey.objects.get(team=cast.team)
    comments = ["Zest", "Good pace", "More data"]
    for user, comment in zip([cast.participant, *others], comments, strict=True):
        client = Client()
        client.force_login(user)
        answer(client, survey, 4, comment)

    before = results(cast)
    answer(cast.client_for("teammate"), survey, 1, "Alex talks over everyone")
    after = results(cast)
    # Nothing is shown while the pulse takes answers: there is no change to read.
    assert before == after == ([], [])

    with time_machine.travel(CLOSED, tick=False):
        averages, comments = results(cast)
        assert averages == ["3.2"] * len(PULSE_DIMENSIONS)
        assert comments == sorted(comments)
        assert "Alex talks over everyone" in comments
        # A late answer cannot move the figures the coach has now seen.
        late = f.add_participant(cast.team)
        client = Client()
        client.force_login(late)
        answer(client, survey, 5, "Late")
        assert results(cast) == (averages, comments)
