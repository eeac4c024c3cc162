"""The team pulse: opened after a meeting, answered once per member, anonymous to the team,
averages only from three answers, trends for the coach."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from coaching.models import PULSE_DIMENSIONS, PulseResponse, PulseSurvey
from tests import factories as f
from tests.coaching.conftest import add_pulse
from tests.conftest import Cast

NOW = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC)
# A pulse opened at NOW has closed by then.
CLOSED = NOW + datetime.timedelta(days=3, minutes=1)


@pytest.fixture(autouse=True)
def _frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def answers(score: int = 4, comment: str = "") -> dict[str, object]:
    return {**{name: str(score) for name in PULSE_DIMENSIONS}, "comment": comment}


def open_pulse(cast: Cast, who: str = "participant", day: str = "2026-11-19") -> PulseSurvey:
    response = cast.client_for(who).post(
        reverse("coaching:pulse_open", args=[cast.team.pk]), {"meeting_on": day}
    )
    assert response.status_code == 302
    return PulseSurvey.objects.get(team=cast.team, meeting_on=day)


@pytest.mark.parametrize("who", ["participant", "coach"])
def test_a_member_or_the_coach_opens_the_pulse_for_a_meeting(cast: Cast, who: str) -> None:
    survey = open_pulse(cast, who)
    assert survey.opened_by == getattr(cast, who)


def test_opening_the_same_meeting_twice_keeps_one_pulse(cast: Cast) -> None:
    open_pulse(cast, "participant")
    open_pulse(cast, "teammate")
    assert PulseSurvey.objects.count() == 1


@pytest.mark.parametrize("day", ["", "yesterday", "2026-12-24"])
def test_a_bad_meeting_date_gets_a_form_error_and_opens_nothing(cast: Cast, day: str) -> None:
    response = cast.client_for("participant").post(
        reverse("coaching:pulse_open", args=[cast.team.pk]), {"meeting_on": day}
    )
    assert response.status_code == 400
    assert "nothing has been saved yet" in response.content.decode()
    assert not PulseSurvey.objects.exists()


@pytest.mark.parametrize(
    "who", ["sponsor", "program_admin", "other_participant", "former_participant"]
)
def test_the_sponsor_admins_and_other_teams_get_403(cast: Cast, who: str) -> None:
    client = cast.client_for(who)
    assert client.get(reverse("coaching:pulse", args=[cast.team.pk])).status_code == 403
    response = client.post(
        reverse("coaching:pulse_open", args=[cast.team.pk]), {"meeting_on": "2026-11-19"}
    )
    assert response.status_code == 403
    assert not PulseSurvey.objects.exists()


def test_a_member_answers_once(cast: Cast) -> None:
    survey = open_pulse(cast)
    client = cast.client_for("participant")
    url = reverse("coaching:pulse_answer", args=[survey.pk])
    assert client.post(url, answers(4)).status_code == 302
    again = client.post(url, answers(1), follow=True)
    assert "You have answered this pulse already" in again.content.decode()
    response = PulseResponse.objects.get()
    assert response.respondent == cast.participant
    assert response.learning == 4


@pytest.mark.parametrize(
    "data",
    [
        {"comment": "no scores"},
        answers(6),
        answers(0),
        {**answers(3), "learning": "a lot"},
    ],
)
def test_bad_answers_get_a_form_error_and_save_nothing(cast: Cast, data: dict) -> None:
    survey = open_pulse(cast)
    response = cast.client_for("participant").post(
        reverse("coaching:pulse_answer", args=[survey.pk]), data
    )
    assert response.status_code == 400
    assert "nothing has been saved yet" in response.content.decode()
    assert not PulseResponse.objects.exists()


@pytest.mark.parametrize("who", ["coach", "sponsor", "program_admin", "other_participant"])
def test_only_team_members_answer(cast: Cast, who: str) -> None:
    survey = open_pulse(cast)
    response = cast.client_for(who).post(
        reverse("coaching:pulse_answer", args=[survey.pk]), answers(4)
    )
    assert response.status_code == 403
    assert not PulseResponse.objects.exists()


def test_averages_stay_hidden_below_three_answers(cast: Cast) -> None:
    survey = open_pulse(cast)
    for who, score in (("participant", 5), ("teammate", 1)):
        cast.client_for(who).post(
            reverse("coaching:pulse_answer", args=[survey.pk]), answers(score)
        )
    with time_machine.travel(CLOSED, tick=False):
        for who in ("participant", "coach"):
            html = cast.client_for(who).get(reverse("coaching:pulse", args=[cast.team.pk]))
            text = html.content.decode()
            assert "2 of 2" in text
            assert "fewer than 3 answers" in text
            assert "3.0" not in text


def test_averages_appear_from_three_answers(cast: Cast) -> None:
    survey = open_pulse(cast)
    third = f.add_participant(cast.team)
    for user, score in ((cast.participant, 5), (cast.teammate, 4), (third, 3)):
        PulseResponse.objects.create(
            survey=survey,
            respondent=user,
            created_at=NOW,
            **dict.fromkeys(PULSE_DIMENSIONS, score),
        )
    html = cast.client_for("teammate").get(reverse("coaching:pulse", args=[cast.team.pk]))
    assert "4.0" not in html.content.decode()  # not while the pulse takes answers
    assert "open until 23 Nov" in html.content.decode()
    with time_machine.travel(CLOSED, tick=False):
        html = cast.client_for("teammate").get(reverse("coaching:pulse", args=[cast.team.pk]))
    assert "4.0" in html.content.decode()


def test_a_closed_pulse_takes_no_more_answers(cast: Cast) -> None:
    survey = open_pulse(cast)
    with time_machine.travel(CLOSED, tick=False):
        client = cast.client_for("teammate")
        page = client.get(reverse("coaching:pulse", args=[cast.team.pk])).content.decode()
        assert reverse("coaching:pulse_answer", args=[survey.pk]) not in page
        for response in (
            client.get(reverse("coaching:pulse_answer", args=[survey.pk]), follow=True),
            client.post(
                reverse("coaching:pulse_answer", args=[survey.pk]), answers(5), follow=True
            ),
        ):
            assert "This pulse has closed: its results are final." in response.content.decode()
    assert not PulseResponse.objects.exists()


def test_teammates_never_see_individual_answers_or_comments(cast: Cast) -> None:
    survey = open_pulse(cast)
    third = f.add_participant(cast.team)
    for user, score, comment in (
        (cast.participant, 5, "I felt heard."),
        (cast.teammate, 2, "Terry talks over everyone."),
        (third, 2, ""),
    ):
        client = cast.client_for("participant")
        client.force_login(user)
        client.post(reverse("coaching:pulse_answer", args=[survey.pk]), answers(score, comment))
    with time_machine.travel(CLOSED, tick=False):
        html = cast.client_for("participant").get(reverse("coaching:pulse", args=[cast.team.pk]))
    text = html.content.decode()
    assert "3.0" in text  # the average
    assert "talks over everyone" not in text
    assert "I felt heard" not in text
    for name in ("Terry Teammate", "Pat Participant"):
        assert name not in text.split("Meetings", 1)[1]


def test_the_coach_reads_comments_without_names_and_sees_the_trend(cast: Cast) -> None:
    today = NOW.date()
    add_pulse(cast.team, today - datetime.timedelta(days=14), [{"learning": 2}] * 3)
    survey = add_pulse(cast.team, today - datetime.timedelta(days=7), [{"learning": 4}] * 3)
    survey.responses.filter(pk=survey.responses.first().pk).update(comment="More data, please.")
    html = cast.client_for("coach").get(reverse("coaching:pulse", args=[cast.team.pk]))
    text = html.content.decode()
    assert "More data, please." in text
    assert '<svg class="chart"' in text
    assert 'role="img"' in text
    assert "<title" in text
    assert "Learning, 13 Nov: 4.0" in text
    # The same figures in a table behind the chart, a row per meeting.
    chart = text.split('class="chart-block"', 1)[1].split("</details>", 1)[0]
    assert "Show the figures as a table" in chart
    assert '<td data-label="Meeting">06 Nov</td>' in chart
    assert '<td data-label="Learning">2.0</td>' in chart
    assert '<td data-label="Learning">4.0</td>' in chart
    assert "Team average, 1 to 5" in chart


def test_teammates_do_not_see_the_trend_chart(cast: Cast) -> None:
    today = NOW.date()
    add_pulse(cast.team, today - datetime.timedelta(days=14), [{}] * 3)
    add_pulse(cast.team, today - datetime.timedelta(days=7), [{}] * 3)
    coach = cast.client_for("coach").get(reverse("coaching:pulse", args=[cast.team.pk]))
    assert 'class="chart-block"' in coach.content.decode()
    html = cast.client_for("participant").get(reverse("coaching:pulse", args=[cast.team.pk]))
    text = html.content.decode()
    assert 'class="chart-block"' not in text
    assert 'class="chart"' not in text
    assert "Show the figures as a table" not in text


def test_a_member_without_answers_is_offered_the_pulse(cast: Cast) -> None:
    survey = open_pulse(cast)
    html = cast.client_for("teammate").get(reverse("coaching:pulse", args=[cast.team.pk]))
    assert reverse("coaching:pulse_answer", args=[survey.pk]) in html.content.decode()
