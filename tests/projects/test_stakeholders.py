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
from tests.test_access import MISSING, IdUrl, main_region

HTMX = {"HTTP_HX_REQUEST": "true"}
TODAY = datetime.datetime(2027, 3, 10, 12, 0, tzinfo=datetime.UTC)

ROWS: dict[str, IdUrl] = {
    "project_work:stakeholders": IdUrl(
        kwargs=lambda c: {"project_id": c.project.pk},
        allowed=("program_admin", "coach", "sponsor", "participant", "teammate"),
        forbidden=("other_participant", "former_participant"),
        missing={"project_id": MISSING},
    ),
    "project_work:engagement_create": IdUrl(
        kwargs=lambda c: {"project_id": c.project.pk},
        allowed=("participant", "teammate"),
        forbidden=("program_admin", "coach", "sponsor", "other_participant", "former_participant"),
        missing={"project_id": MISSING},
        method="post",
        data=lambda c: {
            "stakeholder": "Director of Patient Access",
            "level": "consult",
            "engaged_on": "2026-10-01",
        },
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


def test_logging_an_engagement_refuses_get(cast: Cast) -> None:
    url = reverse("project_work:engagement_create", args=[cast.project.pk])
    assert cast.client_for("participant").get(url).status_code == 405


@time_machine.travel(TODAY, tick=False)
def test_team_member_logs_an_engagement_with_a_unit(cast: Cast) -> None:
    unit = f.UnitFactory(organization=cast.program.organization, name="Bed Management")
    response = cast.client_for("participant").post(
        reverse("project_work:engagement_create", args=[cast.project.pk]),
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
        reverse("project_work:engagement_create", args=[cast.project.pk]),
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
        .get(reverse("project_work:stakeholders", args=[cast.project.pk]))
        .content.decode()
    )
    assert "<dt>Units reached</dt><dd>3</dd>" in html
    assert "Units: Finance, Nursing, Pharmacy" in html
    assert "Surgery" not in html
    assert "Log an engagement" not in html  # the sponsor reads


def test_empty_log_says_what_to_do_next(cast: Cast) -> None:
    html = (
        cast.client_for("participant")
        .get(reverse("project_work:stakeholders", args=[cast.project.pk]))
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
            reverse("project_work:engagement_create", args=[cast.project.pk]), data, **extra
        )
        assert response.status_code == 400
        assert error in response.content.decode()
    assert not StakeholderEngagement.objects.exists()
