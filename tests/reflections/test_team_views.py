"""Team reflections: written together, any member edits, stale saves become a conflict to
resolve; the team and its coach read them, the sponsor only those the team shares."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reflections.models import TeamReflection, TeamReflectionEdit
from reflections.services import EditConflict, do_edit_team_reflection
from tests.conftest import Cast
from tests.reflections.builders import HTMX, team_entry

NOT_READERS = ("program_admin", "other_participant", "former_participant")


def edit_data(version: int, **overrides: object) -> dict[str, object]:
    return {"title": "What we learned", "body": "Our text", "version": version} | overrides


# Access. --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", NOT_READERS)
def test_other_program_members_get_403_with_the_reason(cast: Cast, who: str) -> None:
    entry = team_entry(cast.team, cast.participant, share_with_sponsor=True)
    for url in (
        reverse("reflections:team_list", args=[cast.team.pk]),
        reverse("reflections:team_detail", args=[entry.pk]),
    ):
        response = cast.client_for(who).get(url)
        assert response.status_code == 403
        assert b"Our text" not in response.content


def test_the_403_says_who_reads_team_reflections(cast: Cast) -> None:
    response = cast.client_for("program_admin").get(
        reverse("reflections:team_list", args=[cast.team.pk])
    )
    assert b"Team reflections are read by the team and its learning coach" in response.content


@pytest.mark.parametrize("who", ("coach", "sponsor", "program_admin", "other_participant"))
def test_only_team_members_write_and_edit(cast: Cast, who: str) -> None:
    entry = team_entry(cast.team, cast.participant, share_with_sponsor=True)
    client = cast.client_for(who)
    assert client.get(reverse("reflections:team_write", args=[cast.team.pk])).status_code == 403
    response = client.post(
        reverse("reflections:team_edit", args=[entry.pk]), edit_data(1, body="Hijacked")
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.body != "Hijacked"


def test_the_sponsor_reads_only_what_the_team_shares(cast: Cast) -> None:
    shared = team_entry(cast.team, cast.participant, title="Shared one", share_with_sponsor=True)
    kept = team_entry(cast.team, cast.participant, title="Kept in the team")
    client = cast.client_for("sponsor")
    html = client.get(reverse("reflections:team_list", args=[cast.team.pk])).content.decode()
    assert "Shared one" in html
    assert "Kept in the team" not in html
    assert client.get(reverse("reflections:team_detail", args=[shared.pk])).status_code == 200
    assert client.get(reverse("reflections:team_detail", args=[kept.pk])).status_code == 403


def test_the_coach_reads_every_team_reflection(cast: Cast) -> None:
    kept = team_entry(cast.team, cast.participant, body="Only for us and our coach")
    response = cast.client_for("coach").get(reverse("reflections:team_detail", args=[kept.pk]))
    assert response.status_code == 200
    assert b"Only for us and our coach" in response.content
    assert b"not the executive sponsor" in response.content


def test_the_write_and_edit_forms_open_with_get_and_change_nothing(cast: Cast) -> None:
    entry = team_entry(cast.team, cast.participant)
    client = cast.client_for("participant")
    assert client.get(reverse("reflections:team_edit", args=[entry.pk])).status_code == 200
    assert client.get(reverse("reflections:team_write", args=[cast.team.pk])).status_code == 200
    entry.refresh_from_db()
    assert entry.version == 1


# Writing and editing. -------------------------------------------------------------------


def test_an_empty_list_invites_the_team_to_write_the_first(cast: Cast) -> None:
    html = cast.client_for("participant").get(
        reverse("reflections:team_list", args=[cast.team.pk])
    )
    assert b"No team reflections yet" in html.content
    assert b"write the first one together" in html.content


def test_a_member_writes_a_team_reflection(cast: Cast) -> None:
    response = cast.client_for("participant").post(
        reverse("reflections:team_write", args=[cast.team.pk]),
        {"title": "Our first month", "body": "We **listened**.", "share_with_sponsor": "on"},
        follow=True,
    )
    entry = TeamReflection.objects.get()
    assert (entry.team, entry.version, entry.share_with_sponsor) == (cast.team, 1, True)
    html = response.content.decode()
    assert "is saved. Your team and its learning coach can read it, and so can your" in html
    assert "<strong>listened</strong>" in html


def test_a_bad_team_reflection_gets_a_clear_error_and_saves_nothing(cast: Cast) -> None:
    response = cast.client_for("participant").post(
        reverse("reflections:team_write", args=[cast.team.pk]), {"title": "", "body": ""}
    )
    assert response.status_code == 400
    assert b"Give the team reflection a title." in response.content
    assert not TeamReflection.objects.exists()


def test_any_member_edits_and_the_version_goes_up(cast: Cast) -> None:
    entry = team_entry(cast.team, cast.participant)
    response = cast.client_for("teammate").post(
        reverse("reflections:team_edit", args=[entry.pk]), edit_data(1, body="Better text")
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.body, entry.version, entry.updated_by) == ("Better text", 2, cast.teammate)
    assert list(entry.edits.values_list("version", "editor")) == [
        (2, cast.teammate.pk),
        (1, cast.participant.pk),
    ]


def test_a_save_from_a_stale_version_shows_both_texts_and_changes_nothing(cast: Cast) -> None:
    entry = team_entry(cast.team, cast.participant, body="Original")
    url = reverse("reflections:team_edit", args=[entry.pk])
    cast.client_for("teammate").post(url, edit_data(1, body="Teammate's newer text"))
    response = cast.client_for("participant").post(url, edit_data(1, body="My older edit"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone saved a newer version while you were editing" in html
    assert "Terry Teammate saved version 2" in html
    assert "Teammate's newer text" in html
    assert "My older edit" in html
    assert "Save my version over theirs" in html
    assert "Keep their version (discard mine)" in html
    assert 'name="version" value="2"' in html
    entry.refresh_from_db()
    assert (entry.body, entry.version) == ("Teammate's newer text", 2)


def test_choosing_my_version_after_a_conflict_saves_it_over_theirs(cast: Cast) -> None:
    entry = team_entry(cast.team, cast.participant)
    url = reverse("reflections:team_edit", args=[entry.pk])
    cast.client_for("teammate").post(url, edit_data(1, body="Theirs"))
    client = cast.client_for("participant")
    client.post(url, edit_data(1, body="Mine"))  # conflict; the form now carries version 2
    assert client.post(url, edit_data(2, body="Mine, merged")).status_code == 302
    entry.refresh_from_db()
    assert (entry.body, entry.version) == ("Mine, merged", 3)


def test_an_htmx_conflict_answers_409_with_the_editor_only(cast: Cast) -> None:
    entry = team_entry(cast.team, cast.participant)
    url = reverse("reflections:team_edit", args=[entry.pk])
    cast.client_for("teammate").post(url, edit_data(1, body="Theirs"))
    response = cast.client_for("participant").post(url, edit_data(1, body="Mine"), **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert html.strip().startswith('<div id="team-editor">')
    assert "<html" not in html


def test_an_htmx_save_returns_the_editor_with_the_new_version(cast: Cast) -> None:
    entry = team_entry(cast.team, cast.participant)
    response = cast.client_for("participant").post(
        reverse("reflections:team_edit", args=[entry.pk]), edit_data(1, body="New"), **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saved version 2" in html
    assert 'name="version" value="2"' in html


def test_an_edit_without_its_starting_version_is_refused(cast: Cast) -> None:
    entry = team_entry(cast.team, cast.participant, body="Original")
    response = cast.client_for("participant").post(
        reverse("reflections:team_edit", args=[entry.pk]),
        {"title": "T", "body": "Sneaky"},
    )
    assert response.status_code == 400
    assert b"lacks the version it started from" in response.content
    entry.refresh_from_db()
    assert entry.body == "Original"


def test_two_saves_from_the_same_version_cannot_both_succeed(cast: Cast) -> None:
    entry = team_entry(cast.team, cast.participant)
    first = TeamReflection.objects.get(pk=entry.pk)
    second = TeamReflection.objects.get(pk=entry.pk)
    do_edit_team_reflection(
        team_reflection=first,
        by=cast.participant,
        title="A",
        body="First",
        share_with_sponsor=False,
        base_version=1,
    )
    with pytest.raises(EditConflict) as conflict:
        do_edit_team_reflection(
            team_reflection=second,
            by=cast.teammate,
            title="B",
            body="Second",
            share_with_sponsor=False,
            base_version=1,
        )
    assert conflict.value.current.body == "First"
    assert TeamReflectionEdit.objects.filter(team_reflection=entry).count() == 2


def test_the_team_sees_which_readers_outside_it_opened_a_team_reflection(cast: Cast) -> None:
    from reflections.models import ReadReceipt
    from reflections.services import do_write_team_reflection

    entry = do_write_team_reflection(
        team=cast.team,
        by=cast.participant,
        title="What the stakeholders told us",
        body="The problem is real.",
        share_with_sponsor=True,
    )
    url = reverse("reflections:team_detail", args=[entry.pk])
    assert cast.client_for("coach").get(url).status_code == 200
    assert cast.client_for("sponsor").get(url).status_code == 200
    assert cast.client_for("teammate").get(url).status_code == 200  # a member: not a receipt
    readers = set(
        ReadReceipt.objects.filter(team_reflection=entry).values_list("reader", flat=True)
    )
    assert readers == {cast.coach.pk, cast.sponsor.pk}
    html = cast.client_for("participant").get(url).content.decode()
    assert "Who read it" in html and "Casey Coach" in html and "Sam Sponsor" in html
    assert "Who read it" not in cast.client_for("coach").get(url).content.decode()
