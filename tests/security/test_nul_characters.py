"""A NUL character anywhere in a request (path, query string, form field, JSON body) gets a
400 page that says what was wrong, and nothing is saved. On PostgreSQL the journal search
with a NUL in its words used to answer 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from reflections.models import Reflection
from tests.conftest import Cast

MESSAGE = b"contains a null character"


def test_nul_in_the_journal_search_gets_a_400_that_says_so(cast: Cast) -> None:
    client = cast.client_for("participant")
    url = reverse("reflections:journal", args=[cast.program.pk])
    response = client.get(url, {"q": "bed\x00huddle"})
    assert response.status_code == 400
    assert MESSAGE in response.content
    # The same search without it works.
    assert client.get(url, {"q": "bed huddle"}).status_code == 200


@pytest.mark.django_db
def test_nul_in_the_journal_search_on_postgresql_is_not_a_server_error(cast: Cast) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL refuses NUL in a query parameter; CI runs this on it")
    client = cast.client_for("participant")
    client.raise_request_exception = False
    url = reverse("reflections:journal", args=[cast.program.pk])
    response = client.get(url + "?q=%00")
    assert response.status_code == 400
    assert MESSAGE in response.content


def test_nul_in_a_form_field_saves_nothing(cast: Cast) -> None:
    client = cast.client_for("participant")
    response = client.post(
        reverse("reflections:write", args=[cast.program.pk]),
        {"title": "Hidden\x00", "body": "text", "visibility": "private", "tags": ""},
    )
    assert response.status_code == 400
    assert MESSAGE in response.content
    assert not Reflection.objects.exists()


def test_nul_in_a_field_name_in_the_path_or_in_json_gets_a_400(cast: Cast) -> None:
    client = cast.client_for("participant")
    journal = reverse("reflections:journal", args=[cast.program.pk])
    assert client.get(journal, {"x\x00": "1"}).status_code == 400
    assert client.get(journal + "%00").status_code == 400
    response = client.post(journal, '{"q": "a\\u0000b"}', content_type="application/json")
    assert response.status_code == 400
    assert MESSAGE in response.content


def test_an_htmx_request_gets_the_message_alone(cast: Cast) -> None:
    client = cast.client_for("participant")
    response = client.get(
        reverse("reflections:journal", args=[cast.program.pk]),
        {"q": "\x00"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert MESSAGE in response.content
    assert b"<html" not in response.content


def test_anonymous_requests_are_checked_too(db: None) -> None:
    response = Client().get(reverse("account_login"), {"next": "/\x00"})
    assert response.status_code == 400
