"""`manage.py seed_scale` writes a consistent program at scale, here at a small one.

The same code runs on both databases: COPY on PostgreSQL (CI), batched INSERTs on SQLite.
"""

from __future__ import annotations

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coaching.models import PulseResponse
from devtools.scale import BENCH_PASSWORD, PROGRAM, bench_logins
from devtools.scale.bulk import RowWriter
from programs.models import Membership, Profile, Program, Role, User, zone_or_site
from projects.models import Phase, PhaseEvent, Project
from reflections.models import CheckIn, Reflection
from reflections.weeks import LocalWeek
from teams.models import Team, TeamMember

SMALL = ["--participants", "45", "--teams", "6", "--weeks", "10", "--cohorts", "2"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_scale", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db: None) -> str:
    output = seed(*SMALL)
    # Deferred foreign keys are checked now, not at a commit the test never reaches.
    connection.check_constraints()
    return output


def test_prints_the_time_it_took_and_the_bench_logins(seeded: str) -> None:
    assert "Seeded the scale dataset in" in seeded
    assert BENCH_PASSWORD in seeded
    for _, email in bench_logins():
        assert email in seeded


def test_people_teams_and_cohorts_fit_together(seeded: str) -> None:
    program = Program.objects.get(name=PROGRAM)
    roles = Counter(
        Membership.objects.filter(program=program, is_active=True).values_list("role", flat=True)
    )
    assert roles == {Role.PARTICIPANT: 45, Role.COACH: 2, Role.SPONSOR: 3, Role.PROGRAM_ADMIN: 1}
    teams = list(Team.objects.filter(cohort__program=program).select_related("project"))
    assert len(teams) == 6
    assert {team.cohort_id for team in teams} == set(program.cohorts.values_list("pk", flat=True))
    for team in teams:
        assert team.coach_id and team.sponsor_id and team.project
        members = list(TeamMember.objects.filter(team=team))
        assert 7 <= len(members) <= 8
        for member in members:
            assert member.cohort_id == team.cohort_id
            assert Membership.objects.filter(
                user_id=member.user_id, program=program, role=Role.PARTICIPANT, cohort=team.cohort
            ).exists()
    on_teams = TeamMember.objects.filter(team__cohort__program=program)
    assert on_teams.count() == on_teams.values("user").distinct().count() == 45


def test_check_ins_are_one_a_week_on_each_persons_clock(seeded: str) -> None:
    program = Program.objects.get(name=PROGRAM)
    now = timezone.now()
    team_of = dict(TeamMember.objects.values_list("user_id", "team_id"))
    checkins = list(CheckIn.objects.filter(program=program))
    assert len(checkins) > 45 * 10 * 0.4
    for checkin in checkins:
        week = LocalWeek(checkin.iso_year, checkin.iso_week)
        assert checkin.week_starts_on == week.starts_on
        assert week.ends_on >= program.starts_on
        assert week < LocalWeek.of(now, zone_or_site(checkin.time_zone))
        assert checkin.created_at <= now
        assert checkin.team_id == team_of[checkin.user_id]
    # The bench participant keeps checking in.
    participant = User.objects.get(email=bench_logins()[3][1])
    assert CheckIn.objects.filter(user=participant).count() >= 6


def test_writing_and_pulses_come_from_the_teams_own_people(seeded: str) -> None:
    team_of = dict(TeamMember.objects.values_list("user_id", "team_id"))
    reflections = list(Reflection.objects.all())
    assert reflections
    assert all(entry.team_id == team_of[entry.author_id] for entry in reflections)
    assert Reflection.tags.through.objects.exists()
    responses = PulseResponse.objects.select_related("survey")
    assert responses.exists()
    assert all(team_of[r.respondent_id] == r.survey.team_id for r in responses)


def test_shared_entries_reach_the_coach_they_were_shared_with(seeded: str) -> None:
    team = Team.objects.filter(coach__isnull=False).first()
    assert team is not None and team.coach is not None
    shared = Reflection.objects.live().filter(team=team).exclude(visibility="private").count()
    assert shared
    readable = Reflection.objects.shared_with(team.coach).filter(team=team).count()
    assert readable == shared


def test_phases_have_the_events_that_led_to_them(seeded: str) -> None:
    for project in Project.objects.select_related("team"):
        kinds = set(PhaseEvent.objects.filter(project=project).values_list("kind", flat=True))
        if project.phase != Phase.CRAFTING:
            assert PhaseEvent.Kind.CHARTER_APPROVED in kinds
            assert project.charter_submitted_at is None
        if project.phase in (Phase.TRANSITIONING, Phase.COMPLETED):
            assert PhaseEvent.Kind.TRANSITION_STARTED in kinds
        if project.phase == Phase.COMPLETED:
            assert project.transition_plan.accepted_at is not None
            assert PhaseEvent.Kind.PLAN_ACCEPTED in kinds
        assert project.phase_changed_at <= timezone.now()


def test_new_rows_after_seeding_get_fresh_ids(seeded: str) -> None:
    highest = User.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert highest is not None
    user = User.objects.create_user(email="after.seeding@example.org")
    assert user.pk > highest


def test_the_bench_accounts_sign_in_and_open_their_pages(seeded: str) -> None:
    program = Program.objects.get(name=PROGRAM)
    admin, coach, sponsor, participant = (email for _, email in bench_logins())
    project = Project.objects.get(team__members__user__email=participant)
    pages = {
        participant: [
            reverse("session_probe"),
            reverse("home"),
            reverse("reflections:checkin", args=[program.pk]),
            reverse("reflections:journal", args=[program.pk]),
            reverse("projects:detail", args=[project.pk]),
        ],
        coach: [reverse("dashboards:coach_dashboard", args=[program.pk])],
        admin: [reverse("dashboards:analytics", args=[program.pk])],
        sponsor: [reverse("projects:sponsor_dashboard")],
    }
    for email, paths in pages.items():
        client = Client()
        assert client.login(email=email, password=BENCH_PASSWORD), email
        for path in paths:
            assert client.get(path).status_code == 200, (email, path)


def test_seeding_again_does_nothing(seeded: str) -> None:
    users = User.objects.count()
    assert "already seeded" in seed(*SMALL)
    assert "already holds a program" in seed("--if-empty", *SMALL)
    assert User.objects.count() == users


def test_if_empty_leaves_another_program_alone(db: None) -> None:
    from tests import factories as f

    f.ProgramFactory(name="Someone else's program")
    assert "already holds a program" in seed("--if-empty", *SMALL)
    assert not Program.objects.filter(name=PROGRAM).exists()


def test_impossible_sizes_are_refused(db: None) -> None:
    with pytest.raises(CommandError, match="participant per team"):
        seed("--participants", "3", "--teams", "5")
    with pytest.raises(CommandError, match="week"):
        seed("--weeks", "0", "--participants", "10", "--teams", "2")
    assert not Program.objects.exists()


def test_program_is_still_running_with_a_years_history(db: None) -> None:
    seed("--participants", "8", "--teams", "1", "--cohorts", "1")
    program = Program.objects.get(name=PROGRAM)
    today = timezone.localdate()
    assert program.starts_on <= today - datetime.timedelta(weeks=52)
    assert program.ends_on > today


def test_bulk_rows_get_the_defaults_of_fields_left_out(db: None) -> None:
    from tests import factories as f

    program = f.ProgramFactory()
    user = f.UserFactory()
    now = timezone.now()
    writer = RowWriter(connection)
    written = writer.write(
        Membership, "user program role created_at", [(user.pk, program.pk, Role.COACH, now)]
    )
    assert written == 1
    membership = Membership.objects.get(user=user)
    assert membership.is_active is True
    assert membership.cohort is None


def test_bulk_rows_without_a_required_value_are_refused(db: None) -> None:
    with pytest.raises(ValueError, match="created_at"):
        RowWriter(connection).write(Team, "cohort name", [(1, "No date")])


def test_a_bulk_row_pointing_nowhere_is_refused(db: None) -> None:
    writer = RowWriter(connection)
    with pytest.raises(IntegrityError), transaction.atomic():
        with writer.foreign_keys_checked_once([Profile]):
            writer.write(
                Profile,
                "user organization discipline job_title",
                [(987_654, 987_654, "other", "")],
            )
        connection.check_constraints()
