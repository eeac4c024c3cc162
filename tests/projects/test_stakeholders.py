"""The stakeholder engagement log and its reach: the evidence that the project engages
actively with others across the organisation."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from projects.access import get_project_for_user
from projects.models import EngagementLevel, StakeholderEngagement
from projects.work import Reach, stakeholder_section
from tests import factories as f
from tests.conftest import Cast

HTMX = {"HTTP_HX_REQUEST": "true"}
TODAY = datetime.datetime(2027, 3, 10, 12, 0, tzinfo=datetime.UTC)


@time_machine.travel(TODAY, tick=False)
def test_team_member_logs_an_engagement_with_a_unit(cast: Cast) -> None:
    unit = f.UnitFactory(organization=cast.program.organization, name="Bed Management")
    response = cast.client_for("participant").post(
        reverse("projects:engagement_create", args=[cast.project.pk]),
        {
            "stakeholder": "Bed management team",
            "unit": unit.pk,
            "level": "involve",
            "engaged_on": "2027-03-08",
            "note": "Walked the 7 a.m. bed meeting with us.",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#stakeholders")
    engagement = cast.project.engagements.get()
    assert (engagement.unit, engagement.level, engagement.recorded_by) == (
        unit,
        "involve",
        cast.participant,
    )
    assert engagement.engaged_on == datetime.date(2027, 3, 8)


def test_htmx_log_returns_the_section_with_the_entry_and_the_updated_reach(cast: Cast) -> None:
    response = cast.client_for("teammate").post(
        reverse("projects:engagement_create", args=[cast.project.pk]),
        {"stakeholder": "Chief Financial Officer", "level": "consult", "engaged_on": "2026-10-01"},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="stakeholders"')
    assert "Chief Financial Officer" in html
    assert "Engagement with Chief Financial Officer logged." in html
    assert "<dt>Consult</dt><dd>1</dd>" in html


def test_reach_counts_distinct_units_and_each_level(cast: Cast) -> None:
    org = cast.program.organization
    finance, nursing, pharmacy = (
        f.UnitFactory(organization=org, name=name) for name in ("Finance", "Nursing", "Pharmacy")
    )
    for stakeholder, unit, level in (
        ("CFO", finance, EngagementLevel.CONSULT),
        ("CFO", finance, EngagementLevel.ENLIST),
        ("Nurse managers", nursing, EngagementLevel.INVOLVE),
        ("Pharmacy director", pharmacy, EngagementLevel.INFORM),
        ("Patient council", None, EngagementLevel.INFORM),
    ):
        StakeholderEngagement.objects.create(
            project=cast.project,
            stakeholder=stakeholder,
            unit=unit,
            level=level,
            engaged_on=datetime.date(2026, 10, 1),
        )
    StakeholderEngagement.objects.create(
        project=cast.other_project,
        stakeholder="Elsewhere",
        unit=f.UnitFactory(organization=org, name="Surgery"),
        level=EngagementLevel.ENLIST,
        engaged_on=datetime.date(2026, 10, 1),
    )
    section = stakeholder_section(get_project_for_user(cast.sponsor, cast.project.pk))
    assert section["reach"] == Reach(
        engagement_count=5,
        stakeholder_count=4,
        unit_names=["Finance", "Nursing", "Pharmacy"],
        by_level=[("Inform", 2), ("Consult", 1), ("Involve", 1), ("Enlist", 1)],
    )
    html = (
        cast.client_for("sponsor")
        .get(reverse("projects:stakeholders", args=[cast.project.pk]))
        .content.decode()
    )
    assert "<dt>Units reached</dt><dd>3</dd>" in html
    assert "Units: Finance, Nursing, Pharmacy" in html
    assert "Surgery" not in html
    assert "Log an engagement" not in html  # the sponsor reads


def test_empty_log_says_what_to_do_next(cast: Cast) -> None:
    html = (
        cast.client_for("participant")
        .get(reverse("projects:stakeholders", args=[cast.project.pk]))
        .content.decode()
    )
    assert "No engagements logged yet. Log each conversation below" in html


def good_data(cast: Cast) -> dict[str, object]:
    return {
        "stakeholder": "Director of Patient Access",
        "level": "consult",
        "engaged_on": "2026-10-01",
    }


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"stakeholder": ""}, "Say whom the team engaged."),
        ({"level": "persuade"}, "Choose inform, consult, involve or enlist."),
        ({"level": ""}, "Choose how far the stakeholder was engaged."),
        ({"engaged_on": "1 Oct"}, "Enter the date as a date"),
        ({"engaged_on": ""}, "Give the date of the engagement."),
        ({"engaged_on": "2027-03-11"}, "Log an engagement once it has happened."),
        ({"unit": "other-org"}, "Choose one of the organisation&#x27;s units."),
        ({"unit": "999999"}, "Choose one of the organisation&#x27;s units."),
    ],
)
def test_bad_input_gets_a_form_error_and_logs_nothing(
    cast: Cast, change: dict[str, str], error: str
) -> None:
    data = good_data(cast) | change
    if data.get("unit") == "other-org":
        data["unit"] = f.UnitFactory(organization=f.OrganizationFactory(name="Elsewhere")).pk
    for extra in ({}, HTMX):
        response = cast.client_for("participant").post(
            reverse("projects:engagement_create", args=[cast.project.pk]), data, **extra
        )
        assert response.status_code == 400
        assert error in response.content.decode()
    assert not StakeholderEngagement.objects.exists()
