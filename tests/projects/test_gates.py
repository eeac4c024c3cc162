"""The phase gates: crafting → carrying out → transitioning → completed."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.models import (
    Action,
    Criterion,
    CriterionAssessment,
    DoorRequest,
    Phase,
    PhaseEvent,
    Project,
    StatusUpdate,
)
from projects.services import (
    GateRefused,
    do_accept_transition_plan,
    do_approve_charter,
    do_override_phase,
    do_submit_charter,
)
from tests import factories as f
from tests.conftest import Cast


def write_all_rationales(project: Project) -> None:
    for value in Criterion.values:
        CriterionAssessment.objects.create(
            project=project, criterion=value, rationale=f"Because {value}."
        )


def gate(cast: Cast, who: str, action: str, **data: str):  # type: ignore[no-untyped-def]
    return cast.client_for(who).post(
        reverse("projects:gate", args=[cast.project.pk, action]), data, follow=True
    )


def phase_of(cast: Cast) -> str:
    cast.project.refresh_from_db()
    return cast.project.phase


def test_the_charter_cannot_be_submitted_before_all_six_rationales_exist(cast: Cast) -> None:
    CriterionAssessment.objects.create(project=cast.project, criterion=1, rationale="We pilot.")
    response = gate(cast, "participant", "submit-charter")
    assert "The charter cannot be submitted yet" in response.content.decode()
    assert "no rationale yet for" in response.content.decode()
    cast.project.refresh_from_db()
    assert cast.project.charter_submitted_at is None


def test_the_team_submits_a_complete_charter(cast: Cast) -> None:
    write_all_rationales(cast.project)
    response = gate(cast, "participant", "submit-charter")
    assert "The charter is with the sponsor now." in response.content.decode()
    cast.project.refresh_from_db()
    assert cast.project.charter_submitted_at is not None
    assert PhaseEvent.objects.get().kind == PhaseEvent.Kind.CHARTER_SUBMITTED


def test_the_sponsor_cannot_approve_while_the_first_criterion_is_unconfirmed(cast: Cast) -> None:
    write_all_rationales(cast.project)
    do_submit_charter(project=cast.project, by=cast.participant)
    response = gate(cast, "sponsor", "approve-charter", comment="Good work.")
    assert "Confirm the first criterion" in response.content.decode()
    assert phase_of(cast) == Phase.CRAFTING


def test_the_sponsor_approves_a_charter_whose_first_criterion_is_confirmed(cast: Cast) -> None:
    write_all_rationales(cast.project)
    do_submit_charter(project=cast.project, by=cast.participant)
    cast.client_for("sponsor").post(
        reverse("projects:criterion_review", args=[cast.project.pk, 1]),
        {"decision": "confirm", "comment": ""},
    )
    gate(cast, "sponsor", "approve-charter", comment="A clear pilot: go ahead.")
    assert phase_of(cast) == Phase.CARRYING_OUT
    approval = PhaseEvent.objects.get(kind=PhaseEvent.Kind.CHARTER_APPROVED)
    assert approval.comment == "A clear pilot: go ahead."
    assert approval.override_reason == ""


def test_a_charter_that_was_not_submitted_cannot_be_approved(cast: Cast) -> None:
    write_all_rationales(cast.project)
    CriterionAssessment.objects.filter(project=cast.project, criterion=1).update(
        review="confirmed"
    )
    with pytest.raises(GateRefused, match="no submitted charter"):
        do_approve_charter(project=cast.project, by=cast.sponsor, comment="Fine.")


def test_the_sponsor_returns_the_charter_with_comments_only(cast: Cast) -> None:
    write_all_rationales(cast.project)
    do_submit_charter(project=cast.project, by=cast.participant)
    without = gate(cast, "sponsor", "return-charter", comment="  ")
    assert "Tell the team what to change" in without.content.decode()
    gate(cast, "sponsor", "return-charter", comment="Sharpen the success measures.")
    cast.project.refresh_from_db()
    assert cast.project.charter_submitted_at is None
    assert PhaseEvent.objects.filter(kind="charter_returned").get().comment == (
        "Sharpen the success measures."
    )


def test_only_the_sponsor_approves_and_only_the_team_submits(cast: Cast) -> None:
    write_all_rationales(cast.project)
    assert gate(cast, "sponsor", "submit-charter").status_code == 403
    do_submit_charter(project=cast.project, by=cast.participant)
    for who in ("participant", "coach", "program_admin"):
        assert gate(cast, who, "approve-charter").status_code == 403, who
    assert gate(cast, "other_participant", "approve-charter").status_code == 403
    assert gate(cast, "outsider", "approve-charter").status_code == 404


def carrying_out(cast: Cast) -> None:
    Project.objects.filter(pk=cast.project.pk).update(phase=Phase.CARRYING_OUT)


def test_completing_needs_a_transition_plan_accepted_by_the_sponsor(cast: Cast) -> None:
    carrying_out(cast)
    gate(cast, "participant", "begin-transition")
    assert phase_of(cast) == Phase.TRANSITIONING
    refused = gate(cast, "sponsor", "accept-plan")
    assert "A project completes only with a transition plan" in refused.content.decode()
    unit = f.UnitFactory(organization=cast.program.organization, name="Patient Flow Office")
    cast.client_for("participant").post(
        reverse("projects:transition_plan", args=[cast.project.pk]),
        {
            "new_owner_name": "Jordan Lee",
            "new_owner_unit": unit.pk,
            "sustainment": "Weekly huddle.",
        },
    )
    assert gate(cast, "sponsor", "accept-plan").status_code == 200
    assert phase_of(cast) == Phase.TRANSITIONING  # a draft plan is not yet submitted
    gate(cast, "participant", "submit-plan")
    gate(cast, "sponsor", "accept-plan")
    assert phase_of(cast) == Phase.COMPLETED
    assert cast.project.transition_plan.accepted_by == cast.sponsor


def test_a_transition_plan_without_owner_or_unit_is_refused_and_nothing_saved(cast: Cast) -> None:
    carrying_out(cast)
    gate(cast, "participant", "begin-transition")
    response = cast.client_for("participant").post(
        reverse("projects:transition_plan", args=[cast.project.pk]),
        {"new_owner_name": "", "new_owner_unit": "", "sustainment": "Weekly huddle."},
        follow=True,
    )
    html = response.content.decode()
    assert "Name the new owner." in html and "Choose the new owner&#x27;s unit." in html
    assert not hasattr(Project.objects.get(pk=cast.project.pk), "transition_plan")


def test_the_transition_cannot_begin_before_the_charter_is_approved(cast: Cast) -> None:
    response = gate(cast, "participant", "begin-transition")
    assert "Only a project being carried out" in response.content.decode()
    assert phase_of(cast) == Phase.CRAFTING


def test_the_sponsor_cannot_accept_a_plan_in_another_phase(cast: Cast) -> None:
    with pytest.raises(GateRefused):
        do_accept_transition_plan(project=cast.project, by=cast.sponsor)


def test_a_program_admin_overrides_a_gate_with_a_recorded_reason(cast: Cast) -> None:
    client = cast.client_for("program_admin")
    url = reverse("projects:override", args=[cast.project.pk])
    refused = client.post(url, {"phase": Phase.CARRYING_OUT, "reason": "ok"})
    assert refused.status_code == 400
    assert phase_of(cast) == Phase.CRAFTING
    client.post(
        url, {"phase": Phase.CARRYING_OUT, "reason": "Sponsor approved in the board meeting."}
    )
    assert phase_of(cast) == Phase.CARRYING_OUT
    event = PhaseEvent.objects.get(kind=PhaseEvent.Kind.OVERRIDE)
    assert (event.by, event.from_phase, event.comment) == (
        cast.program_admin,
        Phase.CRAFTING,
        "Sponsor approved in the board meeting.",
    )


@pytest.mark.parametrize("who", ["sponsor", "coach", "participant"])
def test_only_program_admins_override(cast: Cast, who: str) -> None:
    url = reverse("projects:override", args=[cast.project.pk])
    response = cast.client_for(who).post(
        url, {"phase": "completed", "reason": "Because I say so."}
    )
    assert response.status_code == 403
    assert phase_of(cast) == Phase.CRAFTING


def test_override_refuses_an_unknown_phase(cast: Cast) -> None:
    with pytest.raises(ValidationError):
        do_override_phase(
            project=cast.project, to_phase="done", reason="A long reason.", by=cast.program_admin
        )


def test_a_changed_rationale_goes_back_to_the_sponsor(cast: Cast) -> None:
    client = cast.client_for("participant")
    url = reverse("projects:criterion_save", args=[cast.project.pk, 2])
    client.post(url, {"rationale": "We meet nursing and finance."})
    CriterionAssessment.objects.filter(criterion=2).update(review="confirmed")
    response = client.post(
        url, {"rationale": "We meet nursing, finance and EMS."}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert b"Awaiting the sponsor" in response.content
    assert CriterionAssessment.objects.get(criterion=2).review == "pending"


def test_asking_for_more_needs_a_comment(cast: Cast) -> None:
    CriterionAssessment.objects.create(
        project=cast.project, criterion=3, rationale="New to all of us."
    )
    url = reverse("projects:criterion_review", args=[cast.project.pk, 3])
    response = cast.client_for("sponsor").post(
        url, {"decision": "comment", "comment": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert b"Say what the team should add or change." in response.content
    assert CriterionAssessment.objects.get(criterion=3).review == "pending"


# Approval with a comment, and queried criteria --------------------------------------------


def submitted_with_first_confirmed(cast: Cast) -> None:
    write_all_rationales(cast.project)
    CriterionAssessment.objects.filter(project=cast.project, criterion=1).update(
        review=CriterionAssessment.Review.CONFIRMED
    )
    do_submit_charter(project=cast.project, by=cast.participant)


def test_approving_needs_a_comment_for_the_team(cast: Cast) -> None:
    submitted_with_first_confirmed(cast)
    response = gate(cast, "sponsor", "approve-charter", comment="  ")
    assert "The charter is not approved yet." in response.content.decode()
    assert phase_of(cast) == Phase.CRAFTING


def test_a_queried_criterion_blocks_the_approval_and_the_sponsor_is_told_which(
    cast: Cast,
) -> None:
    submitted_with_first_confirmed(cast)
    CriterionAssessment.objects.filter(project=cast.project, criterion=3).update(
        review=CriterionAssessment.Review.COMMENTED, sponsor_comment="Who is new to this?"
    )
    page = cast.client_for("sponsor").get(reverse("projects:detail", args=[cast.project.pk]))
    assert "You still ask for more on: 3. Goes beyond" in page.content.decode()
    response = gate(cast, "sponsor", "approve-charter", comment="Go ahead.")
    assert "You still ask for more on 3. Goes beyond" in response.content.decode()
    assert phase_of(cast) == Phase.CRAFTING
    # Ticking the override without a reason is not enough either.
    response = gate(cast, "sponsor", "approve-charter", comment="Go ahead.", override="1")
    assert "Say why you approve over the query." in response.content.decode()
    assert phase_of(cast) == Phase.CRAFTING


def test_the_sponsor_approves_over_a_query_with_a_reason_kept_in_the_history(
    cast: Cast,
) -> None:
    submitted_with_first_confirmed(cast)
    CriterionAssessment.objects.filter(project=cast.project, criterion=3).update(
        review=CriterionAssessment.Review.COMMENTED
    )
    gate(
        cast,
        "sponsor",
        "approve-charter",
        comment="Go ahead.",
        override="1",
        override_reason="The board wants the pilot before winter.",
    )
    assert phase_of(cast) == Phase.CARRYING_OUT
    approval = PhaseEvent.objects.get(kind=PhaseEvent.Kind.CHARTER_APPROVED)
    assert "The board wants the pilot before winter." in approval.override_reason
    history = cast.client_for("coach").get(
        reverse("projects:charter_history", args=[cast.project.pk])
    )
    html = history.content.decode()
    assert "Approved over a query." in html
    assert "The board wants the pilot before winter." in html


# Completion: open actions, read-only, no flags ---------------------------------------------


def transitioning_with_plan(cast: Cast) -> None:
    Project.objects.filter(pk=cast.project.pk).update(phase=Phase.TRANSITIONING)
    unit = f.UnitFactory(organization=cast.program.organization, name="Patient Flow Office")
    cast.client_for("participant").post(
        reverse("projects:transition_plan", args=[cast.project.pk]),
        {"new_owner_name": "Jordan Lee", "new_owner_unit": unit.pk, "sustainment": "Huddle."},
    )


def test_completion_waits_until_the_team_has_closed_every_open_action(cast: Cast) -> None:
    transitioning_with_plan(cast)
    overdue = Action.objects.create(
        project=cast.project,
        title="Train night staff",
        owner=cast.participant,
        due_on=datetime.date(2020, 1, 1),
    )
    kept = Action.objects.create(project=cast.project, title="Audit the pilot")
    dropped = Action.objects.create(project=cast.project, title="Second site", status="doing")
    done = Action.objects.create(project=cast.project, title="Baseline", status="done")
    page = cast.client_for("participant").get(reverse("projects:detail", args=[cast.project.pk]))
    assert "3 actions still open" in page.content.decode()
    refused = gate(cast, "participant", "submit-plan")
    assert "3 actions are still open" in refused.content.decode()
    cast.client_for("participant").post(
        reverse("projects:close_actions", args=[cast.project.pk]),
        {f"action_{overdue.pk}": "done", f"action_{dropped.pk}": "dropped"},
    )
    assert "1 action is still open" in gate(cast, "participant", "submit-plan").content.decode()
    response = cast.client_for("participant").post(
        reverse("projects:close_actions", args=[cast.project.pk]),
        {f"action_{kept.pk}": "handed"},
        follow=True,
    )
    assert "1 action closed." in response.content.decode()
    statuses = dict(Action.objects.values_list("title", "status"))
    assert statuses == {
        "Train night staff": "done",
        "Audit the pilot": "handed",
        "Second site": "dropped",
        "Baseline": done.status,
    }
    gate(cast, "participant", "submit-plan")
    gate(cast, "sponsor", "accept-plan")
    assert phase_of(cast) == Phase.COMPLETED


def test_the_sponsor_cannot_complete_a_project_with_an_action_opened_after_submission(
    cast: Cast,
) -> None:
    transitioning_with_plan(cast)
    gate(cast, "participant", "submit-plan")
    Action.objects.create(project=cast.project, title="One more thing")
    response = gate(cast, "sponsor", "accept-plan")
    assert "1 action is still open" in response.content.decode()
    assert phase_of(cast) == Phase.TRANSITIONING


def test_only_the_team_closes_actions_and_only_while_transitioning(cast: Cast) -> None:
    action = Action.objects.create(project=cast.project, title="Audit the pilot")
    url = reverse("projects:close_actions", args=[cast.project.pk])
    assert cast.client_for("sponsor").post(url, {f"action_{action.pk}": "done"}).status_code == 403
    response = cast.client_for("participant").post(
        url, {f"action_{action.pk}": "done"}, follow=True
    )
    assert "closed while the project is transitioning" in response.content.decode()
    action.refresh_from_db()
    assert action.status == Action.Status.TO_DO


def completed(cast: Cast) -> None:
    Project.objects.filter(pk=cast.project.pk).update(phase=Phase.COMPLETED)


def test_a_completed_project_refuses_every_write_with_a_clear_message(cast: Cast) -> None:
    update = StatusUpdate.objects.create(
        project=cast.project, progress="Done.", next_steps="None.", author=cast.participant
    )
    door = DoorRequest.objects.create(
        project=cast.project, kind="decision", request="Sign off?", asked_by=cast.participant
    )
    completed(cast)
    pk = cast.project.pk
    team_writes = [
        (reverse("projects:charter_save", args=[pk, "scope"]), {"text": "New", "version": 1}),
        (reverse("projects:criterion_save", args=[pk, 1]), {"rationale": "New"}),
        (reverse("projects:gate", args=[pk, "submit-charter"]), {}),
        (reverse("projects:amendment_new", args=[pk]), {"scope": "New", "reason": "Why"}),
        (reverse("projects:action_create", args=[pk]), {"title": "More"}),
        (reverse("projects:door_create", args=[pk]), {"kind": "decision", "request": "?"}),
        (reverse("projects:update_create", args=[pk]), {"progress": "p", "next_steps": "n"}),
    ]
    for url, data in team_writes:
        response = cast.client_for("participant").post(url, data)
        assert response.status_code == 403, url
        assert "This project is completed" in response.content.decode(), url
    sponsor_writes = [
        (reverse("projects:door_answer", args=[pk, door.pk]), {"answer": "Yes"}),
        (reverse("projects:update_comment", args=[pk, update.pk]), {"body": "Well done"}),
        (reverse("projects:gate", args=[pk, "approve-charter"]), {"comment": "Yes"}),
    ]
    for url, data in sponsor_writes:
        response = cast.client_for("sponsor").post(url, data)
        assert response.status_code == 403, url
        assert "This project is completed" in response.content.decode(), url
    assert not Action.objects.exists()
    door.refresh_from_db()
    assert door.answer == ""
    cast.project.refresh_from_db()
    assert cast.project.scope == ""


def test_a_completed_project_shows_no_buttons_to_change_it(cast: Cast) -> None:
    Action.objects.create(project=cast.project, title="Audit the pilot", status="handed")
    completed(cast)
    for who in ("participant", "sponsor"):
        html = (
            cast.client_for(who)
            .get(reverse("projects:detail", args=[cast.project.pk]))
            .content.decode()
        )
        assert "nothing on it can be changed" in html, who
        assert "?edit" not in html, who
        assert "Propose an amendment" not in html, who
        assert 'name="rationale"' not in html, who
        actions = (
            cast.client_for(who)
            .get(reverse("projects:actions", args=[cast.project.pk]))
            .content.decode()
        )
        assert "Audit the pilot" in actions and "Handed to the new owner" in actions
        assert 'name="title"' not in actions, who


def test_an_approved_charters_criteria_stand_as_approved(cast: Cast) -> None:
    write_all_rationales(cast.project)
    Project.objects.filter(pk=cast.project.pk).update(phase=Phase.CARRYING_OUT)
    response = cast.client_for("participant").post(
        reverse("projects:criterion_save", args=[cast.project.pk, 2]),
        {"rationale": "Quietly rewritten."},
        follow=True,
    )
    assert "propose a change as an amendment" in response.content.decode()
    cast.client_for("sponsor").post(
        reverse("projects:criterion_review", args=[cast.project.pk, 2]),
        {"decision": "comment", "comment": "More, please."},
    )
    assessment = CriterionAssessment.objects.get(project=cast.project, criterion=2)
    assert (assessment.rationale, assessment.review) == ("Because 2.", "pending")
