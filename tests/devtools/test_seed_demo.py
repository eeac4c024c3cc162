"""`manage.py seed_demo` loads a believable program, once."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboards.analytics import program_analytics
from dashboards.models import ShowcaseItem
from devtools.demo.program import PROGRAM
from programs.models import Discipline, Membership, Program, Role, Unit, User
from projects.models import Project
from reflections.models import CheckIn, Reflection
from reflections.weeks import LocalWeek
from teams.composition import MemberFacts, measure
from teams.models import Team
from tests import factories as f


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db: None) -> str:
    return seed()


def test_demo_holds_a_health_system_program_with_four_cross_boundary_teams(seeded: str) -> None:
    program = Program.objects.get()
    assert Unit.objects.filter(organization=program.organization).count() >= 6
    assert (program.ends_on - program.starts_on).days >= 270  # about nine months
    assert program.cohorts.count() == 1
    participants = Membership.objects.filter(program=program, role=Role.PARTICIPANT)
    assert participants.count() >= 24
    disciplines = set(participants.values_list("user__profiles__discipline", flat=True))
    assert {Discipline.PHYSICIAN, Discipline.NURSE, Discipline.ADMINISTRATOR} <= disciplines
    assert Membership.objects.filter(program=program, role=Role.PROGRAM_ADMIN).count() == 1
    teams = Team.objects.filter(cohort__program=program)
    assert teams.count() == 4
    for team in teams:
        assert team.coach is not None and team.sponsor is not None
        assert Project.objects.filter(team=team).exists()
        members = [
            MemberFacts(
                user_id=m.user_id,
                name=str(m.user),
                unit=m.user.profiles.get().unit.name,
                discipline=m.user.profiles.get().discipline,
                reports_to_id=m.user.profiles.get().reports_to_id,
            )
            for m in team.members.select_related("user")
        ]
        mix = measure(members, min_size=4, max_size=8)
        assert mix.distinct_units >= 4, team.name
        assert mix.distinct_disciplines >= 2, team.name
        assert mix.largest_unit_share <= 0.5, team.name


def test_seeding_twice_changes_nothing(seeded: str) -> None:
    counts = (
        User.objects.count(),
        Membership.objects.count(),
        Team.objects.count(),
        Project.objects.count(),
        Unit.objects.count(),
    )
    seed()
    assert counts == (
        User.objects.count(),
        Membership.objects.count(),
        Team.objects.count(),
        Project.objects.count(),
        Unit.objects.count(),
    )


def printed_logins(output: str) -> list[str]:
    return [line.split()[-1] for line in output.splitlines() if "@" in line]


DEMO_LOGINS = [
    "dana.whitfield@riverside-health.example",
    "marcus.oyelaran@riverside-health.example",
    "evelyn.castellanos@riverside-health.example",
    "aisha.mensah@riverside-health.example",
    "renee.castillo@riverside-health.example",
]


def test_if_empty_loads_the_demo_into_an_empty_database_and_prints_the_logins(
    db: None,
) -> None:
    output = seed("--if-empty")
    assert Program.objects.filter(name=PROGRAM).exists()
    assert printed_logins(output) == DEMO_LOGINS


def test_if_empty_leaves_a_database_with_programs_of_its_own_alone(db: None) -> None:
    own = f.ProgramFactory(name="Our own academy")
    f.MembershipFactory(program=own, role=Role.PROGRAM_ADMIN)
    output = seed("--if-empty")
    assert "not loaded" in output
    assert printed_logins(output) == []
    assert list(Program.objects.all()) == [own]


def test_if_empty_on_an_up_to_date_demo_changes_nothing_and_prints_the_logins(
    seeded: str,
) -> None:
    counts = (User.objects.count(), CheckIn.objects.count(), Reflection.objects.count())
    output = seed("--if-empty")
    assert "up to date" in output
    assert printed_logins(output) == DEMO_LOGINS
    assert (User.objects.count(), CheckIn.objects.count(), Reflection.objects.count()) == counts


def test_if_empty_brings_a_demo_loaded_weeks_ago_up_to_today(db: None) -> None:
    with time_machine.travel(timezone.now() - datetime.timedelta(weeks=8)):
        seed()
    output = seed("--if-empty")
    assert printed_logins(output) == DEMO_LOGINS
    last_week = LocalWeek.containing(timezone.localdate()).previous()
    assert (
        CheckIn.objects.filter(iso_year=last_week.iso_year, iso_week=last_week.iso_week).count()
        >= 12
    )


def test_if_empty_fills_a_demo_database_from_before_check_ins_existed(seeded: str) -> None:
    # What a stale database file gave a fresh clone: the demo's program and people, and
    # no check-ins, reflections or pulses.
    CheckIn.objects.all().delete()
    output = seed("--if-empty")
    assert "is ready" in output
    assert CheckIn.objects.count() >= 100


def test_the_coach_grid_shows_weeks_of_check_ins_up_to_this_week(seeded: str) -> None:
    program = Program.objects.get(name=PROGRAM)
    client = Client()
    client.force_login(User.objects.get(email=DEMO_LOGINS[1]))
    html = client.get(reverse("dashboards:coach_dashboard", args=[program.pk])).content.decode()
    done, missed = html.count("dash-cell dash-done"), html.count("dash-cell dash-missed")
    assert done >= 40  # six members, about three weeks in four checked in
    assert missed < done / 2


def test_analytics_count_check_ins_in_each_recent_week(seeded: str) -> None:
    program = Program.objects.get(name=PROGRAM)
    analytics = program_analytics(program=program, today=timezone.localdate())
    recent = analytics.weekly[-8:]
    assert len(recent) == 8
    assert all(tally.done > 0 for tally in recent), [(t.label, t.done) for t in recent]


def test_printed_logins_work_for_every_role(seeded: str) -> None:
    lines = [line.split() for line in seeded.splitlines() if "@" in line]
    assert len(lines) == 5
    password = seeded.split("password “")[1].split("”")[0]
    for *_, email in lines:
        client = Client()
        response = client.post(reverse("account_login"), {"login": email, "password": password})
        assert response.status_code == 302, email
        assert client.get(reverse("home")).status_code == 200


def test_demo_shows_program_administration_at_work(seeded: str) -> None:
    from programs.models import Invitation, Milestone

    program = Program.objects.get()
    kinds = set(Milestone.objects.filter(program=program).values_list("kind", flat=True))
    assert {"kickoff", "charter_due", "midpoint_review", "showcase", "transition"} <= kinds
    assert len(program.competency_list()) >= 4
    assert Invitation.objects.filter(program=program).count() == 2
    unassigned = Membership.objects.filter(program=program, role=Role.PARTICIPANT).exclude(
        user__team_memberships__cohort__program=program
    )
    assert unassigned.count() == 3  # the team builder has someone to propose a team for


def test_demo_has_an_organisation_admin_who_can_start_a_program(seeded: str) -> None:
    program = Program.objects.get()
    client = Client()
    client.force_login(User.objects.get(email="renee.castillo@riverside-health.example"))
    home = client.get(reverse("home")).content.decode()
    assert reverse("programs:organization", args=[program.organization_id]) in home
    assert client.get(reverse("programs:create")).status_code == 200


def test_demo_teams_name_their_projects_and_pass_the_gate_through_the_app(seeded: str) -> None:
    from projects.models import CharterChange, Phase, PhaseEvent

    projects = Project.objects.filter(team__cohort__program__name=PROGRAM)
    assert projects.count() == 4
    for project in projects:
        assert not project.title.startswith("Project of ")
        assert CharterChange.objects.filter(project=project, section="title").exists()
    carried = projects.get(phase=Phase.CARRYING_OUT)
    assert PhaseEvent.objects.filter(
        project=carried, kind=PhaseEvent.Kind.CHARTER_APPROVED, by=carried.team.sponsor
    ).exists()
    assert len({p.project_type for p in projects}) == 4


def test_demo_shows_an_approved_amendment_and_one_waiting_for_the_sponsor(seeded: str) -> None:
    from projects.models import CharterAmendment, CharterChange

    carried = Project.objects.get(team__cohort__program__name=PROGRAM, phase="carrying_out")
    assert sorted(carried.amendments.values_list("status", flat=True)) == [
        CharterAmendment.Status.APPROVED,
        CharterAmendment.Status.PROPOSED,
    ]
    assert "discharge lounge" in carried.scope
    assert CharterChange.objects.filter(project=carried, amendment__isnull=False).exists()
    sponsor = Client()
    sponsor.force_login(carried.team.sponsor)
    history = sponsor.get(reverse("projects:charter_history", args=[carried.pk]))
    assert "<ins>" in history.content.decode()
    page = sponsor.get(reverse("projects:detail", args=[carried.pk])).content.decode()
    assert "Approve the amendment" in page


def test_every_demo_login_has_unread_notifications_and_loading_leaves_no_email_to_send(
    seeded: str,
) -> None:
    from notifications.models import EmailDelivery, Notification

    demo = Notification.objects.filter(dedupe_key__startswith="demo-")
    assert demo.exists()
    assert not EmailDelivery.objects.filter(notification__in=demo, status="queued").exists()
    assert not demo.filter(email="daily", digest__isnull=True).exists()
    for line in seeded.splitlines():
        if "@" not in line:
            continue
        client = Client()
        client.force_login(User.objects.get(email=line.split()[-1]))
        unread = client.get(reverse("notifications:unread")).content.decode()
        assert 'class="badge"' in unread, line
    before = Notification.objects.count()
    seed()
    assert Notification.objects.count() == before


def test_loading_the_demo_emails_nobody_and_notifies_only_with_the_demos_own_notices(
    db: None, mailoutbox: list[Any], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    from notifications.models import Notification

    # What waits for the commit runs: the services the demo is built with announce
    # nothing that tells anyone (memberships, coaches and sponsors, pulses, shares).
    with django_capture_on_commit_callbacks(execute=True):
        seed()

    assert mailoutbox == []
    keys = set(Notification.objects.values_list("dedupe_key", flat=True))
    assert keys and all(key.startswith("demo-") for key in keys)


def test_demo_holds_a_project_published_to_its_cohorts_showcase(seeded: str) -> None:
    item = ShowcaseItem.objects.get()
    participant = User.objects.get(email=item.published_by.email)
    client = Client()
    client.force_login(participant)
    cohort_id = Project.objects.get(pk=item.project_id).team.cohort_id
    page = client.get(reverse("dashboards:showcase", args=[cohort_id])).content.decode()
    assert item.title in page


def test_demo_participants_have_their_check_in_invitation_sent(seeded: str) -> None:
    from notifications.models import CalendarInvitation, MilestoneInvitationRequest

    program = Program.objects.get(name=PROGRAM)
    participants = Membership.objects.filter(
        program=program, role=Role.PARTICIPANT, is_active=True
    ).values_list("user_id", flat=True)
    invited = CalendarInvitation.objects.filter(
        program=program, kind="checkin", cancelled=False, deliveries__status="sent"
    )
    assert set(invited.values_list("user_id", flat=True)) == set(participants)
    [asked] = MilestoneInvitationRequest.objects.filter(program=program)
    milestones = CalendarInvitation.objects.filter(user=asked.user, kind="milestone")
    assert milestones.count() == program.milestones.count() > 0
    # The program page tells her so, instead of offering the button.
    client = Client()
    client.force_login(asked.user)
    page = client.get(reverse("dashboards:program", args=[program.pk])).content.decode()
    assert "You get the milestones as calendar invitations" in page
    before = CalendarInvitation.objects.count()
    seed()
    assert CalendarInvitation.objects.count() == before
