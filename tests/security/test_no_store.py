"""No page, export or feed of the application is kept by a browser's or a proxy's cache:
after signing out on a shared computer, the back button or the cache shows nobody the
journal. Static files keep their long caching."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.conftest import Cast


def no_store(response: object) -> bool:
    header = response["Cache-Control"]  # type: ignore[index]
    return "no-store" in header and "private" in header and "max-age=900" not in header


def test_private_pages_and_the_export_are_not_stored(cast: Cast) -> None:
    client = cast.client_for("participant")
    for url in (
        reverse("home"),
        reverse("reflections:journal", args=[cast.program.pk]),
        reverse("reflections:export"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), (url, response["Cache-Control"])


def test_the_calendar_feed_is_not_stored(cast: Cast) -> None:
    from reflections.feeds import do_create_calendar_feed

    feed = do_create_calendar_feed(user=cast.participant, program=cast.program)
    response = Client().get(reverse("reflections:calendar_feed_ics", args=[feed.token]))
    assert response.status_code == 200
    assert no_store(response), response["Cache-Control"]


def test_anonymous_pages_are_not_stored_either(db: None) -> None:
    response = Client().get(reverse("account_login"))
    assert no_store(response)
