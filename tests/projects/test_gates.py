"""The phase gates: crafting → carrying out → transitioning → completed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.models import Criterion, CriterionAssessment, Phase, PhaseEvent, Project
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
    response = gate(cast, "sponsor", "approve-charter")
    assert "Confirm the first criterion" in response.content.decode()
    assert phase_of(cast) == Phase.CRAFTING


def test_the_sponsor_approves_a_charter_whose_first_criterion_is_confirmed(cast: Cast) -> None:
    write_all_rationales(cast.project)
    do_submit_charter(project=cast.project, by=cast.participant)
    cast.client_for("sponsor").post(
        reverse("projects:criterion_review", args=[cast.project.pk, 1]),
        {"decision": "confirm", "comment": ""},
    )
    gate(cast, "sponsor", "approve-charter")
    assert phase_of(cast) == Phase.CARRYING_OUT


def test_a_charter_that_was_not_submitted_cannot_be_approved(cast: Cast) -> None:
    write_all_rationales(cast.project)
    CriterionAssessment.objects.filter(project=cast.project, criterion=1).update(
        review="confirmed"
    )
    with pytest.raises(GateRefused, match="no submitted charter"):
        do_approve_charter(project=cast.project, by=cast.sponsor)


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
