"""Creating and editing a program, its cohorts and its schedule."""

from __future__ import annotations

import datetime

from django.urls import reverse

from dashboards.views import schedule_positions
from programs.models import Cohort, Milestone, Program, Role
from tests import factories as f
from tests.conftest import Cast

PROGRAM_FORM = {
    "name": "Emerging Leaders 2027",
    "description": "Six months for new managers.",
    "starts_on": "2027-01-11",
    "ends_on": "2027-07-02",
    "learning_goals": "Lead a team through change",
    "competencies": "Coaching\nDelegation",
    "checkin_weekday": "4",
    "checkin_time": "09:00",
    "team_min_size": "4",
    "team_max_size": "7",
}


def test_organisation_admin_creates_a_program_and_becomes_its_admin(cast: Cast) -> None:
    client = cast.client_for("org_admin")
    data = PROGRAM_FORM | {"organization": str(cast.program.organization_id)}
    response = client.post(reverse("programs:create"), data)
    program = Program.objects.get(name="Emerging Leaders 2027")
    assert response["Location"] == reverse("dashboards:program", args=[program.pk])
    assert program.competency_list() == ["Coaching", "Delegation"]
    assert program.memberships.get().user == cast.org_admin
    assert program.memberships.get().role == Role.PROGRAM_ADMIN


def test_people_who_administer_no_organisation_cannot_create_a_program(cast: Cast) -> None:
    # A program admin runs their program; starting another is the organisation's decision.
    response = cast.client_for("program_admin").get(reverse("programs:create"))
    assert response.status_code == 403
    assert b"Only an organisation&#x27;s admins can start a program" in response.content
    assert cast.client_for("coach").get(reverse("programs:create")).status_code == 403
    assert (
        cast.client_for("participant").post(reverse("programs:create"), PROGRAM_FORM).status_code
        == 403
    )
    assert not Program.objects.filter(name="Emerging Leaders 2027").exists()


def test_a_program_cannot_be_created_in_an_organisation_one_does_not_serve(cast: Cast) -> None:
    elsewhere = f.OrganizationFactory(name="Another Health System")
    data = PROGRAM_FORM | {"organization": str(elsewhere.pk)}
    response = cast.client_for("org_admin").post(reverse("programs:create"), data)
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    assert not Program.objects.filter(name="Emerging Leaders 2027").exists()


def test_program_dates_out_of_order_get_a_clear_error_and_change_nothing(cast: Cast) -> None:
    data = PROGRAM_FORM | {"starts_on": "2027-07-02", "ends_on": "2027-01-11"}
    response = cast.client_for("program_admin").post(
        reverse("programs:edit", args=[cast.program.pk]), data
    )
    assert response.status_code == 400
    assert b"The program must end on or after its first day." in response.content
    cast.program.refresh_from_db()
    assert cast.program.name == "System Leadership Academy"


def test_program_admin_edits_the_program(cast: Cast) -> None:
    response = cast.client_for("program_admin").post(
        reverse("programs:edit", args=[cast.program.pk]), PROGRAM_FORM
    )
    assert response.status_code == 302
    cast.program.refresh_from_db()
    assert cast.program.name == "Emerging Leaders 2027"
    assert cast.program.checkin_time == datetime.time(9, 0)
    assert cast.program.team_max_size == 7


def test_program_admin_adds_and_edits_a_cohort(cast: Cast) -> None:
    client = cast.client_for("program_admin")
    data = {"name": "Cohort 2", "starts_on": "2027-01-11", "ends_on": "2027-06-04"}
    client.post(reverse("programs:cohort_create", args=[cast.program.pk]), data)
    cohort = Cohort.objects.get(program=cast.program, name="Cohort 2")
    client.post(
        reverse("programs:cohort_edit", args=[cast.program.pk, cohort.pk]),
        data | {"name": "Spring cohort"},
    )
    cohort.refresh_from_db()
    assert cohort.name == "Spring cohort"


def test_a_second_cohort_with_the_same_name_is_refused(cast: Cast) -> None:
    data = {"name": "Cohort 1", "starts_on": "2027-01-11", "ends_on": "2027-06-04"}
    response = cast.client_for("program_admin").post(
        reverse("programs:cohort_create", args=[cast.program.pk]), data
    )
    assert response.status_code == 400
    assert b"already has a cohort with this name" in response.content
    assert cast.program.cohorts.count() == 1


def test_milestones_are_added_edited_and_deleted_after_confirmation(cast: Cast) -> None:
    client = cast.client_for("program_admin")
    schedule = reverse("programs:schedule", args=[cast.program.pk])
    client.post(schedule, {"kind": "kickoff", "title": "", "due_on": "2026-09-07"})
    client.post(schedule, {"kind": "custom", "title": "Site visit", "due_on": "2026-10-15"})
    kickoff = Milestone.objects.get(program=cast.program, kind="kickoff")
    assert kickoff.title == "Kickoff"
    page = client.get(schedule).content.decode()
    assert page.index("Kickoff") < page.index("Site visit")

    delete = reverse("programs:milestone_delete", args=[cast.program.pk, kickoff.pk])
    confirm = client.get(delete)
    assert b"Delete the milestone" in confirm.content
    assert Milestone.objects.filter(pk=kickoff.pk).exists()
    client.post(delete)
    assert not Milestone.objects.filter(pk=kickoff.pk).exists()


def test_a_milestone_without_a_date_is_refused_with_a_message(cast: Cast) -> None:
    response = cast.client_for("program_admin").post(
        reverse("programs:schedule", args=[cast.program.pk]),
        {"kind": "showcase", "title": "Showcase", "due_on": "next week"},
    )
    assert response.status_code == 400
    assert b"Enter a valid date." in response.content
    assert not Milestone.objects.exists()


def test_the_program_page_shows_the_latest_and_the_next_milestone(cast: Cast) -> None:
    Milestone.objects.create(
        program=cast.program, kind="kickoff", title="Kickoff", due_on=datetime.date(2026, 9, 7)
    )
    Milestone.objects.create(
        program=cast.program, kind="showcase", title="Showcase", due_on=datetime.date(2099, 5, 1)
    )
    html = (
        cast.client_for("participant")
        .get(reverse("dashboards:program", args=[cast.program.pk]))
        .content.decode()
    )
    assert "Kickoff" in html and "Latest" in html
    assert "Showcase" in html and "Next" in html


def test_schedule_positions_mark_past_current_next_and_later() -> None:
    program = Program(pk=1)
    days = [datetime.date(2027, 1, d) for d in (1, 5, 10, 20)]
    milestones = [Milestone(pk=i, program=program, due_on=d) for i, d in enumerate(days)]
    positions = [p for _, p in schedule_positions(milestones, datetime.date(2027, 1, 7))]
    assert positions == ["past", "current", "next", "later"]
    assert [p for _, p in schedule_positions(milestones, datetime.date(2026, 12, 1))] == [
        "next",
        "later",
        "later",
        "later",
    ]
