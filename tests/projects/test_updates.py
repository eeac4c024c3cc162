"""Status updates by the team (progress, next steps, risks) and the sponsor's comments."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects.access import get_project_for_user
from projects.models import SponsorComment, StatusUpdate
from projects.work import update_section
from tests.conftest import Cast

HTMX = {"HTTP_HX_REQUEST": "true"}


def an_update(c: Cast, progress: str = "Mapped the process.") -> StatusUpdate:
    return c.project.updates.first() or StatusUpdate.objects.create(
        project=c.project, progress=progress, next_steps="Pull data.", author=c.participant
    )


def test_an_update_of_another_project_is_not_found(cast: Cast) -> None:
    cast.other_team.sponsor = cast.sponsor
    cast.other_team.save()
    theirs = StatusUpdate.objects.create(project=cast.other_project, progress="p", next_steps="n")
    response = cast.client_for("sponsor").post(
        reverse("projects:update_comment", args=[cast.project.pk, theirs.pk]),
        {"body": "Comment in the wrong place"},
    )
    assert response.status_code == 404
    assert not SponsorComment.objects.exists()


def test_participant_cannot_comment_as_sponsor(cast: Cast) -> None:
    update = an_update(cast)
    response = cast.client_for("participant").post(
        reverse("projects:update_comment", args=[cast.project.pk, update.pk]),
        {"body": "Well done us."},
    )
    assert response.status_code == 403
    assert b"Only the team&#x27;s executive sponsor can do this." in response.content
    assert not SponsorComment.objects.exists()


def test_team_member_posts_an_update(cast: Cast) -> None:
    response = cast.client_for("teammate").post(
        reverse("projects:update_create", args=[cast.project.pk]),
        {
            "progress": "Baseline data done.",
            "next_steps": "Start the huddle on 5 West.",
            "risks": "Night staff not yet on board.",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#updates")
    update = cast.project.updates.get()
    assert (update.author, update.risks) == (cast.teammate, "Night staff not yet on board.")


def test_htmx_post_returns_the_section_with_the_update_first(cast: Cast) -> None:
    an_update(cast, "Older progress.")
    response = cast.client_for("participant").post(
        reverse("projects:update_create", args=[cast.project.pk]),
        {"progress": "Newer progress.", "next_steps": "Keep going."},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="updates"')
    assert html.index("Newer progress.") < html.index("Older progress.")
    assert "Status update posted." in html
    assert "None named." in html  # no risks given


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"progress": "", "next_steps": "Next"}, "Say what progress the team made."),
        ({"progress": "  ", "next_steps": "Next"}, "Say what progress the team made."),
        ({"progress": "Done", "next_steps": ""}, "Say what the team will do next."),
    ],
)
def test_bad_input_gets_a_form_error_and_posts_nothing(
    cast: Cast, data: dict[str, str], error: str
) -> None:
    for extra in ({}, HTMX):
        response = cast.client_for("participant").post(
            reverse("projects:update_create", args=[cast.project.pk]), data, **extra
        )
        assert response.status_code == 400
        assert error in response.content.decode()
    assert not StatusUpdate.objects.exists()


def test_sponsor_comments_and_the_team_reads_it(cast: Cast) -> None:
    update = an_update(cast)
    response = cast.client_for("sponsor").post(
        reverse("projects:update_comment", args=[cast.project.pk, update.pk]),
        {"body": "Bring the cost of a bed-day to the committee."},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Your comment is on the update for the team." in response.content.decode()
    comment = update.comments.get()
    assert comment.author == cast.sponsor
    html = (
        cast.client_for("participant")
        .get(reverse("projects:updates", args=[cast.project.pk]))
        .content.decode()
    )
    assert "Bring the cost of a bed-day to the committee." in html
    assert "Sam Sponsor, sponsor" in html
    assert 'name="body"' not in html  # the team does not comment as the sponsor


def test_an_empty_comment_gets_a_form_error_and_adds_nothing(cast: Cast) -> None:
    update = an_update(cast)
    response = cast.client_for("sponsor").post(
        reverse("projects:update_comment", args=[cast.project.pk, update.pk]),
        {"body": ""},
        **HTMX,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Write your comment to the team." in html
    assert f'id="update-{update.pk}-body"' in html
    assert not SponsorComment.objects.exists()


def make_updates(cast: Cast, n: int) -> list[StatusUpdate]:
    return [
        StatusUpdate.objects.create(
            project=cast.project, progress=f"Progress {i}.", next_steps="n", author=cast.teammate
        )
        for i in range(n)
    ]


def test_the_project_page_section_shows_the_last_five_and_links_to_all(cast: Cast) -> None:
    made = make_updates(cast, 7)
    section = update_section(get_project_for_user(cast.coach, cast.project.pk))
    shown = [row.update.pk for row in section["update_rows"]]  # type: ignore[attr-defined]
    assert shown == [u.pk for u in reversed(made)][:5]
    assert section["more_updates"] is True
    html = (
        cast.client_for("coach")
        .get(reverse("projects:updates", args=[cast.project.pk]))
        .content.decode()
    )
    assert all(f"Progress {i}." in html for i in range(7))  # the full page shows all
    assert "See all status updates" not in html


def test_an_htmx_refresh_on_the_updates_page_keeps_all_updates(cast: Cast) -> None:
    made = make_updates(cast, 7)
    page = "https://testserver" + reverse("projects:updates", args=[cast.project.pk])
    response = cast.client_for("sponsor").post(
        reverse("projects:update_comment", args=[cast.project.pk, made[0].pk]),
        {"body": "On the oldest one."},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=page,
    )
    html = response.content.decode()
    assert "Progress 0." in html
    assert "On the oldest one." in html


def test_empty_updates_say_what_to_do_next(cast: Cast) -> None:
    url = reverse("projects:updates", args=[cast.project.pk])
    assert "Post the first below" in cast.client_for("participant").get(url).content.decode()
    assert (
        "The team posts its progress here." in cast.client_for("sponsor").get(url).content.decode()
    )
