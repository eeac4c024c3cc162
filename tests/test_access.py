"""Access rules for every page that takes an object id (DESIGN.md, privacy rule 5).

An outsider gets 404, exactly as for an id that does not exist; a member of the program
without the right gets 403. `ID_URLS` lists every such URL of the project; the guard test
at the bottom fails when a new one is added without a row here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import Cast

OUR_APPS = ("core", "programs", "teams", "projects", "reflections", "dashboards")


@dataclass(frozen=True)
class IdUrl:
    kwargs: Callable[[Cast], dict[str, int]]
    allowed: tuple[str, ...]
    forbidden: tuple[str, ...]
    missing: dict[str, int]


ID_URLS: dict[str, IdUrl] = {
    "dashboards:program": IdUrl(
        kwargs=lambda c: {"program_id": c.program.pk},
        allowed=("program_admin", "coach", "sponsor", "participant", "other_participant"),
        forbidden=("former_participant",),
        missing={"program_id": 987654},
    ),
    "teams:detail": IdUrl(
        kwargs=lambda c: {"team_id": c.team.pk},
        allowed=("program_admin", "coach", "sponsor", "participant", "teammate"),
        forbidden=("other_participant", "former_participant"),
        missing={"team_id": 987654},
    ),
    "projects:detail": IdUrl(
        kwargs=lambda c: {"project_id": c.project.pk},
        allowed=("program_admin", "coach", "sponsor", "participant", "teammate"),
        forbidden=("other_participant", "former_participant"),
        missing={"project_id": 987654},
    ),
}

CASES = [
    (name, who, expected)
    for name, spec in ID_URLS.items()
    for who, expected in (
        [(role, 200) for role in spec.allowed]
        + [(role, 403) for role in spec.forbidden]
        + [("outsider", 404)]
    )
]


@pytest.mark.parametrize(("url_name", "who", "expected"), CASES)
def test_each_role_gets_the_status_its_rights_give(
    cast: Cast, url_name: str, who: str, expected: int
) -> None:
    url = reverse(url_name, kwargs=ID_URLS[url_name].kwargs(cast))
    assert cast.client_for(who).get(url).status_code == expected


@pytest.mark.parametrize("url_name", list(ID_URLS))
def test_outsider_sees_the_same_404_as_for_an_id_that_does_not_exist(
    cast: Cast, url_name: str
) -> None:
    spec = ID_URLS[url_name]
    client = cast.client_for("outsider")
    existing = client.get(reverse(url_name, kwargs=spec.kwargs(cast)))
    missing = client.get(reverse(url_name, kwargs=spec.missing))
    assert existing.status_code == missing.status_code == 404
    assert main_region(existing.content) == main_region(missing.content)


def main_region(html: bytes) -> bytes:
    """The page body without the per-request CSRF token in the layout."""
    return html.split(b'<main id="main"', 1)[1].split(b"</main>", 1)[0]


@pytest.mark.parametrize("url_name", list(ID_URLS))
def test_anonymous_visitor_is_sent_to_login(cast: Cast, url_name: str) -> None:
    from django.test import Client

    url = reverse(url_name, kwargs=ID_URLS[url_name].kwargs(cast))
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_forbidden_page_says_why_in_words(cast: Cast) -> None:
    response = cast.client_for("other_participant").get(
        reverse("teams:detail", args=[cast.team.pk])
    )
    assert response.status_code == 403
    assert b"Only this team, its coach, its sponsor and program admins" in response.content


def _patterns(
    resolver: URLResolver, namespace: str = "", route: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, ns, route + str(entry.pattern))
        else:
            yield f"{namespace}{entry.name}", route + str(entry.pattern), entry


def project_urls_with_ids() -> set[str]:
    return {
        name
        for name, route, entry in _patterns(get_resolver())
        if "<" in route and entry.callback.__module__.split(".")[0] in OUR_APPS
    }


def test_every_url_that_takes_an_id_has_an_access_test() -> None:
    untested = project_urls_with_ids() - set(ID_URLS)
    assert not untested, (
        f"add these URLs to ID_URLS with their allowed/forbidden roles: {untested}"
    )


def test_the_guard_sees_the_project_urls_with_ids() -> None:
    # The guard above would pass vacuously if it found nothing; it must see these.
    assert {"teams:detail", "projects:detail", "dashboards:program"} <= project_urls_with_ids()
