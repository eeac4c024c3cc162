"""The error pages look like the site, say what happened and what to do, and lead home; the
500 page renders with neither the request's context nor the database."""

from __future__ import annotations

from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error
from lxml import html

from tests.conftest import Cast


def assert_styled_with_a_way_home(content: bytes, heading: str) -> None:
    page = html.fromstring(content)
    assert page.xpath("//link[@rel='stylesheet' and contains(@href, 'css/actionlab.css')]")
    assert page.xpath("//header//a[@class='brand']")
    assert " ".join(page.xpath("string(//main//h1)").split()) == heading
    assert page.xpath(f"//main//a[@href='{reverse('home')}' and contains(@class, 'button')]")


def test_an_unknown_address_gets_the_404_page(db: None) -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert_styled_with_a_way_home(response.content, "Page not found")
    assert b"it is not shared with you" in response.content


def test_a_member_without_the_right_gets_the_403_page(cast: Cast) -> None:
    response = cast.client_for("participant").get(reverse("programs:edit", args=[cast.program.pk]))
    assert response.status_code == 403
    assert_styled_with_a_way_home(response.content, "You can’t open this page")
    assert b"ask your program admin" in response.content


def test_the_500_page_renders_without_the_database() -> None:
    # No `db` fixture: any query here would fail the test.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert_styled_with_a_way_home(response.content, "Something went wrong")
    assert b"nothing you saved before this page is lost" in response.content
