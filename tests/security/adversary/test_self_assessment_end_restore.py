"""A program admin recovers one person's self-assessment ratings by ending and restoring
their membership and comparing the outcome report.

Before: the report averaged the ratings of the currently active participants, live, so
"3.3 (6 people)" with Pat and "3.0 (5 people)" without gave Pat's rating (20 − 15 = 5).
Now a stage shows figures only once closed, counted then over the people who had answered
it, and nothing done afterwards changes them.
"""

from __future__ import annotations

import re

from django.urls import reverse

from programs.models import Membership
from programs.self_assessment import do_save_self_assessment
from teams.services import do_end_membership, do_restore_membership
from tests import factories as f
from tests.conftest import Cast

COMPETENCY = "Leading across boundaries"


def report_figures(cast: Cast) -> list[str]:
    page = cast.client_for("program_admin").get(
        reverse("dashboards:report", args=[cast.program.pk])
    )
    return re.findall(r"\d\.\d \(\d+ people\)", page.content.decode())


def test_ending_and_restoring_pats_membership_changes_no_figure(cast: Cast) -> None:
    cast.program.competencies = COMPETENCY
    cast.program.save()
    others = [cast.teammate] + [f.add_participant(cast.team) for _ in range(4)]
    for user in others:
        do_save_self_assessment(
            user=user, program=cast.program, stage="baseline", ratings={COMPETENCY: 3}
        )
    do_save_self_assessment(
        user=cast.participant, program=cast.program, stage="baseline", ratings={COMPETENCY: 5}
    )
    admin = cast.client_for("program_admin")

    # While the stage is open the report shows nothing to compare.
    assert report_figures(cast) == []
    admin.post(
        reverse("programs:self_assessment_close", args=[cast.program.pk]), {"stage": "baseline"}
    )
    with_pat = report_figures(cast)
    assert with_pat == ["3.3 (6 people)"]

    pat = Membership.objects.get(user=cast.participant, program=cast.program)
    do_end_membership(membership=pat)
    without_pat = report_figures(cast)
    do_restore_membership(membership=Membership.objects.get(pk=pat.pk))
    restored = report_figures(cast)

    # The attack needs two different figures; there is only ever one.
    assert with_pat == without_pat == restored
    # Nor can Pat's rating move the closed figure afterwards.
    response = cast.client_for("participant").post(
        reverse("programs:self_assessment", args=[cast.program.pk]),
        {"stage": "baseline", "c0": "1"},
    )
    assert response.status_code == 400
    assert report_figures(cast) == with_pat
