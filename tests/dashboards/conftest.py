"""Shared helpers for the coach and program dashboards: bulk builders for check-ins and
whole programs (pulses: `tests.coaching.conftest.add_pulse`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coaching.models import PULSE_DIMENSIONS, PulseResponse, PulseSurvey
from programs.models import Discipline, Membership, Profile, Program, Role, Unit, User
from projects.models import Action, Project
from reflections.models import CheckIn, Reflection
from reflections.weeks import LocalWeek
from teams.models import Team, TeamMember
from tests import factories as f


def add_checkin(user: User, program: Program, week: LocalWeek, **extra: Any) -> CheckIn:
    moment = datetime.datetime.combine(week.starts_on, datetime.time(12), tzinfo=datetime.UTC)
    return CheckIn.objects.create(**checkin_fields(user, program, week, moment), **extra)


def checkin_fields(
    user: User, program: Program, week: LocalWeek, moment: datetime.datetime
) -> dict[str, Any]:
    return {
        "user": user,
        "program": program,
        "iso_year": week.iso_year,
        "iso_week": week.iso_week,
        "week_starts_on": week.starts_on,
        "time_zone": "America/New_York",
        "steps_taken": "Secret steps nobody else should read.",
        "next_focus": "Secret focus nobody else should read.",
        "created_at": moment,
        "updated_at": moment,
    }


def count_queries(user: User, url: str) -> int:
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@dataclass
class BigProgram:
    program: Program
    admin: User
    coach: User
    teams: list[Team]


def build_program(team_count: int, *, today: datetime.date) -> BigProgram:
    """A program whose one coach guides `team_count` teams of 5 members, each member with
    a year of weekly check-ins and a reflection a week, each team with a project, overdue
    actions and three pulses; rows are inserted in bulk."""
    program = f.ProgramFactory(starts_on=today - datetime.timedelta(days=400))
    cohort = f.CohortFactory(program=program)
    admin, coach = f.UserFactory(), f.UserFactory()
    f.MembershipFactory(user=admin, program=program, role=Role.PROGRAM_ADMIN)
    f.MembershipFactory(user=coach, program=program, role=Role.COACH)
    units = [
        Unit.objects.create(organization=program.organization, name=f"Unit {program.pk}-{n}")
        for n in range(3)
    ]
    teams = Team.objects.bulk_create(
        Team(cohort=cohort, name=f"Team {n:03d}", coach=coach) for n in range(team_count)
    )
    users = User.objects.bulk_create(
        User(email=f"p{program.pk}-{n}@example.org", first_name="Member", last_name=str(n))
        for n in range(team_count * 5)
    )
    Membership.objects.bulk_create(
        Membership(user=u, program=program, cohort=cohort, role=Role.PARTICIPANT) for u in users
    )
    disciplines = list(Discipline.values)
    Profile.objects.bulk_create(
        Profile(
            user=u,
            organization=program.organization,
            unit=units[n % 3],
            discipline=disciplines[n % len(disciplines)],
        )
        for n, u in enumerate(users)
    )
    TeamMember.objects.bulk_create(
        TeamMember(team=teams[n // 5], cohort=cohort, user=u) for n, u in enumerate(users)
    )
    projects = Project.objects.bulk_create(
        Project(team=team, title=f"Project {team.name}") for team in teams
    )
    Action.objects.bulk_create(
        Action(project=p, title="Overdue", due_on=today - datetime.timedelta(days=3))
        for p in projects
    )
    week = LocalWeek.containing(today)
    weeks = []
    for _ in range(52):
        weeks.append(week)
        week = week.previous()
    checkins = []
    reflections = []
    for u in users:
        for w in weeks[1:]:
            moment = datetime.datetime.combine(w.starts_on, datetime.time(12), tzinfo=datetime.UTC)
            checkins.append(CheckIn(**checkin_fields(u, program, w, moment)))
            if w.iso_week % 4 == 0:
                reflections.append(
                    Reflection(
                        author=u,
                        program=program,
                        title="Private",
                        body="Private body",
                        created_at=moment,
                        updated_at=moment,
                    )
                )
    CheckIn.objects.bulk_create(checkins, batch_size=2000)
    Reflection.objects.bulk_create(reflections, batch_size=2000)
    surveys = PulseSurvey.objects.bulk_create(
        PulseSurvey(
            team=team,
            meeting_on=today - datetime.timedelta(days=7 * n),
            created_at=timezone.now(),
        )
        for team in teams
        for n in range(1, 4)
    )
    members_by_team: dict[int, list[User]] = {}
    for n, u in enumerate(users):
        members_by_team.setdefault(teams[n // 5].pk, []).append(u)
    PulseResponse.objects.bulk_create(
        PulseResponse(
            survey=s,
            respondent=u,
            created_at=timezone.now(),
            **dict.fromkeys(PULSE_DIMENSIONS, 3),
        )
        for s in surveys
        for u in members_by_team[s.team_id][:3]
    )
    return BigProgram(program=program, admin=admin, coach=coach, teams=teams)
