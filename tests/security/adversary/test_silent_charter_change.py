"""An approved charter cannot be changed behind the sponsor's back.

Before: once the sponsor had approved the charter, any team member could still rewrite
its sections, its criteria's rationales, and even a completed project's actions, doors and
updates; nothing told the sponsor, and the history listed only new texts. Now a member who
tries every way in finds each one refused: the charter changes only through an amendment
that the sponsor approves (and which shows the text before and after), the criteria stand
as approved, a member cannot decide their own amendment, and a completed project refuses
every write.
"""

from __future__ import annotations

from django.urls import reverse

from projects.models import (
    Action,
    CharterAmendment,
    CharterChange,
    CriterionAssessment,
    Phase,
    Project,
)
from tests.conftest import Cast


def test_a_member_finds_no_way_to_change_an_approved_charter_silently(cast: Cast) -> None:
    CriterionAssessment.objects.create(
        project=cast.project, criterion=1, rationale="We run a pilot.", review="confirmed"
    )
    Project.objects.filter(pk=cast.project.pk).update(
        phase=Phase.CARRYING_OUT, scope="As approved.", title="Home by noon", version=5
    )
    member = cast.client_for("participant")
    pk = cast.project.pk
    attempts = [
        (reverse("projects:charter_save", args=[pk, "scope"]), {"text": "Wider.", "version": 5}),
        (reverse("projects:charter_save", args=[pk, "title"]), {"text": "New", "version": 5}),
        (
            reverse("projects:name", args=[pk]),
            {"title": "New", "project_type": "other", "version": 5},
        ),
        (reverse("projects:criterion_save", args=[pk, 1]), {"rationale": "We study it."}),
    ]
    for url, data in attempts:
        member.post(url, data)
    cast.project.refresh_from_db()
    assert (cast.project.scope, cast.project.title, cast.project.project_type) == (
        "As approved.",
        "Home by noon",
        "pilot",
    )
    assert CriterionAssessment.objects.get(project=cast.project).rationale == "We run a pilot."
    assert not CharterChange.objects.exists()

    # The way that is left goes through the sponsor, who alone decides.
    member.post(
        reverse("projects:amendment_new", args=[pk]),
        {"scope": "Wider.", "reason": "We want more."},
    )
    amendment = CharterAmendment.objects.get()
    decide = reverse("projects:amendment_decide", args=[pk, amendment.pk])
    for who in ("participant", "teammate", "coach", "program_admin"):
        assert cast.client_for(who).post(decide, {"decision": "approve"}).status_code == 403
    assert (
        cast.client_for("other_participant").post(decide, {"decision": "approve"}).status_code
        == 403
    )
    cast.project.refresh_from_db()
    assert cast.project.scope == "As approved."


def test_a_completed_project_stays_as_it_was_handed_over(cast: Cast) -> None:
    Project.objects.filter(pk=cast.project.pk).update(phase=Phase.COMPLETED, scope="Final.")
    pk = cast.project.pk
    for who in ("participant", "teammate"):
        client = cast.client_for(who)
        for url, data in [
            (reverse("projects:charter_save", args=[pk, "scope"]), {"text": "X", "version": 1}),
            (reverse("projects:amendment_new", args=[pk]), {"scope": "X", "reason": "Y"}),
            (reverse("projects:action_create", args=[pk]), {"title": "Late action"}),
            (reverse("projects:close_actions", args=[pk]), {}),
        ]:
            response = client.post(url, data)
            assert response.status_code == 403, (who, url)
    # Not even the sponsor reopens it by deciding an old amendment.
    amendment = CharterAmendment.objects.create(
        project=cast.project, new_texts={"scope": "X"}, old_texts={"scope": "Final."}, reason="Y"
    )
    response = cast.client_for("sponsor").post(
        reverse("projects:amendment_decide", args=[pk, amendment.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    cast.project.refresh_from_db()
    assert cast.project.scope == "Final."
    assert not Action.objects.exists()
