"""Oversized input gets a clear answer, never a crash, and loses nothing that was saved.

A megabyte pasted into a reflection is refused by its form, which names the limit and
shows the text again, while the autosaved draft keeps what was saved before. A 10 MB
people file is refused by the import page with its size. What is larger than Django
accepts at all (config/settings.py) gets the 400 page, which says so; an htmx request gets
only the message, so that the form and its text stay on the screen.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from reflections.forms import BODY_LENGTH
from reflections.models import Draft, Reflection, TeamReflection
from teams.models import PeopleImport
from teams.people_import import COLUMNS, MAX_UPLOAD_BYTES
from tests.conftest import Cast
from tests.security.test_hostile_input import NOW
from tests.security.writes import WRITES, Write, assert_refused_then_accepted

MEGABYTE = 1024 * 1024
FORM = "application/x-www-form-urlencoded"  # how a browser sends a form without files
HTMX = {"HTTP_HX_REQUEST": "true"}


def long_text(size: int) -> str:
    """`size` characters of writing, with a last word to look for."""
    line = "I kept going back to the huddle and what the charge nurse said.\n"
    return (line * (size // len(line) + 1))[: size - len("THE-END")] + "THE-END"


def post_form(client: Client, url: str, data: dict[str, object], **extra: str) -> object:
    return client.post(url, urlencode(data), content_type=FORM, **extra)


# A megabyte of text. ------------------------------------------------------------------------


def test_a_megabyte_reflection_is_refused_by_its_form_and_shown_again(cast: Cast) -> None:
    client = cast.client_for("participant")
    text = long_text(MEGABYTE)
    url = reverse("reflections:write", args=[cast.program.pk])
    response = post_form(
        client, url, {"title": "Everything", "body": text, "visibility": "private"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f"The reflection is {MEGABYTE} characters long; the limit is {BODY_LENGTH}" in html
    assert "nothing has been saved yet" in html
    # The whole text is back in the form, to shorten or split.
    assert html.count("I kept going back to the huddle") >= MEGABYTE // 70
    assert "THE-END</textarea>" in html
    assert not Reflection.objects.filter(author=cast.participant).exists()


def test_a_megabyte_autosave_is_refused_and_the_draft_saved_before_is_kept(cast: Cast) -> None:
    client = cast.client_for("participant")
    url = reverse("reflections:draft_save", args=[cast.program.pk])
    fields = {"draft_token": "page-one", "title": "Huddle", "visibility": "private"}
    assert post_form(client, url, fields | {"body": "First thoughts."}, **HTMX).status_code == 200
    response = post_form(client, url, fields | {"body": long_text(MEGABYTE)}, **HTMX)
    assert response.status_code == 400
    assert "The draft could not be kept" in response.content.decode()
    assert f"{MEGABYTE} characters long" in response.content.decode()
    assert Draft.objects.get(user=cast.participant).body == "First thoughts."


def test_a_megabyte_team_reflection_is_refused_and_shown_again(cast: Cast) -> None:
    client = cast.client_for("participant")
    url = reverse("reflections:team_write", args=[cast.team.pk])
    response = post_form(client, url, {"title": "Together", "body": long_text(MEGABYTE)})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"The reflection is {MEGABYTE} characters long" in html
    assert "THE-END</textarea>" in html
    assert not TeamReflection.objects.exists()


# A 10 MB people file. ------------------------------------------------------------------------


def people_file(size: int) -> SimpleUploadedFile:
    header = ",".join(COLUMNS) + "\n"
    row = "someone@example.org,Ann,Lee,Cardiology,nurse,Nurse,participant,,\n"
    content = header + row * ((size - len(header)) // len(row) + 1)
    return SimpleUploadedFile("people.csv", content.encode()[:size], content_type="text/csv")


def test_a_10_mb_people_file_is_refused_by_the_import_page_with_its_size(cast: Cast) -> None:
    client = cast.client_for("program_admin")
    url = reverse("teams:import", args=[cast.program.pk])
    upload = people_file(10 * MEGABYTE)
    response = client.post(url, {"cohort": cast.team.cohort_id, "file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The file is 10.0 MB; the limit is 2 MB. Split it into smaller files." in html
    assert 'type="file"' in html  # the form is there to choose another file
    assert not PeopleImport.objects.exists()


# Past Django's limits: the 400 page. --------------------------------------------------------


def assert_friendly_400(response: object, *, heading: str) -> str:
    assert response.status_code == 400  # type: ignore[attr-defined]
    html = response.content.decode()  # type: ignore[attr-defined]
    assert heading in html
    assert "Nothing was saved" in html
    assert '<a href="/">go to your home page</a>' in html
    assert "Content-Security-Policy" in response  # type: ignore[operator]
    return html


def test_form_data_over_djangos_limit_gets_the_400_page_saying_so(cast: Cast) -> None:
    client = cast.client_for("participant")
    text = long_text(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + MEGABYTE // 2)
    url = reverse("reflections:write", args=[cast.program.pk])
    response = post_form(client, url, {"title": "Everything", "body": text})
    html = assert_friendly_400(response, heading="That was too large to send")
    assert "at most 2.5 MB of text in one form" in html
    assert not Reflection.objects.exists()


def test_an_htmx_request_over_the_limit_gets_only_the_message_and_keeps_the_form(
    cast: Cast,
) -> None:
    client = cast.client_for("participant")
    text = long_text(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + MEGABYTE // 2)
    url = reverse("projects:charter_save", args=[cast.project.pk, "scope"])
    response = post_form(client, url, {"text": text, "version": 1}, **HTMX)
    assert response.status_code == 400
    # Nothing replaces the section being edited: the message goes to the page's alert region.
    assert response["HX-Reswap"] == "none"
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="request-problem"')
    assert 'hx-swap-oob="true"' in html and "That was too large" not in html
    assert "larger than ActionLab accepts" in html
    page = cast.client_for("participant").get(reverse("projects:detail", args=[cast.project.pk]))
    assert '<div id="request-problem"></div>' in page.content.decode()


def test_too_many_fields_get_the_400_page_saying_so(cast: Cast) -> None:
    client = cast.client_for("participant")
    fields = {f"field{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = post_form(client, reverse("reflections:write", args=[cast.program.pk]), fields)
    assert_friendly_400(response, heading="That form had too many fields")


def test_an_upload_over_the_upload_limit_is_refused_before_it_is_read(cast: Cast) -> None:
    client = cast.client_for("program_admin")
    url = reverse("teams:import", args=[cast.program.pk])
    upload = people_file(settings.MAX_UPLOAD_SIZE + MEGABYTE)
    response = client.post(url, {"cohort": cast.team.cohort_id, "file": upload})
    html = assert_friendly_400(response, heading="That was too large to send")
    assert "20 MB for a file with its form" in html
    assert not PeopleImport.objects.exists()


def test_someone_not_signed_in_gets_the_400_page_too(db: None) -> None:
    """A stranger cannot make the site read (or spool to disk) a huge body either."""
    response = Client().post(
        reverse("account_login"),
        b"x" * (settings.MAX_UPLOAD_SIZE + 1),
        content_type="multipart/form-data; boundary=xyz",
    )
    assert_friendly_400(response, heading="That was too large to send")


# The limits themselves. ---------------------------------------------------------------------


def test_the_limits_leave_room_for_every_form_and_the_people_file() -> None:
    # The longest text a form takes, as a browser sends it (each character up to four
    # bytes, each byte percent-encoded), fits; a pasted megabyte reaches its form.
    assert BODY_LENGTH * 4 * 3 < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert len(urlencode({"body": long_text(MEGABYTE)})) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    # A people file the import accepts stays in memory; a 10 MB one reaches the import page.
    assert MAX_UPLOAD_BYTES <= settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    assert 10 * MEGABYTE + 10_000 < settings.MAX_UPLOAD_SIZE
    assert settings.FILE_UPLOAD_HANDLERS[0] == "core.uploads.RequestSizeLimitHandler"


@pytest.mark.parametrize("size", [MAX_UPLOAD_BYTES, MAX_UPLOAD_BYTES + 1])
def test_the_people_file_limit_is_exact(cast: Cast, size: int) -> None:
    client = cast.client_for("program_admin")
    url = reverse("teams:import", args=[cast.program.pk])
    response = client.post(url, {"cohort": cast.team.cohort_id, "file": people_file(size)})
    refused = "the limit is 2 MB" in response.content.decode()
    assert refused == (size > MAX_UPLOAD_BYTES)


@pytest.mark.parametrize("write", list(WRITES.values()), ids=list(WRITES))
def test_a_megabyte_in_any_text_is_refused_with_a_message(cast: Cast, write: Write) -> None:
    """Every text has a limit, checked by its form or its service, which the page names."""
    with time_machine.travel(NOW, tick=False):
        assert_refused_then_accepted(
            write,
            cast,
            "hostilemark " + long_text(MEGABYTE),
            says=("Ensure this value has at most", "the limit is"),
        )
