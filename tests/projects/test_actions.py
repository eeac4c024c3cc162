"""Actions: the team adds and edits them inline, overdue ones say so in words, and the
project page's work context costs the same queries however much work there is."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

from programs.models import User
from projects.access import get_project_for_user
from projects.models import (
    Action,
    DoorRequest,
    EngagementLevel,
    Project,
    SponsorComment,
    StakeholderEngagement,
    StatusUpdate,
)
from projects.work import work_context
from tests import factories as f
from tests.conftest import Cast

HTMX = {"HTTP_HX_REQUEST": "true"}
TODAY = datetime.datetime(2027, 3, 10, 12, 0, tzinfo=datetime.UTC)


def an_action(c: Cast) -> Action:
    return c.project.actions.first() or Action.objects.create(
        project=c.project, title="Map the discharge process", owner=c.participant
    )


def test_an_action_of_another_project_is_not_found(cast: Cast) -> None:
    theirs = Action.objects.create(project=cast.other_project, title="Theirs")
    client = cast.client_for("participant")
    for name in ("projects:action_row", "projects:action_edit"):
        response = client.get(reverse(name, args=[cast.project.pk, theirs.pk]))
        assert response.status_code == 404, name
    response = client.post(
        reverse("projects:action_edit", args=[cast.project.pk, theirs.pk]),
        {"title": "Hijacked", "owner": cast.participant.pk, "status": "done"},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"


def test_coach_sees_the_actions_but_no_form(cast: Cast) -> None:
    an_action(cast)
    html = cast.client_for("coach").get(reverse("projects:actions", args=[cast.project.pk]))
    assert "Map the discharge process" in html.content.decode()
    assert "Add an action" not in html.content.decode()


# Creating and editing -------------------------------------------------------------------


def test_team_member_adds_an_action_and_returns_to_the_project(cast: Cast) -> None:
    response = cast.client_for("participant").post(
        reverse("projects:action_create", args=[cast.project.pk]),
        {
            "title": "Pull baseline boarding data",
            "owner": cast.teammate.pk,
            "due_on": "2027-04-01",
            "status": "doing",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:detail", args=[cast.project.pk]) + "#actions"
    action = cast.project.actions.get()
    assert (action.title, action.owner, action.due_on, action.status) == (
        "Pull baseline boarding data",
        cast.teammate,
        datetime.date(2027, 4, 1),
        "doing",
    )


def test_htmx_create_returns_the_section_with_the_new_row_and_a_message(cast: Cast) -> None:
    response = cast.client_for("teammate").post(
        reverse("projects:action_create", args=[cast.project.pk]),
        {"title": "Book the bed huddle room", "owner": cast.participant.pk, "status": "todo"},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="actions"')
    assert "<html" not in html
    assert "Book the bed huddle room" in html
    assert "Pat Participant" in html
    assert "Action “Book the bed huddle room” added." in html


def test_edit_swaps_the_row_to_a_form_and_cancel_swaps_it_back(cast: Cast) -> None:
    action = an_action(cast)
    client = cast.client_for("participant")
    form_row = client.get(
        reverse("projects:action_edit", args=[cast.project.pk, action.pk]), **HTMX
    ).content.decode()
    assert form_row.lstrip().startswith(f'<tr id="action-{action.pk}"')
    assert "<form" in form_row
    assert 'value="Map the discharge process"' in form_row
    row = client.get(
        reverse("projects:action_row", args=[cast.project.pk, action.pk]), **HTMX
    ).content.decode()
    assert row.lstrip().startswith(f'<tr id="action-{action.pk}"')
    assert "<form" not in row
    assert "Map the discharge process" in row


def test_without_htmx_edit_shows_the_form_on_the_actions_page(cast: Cast) -> None:
    action = an_action(cast)
    html = (
        cast.client_for("participant")
        .get(reverse("projects:action_edit", args=[cast.project.pk, action.pk]))
        .content.decode()
    )
    assert "<h1>" in html
    assert "Save action" in html


def test_team_member_edits_an_action(cast: Cast) -> None:
    action = an_action(cast)
    response = cast.client_for("teammate").post(
        reverse("projects:action_edit", args=[cast.project.pk, action.pk]),
        {"title": "Map it with night staff too", "owner": cast.teammate.pk, "status": "done"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Map it with night staff too" in response.content.decode()
    action.refresh_from_db()
    assert (action.title, action.owner, action.status, action.due_on) == (
        "Map it with night staff too",
        cast.teammate,
        "done",
        None,
    )


BAD_INPUT = [
    ({"title": ""}, "Give the action a title."),
    ({"title": "   "}, "Give the action a title."),
    ({"owner": "other_participant"}, "The owner must be a member of the team."),
    ({"owner": "coach"}, "The owner must be a member of the team."),
    ({"owner": ""}, "Choose who owns this action."),
    ({"due_on": "31/04/2027"}, "Enter the due date as a date"),
    ({"due_on": "next tuesday"}, "Enter the due date as a date"),
    ({"status": "abandoned"}, "Select a valid choice"),
]


def action_data(cast: Cast, change: dict[str, str]) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "A good action",
        "owner": cast.participant.pk,
        "due_on": "2027-04-01",
        "status": "todo",
    }
    for key, value in change.items():
        data[key] = getattr(cast, value).pk if key == "owner" and value else value
    return data


@pytest.mark.parametrize(("change", "error"), BAD_INPUT)
def test_bad_input_to_a_new_action_gets_a_form_error_and_adds_nothing(
    cast: Cast, change: dict[str, str], error: str
) -> None:
    for extra in ({}, HTMX):
        response = cast.client_for("participant").post(
            reverse("projects:action_create", args=[cast.project.pk]),
            action_data(cast, change),
            **extra,
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert error in html
        assert "nothing has been saved yet" in html
    assert not Action.objects.exists()


@pytest.mark.parametrize(("change", "error"), BAD_INPUT)
def test_bad_input_to_an_edit_gets_a_form_error_and_changes_nothing(
    cast: Cast, change: dict[str, str], error: str
) -> None:
    action = an_action(cast)
    before = Action.objects.values().get(pk=action.pk)
    response = cast.client_for("participant").post(
        reverse("projects:action_edit", args=[cast.project.pk, action.pk]),
        action_data(cast, change),
        **HTMX,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    # The section comes back with this row still open as a form.
    assert f'<tr id="action-{action.pk}" class="work-editing">' in html
    assert Action.objects.values().get(pk=action.pk) == before


# Closing states belong to completion ----------------------------------------------------


@pytest.mark.parametrize("status", ["dropped", "handed"])
def test_the_action_form_does_not_offer_the_closing_states(cast: Cast, status: str) -> None:
    action = an_action(cast)
    client = cast.client_for("participant")
    edit = client.get(reverse("projects:action_edit", args=[cast.project.pk, action.pk]))
    new = client.get(reverse("projects:actions", args=[cast.project.pk]))
    for html in (edit.content.decode(), new.content.decode()):
        assert f'value="{status}"' not in html
    for name, args in (
        ("projects:action_edit", [cast.project.pk, action.pk]),
        ("projects:action_create", [cast.project.pk]),
    ):
        response = client.post(
            reverse(name, args=args), action_data(cast, {"status": status}), **HTMX
        )
        assert response.status_code == 400
        assert "chosen when the project completes" in response.content.decode()
    action.refresh_from_db()
    assert action.status == "todo"
    assert cast.project.actions.count() == 1


def test_the_services_refuse_the_closing_states_outside_completion(cast: Cast) -> None:
    from django.core.exceptions import ValidationError

    from projects.work_services import do_create_action, do_update_action

    action = an_action(cast)
    with pytest.raises(ValidationError, match="chosen when the project completes"):
        do_update_action(
            action=action,
            title=action.title,
            owner=cast.participant,
            due_on=None,
            status="dropped",
            by=cast.participant,
        )
    with pytest.raises(ValidationError, match="chosen when the project completes"):
        do_create_action(
            project=cast.project,
            title="Hand it over",
            owner=cast.participant,
            due_on=None,
            by=cast.participant,
            status="handed",
        )
    action.refresh_from_db()
    assert action.status == "todo"


def test_an_action_closed_at_completion_keeps_its_state_when_edited(cast: Cast) -> None:
    action = an_action(cast)
    Action.objects.filter(pk=action.pk).update(status="handed")
    client = cast.client_for("participant")
    edit = client.get(reverse("projects:action_edit", args=[cast.project.pk, action.pk]))
    assert 'value="handed"' in edit.content.decode()
    assert 'value="dropped"' not in edit.content.decode()
    response = client.post(
        reverse("projects:action_edit", args=[cast.project.pk, action.pk]),
        action_data(cast, {"title": "Audit the pilot", "status": "handed"}),
        **HTMX,
    )
    assert response.status_code == 200
    action.refresh_from_db()
    assert (action.title, action.status) == ("Audit the pilot", "handed")


# Overdue --------------------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_overdue_actions_are_marked_in_words(cast: Cast) -> None:
    day = datetime.date(2027, 3, 10)
    late = Action.objects.create(
        project=cast.project, title="Late one", owner=cast.participant, due_on=day.replace(day=9)
    )
    Action.objects.create(
        project=cast.project,
        title="Finished late",
        status=Action.Status.DONE,
        due_on=day.replace(day=1),
    )
    Action.objects.create(project=cast.project, title="Due today", due_on=day)
    Action.objects.create(project=cast.project, title="No date")
    access = get_project_for_user(cast.coach, cast.project.pk)
    rows = {row.action.title: row.overdue for row in work_context(access)["action_rows"]}  # type: ignore[attr-defined]
    assert rows == {"Late one": True, "Finished late": False, "Due today": False, "No date": False}
    html = (
        cast.client_for("coach")
        .get(reverse("projects:actions", args=[cast.project.pk]))
        .content.decode()
    )
    late_row = html.split(f'<tr id="action-{late.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Overdue" in late_row
    assert html.count('<strong class="overdue-flag">Overdue</strong>') == 1
    assert "1 overdue" in html


# Query counts ---------------------------------------------------------------------------


def fill(project: Project, n: int, members: list[User], sponsor: User) -> None:
    """n of each kind of work on the project."""
    units = [
        f.UnitFactory(organization=project.team.cohort.program.organization) for _ in range(3)
    ]
    for i in range(n):
        Action.objects.create(
            project=project,
            title=f"Action {i}",
            owner=members[i % len(members)],
            due_on=datetime.date(2027, 1, 1) + datetime.timedelta(days=i),
        )
        StakeholderEngagement.objects.create(
            project=project,
            stakeholder=f"Stakeholder {i}",
            unit=units[i % 3] if i % 4 else None,
            level=EngagementLevel.values[i % 4],
            engaged_on=datetime.date(2027, 1, 1),
            recorded_by=members[0],
        )
        DoorRequest.objects.create(
            project=project,
            kind=DoorRequest.Kind.RESOURCE,
            request=f"Request {i}",
            asked_by=members[i % len(members)],
            **({"answer": "Yes", "answered_by": sponsor, "answered_at": TODAY} if i % 2 else {}),
        )
        update = StatusUpdate.objects.create(
            project=project, progress="p", next_steps="n", author=members[0]
        )
        SponsorComment.objects.create(update=update, author=sponsor, body=f"Comment {i}")


def queries_for_the_four_sections(user: User, project: Project) -> int:
    request = RequestFactory().get("/")
    request.user = user
    request.htmx = HtmxDetails(request)  # type: ignore[attr-defined]
    with CaptureQueriesContext(connection) as queries:
        access = get_project_for_user(user, project.pk)
        context = work_context(access) | {"project": project, "access": access}
        for section in ("actions", "stakeholders", "doors", "updates"):
            html = render_to_string(
                f"projects/work/section_page.html#{section}", context, request=request
            )
            assert f'id="{section}"' in html
    return len(queries)


@pytest.mark.parametrize("who", ["participant", "sponsor", "coach"])
def test_work_context_runs_the_same_queries_for_1_and_50_of_everything(
    cast: Cast, who: str
) -> None:
    members = [cast.participant, cast.teammate]
    fill(cast.project, 1, members, cast.sponsor)
    small = queries_for_the_four_sections(getattr(cast, who), cast.project)
    big_project = cast.other_project
    cast.other_team.sponsor = cast.sponsor
    cast.other_team.coach = cast.coach
    cast.other_team.save()
    fill(big_project, 50, [cast.other_participant], cast.sponsor)
    reader = {"participant": cast.other_participant}.get(who, getattr(cast, who))
    large = queries_for_the_four_sections(reader, big_project)
    assert small == large, f"{small} vs {large} queries"
    assert large <= 12


def test_work_context_gives_what_the_sections_need(cast: Cast) -> None:
    fill(cast.project, 7, [cast.participant, cast.teammate], cast.sponsor)
    team_view = work_context(get_project_for_user(cast.participant, cast.project.pk))
    assert set(team_view) == {
        "action_rows",
        "overdue_count",
        "open_action_count",
        "action_form",
        "work_today",
        "engagements",
        "reach",
        "engagement_form",
        "door_rows",
        "open_door_count",
        "door_form",
        "update_rows",
        "more_updates",
        "update_form",
    }
    assert len(team_view["update_rows"]) == 5  # type: ignore[arg-type]
    assert team_view["more_updates"] is True
    assert all(team_view[k] is not None for k in ("action_form", "door_form", "update_form"))
    coach_view = work_context(get_project_for_user(cast.coach, cast.project.pk))
    assert all(
        coach_view[k] is None
        for k in ("action_form", "engagement_form", "door_form", "update_form")
    )
