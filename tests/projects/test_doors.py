"""Doors to open: the team asks its sponsor for an introduction, a resource or a decision;
the sponsor is notified once, after commit (never with the request's text), and answers on
the site. The door email task is kept for requests queued before notifications."""

from __future__ import annotations

import datetime
from smtplib import SMTPException
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.urls import reverse

from notifications.models import Notification
from projects.access import get_project_for_user
from projects.models import DoorRequest
from projects.tasks import send_door_request
from projects.work import door_section
from projects.work_services import do_answer_door, do_ask_door, do_send_door_request_email
from tests.conftest import Cast

HTMX = {"HTTP_HX_REQUEST": "true"}
ASKED = datetime.datetime(2027, 3, 1, 15, 0, tzinfo=datetime.UTC)


def a_door(c: Cast) -> DoorRequest:
    return c.project.doors.first() or DoorRequest.objects.create(
        project=c.project,
        kind=DoorRequest.Kind.INTRODUCTION,
        request="An introduction to the CMO.",
        asked_by=c.participant,
    )


def test_a_door_of_another_project_is_not_found(cast: Cast) -> None:
    cast.other_team.sponsor = cast.sponsor
    cast.other_team.save()
    theirs = DoorRequest.objects.create(project=cast.other_project, kind="resource", request="X")
    response = cast.client_for("sponsor").post(
        reverse("projects:door_answer", args=[cast.project.pk, theirs.pk]),
        {"answer": "Yes"},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_open


# Asking and the email -------------------------------------------------------------------


def ask(cast: Cast, callbacks, **extra: str):  # type: ignore[no-untyped-def]
    with callbacks(execute=True):
        return cast.client_for("participant").post(
            reverse("projects:door_create", args=[cast.project.pk]),
            {"kind": "introduction", "request": "An introduction to the Chief Nursing Officer."},
            **extra,
        )


def test_asking_tells_the_sponsor_once_after_commit_without_the_request_text(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    response = ask(cast, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"].endswith("#doors")
    door = cast.project.doors.get()
    assert (door.kind, door.asked_by) == ("introduction", cast.participant)
    notification = Notification.objects.get()
    assert notification.recipient == cast.sponsor
    assert notification.subject == "Flow Forward asks you to open a door: Cut ED boarding time"
    assert notification.link == f"/projects/{cast.project.pk}/doors/#door-{door.pk}"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [cast.sponsor.email]
    assert "Flow Forward asks you to open a door" in message.subject
    html = "".join(str(content) for content, _ in message.alternatives)
    assert "Chief Nursing Officer" not in message.body + html


def test_htmx_ask_returns_the_section_with_the_open_request(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    response = ask(cast, django_capture_on_commit_callbacks, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="doors"')
    assert "An introduction to the Chief Nursing Officer." in html
    assert "Opened today" in html
    assert "Request sent to Sam Sponsor, who is notified." in html
    assert len(mail.outbox) == 1


def test_a_rolled_back_request_sends_nothing(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        do_ask_door(
            project=cast.project, kind="resource", request="Analyst time.", by=cast.teammate
        )
        raise RuntimeError("the request failed after the door was written")
    assert callbacks == []
    assert not DoorRequest.objects.exists()
    assert mail.outbox == []


def test_running_the_task_twice_sends_one_email(cast: Cast) -> None:
    door = a_door(cast)
    assert send_door_request.apply(args=[door.pk]).get() is True
    assert send_door_request.apply(args=[door.pk]).get() is False
    assert len(mail.outbox) == 1


def test_an_smtp_failure_leaves_the_door_unnotified_so_a_retry_sends_it(cast: Cast) -> None:
    door = a_door(cast)
    with (
        mock.patch(
            "core.mail.BulkEmail.send",
            side_effect=SMTPException("450 try later"),
        ),
        pytest.raises(SMTPException),
    ):
        do_send_door_request_email(door_id=door.pk)
    door.refresh_from_db()
    assert door.notified_at is None
    assert SMTPException in send_door_request.autoretry_for  # type: ignore[attr-defined]
    assert send_door_request.retry_backoff  # type: ignore[attr-defined]
    assert do_send_door_request_email(door_id=door.pk) is True
    assert len(mail.outbox) == 1


def test_a_request_answered_before_the_email_went_out_is_not_emailed(cast: Cast) -> None:
    door = a_door(cast)
    do_answer_door(door=door, answer="Already done.", by=cast.sponsor)
    assert do_send_door_request_email(door_id=door.pk) is False
    assert mail.outbox == []


def test_a_team_without_a_sponsor_keeps_the_request_and_sends_nothing(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    cast.team.sponsor = None
    cast.team.save()
    response = ask(cast, django_capture_on_commit_callbacks, **HTMX)
    assert "The team has no sponsor yet" in response.content.decode()
    assert cast.project.doors.count() == 1
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"kind": "introduction", "request": ""}, "Write what you ask the sponsor for."),
        ({"kind": "introduction", "request": "   "}, "Write what you ask the sponsor for."),
        ({"kind": "favour", "request": "Anything"}, "Choose an introduction, a resource or"),
    ],
)
def test_bad_input_gets_a_form_error_asks_nothing_and_sends_nothing(
    cast: Cast, django_capture_on_commit_callbacks, data: dict[str, str], error: str
) -> None:  # type: ignore[no-untyped-def]
    for extra in ({}, HTMX):
        with django_capture_on_commit_callbacks(execute=True):
            response = cast.client_for("participant").post(
                reverse("projects:door_create", args=[cast.project.pk]), data, **extra
            )
        assert response.status_code == 400
        assert error in response.content.decode()
    assert not DoorRequest.objects.exists()
    assert mail.outbox == []


# Answering ------------------------------------------------------------------------------


def test_sponsor_answers_on_the_site(cast: Cast) -> None:
    door = a_door(cast)
    response = cast.client_for("sponsor").post(
        reverse("projects:door_answer", args=[cast.project.pk, door.pk]),
        {"answer": "Done: you have 20 minutes at the medical executive committee."},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Done: you have 20 minutes" in html
    assert "Sam Sponsor answered on" in html
    door.refresh_from_db()
    assert (door.answered_by, door.is_open) == (cast.sponsor, False)
    team_view = (
        cast.client_for("teammate")
        .get(reverse("projects:doors", args=[cast.project.pk]))
        .content.decode()
    )
    assert "Done: you have 20 minutes" in team_view
    assert "Send answer" not in team_view


def test_an_empty_answer_gets_a_form_error_and_leaves_the_door_open(cast: Cast) -> None:
    door = a_door(cast)
    response = cast.client_for("sponsor").post(
        reverse("projects:door_answer", args=[cast.project.pk, door.pk]),
        {"answer": "  "},
        **HTMX,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Write your answer to the team." in html
    assert f'id="door-{door.pk}-answer"' in html
    door.refresh_from_db()
    assert door.is_open


def test_a_door_is_answered_once(cast: Cast) -> None:
    door = a_door(cast)
    url = reverse("projects:door_answer", args=[cast.project.pk, door.pk])
    client = cast.client_for("sponsor")
    client.post(url, {"answer": "First answer."})
    again = client.post(url, {"answer": "Second answer."}, **HTMX)
    assert again.status_code == 409
    assert "This request has already been answered." in again.content.decode()
    door.refresh_from_db()
    assert door.answer == "First answer."


def test_open_asks_come_first_with_their_age_in_days(cast: Cast) -> None:
    with time_machine.travel(ASKED, tick=False):
        old = a_door(cast)
        answered = DoorRequest.objects.create(
            project=cast.project, kind="decision", request="Decide on the pilot units."
        )
    with time_machine.travel(ASKED + datetime.timedelta(days=3), tick=False):
        do_answer_door(door=answered, answer="Units 5 West and 6 East.", by=cast.sponsor)
    with time_machine.travel(ASKED + datetime.timedelta(days=5), tick=False):
        newer = DoorRequest.objects.create(
            project=cast.project, kind="resource", request="Analyst time."
        )
    with time_machine.travel(ASKED + datetime.timedelta(days=9, hours=2), tick=False):
        section = door_section(get_project_for_user(cast.teammate, cast.project.pk))
        html = (
            cast.client_for("teammate")
            .get(reverse("projects:doors", args=[cast.project.pk]))
            .content.decode()
        )
    rows = section["door_rows"]
    assert [(r.door.pk, r.days) for r in rows] == [  # type: ignore[attr-defined]
        (old.pk, 9),
        (newer.pk, 4),
        (answered.pk, 3),
    ]
    assert section["open_door_count"] == 2
    assert "Open for 9 days" in html
    assert "Open for 4 days" in html
    assert "Answered after 3 days" in html
    assert html.index("Open for 9 days") < html.index("Answered after 3 days")
    assert "2 open requests to Sam Sponsor." in html


def test_only_the_sponsor_sees_answer_forms(cast: Cast) -> None:
    a_door(cast)
    url = reverse("projects:doors", args=[cast.project.pk])
    assert "Send answer" in cast.client_for("sponsor").get(url).content.decode()
    for who in ("participant", "coach", "program_admin"):
        assert "Send answer" not in cast.client_for(who).get(url).content.decode(), who
