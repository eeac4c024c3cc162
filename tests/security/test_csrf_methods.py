"""CSRF and HTTP methods on every view that writes.

The write views are taken from the authorization matrix (`tests/test_access.py`): every
row whose POST someone may send. With CSRF checks on, as in a browser:

- a POST without a token is refused (403) before the view runs;
- an htmx POST with the token in the `X-CSRFToken` header, where the layout puts it
  (`hx-headers` on `<body>`), goes through;
- a write-only view refuses GET (405), and no view takes PUT, PATCH or DELETE.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpResponse
from django.urls import get_resolver, reverse

from reflections.models import Reflection
from tests.test_access import (
    ANONYMOUS,
    NOT_ALLOWED,
    OUR_APPS,
    ROWS,
    Row,
    World,
    all_url_patterns,
    post_data,
    rolled_back,
    send,
    url_of,
    world_in_a_transaction,
)

# Views that take a POST without a CSRF token, and why.
CSRF_EXEMPT = {
    # RFC 8058 one-click unsubscribe: mail clients post it without cookies or a token; the
    # signed token in the address is the credential, and it only turns reminders off.
    "notifications:reminder_unsubscribe": "one-click unsubscribe (RFC 8058)",
    # The same for an accountability partner's notes; it only adds an address to a list.
    "notifications:partner_unsubscribe": "one-click unsubscribe (RFC 8058)",
    # One kind of notification email (or the daily digest) off; undone from the landing
    # page, whose "turn it back on" form carries a CSRF token like any other.
    "notifications:unsubscribe": "one-click unsubscribe (RFC 8058)",
    # OpenID Connect Back-Channel Logout: the organisation's provider posts server to
    # server, with no browser and no cookie; the logout token it signed is the
    # credential, and it only ends sessions.
    "sso_backchannel_logout": "OpenID Connect back-channel logout (provider to server)",
}


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with world_in_a_transaction(django_db_blocker) as built:
        yield built


def post_role(row: Row) -> str:
    """Someone the row lets send its POST: the first of its allowed roles."""
    return row.post.ok[0]


def write_rows() -> list[str]:
    """Every row whose POST someone may send (not refused with 405)."""
    return [key for key, row in ROWS.items() if row.post is not NOT_ALLOWED and row.post.ok]


def write_only_rows() -> list[str]:
    return [key for key in write_rows() if ROWS[key].get is NOT_ALLOWED]


def token_from_layout(page: HttpResponse) -> str:
    """The CSRF token the layout hands to htmx: `<body hx-headers='{"X-CSRFToken": …}'>`."""
    found = re.search(rb"<body[^>]*\shx-headers='([^']*)'", page.content)
    assert found, "the layout's <body> has no hx-headers"
    return str(json.loads(found.group(1))["X-CSRFToken"])


def page_with_token(role: str) -> str:
    return reverse("account_login") if role == ANONYMOUS else reverse("home")


def csrf_post(
    world: World, role: str, url: str, data: dict[str, Any], *, with_token: bool
) -> HttpResponse:
    """As a browser: open a page (which sets the CSRF cookie), then POST, with or without
    the token in the header htmx sends. Rolled back like every matrix request."""
    with rolled_back():
        client = world.client(role, enforce_csrf_checks=True)
        page = client.get(page_with_token(role))
        headers = {"HX-Request": "true"}
        if with_token:
            headers["X-CSRFToken"] = token_from_layout(page)
        response = client.post(url, data, headers=headers)
    return response


def test_the_write_views_come_from_the_matrix() -> None:
    # The lists below would pass vacuously if they were empty.
    assert {"projects:charter_save", "reflections:write", "reflections:delete"} <= set(
        write_rows()
    )
    assert {"reflections:delete", "projects:action_create"} <= set(write_only_rows())
    assert "home" not in write_rows()


@pytest.mark.parametrize("key", [k for k in write_rows() if k.split(" ")[0] not in CSRF_EXEMPT])
def test_a_post_without_a_csrf_token_is_refused(world: World, db: None, key: str) -> None:
    row = ROWS[key]
    url = url_of(key, world)
    roles = [post_role(row)] + ([ANONYMOUS] if row.public and post_role(row) != ANONYMOUS else [])
    for role in roles:
        response = csrf_post(world, role, url, post_data(row.post, world), with_token=False)
        assert response.status_code == 403, f"POST {url} as {role} without a token"
        assert b"CSRF" in response.content, f"POST {url} as {role}: 403, but not for CSRF"


@pytest.mark.parametrize("key", write_rows())
def test_an_htmx_post_with_the_token_in_its_header_goes_through(
    world: World, db: None, key: str
) -> None:
    row = ROWS[key]
    role = post_role(row)
    response = csrf_post(
        world, role, url_of(key, world), post_data(row.post, world), with_token=True
    )
    expected = row.expected("post", role)
    got = response.status_code
    # htmx gets the updated part of the page (2xx) where a plain POST is redirected (or
    # answered with no content); a refusal or a form error is the same for both.
    assert got == expected or (expected < 400 and got < 400), (
        f"{key} as {role}: expected {expected}, got {got}"
    )


def test_a_form_post_with_the_token_from_the_page_really_writes(world: World, db: None) -> None:
    # A plain form (no htmx) sends the token as a field; the entry's page has the form.
    entry = world.team_shared_reflection
    with rolled_back():
        client = world.client("participant", enforce_csrf_checks=True)
        page = client.get(reverse("reflections:detail", args=[entry]))
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
        assert token, "the entry's page has no form with a CSRF token"
        response = client.post(
            reverse("reflections:delete", args=[entry]),
            {"csrfmiddlewaretoken": token.group(1).decode()},
        )
        assert response.status_code == 302
        assert Reflection.objects.get(pk=entry).deleted_at is not None


def test_over_https_a_post_from_another_site_is_refused_even_with_a_token(
    world: World, db: None
) -> None:
    url = reverse("reflections:delete", args=[world.team_shared_reflection])
    outcomes = {}
    for origin in ("https://testserver", "https://evil.example"):
        with rolled_back():
            client = world.client("participant", enforce_csrf_checks=True)
            token = token_from_layout(client.get(reverse("home"), secure=True))
            outcomes[origin] = client.post(
                url, secure=True, headers={"X-CSRFToken": token, "Origin": origin}
            ).status_code
    assert outcomes == {"https://testserver": 302, "https://evil.example": 403}


@pytest.mark.parametrize("key", write_only_rows())
def test_a_write_only_view_refuses_get(world: World, db: None, key: str) -> None:
    row = ROWS[key]
    response = send(world, post_role(row), "get", url_of(key, world))
    assert response.status_code == 405
    assert response["Allow"] == "POST"


# The Django admin's own views send whoever is not staff to its sign-in page, whatever the
# method; their refusal of other people's passwords is proven in the matrix and in
# tests/security/adversary/test_site_admin_takeover.py.
@pytest.mark.parametrize(
    "key", [key for key in ROWS if " " not in key and not key.startswith("admin:")]
)
def test_no_view_takes_put_patch_or_delete(world: World, db: None, key: str) -> None:
    row = ROWS[key]
    allowed = row.get.ok or row.post.ok
    role = allowed[0] if allowed else "program_admin"
    url = url_of(key, world)
    statuses = {
        method: send(world, role, method, url).status_code for method in ("put", "patch", "delete")
    }
    assert statuses == {"put": 405, "patch": 405, "delete": 405}, f"{key} as {role}"


def test_only_the_listed_views_are_exempt_from_csrf() -> None:
    exempt = {
        name
        for name, _route, entry in all_url_patterns(get_resolver())
        if entry.callback.__module__.split(".")[0] in OUR_APPS
        and getattr(entry.callback, "csrf_exempt", False)
    }
    assert exempt == set(CSRF_EXEMPT)
