"""An approved charter is locked: the team proposes amendments, the sponsor decides, and
the history shows each change before and after."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.models import CharterAmendment, CharterChange, Phase, Project
from projects.services import GateRefused, do_decide_amendment, do_propose_amendment
from tests.conftest import Cast


@pytest.fixture
def approved(cast: Cast) -> Project:
    Project.objects.filter(pk=cast.project.pk).update(
        phase=Phase.CARRYING_OUT,
        problem_statement="Patients board in the ED for hours.",
        scope="Two medicine units.",
    )
    cast.project.refresh_from_db()
    return cast.project


def propose(cast: Cast, who: str = "participant", **data: str):  # type: ignore[no-untyped-def]
    form = {
        "problem_statement": "Patients board in the ED for hours.",
        "scope": "Two medicine units.",
        "reason": "",
    } | data
    return cast.client_for(who).post(
        reverse("projects:amendment_new", args=[cast.project.pk]), form, follow=True
    )


def decide(cast: Cast, amendment: CharterAmendment, decision: str, comment: str = ""):  # type: ignore[no-untyped-def]
    return cast.client_for("sponsor").post(
        reverse("projects:amendment_decide", args=[cast.project.pk, amendment.pk]),
        {"decision": decision, "comment": comment},
        follow=True,
    )


def test_the_team_proposes_and_the_charter_changes_only_when_the_sponsor_approves(
    cast: Cast, approved: Project
) -> None:
    response = propose(cast, scope="Three medicine units.", reason="The third unit asked to join.")
    assert "Amendment proposed: the sponsor decides on it." in response.content.decode()
    amendment = CharterAmendment.objects.get()
    assert amendment.new_texts == {"scope": "Three medicine units."}  # changed sections only
    approved.refresh_from_db()
    assert approved.scope == "Two medicine units."
    page = cast.client_for("sponsor").get(reverse("projects:detail", args=[approved.pk]))
    html = page.content.decode()
    assert "The third unit asked to join." in html
    assert "<del>Two</del><ins>Three</ins>" in html
    assert "Approve the amendment" in html
    response = decide(cast, amendment, "approve")
    assert "the charter now reads as amended" in response.content.decode()
    approved.refresh_from_db()
    assert approved.scope == "Three medicine units."
    change = CharterChange.objects.get()
    assert (change.old_text, change.new_text, change.amendment) == (
        "Two medicine units.",
        "Three medicine units.",
        amendment,
    )
    history = cast.client_for("coach").get(reverse("projects:charter_history", args=[approved.pk]))
    html = history.content.decode()
    assert "<del>Two</del><ins>Three</ins>" in html
    assert "Amendment approved by Sam Sponsor" in html
    assert "The third unit asked to join." in html


def test_the_sponsor_returns_an_amendment_with_a_comment_and_nothing_changes(
    cast: Cast, approved: Project
) -> None:
    propose(cast, scope="All units.", reason="Why not.")
    amendment = CharterAmendment.objects.get()
    assert "Tell the team why" in decide(cast, amendment, "return").content.decode()
    decide(cast, amendment, "return", "Stay with two units until the mid-point.")
    amendment.refresh_from_db()
    assert amendment.status == CharterAmendment.Status.RETURNED
    approved.refresh_from_db()
    assert approved.scope == "Two medicine units."
    assert not CharterChange.objects.exists()
    history = cast.client_for("participant").get(
        reverse("projects:charter_history", args=[approved.pk])
    )
    assert "Stay with two units until the mid-point." in history.content.decode()
    # Decided once: a second decision changes nothing.
    assert "already been decided" in decide(cast, amendment, "approve").content.decode()
    approved.refresh_from_db()
    assert approved.scope == "Two medicine units."


def test_a_proposal_needs_a_reason_and_a_changed_section(cast: Cast, approved: Project) -> None:
    response = propose(cast, scope="Three medicine units.")
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = propose(cast, reason="Nothing really.")
    assert response.status_code == 400
    assert "Change the text of at least one section." in response.content.decode()
    assert not CharterAmendment.objects.exists()


def test_one_amendment_at_a_time_waits_for_the_sponsor(cast: Cast, approved: Project) -> None:
    propose(cast, scope="Three medicine units.", reason="A third unit.")
    response = propose(cast, scope="Four medicine units.", reason="A fourth unit.")
    assert "An amendment is already with the sponsor" in response.content.decode()
    assert CharterAmendment.objects.count() == 1


def test_only_the_team_proposes_and_only_the_sponsor_decides(
    cast: Cast, approved: Project
) -> None:
    for who in ("sponsor", "coach", "program_admin"):
        assert propose(cast, who, scope="X.", reason="Y.").status_code == 403, who
    propose(cast, scope="Three medicine units.", reason="A third unit.")
    amendment = CharterAmendment.objects.get()
    url = reverse("projects:amendment_decide", args=[approved.pk, amendment.pk])
    for who in ("participant", "coach", "program_admin"):
        response = cast.client_for(who).post(url, {"decision": "approve"})
        assert response.status_code == 403, who
    approved.refresh_from_db()
    assert approved.scope == "Two medicine units."


def test_amendments_are_refused_while_crafting_and_once_completed(cast: Cast) -> None:
    with pytest.raises(GateRefused, match="edits the charter directly"):
        do_propose_amendment(
            project=cast.project, new_texts={"scope": "X"}, reason="Y", by=cast.participant
        )
    Project.objects.filter(pk=cast.project.pk).update(phase=Phase.TRANSITIONING)
    amendment = do_propose_amendment(
        project=cast.project, new_texts={"scope": "X"}, reason="Y", by=cast.participant
    )
    Project.objects.filter(pk=cast.project.pk).update(phase=Phase.COMPLETED)
    with pytest.raises(GateRefused, match="completed"):
        do_decide_amendment(amendment=amendment, approve=True, comment="", by=cast.sponsor)
    cast.project.refresh_from_db()
    assert cast.project.scope == ""


def test_the_title_is_not_amended(cast: Cast, approved: Project) -> None:
    with pytest.raises(ValidationError, match="title and type stay"):
        do_propose_amendment(
            project=approved, new_texts={"title": "Renamed"}, reason="Y", by=cast.participant
        )


def test_the_sponsor_hears_of_a_proposal_and_the_team_of_the_decision_without_the_words(
    cast: Cast,
    approved: Project,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    from notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        propose(cast, scope="Three units, secret-words.", reason="Because secret-words.")
    notice = Notification.objects.get()
    assert notice.recipient == cast.sponsor
    assert "amendment proposed" in notice.subject.lower()
    amendment = CharterAmendment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        decide(cast, amendment, "return", "Not now, secret-words.")
    told = Notification.objects.exclude(pk=notice.pk)
    assert {n.recipient for n in told} == {cast.participant, cast.teammate}
    assert all("returned" in n.subject for n in told)
    assert not any("secret-words" in n.subject for n in Notification.objects.all())
