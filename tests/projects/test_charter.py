"""Editing the charter in place: versions, conflicts that lose nothing, history."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from projects.models import CharterChange, Project
from projects.services import CharterConflict, do_edit_charter_section
from tests.conftest import Cast

HTMX = {"HTTP_HX_REQUEST": "true"}


def save(cast: Cast, who: str, section: str, text: str, version: int, **headers: str):  # type: ignore[no-untyped-def]
    return cast.client_for(who).post(
        reverse("projects:charter_save", args=[cast.project.pk, section]),
        {"text": text, "version": version},
        **headers,
    )


def test_a_member_edits_a_section_in_place_and_the_version_rises(cast: Cast) -> None:
    form = cast.client_for("participant").get(
        reverse("projects:charter_section", args=[cast.project.pk, "scope"]) + "?edit", **HTMX
    )
    assert b'name="version" value="1"' in form.content
    response = save(cast, "participant", "scope", "Two medicine units.", 1, **HTMX)
    assert response.status_code == 200
    assert b"Two medicine units." in response.content
    assert b"<html" not in response.content  # the section, not a page
    cast.project.refresh_from_db()
    assert (cast.project.scope, cast.project.version) == ("Two medicine units.", 2)


def test_a_second_save_from_the_same_version_gets_a_conflict_and_the_first_survives(
    cast: Cast,
) -> None:
    assert save(cast, "participant", "scope", "Scope by Pat", 1, **HTMX).status_code == 200
    response = save(cast, "teammate", "scope", "Scope by Terry", 1, **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Scope by Pat" in html and "Scope by Terry" in html
    assert "Someone saved this section while you were editing." in html
    cast.project.refresh_from_db()
    assert cast.project.scope == "Scope by Pat"
    # Choosing "save my version" posts again from the version now saved.
    assert f'name="version" value="{cast.project.version}"' in html
    assert (
        save(cast, "teammate", "scope", "Scope by Terry", cast.project.version).status_code == 302
    )
    cast.project.refresh_from_db()
    assert cast.project.scope == "Scope by Terry"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_from_one_version_never_overwrite_silently(cast: Cast) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; CI runs this against it")
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def edit(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            do_edit_charter_section(
                project=Project.objects.get(pk=cast.project.pk),
                section="scope",
                text=f"Scope by {name}",
                base_version=1,
                by=cast.participant,
            )
            outcomes[name] = "saved"
        except CharterConflict:
            outcomes[name] = "conflict"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(n,)) for n in ("Pat", "Terry")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    project = Project.objects.get(pk=cast.project.pk)
    assert project.scope == f"Scope by {winner}"
    assert project.version == 2
    assert CharterChange.objects.filter(project=project).count() == 1


def test_an_empty_required_section_gets_an_error_and_changes_nothing(cast: Cast) -> None:
    response = save(cast, "participant", "title", "   ", 1, **HTMX)
    assert response.status_code == 400
    assert b"Title cannot be empty." in response.content
    cast.project.refresh_from_db()
    assert cast.project.title == "Cut ED boarding time"
    assert cast.project.version == 1


def test_history_shows_who_changed_which_section_when(cast: Cast) -> None:
    save(cast, "participant", "scope", "First scope", 1)
    save(cast, "teammate", "success_measures", "Median boarding under 4 hours", 2)
    html = (
        cast.client_for("coach")
        .get(reverse("projects:charter_history", args=[cast.project.pk]))
        .content.decode()
    )
    assert "Pat Participant" in html and "Terry Teammate" in html
    assert "Scope" in html and "Success measures" in html
    assert html.index("Success measures") < html.index("First scope")  # newest first


@pytest.mark.parametrize("who", ["coach", "sponsor", "program_admin"])
def test_readers_who_are_not_on_the_team_cannot_edit(cast: Cast, who: str) -> None:
    assert save(cast, who, "scope", "Not theirs", 1).status_code == 403
    edit = cast.client_for(who).get(
        reverse("projects:charter_section", args=[cast.project.pk, "scope"]) + "?edit"
    )
    assert edit.status_code == 403
    cast.project.refresh_from_db()
    assert cast.project.scope == ""


def test_saves_of_different_sections_from_one_version_are_no_conflict(cast: Cast) -> None:
    # Both opened the charter at version 1, each to edit another section.
    assert save(cast, "participant", "scope", "Two medicine units.", 1, **HTMX).status_code == 200
    response = save(cast, "teammate", "problem_statement", "Patients board for hours.", 1, **HTMX)
    assert response.status_code == 200
    cast.project.refresh_from_db()
    assert cast.project.scope == "Two medicine units."
    assert cast.project.problem_statement == "Patients board for hours."


def test_a_conflict_shows_both_texts_of_that_section_only(cast: Cast) -> None:
    save(cast, "participant", "problem_statement", "Patients board for hours.", 1)
    save(cast, "participant", "scope", "Scope by Pat", 2)
    # Terry opened the scope at version 2 (before Pat's scope save, after the problem).
    response = save(cast, "teammate", "scope", "Scope by Terry", 2, **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Scope by Pat" in html and "Scope by Terry" in html
    assert "Patients board for hours." not in html
    assert "(empty)" not in html


def test_an_approved_charter_is_not_edited_in_place(cast: Cast) -> None:
    Project.objects.filter(pk=cast.project.pk).update(phase="carrying_out", scope="As approved")
    response = save(cast, "participant", "scope", "Quietly wider", 1, **HTMX)
    assert response.status_code == 400
    assert "propose a change as an amendment" in response.content.decode()
    cast.project.refresh_from_db()
    assert cast.project.scope == "As approved"
    assert not CharterChange.objects.exists()
    edit = cast.client_for("participant").get(
        reverse("projects:charter_section", args=[cast.project.pk, "scope"]) + "?edit"
    )
    assert edit.status_code == 302
    assert edit.url == reverse("projects:amendment_new", args=[cast.project.pk])
    page = cast.client_for("participant").get(reverse("projects:detail", args=[cast.project.pk]))
    html = page.content.decode()
    assert "Propose an amendment" in html
    edit_link = reverse("projects:charter_section", args=[cast.project.pk, "scope"]) + "?edit"
    assert edit_link not in html


def test_history_shows_each_change_before_and_after(cast: Cast) -> None:
    save(cast, "participant", "scope", "Two medicine units <b>only</b>.", 1)
    save(cast, "teammate", "scope", "Three medicine units <b>only</b>.", 2)
    html = (
        cast.client_for("coach")
        .get(reverse("projects:charter_history", args=[cast.project.pk]))
        .content.decode()
    )
    assert "<del>Two</del><ins>Three</ins>" in html
    assert "&lt;b&gt;only&lt;/b&gt;" in html  # the team's text is shown, never run as HTML
    assert "<b>only</b>" not in html


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_of_different_sections_from_one_version_both_land(
    cast: Cast,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; CI runs this against it")
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def edit(section: str) -> None:
        try:
            barrier.wait(timeout=10)
            do_edit_charter_section(
                project=Project.objects.get(pk=cast.project.pk),
                section=section,
                text=f"Text of {section}",
                base_version=1,
                by=cast.participant,
            )
            outcomes[section] = "saved"
        except CharterConflict:
            outcomes[section] = "conflict"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(s,)) for s in ("scope", "intended_outcomes")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes == {"scope": "saved", "intended_outcomes": "saved"}
    project = Project.objects.get(pk=cast.project.pk)
    assert (project.scope, project.intended_outcomes) == (
        "Text of scope",
        "Text of intended_outcomes",
    )
    assert sorted(CharterChange.objects.values_list("version", flat=True)) == [2, 3]
