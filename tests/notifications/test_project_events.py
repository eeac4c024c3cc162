"""Each step of the loop between a team and its sponsor reaches the people who must act:
in the app, and by email as their preference says (at once, by default). Nobody else
hears of it: not another team, not the person who took the step, not someone whose
membership has ended. And nothing anyone wrote (the charter, a rationale, a door request
or its answer, an update, a comment) is ever in a notification or its email."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.mail import EmailMessage
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.kinds import EmailMode, Kind
from notifications.models import Notification
from notifications.services import do_set_email_mode
from notifications.subscribers import door_requested
from programs.models import Membership, Role, User
from projects.events import DoorRequested
from projects.models import Action, Criterion, CriterionAssessment, DoorRequest, Phase
from projects.services import do_save_transition_plan, do_submit_charter
from projects.work_services import do_ask_door
from teams.models import TeamMember
from tests import factories as f
from tests.conftest import Cast

CANARY = "canary-4c1d-written-words"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def post(cast: Cast, django_capture_on_commit_callbacks: Callable[..., Any]) -> Callable[..., Any]:
    """Post as one of the cast, running what waits for the commit (notifications, emails)."""

    def run(who: str, name: str, data: dict[str, str], *args: int) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return cast.client_for(who).post(
                reverse(name, args=[cast.project.pk, *args]), data, **HTMX
            )

    return run


@pytest.fixture(autouse=True)
def _canary_in_the_charter(cast: Cast) -> None:
    """The charter and its rationales carry the canary, so that any step could leak it."""
    project = cast.project
    project.problem_statement = f"Boarding takes too long. {CANARY}"
    project.intended_outcomes = f"Half the wait. {CANARY}"
    project.save()
    for value in Criterion.values:
        CriterionAssessment.objects.create(
            project=project, criterion=value, rationale=f"Because {value}. {CANARY}"
        )


def told(kind: Kind) -> set[User]:
    return {n.recipient for n in Notification.objects.filter(kind=kind)}


def mailed(outbox: list[EmailMessage]) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


def assert_no_canary(outbox: list[EmailMessage]) -> None:
    """Nothing anyone wrote is in a notification or in any part of an email."""
    assert outbox, "the step sent no email to look into"
    for message in outbox:
        parts = [message.subject, str(message.body), *map(str, message.extra_headers.values())]
        parts += [str(content) for content, _ in getattr(message, "alternatives", [])]
        assert CANARY not in " ".join(parts)
    notifications = Notification.objects.all()
    assert notifications
    for notification in notifications:
        assert CANARY not in f"{notification.subject} {notification.link}"


def only(kind: Kind) -> Notification:
    (notification,) = Notification.objects.filter(kind=kind)
    return notification


def only_subjects(kind: Kind) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("subject", flat=True))


def end_membership(user: User, role: str = Role.PARTICIPANT) -> None:
    Membership.objects.filter(user=user, role=role).update(
        is_active=False, ended_at=timezone.now(), ending=Membership.Ending.LEFT
    )


def submitted(cast: Cast) -> None:
    # Outside the on-commit capture: the submission itself tells nobody here.
    do_submit_charter(project=cast.project, by=cast.participant)


def confirm_first_criterion(cast: Cast) -> None:
    CriterionAssessment.objects.filter(
        project=cast.project, criterion=Criterion.MAKE_SOMETHING_HAPPEN
    ).update(review=CriterionAssessment.Review.CONFIRMED)


def project_link(cast: Cast, anchor: str = "phase") -> str:
    return f"/projects/{cast.project.pk}/#{anchor}"


# The charter ----------------------------------------------------------------------------


def test_a_submitted_charter_tells_the_sponsor_and_nobody_else(
    cast: Cast, post: Callable[..., Any], mailoutbox: list[EmailMessage]
) -> None:
    post("participant", "projects:gate", {}, "submit-charter")

    assert told(Kind.CHARTER_SUBMITTED) == {cast.sponsor}
    notification = only(Kind.CHARTER_SUBMITTED)
    assert notification.subject == "Charter submitted for approval: Cut ED boarding time"
    assert notification.link == project_link(cast)
    assert notification.read_at is None
    assert mailed(mailoutbox) == [cast.sponsor.email]
    assert "Cut ED boarding time" in mailoutbox[0].subject
    assert_no_canary(mailoutbox)


def test_an_approved_charter_tells_the_team_not_the_sponsor_or_another_team(
    cast: Cast, post: Callable[..., Any], mailoutbox: list[EmailMessage]
) -> None:
    submitted(cast)
    confirm_first_criterion(cast)
    mailoutbox.clear()

    post("sponsor", "projects:gate", {"comment": f"Go. {CANARY}"}, "approve-charter")

    cast.project.refresh_from_db()
    assert cast.project.phase == Phase.CARRYING_OUT
    assert told(Kind.CHARTER_APPROVED) == {cast.participant, cast.teammate}
    assert only_subjects(Kind.CHARTER_APPROVED) == {"Charter approved: Cut ED boarding time"}
    assert mailed(mailoutbox) == sorted([cast.participant.email, cast.teammate.email])
    assert_no_canary(mailoutbox)


def test_a_returned_charter_tells_the_team_but_not_a_member_who_has_left(
    cast: Cast, post: Callable[..., Any], mailoutbox: list[EmailMessage]
) -> None:
    submitted(cast)
    end_membership(cast.teammate)
    mailoutbox.clear()

    post("sponsor", "projects:gate", {"comment": f"Sharpen it. {CANARY}"}, "return-charter")

    assert told(Kind.CHARTER_RETURNED) == {cast.participant}
    assert only(Kind.CHARTER_RETURNED).subject == (
        "Charter returned for changes: Cut ED boarding time"
    )
    assert mailed(mailoutbox) == [cast.participant.email]
    assert_no_canary(mailoutbox)


def test_a_queried_criterion_tells_the_team_which_criterion_and_a_confirmed_one_nobody(
    cast: Cast, post: Callable[..., Any], mailoutbox: list[EmailMessage]
) -> None:
    post("sponsor", "projects:criterion_review", {"decision": "confirm"}, 1)
    assert Notification.objects.count() == 0

    post(
        "sponsor",
        "projects:criterion_review",
        {"decision": "comment", "comment": f"Which units? {CANARY}"},
        2,
    )

    assert told(Kind.CRITERION_QUERIED) == {cast.participant, cast.teammate}
    notification = Notification.objects.filter(kind=Kind.CRITERION_QUERIED).first()
    assert notification is not None
    assert notification.subject == (
        "Sponsor asks for more on “Engages actively with others across the organisation”: "
        "Cut ED boarding time"
    )
    assert notification.link == project_link(cast, "criterion-2")
    assert mailed(mailoutbox) == sorted([cast.participant.email, cast.teammate.email])
    assert_no_canary(mailoutbox)


def test_each_query_of_a_criterion_is_told_and_a_returned_charter_again_after_resubmission(
    cast: Cast, post: Callable[..., Any]
) -> None:
    for question in ("Which units?", "And which leaders?"):
        post(
            "sponsor",
            "projects:criterion_review",
            {"decision": "comment", "comment": question},
            2,
        )
    assert (
        Notification.objects.filter(
            kind=Kind.CRITERION_QUERIED, recipient=cast.participant
        ).count()
        == 2
    )

    for _ in range(2):
        post("participant", "projects:gate", {}, "submit-charter")
        post("sponsor", "projects:gate", {"comment": "Sharpen it."}, "return-charter")
    assert Notification.objects.filter(kind=Kind.CHARTER_SUBMITTED).count() == 2
    assert (
        Notification.objects.filter(kind=Kind.CHARTER_RETURNED, recipient=cast.teammate).count()
        == 2
    )


# Doors to open --------------------------------------------------------------------------


def test_a_door_request_tells_the_sponsor_without_the_request(
    cast: Cast, post: Callable[..., Any], mailoutbox: list[EmailMessage]
) -> None:
    post(
        "participant",
        "projects:door_create",
        {"kind": "introduction", "request": f"An introduction to the CNO. {CANARY}"},
    )

    door = DoorRequest.objects.get()
    assert told(Kind.DOOR_REQUESTED) == {cast.sponsor}
    notification = only(Kind.DOOR_REQUESTED)
    assert notification.subject == ("Flow Forward asks you to open a door: Cut ED boarding time")
    assert notification.link == f"/projects/{cast.project.pk}/doors/#door-{door.pk}"
    assert mailed(mailoutbox) == [cast.sponsor.email]
    assert_no_canary(mailoutbox)


def test_a_door_request_of_a_sponsor_who_has_left_the_program_tells_nobody(
    cast: Cast, post: Callable[..., Any], mailoutbox: list[EmailMessage]
) -> None:
    end_membership(cast.sponsor, Role.SPONSOR)
    post("participant", "projects:door_create", {"kind": "resource", "request": "Time."})
    assert DoorRequest.objects.count() == 1
    assert Notification.objects.count() == 0
    assert mailoutbox == []


def test_an_answered_door_tells_the_asker_and_the_team_not_the_sponsor(
    cast: Cast, post: Callable[..., Any], mailoutbox: list[EmailMessage]
) -> None:
    door = DoorRequest.objects.create(
        project=cast.project,
        kind=DoorRequest.Kind.DECISION,
        request=f"A decision on the pilot units. {CANARY}",
        asked_by=cast.teammate,
    )

    post(
        "sponsor",
        "projects:door_answer",
        {"answer": f"Units 5 West and 6 East. {CANARY}"},
        door.pk,
    )

    door.refresh_from_db()
    assert door.answered_at is not None
    assert told(Kind.DOOR_ANSWERED) == {cast.participant, cast.teammate}
    assert only_subjects(Kind.DOOR_ANSWERED) == {"Door request answered: Cut ED boarding time"}
    assert mailed(mailoutbox) == sorted([cast.participant.email, cast.teammate.email])
    assert_no_canary(mailoutbox)


def test_an_asker_who_moved_to_another_team_still_hears_the_answer_and_their_new_team_not(
    cast: Cast, post: Callable[..., Any], mailoutbox: list[EmailMessage]
) -> None:
    door = DoorRequest.objects.create(
        project=cast.project, kind="resource", request="Time.", asked_by=cast.teammate
    )
    TeamMember.objects.filter(user=cast.teammate).update(team=cast.other_team)

    post("sponsor", "projects:door_answer", {"answer": "Yes."}, door.pk)

    assert told(Kind.DOOR_ANSWERED) == {cast.participant, cast.teammate}
    assert cast.other_participant not in told(Kind.DOOR_ANSWERED)


# Status updates -------------------------------------------------------------------------


def test_a_status_update_tells_the_sponsor_not_the_coach_or_the_team(
    cast: Cast, post: Callable[..., Any], mailoutbox: list[EmailMessage]
) -> None:
    post(
        "participant",
        "projects:update_create",
        {
            "progress": f"Mapped the process. {CANARY}",
            "next_steps": f"Baseline data. {CANARY}",
            "risks": f"Analyst time. {CANARY}",
        },
    )

    update = cast.project.updates.get()
    assert told(Kind.STATUS_UPDATE) == {cast.sponsor}
    notification = only(Kind.STATUS_UPDATE)
    assert notification.subject == "Status update from Flow Forward: Cut ED boarding time"
    assert notification.link == f"/projects/{cast.project.pk}/updates/#update-{update.pk}"
    assert mailed(mailoutbox) == [cast.sponsor.email]
    assert_no_canary(mailoutbox)


def test_a_sponsor_comment_tells_the_team(
    cast: Cast, post: Callable[..., Any], mailoutbox: list[EmailMessage]
) -> None:
    update = cast.project.updates.create(
        progress=f"Mapped. {CANARY}", next_steps="Data.", author=cast.participant
    )

    post(
        "sponsor",
        "projects:update_comment",
        {"body": f"Bring the cost of a bed-day. {CANARY}"},
        update.pk,
    )

    comment = update.comments.get()
    assert told(Kind.SPONSOR_COMMENT) == {cast.participant, cast.teammate}
    notification = Notification.objects.filter(kind=Kind.SPONSOR_COMMENT).first()
    assert notification is not None
    assert notification.subject == "Sponsor commented on a status update: Cut ED boarding time"
    assert notification.link == f"/projects/{cast.project.pk}/updates/#comment-{comment.pk}"
    assert mailed(mailoutbox) == sorted([cast.participant.email, cast.teammate.email])
    assert_no_canary(mailoutbox)


# The transition -------------------------------------------------------------------------


def with_a_plan(cast: Cast) -> None:
    cast.project.phase = Phase.TRANSITIONING
    cast.project.save()
    unit = f.UnitFactory(organization=cast.program.organization)
    do_save_transition_plan(
        project=cast.project,
        new_owner_name="Director of Patient Flow",
        new_owner_unit=unit,
        sustainment=f"A weekly huddle. {CANARY}",
    )


def test_a_submitted_transition_plan_tells_the_sponsor(
    cast: Cast, post: Callable[..., Any], mailoutbox: list[EmailMessage]
) -> None:
    with_a_plan(cast)

    post("teammate", "projects:gate", {}, "submit-plan")

    assert told(Kind.TRANSITION_SUBMITTED) == {cast.sponsor}
    assert only(Kind.TRANSITION_SUBMITTED).subject == (
        "Transition plan submitted for acceptance: Cut ED boarding time"
    )
    assert mailed(mailoutbox) == [cast.sponsor.email]
    assert_no_canary(mailoutbox)


def test_an_accepted_transition_plan_tells_the_team_and_the_program_admins(
    cast: Cast, post: Callable[..., Any], mailoutbox: list[EmailMessage]
) -> None:
    with_a_plan(cast)
    post("teammate", "projects:gate", {}, "submit-plan")
    Notification.objects.all().delete()
    mailoutbox.clear()

    post("sponsor", "projects:gate", {}, "accept-plan")

    cast.project.refresh_from_db()
    assert cast.project.phase == Phase.COMPLETED
    assert told(Kind.TRANSITION_ACCEPTED) == {cast.participant, cast.teammate, cast.program_admin}
    assert only_subjects(Kind.TRANSITION_ACCEPTED) == {
        "Transition plan accepted, project completed: Cut ED boarding time"
    }
    expected = [cast.participant.email, cast.teammate.email, cast.program_admin.email]
    assert mailed(mailoutbox) == sorted(expected)
    assert_no_canary(mailoutbox)


def test_a_sponsor_who_is_also_a_program_admin_is_not_told_of_their_own_acceptance(
    cast: Cast, post: Callable[..., Any]
) -> None:
    f.MembershipFactory(user=cast.sponsor, program=cast.program, role=Role.PROGRAM_ADMIN)
    with_a_plan(cast)
    post("teammate", "projects:gate", {}, "submit-plan")

    post("sponsor", "projects:gate", {}, "accept-plan")

    assert told(Kind.TRANSITION_ACCEPTED) == {cast.participant, cast.teammate, cast.program_admin}


# Actions --------------------------------------------------------------------------------


def action_data(owner: User, title: str = "Pull six months of baseline data") -> dict[str, str]:
    return {"title": title, "owner": str(owner.pk), "due_on": "2027-03-15", "status": "todo"}


def test_an_action_assigned_to_a_teammate_tells_that_teammate_only(
    cast: Cast, post: Callable[..., Any], mailoutbox: list[EmailMessage]
) -> None:
    post("participant", "projects:action_create", action_data(cast.teammate))

    action = Action.objects.get()
    assert told(Kind.ACTION_ASSIGNED) == {cast.teammate}
    notification = only(Kind.ACTION_ASSIGNED)
    assert notification.subject == (
        "Action assigned to you: Pull six months of baseline data (Cut ED boarding time)"
    )
    assert notification.link == f"/projects/{cast.project.pk}/actions/#action-{action.pk}"
    assert mailed(mailoutbox) == [cast.teammate.email]


def test_an_action_one_takes_on_oneself_tells_nobody(
    cast: Cast, post: Callable[..., Any], mailoutbox: list[EmailMessage]
) -> None:
    post("participant", "projects:action_create", action_data(cast.participant))
    assert Action.objects.count() == 1
    assert Notification.objects.count() == 0
    assert mailoutbox == []


def test_handing_an_action_to_someone_else_tells_the_new_owner_and_an_edit_tells_nobody(
    cast: Cast, post: Callable[..., Any], mailoutbox: list[EmailMessage]
) -> None:
    action = Action.objects.create(
        project=cast.project, title="Draft the checklist", owner=cast.participant
    )
    post(
        "participant",
        "projects:action_edit",
        action_data(cast.teammate, "Draft the checklist"),
        action.pk,
    )
    assert told(Kind.ACTION_ASSIGNED) == {cast.teammate}

    # Changing the status keeps the owner: nobody is told again.
    data = {**action_data(cast.teammate, "Draft the checklist"), "status": "doing"}
    post("participant", "projects:action_edit", data, action.pk)
    assert Notification.objects.filter(kind=Kind.ACTION_ASSIGNED).count() == 1
    assert mailed(mailoutbox) == [cast.teammate.email]


# Across the kinds -----------------------------------------------------------------------


def test_a_sponsor_who_prefers_the_daily_digest_is_told_in_the_app_and_not_mailed_now(
    cast: Cast, post: Callable[..., Any], mailoutbox: list[EmailMessage]
) -> None:
    do_set_email_mode(user=cast.sponsor, kind=Kind.STATUS_UPDATE, email=EmailMode.DAILY)
    do_set_email_mode(user=cast.sponsor, kind=Kind.DOOR_REQUESTED, email=EmailMode.OFF)

    post(
        "participant",
        "projects:update_create",
        {"progress": "Mapped.", "next_steps": "Data.", "risks": ""},
    )
    post("participant", "projects:door_create", {"kind": "resource", "request": "Time."})

    assert told(Kind.STATUS_UPDATE) == {cast.sponsor}
    assert told(Kind.DOOR_REQUESTED) == {cast.sponsor}
    assert mailoutbox == []


def test_a_step_announced_twice_tells_the_sponsor_once(
    cast: Cast,
    django_capture_on_commit_callbacks: Callable[..., Any],
    mailoutbox: list[EmailMessage],
) -> None:
    door = DoorRequest.objects.create(
        project=cast.project, kind="resource", request="Time.", asked_by=cast.participant
    )
    event = DoorRequested(
        project_id=cast.project.pk,
        project_title=cast.project.title,
        by_id=cast.participant.pk,
        door_id=door.pk,
    )
    with django_capture_on_commit_callbacks(execute=True):
        door_requested(event)
        door_requested(event)
    assert Notification.objects.filter(kind=Kind.DOOR_REQUESTED).count() == 1
    assert mailed(mailoutbox) == [cast.sponsor.email]


def test_a_step_rolled_back_tells_nobody(
    cast: Cast,
    django_capture_on_commit_callbacks: Callable[..., Any],
    mailoutbox: list[EmailMessage],
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        do_ask_door(project=cast.project, kind="resource", request="Time.", by=cast.participant)
        raise RuntimeError("the request failed after the door was written")
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mailoutbox == []


def test_the_link_lands_the_sponsor_on_the_request(cast: Cast, post: Callable[..., Any]) -> None:
    post("participant", "projects:door_create", {"kind": "resource", "request": "Time."})
    link = only(Kind.DOOR_REQUESTED).link
    client = Client()
    client.force_login(cast.sponsor)
    response = client.get(link.split("#")[0])
    door = DoorRequest.objects.get()
    assert response.status_code == 200
    assert f'id="door-{door.pk}"' in response.content.decode()
