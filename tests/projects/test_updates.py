"""Status updates by the team (progress, next steps, risks) and the sponsor's comments."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects.access import get_project_for_user
from projects.models import SponsorComment, StatusUpdate
from projects.work import update_section
from tests.conftest import Cast
from tests.test_access import MISSING, IdUrl, main_region

HTMX = {"HTTP_HX_REQUEST": "true"}
TEAM = ("participant", "teammate")
NOT_TEAM = ("program_admin", "coach", "sponsor", "other_participant", "former_participant")


def an_update(c: Cast, progress: str = "Mapped the process.") -> StatusUpdate:
    return c.project.updates.first() or StatusUpdate.objects.create(
        project=c.project, progress=progress, next_steps="Pull data.", author=c.participant
    )


def project_update(c: Cast) -> dict[str, int]:
    return {"project_id": c.project.pk, "update_id": an_update(c).pk}


ROWS: dict[str, IdUrl] = {
    "project_work:updates": IdUrl(
        kwargs=lambda c: {"project_id": c.project.pk},
        allowed=("program_admin", "coach", "sponsor", "participant", "teammate"),
        forbidden=("other_participant", "former_participant"),
        missing={"project_id": MISSING},
    ),
    "project_work:update_create": IdUrl(
        kwargs=lambda c: {"project_id": c.project.pk},
        allowed=TEAM,
        forbidden=NOT_TEAM,
        missing={"project_id": MISSING},
        method="post",
        data=lambda c: {"progress": "Baseline done.", "next_steps": "Start the pilot."},
        ok=302,
    ),
    "project_work:update_comment": IdUrl(
        kwargs=project_update,
        allowed=("sponsor",),
        forbidden=(
            "program_admin",
            "coach",
            "participant",
            "teammate",
            "other_participant",
            "former_participant",
        ),
        missing={"project_id": MISSING, "update_id": MISSING},
        method="post",
        data=lambda c: {"body": "Good progress."},
        ok=302,
    ),
}


def send(cast: Cast, who: str, url_name: str, kwargs: dict[str, int]) -> tuple[int, bytes]:
    spec = ROWS[url_name]
    client = cast.client_for(who)
    url = reverse(url_name, kwargs=kwargs)
    response = (client.post if spec.method == "post" else client.get)(url, spec.data(cast))
    return response.status_code, response.content


@pytest.mark.parametrize(
    ("url_name", "who", "expected"),
    [
        (name, who, expected)
        for name, spec in ROWS.items()
        for who, expected in (
            [(w, 200) for w in spec.allowed]
            + [(w, 403) for w in spec.forbidden]
            + [("outsider", 404)]
        )
    ],
)
def test_each_role_gets_the_status_its_rights_give(
    cast: Cast, url_name: str, who: str, expected: int
) -> None:
    spec = ROWS[url_name]
    status, _ = send(cast, who, url_name, spec.kwargs(cast))
    assert status == (spec.ok if expected == 200 else expected)


@pytest.mark.parametrize("url_name", list(ROWS))
def test_outsider_gets_the_same_404_as_for_a_missing_id(cast: Cast, url_name: str) -> None:
    spec = ROWS[url_name]
    existing = send(cast, "outsider", url_name, spec.kwargs(cast))
    missing = send(cast, "outsider", url_name, spec.missing)
    assert existing[0] == missing[0] == 404
    assert main_region(existing[1]) == main_region(missing[1])


@pytest.mark.parametrize("name", ["project_work:update_create", "project_work:update_comment"])
def test_writes_refuse_get(cast: Cast, name: str) -> None:
    kwargs = {"project_id": cast.project.pk} | (
        {"update_id": an_update(cast).pk} if name.endswith("comment") else {}
    )
    for who in ("participant", "sponsor"):
        assert cast.client_for(who).get(reverse(name, kwargs=kwargs)).status_code == 405


def test_an_update_of_another_project_is_not_found(cast: Cast) -> None:
    cast.other_team.sponsor = cast.sponsor
    cast.other_team.save()
    theirs = StatusUpdate.objects.create(project=cast.other_project, progress="p", next_steps="n")
    response = cast.client_for("sponsor").post(
        reverse("project_work:update_comment", args=[cast.project.pk, theirs.pk]),
        {"body": "Comment in the wrong place"},
    )
    assert response.status_code == 404
    assert not SponsorComment.objects.exists()


def test_participant_cannot_comment_as_sponsor(cast: Cast) -> None:
    update = an_update(cast)
    response = cast.client_for("participant").post(
        reverse("project_work:update_comment", args=[cast.project.pk, update.pk]),
        {"body": "Well done us."},
    )
    assert response.status_code == 403
    assert b"Only the team&#x27;s executive sponsor can do this." in response.content
    assert not SponsorComment.objects.exists()


def test_team_member_posts_an_update(cast: Cast) -> None:
    response = cast.client_for("teammate").post(
        reverse("project_work:update_create", args=[cast.project.pk]),
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
        reverse("project_work:update_create", args=[cast.project.pk]),
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
            reverse("project_work:update_create", args=[cast.project.pk]), data, **extra
        )
        assert response.status_code == 400
        assert error in response.content.decode()
    assert not StatusUpdate.objects.exists()


def test_sponsor_comments_and_the_team_reads_it(cast: Cast) -> None:
    update = an_update(cast)
    response = cast.client_for("sponsor").post(
        reverse("project_work:update_comment", args=[cast.project.pk, update.pk]),
        {"body": "Bring the cost of a bed-day to the committee."},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Your comment is on the update for the team." in response.content.decode()
    comment = update.comments.get()
    assert comment.author == cast.sponsor
    html = (
        cast.client_for("participant")
        .get(reverse("project_work:updates", args=[cast.project.pk]))
        .content.decode()
    )
    assert "Bring the cost of a bed-day to the committee." in html
    assert "Sam Sponsor, sponsor" in html
    assert 'name="body"' not in html  # the team does not comment as the sponsor


def test_an_empty_comment_gets_a_form_error_and_adds_nothing(cast: Cast) -> None:
    update = an_update(cast)
    response = cast.client_for("sponsor").post(
        reverse("project_work:update_comment", args=[cast.project.pk, update.pk]),
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
        .get(reverse("project_work:updates", args=[cast.project.pk]))
        .content.decode()
    )
    assert all(f"Progress {i}." in html for i in range(7))  # the full page shows all
    assert "See all status updates" not in html


def test_an_htmx_refresh_on_the_updates_page_keeps_all_updates(cast: Cast) -> None:
    made = make_updates(cast, 7)
    page = "https://testserver" + reverse("project_work:updates", args=[cast.project.pk])
    response = cast.client_for("sponsor").post(
        reverse("project_work:update_comment", args=[cast.project.pk, made[0].pk]),
        {"body": "On the oldest one."},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=page,
    )
    html = response.content.decode()
    assert "Progress 0." in html
    assert "On the oldest one." in html


def test_empty_updates_say_what_to_do_next(cast: Cast) -> None:
    url = reverse("project_work:updates", args=[cast.project.pk])
    assert "Post the first below" in cast.client_for("participant").get(url).content.decode()
    assert (
        "The team posts its progress here." in cast.client_for("sponsor").get(url).content.decode()
    )
