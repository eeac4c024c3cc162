"""A team reflection's title and body have their own versions: two people editing
different fields from one version both keep their change; only the same field edited from
an older version is a conflict, shown for that field alone."""

from __future__ import annotations

from django.urls import reverse

from reflections.models import TeamReflection
from tests.conftest import Cast
from tests.reflections.builders import team_entry

TITLE = "What our stakeholders told us"
BODY = "Everyone agrees the problem is real."


def post(cast: Cast, who: str, entry: TeamReflection, **data: object):  # type: ignore[no-untyped-def]
    form = {"title": TITLE, "body": BODY, "version": 1} | data
    return cast.client_for(who).post(reverse("reflections:team_edit", args=[entry.pk]), form)


def test_a_title_and_a_body_edited_at_once_from_one_version_are_both_kept(cast: Cast) -> None:
    entry = team_entry(cast.team, cast.participant)
    assert post(cast, "teammate", entry, title="What the wards told us").status_code == 302
    assert post(cast, "participant", entry, body="Two wards disagree.").status_code == 302
    entry.refresh_from_db()
    assert (entry.title, entry.body, entry.version) == (
        "What the wards told us",
        "Two wards disagree.",
        3,
    )


def test_the_same_field_edited_from_an_older_version_is_a_conflict_for_that_field_only(
    cast: Cast,
) -> None:
    entry = team_entry(cast.team, cast.participant)
    post(cast, "teammate", entry, title="What the wards told us", body="Their text.")
    response = post(cast, "participant", entry, body="My text.")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Their text." in html and "My text." in html
    assert "Both of you changed the text;" in html
    # The title only they changed is no conflict: it is not compared, and the form keeps it.
    assert "<strong>Title:</strong>" not in html
    assert 'value="What the wards told us"' in html
    entry.refresh_from_db()
    assert (entry.title, entry.body, entry.version) == ("What the wards told us", "Their text.", 2)


def test_sharing_changed_meanwhile_is_always_a_conflict(cast: Cast) -> None:
    entry = team_entry(cast.team, cast.participant)
    post(cast, "teammate", entry, share_with_sponsor="on")
    response = post(cast, "participant", entry, body="My text.")
    assert response.status_code == 409
    assert "whether the sponsor may read it" in response.content.decode()
    entry.refresh_from_db()
    assert (entry.body, entry.share_with_sponsor) == (BODY, True)
