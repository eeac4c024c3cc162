"""Results: measures with baseline, target and achieved; the narrative; the sponsor's
confirmation; the new owner's confirmation of the hand-over."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from projects.models import Phase, ProjectResults, SuccessMeasure, TransitionPlan
from projects.results import do_add_measure, do_save_narrative, handover_token
from tests import factories as f
from tests.conftest import Cast


def complete(
    cast: Cast, *, owner: str = "Morgan Owner", phase: str = Phase.COMPLETED
) -> TransitionPlan:
    cast.project.phase = phase
    cast.project.save(update_fields=["phase"])
    return TransitionPlan.objects.create(
        project=cast.project,
        new_owner_name=owner,
        new_owner_unit=f.UnitFactory(organization=cast.program.organization),
        sustainment="Weekly huddle run by the unit.",
        submitted_at=timezone.now(),
        accepted_at=timezone.now(),
        accepted_by=cast.sponsor,
    )


def test_a_member_adds_a_measure_with_baseline_target_and_achieved(cast: Cast) -> None:
    response = cast.client_for("participant").post(
        reverse("projects:measure_add", args=[cast.project.pk]),
        {
            "new-name": "ED boarding time",
            "new-baseline": "6 h",
            "new-target": "3 h",
            "new-achieved": "3.5 h",
        },
        follow=True,
    )
    assert "The measure is added." in response.content.decode()
    page = cast.client_for("coach").get(reverse("projects:results", args=[cast.project.pk]))
    assert "ED boarding time" in page.content.decode() and "3.5 h" in page.content.decode()


def test_a_measure_without_a_name_is_refused_and_nothing_is_saved(cast: Cast) -> None:
    response = cast.client_for("participant").post(
        reverse("projects:measure_add", args=[cast.project.pk]), {"new-target": "3 h"}
    )
    assert response.status_code == 400
    assert not SuccessMeasure.objects.exists()


def test_the_sponsor_confirms_only_complete_results_at_completion(cast: Cast) -> None:
    do_add_measure(project=cast.project, name="Boarding time", baseline="6 h", target="3 h")
    url = reverse("projects:results_confirm", args=[cast.project.pk])
    refused = cast.client_for("sponsor").post(url, follow=True).content.decode()
    assert "not transitioning or completed yet" in refused
    assert "nothing achieved is written for “Boarding time”" in refused
    complete(cast)
    measure = SuccessMeasure.objects.get()
    measure.achieved = "3.5 h"
    measure.save()
    do_save_narrative(project=cast.project, narrative="Boarding fell by 40%.")
    page = cast.client_for("sponsor").post(url, follow=True).content.decode()
    assert "You confirmed the results" in page
    assert ProjectResults.objects.get().confirmed_by == cast.sponsor


def test_confirmed_results_no_longer_change(cast: Cast) -> None:
    complete(cast, phase=Phase.TRANSITIONING)
    measure = do_add_measure(project=cast.project, name="Boarding", achieved="3 h")
    do_save_narrative(project=cast.project, narrative="Done.")
    cast.client_for("sponsor").post(reverse("projects:results_confirm", args=[cast.project.pk]))
    response = cast.client_for("participant").post(
        reverse("projects:measure_edit", args=[cast.project.pk, measure.pk]),
        {f"m{measure.pk}-name": "Boarding", f"m{measure.pk}-achieved": "1 h"},
        follow=True,
    )
    assert "they no longer change" in response.content.decode()
    measure.refresh_from_db()
    assert measure.achieved == "3 h"


def test_the_new_owner_confirms_the_hand_over_through_the_link(cast: Cast) -> None:
    plan = complete(cast)
    owner = f.UserFactory(first_name="Morgan", last_name="Owner")
    f.ProfileFactory(user=owner, organization=cast.program.organization)
    url = reverse("projects:handover", args=[handover_token(plan)])
    client = cast.client_for("participant")
    client.force_login(owner)
    assert "Weekly huddle run by the unit." in client.get(url).content.decode()
    page = client.post(url, {"name": "Morgan Owner"}, follow=True).content.decode()
    assert "is confirmed" in page
    results = ProjectResults.objects.get()
    assert results.handover_confirmed_by == owner and not results.handover_on_behalf


def test_the_sponsor_confirms_for_a_new_owner_without_an_account(cast: Cast) -> None:
    plan = complete(cast)
    url = reverse("projects:handover", args=[handover_token(plan)])
    cast.client_for("sponsor").post(url, {"name": "Sam Sponsor", "on_behalf": "on"})
    page = cast.client_for("program_admin").get(
        reverse("projects:results", args=[cast.project.pk])
    )
    assert "by Sam Sponsor, on behalf of Morgan Owner" in page.content.decode()


def test_an_altered_or_outdated_hand_over_link_leads_nowhere(cast: Cast) -> None:
    plan = complete(cast)
    token = handover_token(plan)
    client = cast.client_for("sponsor")
    assert client.get(reverse("projects:handover", args=[token + "x"])).status_code == 404
    plan.new_owner_name = "Someone Else"
    plan.save()
    assert client.get(reverse("projects:handover", args=[token])).status_code == 404


def test_someone_outside_the_organisation_cannot_use_the_link(cast: Cast) -> None:
    plan = complete(cast)
    url = reverse("projects:handover", args=[handover_token(plan)])
    assert cast.client_for("stranger").get(url).status_code == 404
    assert not ProjectResults.objects.filter(handover_confirmed_at__isnull=False).exists()


def test_a_completed_projects_results_are_read_only_for_the_team(cast: Cast) -> None:
    complete(cast)
    response = cast.client_for("participant").post(
        reverse("projects:narrative", args=[cast.project.pk]), {"narrative": "Later."}
    )
    assert response.status_code == 403
    assert not ProjectResults.objects.filter(narrative="Later.").exists()
