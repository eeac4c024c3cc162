"""The team sets its project's title and type while crafting; both are fixed after."""

from __future__ import annotations

from django.urls import reverse

from projects.models import CharterChange, Phase, Project, ProjectType
from tests.conftest import Cast


def name(cast: Cast, who: str, title: str, project_type: str, version: int = 1):  # type: ignore[no-untyped-def]
    return cast.client_for(who).post(
        reverse("projects:name", args=[cast.project.pk]),
        {"title": title, "project_type": project_type, "version": version},
        follow=True,
    )


def test_a_member_sets_the_title_and_type_and_the_history_keeps_both(cast: Cast) -> None:
    page = cast.client_for("participant").get(reverse("projects:detail", args=[cast.project.pk]))
    assert b"Save title and type" in page.content
    response = name(cast, "participant", "Home by noon", ProjectType.EXPERIMENT)
    assert b"Title and type saved." in response.content
    cast.project.refresh_from_db()
    assert (cast.project.title, cast.project.project_type) == ("Home by noon", "experiment")
    assert sorted(
        CharterChange.objects.filter(project=cast.project).values_list("section", "new_text")
    ) == [("project_type", "Experiment"), ("title", "Home by noon")]
    history = cast.client_for("teammate").get(
        reverse("projects:charter_history", args=[cast.project.pk])
    )
    assert b"Type" in history.content and b"Experiment" in history.content


def test_the_sponsor_coach_and_admin_cannot_set_them(cast: Cast) -> None:
    for who in ("sponsor", "coach", "program_admin"):
        page = cast.client_for(who).get(reverse("projects:detail", args=[cast.project.pk]))
        assert b"Save title and type" not in page.content
        response = cast.client_for(who).post(
            reverse("projects:name", args=[cast.project.pk]),
            {"title": "Hijacked", "project_type": "other", "version": 1},
        )
        assert response.status_code == 403
    assert Project.objects.get(pk=cast.project.pk).title == "Cut ED boarding time"


def test_an_empty_title_or_unknown_type_is_refused_and_nothing_changes(cast: Cast) -> None:
    response = name(cast, "participant", "   ", ProjectType.PILOT)
    assert b"Nothing was saved." in response.content
    response = name(cast, "participant", "Fine title", "moonshot")
    assert b"Nothing was saved." in response.content
    cast.project.refresh_from_db()
    assert (cast.project.title, cast.project.version) == ("Cut ED boarding time", 1)


def test_a_save_from_an_older_version_does_not_overwrite(cast: Cast) -> None:
    name(cast, "participant", "First idea", ProjectType.PILOT)
    response = name(cast, "teammate", "Second idea", ProjectType.OTHER, version=1)
    assert b"Someone saved the charter while you were editing" in response.content
    assert Project.objects.get(pk=cast.project.pk).title == "First idea"


def test_title_and_type_are_locked_once_the_charter_is_approved(cast: Cast) -> None:
    Project.objects.filter(pk=cast.project.pk).update(phase=Phase.CARRYING_OUT)
    page = cast.client_for("participant").get(reverse("projects:detail", args=[cast.project.pk]))
    assert b"Save title and type" not in page.content
    response = name(cast, "participant", "Renamed late", ProjectType.OTHER)
    assert b"fixed once the sponsor has approved the charter" in response.content
    # Nor through the charter's title section.
    edit = cast.client_for("participant").post(
        reverse("projects:charter_save", args=[cast.project.pk, "title"]),
        {"text": "Renamed late", "version": 1},
    )
    assert edit.status_code == 400
    assert Project.objects.get(pk=cast.project.pk).title == "Cut ED boarding time"
