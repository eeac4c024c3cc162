"""Program admins manage the program's reflection prompts and their weeks in the app."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reflections.models import Prompt
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def url(cast: Cast, name: str = "prompts", *args: object) -> str:
    return reverse(f"reflections:{name}", args=[cast.program.pk, *args])


def test_no_prompts_yet_says_what_to_do(cast: Cast) -> None:
    response = cast.client_for("program_admin").get(url(cast))
    assert b"No prompts yet. Add a question for the first week below" in response.content


def test_the_program_page_links_to_the_prompts(cast: Cast) -> None:
    response = cast.client_for("program_admin").get(
        reverse("dashboards:program", args=[cast.program.pk])
    )
    assert url(cast).encode() in response.content


def test_program_admin_adds_a_prompt_for_a_week_and_sees_it_in_order(cast: Cast) -> None:
    client = cast.client_for("program_admin")
    client.post(url(cast), {"text": "Any week question", "week_number": ""})
    response = client.post(url(cast), {"text": "Whom did you listen to?", "week_number": "2"})
    assert response.status_code == 302
    page = client.get(url(cast)).content.decode()
    # Week 2 of a program starting Monday 7 September 2026 starts on the 14th.
    assert 'Week 2 <span class="muted">from 14 Sep 2026</span>' in page
    assert page.index("Whom did you listen to?") < page.index("Any week question")


def test_a_week_outside_the_program_gets_a_clear_error_and_adds_nothing(cast: Cast) -> None:
    response = cast.client_for("program_admin").post(
        url(cast), {"text": "Too late", "week_number": "99"}
    )
    assert response.status_code == 400
    assert b"Choose a week from 1 to 39, or none." in response.content
    assert b"the prompt has not been added" in response.content
    assert not Prompt.objects.exists()


def test_an_empty_prompt_is_refused(cast: Cast) -> None:
    response = cast.client_for("program_admin").post(url(cast), {"text": " ", "week_number": "1"})
    assert response.status_code == 400
    assert not Prompt.objects.exists()


def test_program_admin_edits_a_prompt(cast: Cast) -> None:
    prompt = Prompt.objects.create(program=cast.program, text="Old", week_number=1)
    response = cast.client_for("program_admin").post(
        url(cast, "prompt_edit", prompt.pk), {"text": "New words", "week_number": "3"}
    )
    assert response.status_code == 302
    prompt.refresh_from_db()
    assert (prompt.text, prompt.week_number) == ("New words", 3)


def test_deleting_a_prompt_asks_first(cast: Cast) -> None:
    prompt = Prompt.objects.create(program=cast.program, text="What surprised you?")
    client = cast.client_for("program_admin")
    confirm = client.get(url(cast, "prompt_delete", prompt.pk))
    assert b"What surprised you?" in confirm.content
    assert b"Delete prompt" in confirm.content
    assert Prompt.objects.filter(pk=prompt.pk).exists()
    assert client.post(url(cast, "prompt_delete", prompt.pk)).status_code == 302
    assert not Prompt.objects.filter(pk=prompt.pk).exists()
