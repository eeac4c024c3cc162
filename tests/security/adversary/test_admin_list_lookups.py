"""The site admin tries to read private writing through the Django admin's list pages.

Before: the change page hid a reflection's text, but the list page took any lookup in its
query string. `?body__startswith=Z` answered "1 reflection", `?body__startswith=Y` "0":
asking letter by letter spelled out a private entry, and `?tags__name=burnout` with
`?visibility__exact=private` listed the authors of private entries about burnout. Now
every such lookup is refused (400) and recorded, search and ordering ignore the text,
and the change page shows none of it.
"""

from __future__ import annotations

import datetime
import string
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.utils import timezone

from coaching.models import CoachNote
from core.models import SecurityEvent
from reflections.models import Draft, Reflection
from tests.conftest import Cast
from tests.reflections.builders import check_in, plan_for, team_entry, write

SECRET = "Zoe"
ALPHABET = string.ascii_letters + " "


def _reflection(cast: Cast, who: str = "participant") -> Model:
    return write(getattr(cast, who), cast.program, title=SECRET, body=SECRET, tags=("burnout",))


def _checkin(cast: Cast, who: str = "participant") -> Model:
    return check_in(getattr(cast, who), cast.program, steps=SECRET, focus=SECRET)


def _team_reflection(cast: Cast, who: str = "participant") -> Model:
    return team_entry(cast.team, getattr(cast, who), title=SECRET, body=SECRET)


def _plan(cast: Cast, who: str = "participant") -> Model:
    plan = plan_for(getattr(cast, who), cast.program)
    plan.aspect = plan.action = SECRET
    plan.save(update_fields=["aspect", "action"])
    return plan


def _draft(cast: Cast, who: str = "participant") -> Model:
    return Draft.objects.create(
        user=getattr(cast, who),
        program=cast.program,
        token="t" * 32,
        title=SECRET,
        body=SECRET,
        tags=SECRET,
        saved_at=timezone.now(),
    )


def _coach_note(cast: Cast, who: str = "participant") -> Model:
    now = timezone.now()
    return CoachNote.objects.create(
        team=cast.team,
        author=cast.coach,
        held_on=datetime.date(2026, 3, 2),
        body=SECRET,
        task_minutes=30,
        process_minutes=15,
        created_at=now,
        updated_at=now,
    )


WRITING: list[tuple[str, str, Callable[..., Model]]] = [
    ("reflections/reflection", "body", _reflection),
    ("reflections/reflection", "title", _reflection),
    ("reflections/checkin", "steps_taken", _checkin),
    ("reflections/checkin", "next_focus", _checkin),
    ("reflections/teamreflection", "body", _team_reflection),
    ("reflections/plan", "aspect", _plan),
    ("reflections/draft", "body", _draft),
    ("coaching/coachnote", "body", _coach_note),
]


def _recover(client: Client, url: str, field: str) -> tuple[str, set[int]]:
    """The attack: guess the text one letter at a time, keeping the letter whose filtered
    list is not empty."""
    recovered, statuses = "", set()
    for _ in range(len(SECRET)):
        for letter in ALPHABET:
            response = client.get(url, {f"{field}__startswith": recovered + letter})
            statuses.add(response.status_code)
            if response.status_code == 200 and response.context["cl"].result_count:
                recovered += letter
                break
        else:
            break
    return recovered, statuses


@pytest.mark.parametrize(("model", "field", "make"), WRITING)
def test_the_site_admin_cannot_spell_out_private_writing_letter_by_letter(
    cast: Cast, site_admin: Client, model: str, field: str, make: Callable[..., Model]
) -> None:
    make(cast)
    recovered, statuses = _recover(site_admin, f"/admin/{model}/", field)
    assert recovered == ""
    assert statuses == {400}
    refused = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ADMIN_LOOKUP_REFUSED)
    assert refused.count() == len(ALPHABET)
    # The log names the lookup that was tried, never the guessed text.
    assert all(SECRET[:1] not in str(event.details.values()) for event in refused)


@pytest.mark.parametrize(("model", "field", "make"), WRITING)
def test_search_and_every_ordering_say_nothing_about_the_text(
    cast: Cast, site_admin: Client, model: str, field: str, make: Callable[..., Model]
) -> None:
    first, second = make(cast), make(cast, "teammate")
    url = f"/admin/{model}/"

    def found(query: str) -> int:
        return int(site_admin.get(url, {"q": query}).context["cl"].result_count)

    assert found(SECRET) == found("nothing-anyone-wrote")
    type(first).objects.filter(pk=first.pk).update(**{field: "aaa"})
    type(second).objects.filter(pk=second.pk).update(**{field: "zzz"})
    columns = len(site_admin.get(url).context["cl"].list_display)

    def orders() -> list[list[Any]]:
        return [
            [row.pk for row in site_admin.get(url, {"o": str(i)}).context["cl"].result_list]
            for i in range(1, columns)
        ]

    before = orders()
    type(first).objects.filter(pk=first.pk).update(**{field: "zzz"})
    type(second).objects.filter(pk=second.pk).update(**{field: "aaa"})
    assert orders() == before


@pytest.mark.parametrize(("model", "field", "make"), WRITING)
def test_the_change_page_shows_none_of_the_text(
    cast: Cast, site_admin: Client, model: str, field: str, make: Callable[..., Model]
) -> None:
    obj = make(cast)
    response = site_admin.get(f"/admin/{model}/{obj.pk}/change/")
    assert response.status_code == 200
    assert SECRET not in response.content.decode()


def test_a_learning_theme_and_private_visibility_do_not_name_the_author(
    cast: Cast, site_admin: Client
) -> None:
    entry = _reflection(cast)
    write(cast.teammate, cast.program, visibility="team", tags=("teamwork",))
    tag = entry.tags.get()
    for query in (
        {"tags__name": "burnout", "visibility__exact": "private"},
        {"tags__name__exact": "burnout"},
        {"tags": str(tag.pk), "visibility__exact": "private"},
        {"tags__id__exact": str(tag.pk)},
    ):
        response = site_admin.get("/admin/reflections/reflection/", query)
        assert response.status_code == 400, query
        assert b"Pat Participant" not in response.content
    # No page lists the themes themselves either.
    assert site_admin.get("/admin/reflections/tag/").status_code == 404
    assert Reflection.objects.filter(tags__name="burnout").count() == 1
