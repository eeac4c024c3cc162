"""What is being written is kept every few seconds, and offered back after a lost session."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from reflections.models import Draft, Reflection, Visibility
from tests import factories as f
from tests.conftest import Cast
from tests.reflections.builders import HTMX


def autosave(client: Client, program_id: int, **fields: str) -> object:
    data = {"draft_token": "page-1", "title": "", "body": "", "tags": "", "visibility": "private"}
    return client.post(reverse("reflections:draft_save", args=[program_id]), data | fields, **HTMX)


def write_page(client: Client, program_id: int, **params: str) -> str:
    response = client.get(reverse("reflections:write", args=[program_id]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_write_page_saves_the_draft_a_few_seconds_after_typing(cast: Cast) -> None:
    html = write_page(cast.client_for("participant"), cast.program.pk)
    draft_url = reverse("reflections:draft_save", args=[cast.program.pk])
    assert f'hx-post="{draft_url}" hx-trigger="input delay:2s"' in html
    assert 'name="draft_token"' in html
    assert "/static/js/reflections.js" in html


def test_an_autosave_keeps_the_text_and_says_when(cast: Cast) -> None:
    moment = datetime.datetime(2026, 11, 5, 15, 42, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        response = autosave(
            cast.client_for("participant"), cast.program.pk, title="Half", body="Half a thought"
        )
    assert response.status_code == 200  # type: ignore[attr-defined]
    html = response.content.decode()  # type: ignore[attr-defined]
    assert html.strip().startswith('<p id="draft-status"')
    assert "Draft saved at 10:42 (America/New_York)." in html
    draft = Draft.objects.get(user=cast.participant, program=cast.program)
    assert (draft.title, draft.body) == ("Half", "Half a thought")


def test_a_draft_typed_before_the_session_expired_is_offered_after_the_next_login(
    cast: Cast,
) -> None:
    client = Client()
    assert client.login(email=cast.participant.email, password=f.PASSWORD)
    with time_machine.travel(datetime.datetime(2026, 11, 5, 15, 42, tzinfo=datetime.UTC)):
        autosave(client, cast.program.pk, title="Unfinished", body="What I meant to say was")
    client.session.flush()  # the session expires
    assert client.get(reverse("reflections:write", args=[cast.program.pk])).status_code == 302
    assert client.login(email=cast.participant.email, password=f.PASSWORD)

    html = write_page(client, cast.program.pk)
    assert "You have an unsaved draft from Thursday 5 November, 10:42 (America/New_York)" in html
    assert "continue it" in html
    assert "Discard the draft" in html
    continued = write_page(client, cast.program.pk, draft="continue")
    assert "What I meant to say was" in continued
    assert 'value="Unfinished"' in continued
    assert "You have an unsaved draft" not in continued


def test_the_draft_notice_for_the_home_page_offers_the_draft_back(cast: Cast) -> None:
    autosave(cast.client_for("participant"), cast.program.pk, body="Typed before lunch")
    request = RequestFactory().get("/")
    request.user = cast.participant
    html = Template("{% load journal %}{% draft_notice drafts %}").render(
        Context(
            {
                "request": request,
                "csrf_token": "t",
                "drafts": Draft.objects.unclosed(cast.participant),
            }
        )
    )
    assert "You have an unsaved draft from" in html
    assert "System Leadership Academy" in html
    assert reverse("reflections:write", args=[cast.program.pk]) + "?draft=continue" in html
    assert reverse("reflections:draft_discard", args=[cast.program.pk]) in html


def test_the_draft_notice_shows_nothing_without_a_draft(cast: Cast) -> None:
    request = RequestFactory().get("/")
    request.user = cast.participant
    html = Template("{% load journal %}{% draft_notice drafts %}").render(
        Context({"request": request, "drafts": Draft.objects.unclosed(cast.participant)})
    )
    assert html.strip() == ""


def test_saving_the_entry_closes_its_draft_and_a_late_autosave_cannot_reopen_it(
    cast: Cast,
) -> None:
    client = cast.client_for("participant")
    autosave(client, cast.program.pk, body="Draft text")
    client.post(
        reverse("reflections:write", args=[cast.program.pk]),
        {
            "title": "Done",
            "body": "Final text",
            "visibility": Visibility.PRIVATE,
            "draft_token": "page-1",
        },
    )
    assert Reflection.objects.filter(title="Done").exists()
    autosave(client, cast.program.pk, body="Final text")  # was still on its way
    assert "You have an unsaved draft" not in write_page(client, cast.program.pk)


def test_a_new_writing_page_after_saving_keeps_a_new_draft(cast: Cast) -> None:
    client = cast.client_for("participant")
    autosave(client, cast.program.pk, body="First")
    client.post(
        reverse("reflections:write", args=[cast.program.pk]),
        {"title": "Done", "body": "First", "visibility": "private", "draft_token": "page-1"},
    )
    autosave(client, cast.program.pk, body="Second entry begins", draft_token="page-2")
    assert "You have an unsaved draft" in write_page(client, cast.program.pk)


def test_discarding_the_draft_removes_the_offer_and_says_so(cast: Cast) -> None:
    client = cast.client_for("participant")
    autosave(client, cast.program.pk, body="Not worth keeping")
    response = client.post(
        reverse("reflections:draft_discard", args=[cast.program.pk]), follow=True
    )
    assert "Your unsaved draft is discarded." in response.content.decode()
    assert "You have an unsaved draft" not in write_page(client, cast.program.pk)


def test_discarding_from_the_home_page_returns_there(cast: Cast) -> None:
    client = cast.client_for("participant")
    autosave(client, cast.program.pk, body="Not worth keeping")
    response = client.post(
        reverse("reflections:draft_discard", args=[cast.program.pk]), {"next": "/"}
    )
    assert response["Location"] == "/"
    response = client.post(
        reverse("reflections:draft_discard", args=[cast.program.pk]),
        {"next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("reflections:write", args=[cast.program.pk])


def test_an_empty_draft_is_not_offered(cast: Cast) -> None:
    client = cast.client_for("participant")
    autosave(client, cast.program.pk, title="  ", body="\n")
    assert "You have an unsaved draft" not in write_page(client, cast.program.pk)


def test_a_closing_page_saves_its_draft_with_a_plain_post_and_gets_no_content(
    cast: Cast,
) -> None:
    response = cast.client_for("participant").post(
        reverse("reflections:draft_save", args=[cast.program.pk]),
        {"draft_token": "page-1", "body": "Sent as the tab closed"},
    )
    assert response.status_code == 204
    assert Draft.objects.get().body == "Sent as the tab closed"


def test_a_draft_too_long_to_keep_gets_a_clear_error_and_keeps_nothing(cast: Cast) -> None:
    response = autosave(cast.client_for("participant"), cast.program.pk, body="x" * 20001)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert b"The draft could not be kept" in response.content  # type: ignore[attr-defined]
    assert not Draft.objects.exists()


def test_an_autosave_without_its_page_token_is_refused(cast: Cast) -> None:
    response = autosave(cast.client_for("participant"), cast.program.pk, draft_token="")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert not Draft.objects.exists()


@pytest.mark.parametrize("who", ("coach", "sponsor", "program_admin", "former_participant"))
def test_only_participants_keep_drafts(cast: Cast, who: str) -> None:
    response = autosave(cast.client_for(who), cast.program.pk, body="x")
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert not Draft.objects.exists()


def test_drafts_are_kept_per_person_and_program(cast: Cast) -> None:
    autosave(cast.client_for("participant"), cast.program.pk, body="Mine")
    autosave(cast.client_for("teammate"), cast.program.pk, body="Theirs")
    assert "You have an unsaved draft" in write_page(
        cast.client_for("participant"), cast.program.pk
    )
    continued = write_page(cast.client_for("participant"), cast.program.pk, draft="continue")
    assert "Mine" in continued
    assert "Theirs" not in continued
