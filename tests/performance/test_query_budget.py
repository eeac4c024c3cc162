"""Query budgets for the main pages.

Each page is opened on a small program (one team of four, one week of writing, one of each
kind of project work) and on one at least 50 times larger (50 teams of six, 50 weeks of
check-ins, reflections, reminders, pulses and coach notes, 50 of each kind of project work
per project). A page must run the same number of queries on both, counting the session
and user lookups of a signed-in request, and at most ten: the count follows the page's
code, never the size of the program.
Lists that grow with the program are paginated; the last tests check the coach
dashboard's pages.

Both programs are inserted in bulk once for the module, inside a transaction that is
rolled back at its end; each test runs in a savepoint within it.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coaching.models import PULSE_DIMENSIONS, CoachNote, PulseResponse, PulseSurvey
from notifications.kinds import Kind
from notifications.models import Notification, ReminderDelivery
from programs.models import (
    Cohort,
    Discipline,
    Invitation,
    Membership,
    Milestone,
    Organization,
    Profile,
    Program,
    Role,
    SelfAssessment,
    Unit,
    User,
)
from projects.models import (
    Action,
    CharterChange,
    Criterion,
    CriterionAssessment,
    DoorRequest,
    Phase,
    PhaseEvent,
    Project,
    SponsorComment,
    StakeholderEngagement,
    StatusUpdate,
)
from reflections.models import (
    CheckIn,
    CheckInVisibility,
    Plan,
    Prompt,
    ReadReceipt,
    Reflection,
    ReminderKind,
    Tag,
    TeamReflection,
    Visibility,
)
from reflections.weeks import LocalWeek
from teams.models import Team, TeamMember

BUDGET = 10
# Pages allowed more, and why.
PAGE_BUDGETS = {
    # One card per project: its measures, stakeholders (by level and unit), doors,
    # plan and results, and the shared learning themes, one query each whatever the
    # number of projects, on top of the analytics and the self-assessment stages.
    "outcome report": 16,
}
NOW = datetime.datetime(2027, 3, 17, 15, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()
ZONE = "America/New_York"


@dataclass(frozen=True)
class Size:
    teams: int
    members_per_team: int
    # Weeks of check-ins, reflections, reminders, pulses and coach notes.
    weeks: int
    # Actions, engagements, doors, updates and charter edits per project.
    per_project: int


SMALL = Size(teams=1, members_per_team=4, weeks=1, per_project=1)
LARGE = Size(teams=50, members_per_team=6, weeks=50, per_project=50)


@dataclass
class World:
    program: Program
    admin: User
    coach: User
    sponsor: User
    participant: User
    team: Team
    project: Project


def _moment(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def build_world(size: Size, name: str) -> World:
    """A program of `size`, inserted in bulk. One coach and one sponsor guide every team;
    the participant whose pages are opened is the first member of the first team."""
    now = NOW
    # The program started two weeks before its first week of writing.
    this_week = LocalWeek.containing(TODAY)
    weeks = [this_week]
    for _ in range(size.weeks):
        weeks.append(weeks[-1].previous())
    past_weeks = weeks[1:]
    starts_on = past_weeks[-1].starts_on - datetime.timedelta(days=14)

    organization = Organization.objects.create(name=f"Health system {name}")
    units = Unit.objects.bulk_create(
        Unit(organization=organization, name=f"Unit {n}") for n in range(6)
    )
    program = Program.objects.create(
        organization=organization,
        name=f"Academy {name}",
        starts_on=starts_on,
        ends_on=TODAY + datetime.timedelta(days=120),
        competencies="Listening\nDeciding\nCoaching",
        learning_goals="Lead across boundaries\nLearn from action",
    )
    cohort = Cohort.objects.create(
        program=program, name="Cohort 1", starts_on=starts_on, ends_on=program.ends_on
    )
    admin, coach, sponsor = User.objects.bulk_create(
        User(email=f"{role}@{name}.example.org", first_name=role.title(), last_name=name)
        for role in ("admin", "coach", "sponsor")
    )
    teams = Team.objects.bulk_create(
        Team(cohort=cohort, name=f"Team {n:03d}", coach=coach, sponsor=sponsor)
        for n in range(size.teams)
    )
    member_count = size.teams * size.members_per_team
    members = User.objects.bulk_create(
        User(email=f"m{n}@{name}.example.org", first_name="Member", last_name=f"{n:04d}")
        for n in range(member_count)
    )
    team_of = {m.pk: teams[n // size.members_per_team] for n, m in enumerate(members)}
    former = User.objects.create(email=f"former@{name}.example.org", first_name="Former")
    Membership.objects.bulk_create(
        [
            Membership(user=former, program=program, role=Role.COACH, is_active=False),
            Membership(user=admin, program=program, role=Role.PROGRAM_ADMIN),
            Membership(user=coach, program=program, role=Role.COACH),
            Membership(user=sponsor, program=program, role=Role.SPONSOR),
            *(
                Membership(user=m, program=program, cohort=cohort, role=Role.PARTICIPANT)
                for m in members
            ),
        ]
    )
    disciplines = list(Discipline.values)
    Profile.objects.bulk_create(
        Profile(
            user=m,
            organization=organization,
            unit=units[n % len(units)],
            discipline=disciplines[n % len(disciplines)],
            job_title="Nurse manager",
            # The second member of each team reports to the first.
            reports_to=members[n - 1] if n % size.members_per_team == 1 else None,
        )
        for n, m in enumerate(members)
    )
    TeamMember.objects.bulk_create(
        TeamMember(team=team_of[m.pk], cohort=cohort, user=m) for m in members
    )
    Milestone.objects.bulk_create(
        Milestone(program=program, kind=kind, title=label, due_on=starts_on + delta)
        for (kind, label), delta in zip(
            Milestone.Kind.choices,
            [datetime.timedelta(weeks=w) for w in (0, 4, 20, 30, 40, 45)],
            strict=True,
        )
    )
    prompts = Prompt.objects.bulk_create(
        Prompt(program=program, text=f"What did week {w} teach you?", week_number=w)
        for w in range(1, size.weeks + 3)
    )
    Invitation.objects.bulk_create(
        Invitation(
            program=program,
            cohort=cohort,
            email=f"invited{n}@{name}.example.org",
            role=Role.PARTICIPANT,
            nonce=uuid.uuid4().hex,
            invited_by=admin,
            sent_at=now,
            expires_at=now + datetime.timedelta(days=14 if n % 2 else -1),
        )
        for n in range(size.teams * 4)
    )

    # Projects and their work.
    phases = list(Phase.values)
    projects = Project.objects.bulk_create(
        Project(
            team=team,
            title=f"Project of {team.name}",
            problem_statement="Patients wait too long for a bed.",
            strategic_alignment="Flow is this year's first priority.",
            phase=Phase.CARRYING_OUT if n == 0 else phases[n % len(phases)],
            charter_submitted_at=now - datetime.timedelta(days=30),
        )
        for n, team in enumerate(teams)
    )
    Project.objects.filter(team__cohort=cohort).update(
        phase_changed_at=now - datetime.timedelta(weeks=6)
    )
    first_member = {p.pk: members[n * size.members_per_team] for n, p in enumerate(projects)}
    CriterionAssessment.objects.bulk_create(
        CriterionAssessment(
            project=p,
            criterion=c,
            rationale="Because it changes how beds are allocated.",
            review=CriterionAssessment.Review.PENDING if c % 2 else "confirmed",
        )
        for p in projects
        for c in Criterion.values
    )
    per = range(size.per_project)
    CharterChange.objects.bulk_create(
        CharterChange(
            project=p,
            section="problem_statement",
            old_text="Before",
            new_text="After",
            version=v + 2,
            changed_by=first_member[p.pk],
        )
        for p in projects
        for v in per
    )
    PhaseEvent.objects.bulk_create(
        PhaseEvent(
            project=p,
            kind=kind,
            from_phase=Phase.CRAFTING,
            to_phase=Phase.CARRYING_OUT,
            by=sponsor,
        )
        for p in projects
        for kind in (PhaseEvent.Kind.CHARTER_SUBMITTED, PhaseEvent.Kind.CHARTER_APPROVED)
    )
    statuses = list(Action.Status.values)
    Action.objects.bulk_create(
        Action(
            project=p,
            title=f"Action {n}",
            owner=first_member[p.pk],
            due_on=TODAY + datetime.timedelta(days=n - size.per_project // 2 - 1),
            status=statuses[n % len(statuses)],
        )
        for p in projects
        for n in per
    )
    levels = ["inform", "consult", "involve", "enlist"]
    StakeholderEngagement.objects.bulk_create(
        StakeholderEngagement(
            project=p,
            stakeholder=f"Stakeholder {n}",
            unit=units[n % len(units)],
            level=levels[n % len(levels)],
            engaged_on=TODAY - datetime.timedelta(days=n),
            note="Agreed to a pilot.",
            recorded_by=first_member[p.pk],
        )
        for p in projects
        for n in per
    )
    DoorRequest.objects.bulk_create(
        DoorRequest(
            project=p,
            kind=DoorRequest.Kind.INTRODUCTION,
            request=f"Introduce us to person {n}.",
            asked_by=first_member[p.pk],
            # Every other door is answered; the first one is open.
            answer="Done." if n % 2 else "",
            answered_by=sponsor if n % 2 else None,
            answered_at=now if n % 2 else None,
        )
        for p in projects
        for n in per
    )
    updates = StatusUpdate.objects.bulk_create(
        StatusUpdate(
            project=p,
            progress=f"Progress {n}",
            next_steps="More of it.",
            risks="Winter pressure.",
            author=first_member[p.pk],
        )
        for p in projects
        for n in per
    )
    SponsorComment.objects.bulk_create(
        SponsorComment(update=u, author=sponsor, body="Good work.") for u in updates
    )

    # Coach tools.
    CoachNote.objects.bulk_create(
        CoachNote(
            team=team,
            author=coach,
            held_on=w.starts_on,
            body="They listened better.",
            task_minutes=40,
            process_minutes=20,
            created_at=_moment(w.starts_on),
            updated_at=_moment(w.starts_on),
        )
        for team in teams
        for w in past_weeks
    )
    surveys = PulseSurvey.objects.bulk_create(
        PulseSurvey(team=team, meeting_on=w.starts_on, opened_by=coach, created_at=now)
        for team in teams
        for w in past_weeks
    )
    members_of: dict[int, list[User]] = {}
    for m in members:
        members_of.setdefault(team_of[m.pk].pk, []).append(m)
    PulseResponse.objects.bulk_create(
        (
            PulseResponse(
                survey=s,
                respondent=m,
                created_at=now,
                **{d: 1 + (n + i) % 5 for i, d in enumerate(PULSE_DIMENSIONS)},
            )
            for s in surveys
            # Three answers, the fewest whose averages are shown.
            for n, m in enumerate(members_of[s.team_id][:3])
        ),
        batch_size=2000,
    )
    SelfAssessment.objects.bulk_create(
        SelfAssessment(
            user=m,
            program=program,
            stage=stage,
            ratings={"Listening": 3, "Deciding": 4, "Coaching": 2},
            created_at=now,
            updated_at=now,
        )
        for m in members
        for stage in (SelfAssessment.Stage.BASELINE, SelfAssessment.Stage.MIDPOINT)
    )

    # Writing: a check-in and a reflection by every member every past week, reminders.
    visibilities = list(Visibility.values)
    checkin_visibilities = list(CheckInVisibility.values)
    checkins = []
    reflections = []
    deliveries = []
    reminder_statuses = list(ReminderDelivery.Status.values)
    for n, m in enumerate(members):
        team = team_of[m.pk]
        for i, w in enumerate(past_weeks):
            moment = _moment(w.starts_on)
            checkins.append(
                CheckIn(
                    user=m,
                    program=program,
                    team=team,
                    iso_year=w.iso_year,
                    iso_week=w.iso_week,
                    week_starts_on=w.starts_on,
                    time_zone=ZONE,
                    steps_taken="Asked an open question in every huddle.",
                    next_focus="Let the charge nurse run the bed meeting.",
                    progress=1 + (n + i) % 5,
                    visibility=checkin_visibilities[(n + i) % len(checkin_visibilities)],
                    created_at=moment,
                    updated_at=moment,
                )
            )
            reflections.append(
                Reflection(
                    author=m,
                    program=program,
                    team=team,
                    prompt=prompts[i],
                    title=f"Week {i}",
                    body="I listened **more** than I spoke.",
                    visibility=visibilities[(n + i) % len(visibilities)],
                    created_at=moment,
                    updated_at=moment,
                )
            )
            deliveries.append(
                ReminderDelivery(
                    user=m,
                    program=program,
                    kind=ReminderKind.CHECKIN,
                    iso_year=w.iso_year,
                    iso_week=w.iso_week,
                    time_zone=ZONE,
                    due_at=moment,
                    status=reminder_statuses[(n + i) % len(reminder_statuses)],
                    reason="SMTP timeout" if (n + i) % 4 == 2 else "",
                    attempts=1,
                    planned_by=uuid.uuid4(),
                    created_at=moment,
                    queued_at=moment,
                    sent_at=moment,
                )
            )
    CheckIn.objects.bulk_create(checkins, batch_size=2000)
    reflections = Reflection.objects.bulk_create(reflections, batch_size=2000)
    ReminderDelivery.objects.bulk_create(deliveries, batch_size=2000)
    tags = Tag.objects.bulk_create(
        Tag(name=f"{name}-{theme}") for theme in ("listening", "feedback", "influence")
    )
    Reflection.tags.through.objects.bulk_create(
        (
            Reflection.tags.through(reflection_id=r.pk, tag_id=tags[n % len(tags)].pk)
            for n, r in enumerate(reflections)
            if n % 3 == 0
        ),
        batch_size=2000,
    )
    ReadReceipt.objects.bulk_create(
        (
            ReadReceipt(reader=coach, reflection=r, read_at=now)
            for n, r in enumerate(reflections)
            if r.visibility != Visibility.PRIVATE and n % 3 == 0
        ),
        batch_size=2000,
    )
    TeamReflection.objects.bulk_create(
        TeamReflection(
            team=team,
            title=f"What week {i} taught us",
            body="Everyone agrees the problem is real.",
            share_with_sponsor=bool(i % 2),
            created_by=members_of[team.pk][0],
            created_at=_moment(w.starts_on),
            updated_by=members_of[team.pk][-1],
            updated_at=_moment(w.starts_on),
        )
        for team in teams
        for i, w in enumerate(past_weeks)
    )
    participant = members[0]
    Plan.objects.create(
        user=participant,
        program=program,
        aspect="How I listen in meetings I chair.",
        action="ask one open question before I give advice",
        partner_user=members[1],
        checkin_weekday=4,
        checkin_time=datetime.time(9, 0),
        created_at=now,
        updated_at=now,
    )
    # Three notifications a week, one of them read.
    Notification.objects.bulk_create(
        Notification(
            recipient=participant,
            program=program,
            kind=Kind.SPONSOR_COMMENT,
            subject=projects[0].title,
            link=f"/projects/{projects[0].pk}/",
            created_at=_moment(w.starts_on, 9 + n),
            read_at=_moment(w.starts_on, 18) if n == 0 else None,
        )
        for w in past_weeks
        for n in range(3)
    )
    return World(
        program=program,
        admin=admin,
        coach=coach,
        sponsor=sponsor,
        participant=participant,
        team=teams[0],
        project=projects[0],
    )


@pytest.fixture(scope="module")
def worlds(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, World]]:
    """Both programs, built once for the module and rolled back after it."""
    with (
        django_db_blocker.unblock(),
        time_machine.travel(NOW, tick=False),
        transaction.atomic(),
    ):
        yield {"small": build_world(SMALL, "small"), "large": build_world(LARGE, "large")}
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def count_queries(user: User, url: str) -> list[str]:
    """The queries of one GET of `url` by `user`, signed in."""
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return [q["sql"] for q in queries.captured_queries]


Page = tuple[str, str, Callable[[World], str]]

PAGES: list[Page] = [
    ("participant home", "participant", lambda w: reverse("home")),
    ("coach home", "coach", lambda w: reverse("home")),
    ("sponsor home", "sponsor", lambda w: reverse("home")),
    ("program admin home", "admin", lambda w: reverse("home")),
    ("this week's check-in", "participant", lambda w: _program_url("reflections:checkin", w)),
    ("check-in history", "participant", lambda w: _program_url("reflections:checkin_history", w)),
    ("journal", "participant", lambda w: _program_url("reflections:journal", w)),
    ("shared with me (coach)", "coach", lambda w: _program_url("reflections:shared", w)),
    ("be better now plan", "participant", lambda w: _program_url("reflections:plan", w)),
    ("project page", "participant", lambda w: _project_url("projects:detail", w)),
    ("project page (sponsor)", "sponsor", lambda w: _project_url("projects:detail", w)),
    ("project actions", "participant", lambda w: _project_url("projects:actions", w)),
    (
        "project stakeholders",
        "participant",
        lambda w: _project_url("projects:stakeholders", w),
    ),
    ("project doors", "sponsor", lambda w: _project_url("projects:doors", w)),
    ("project updates", "sponsor", lambda w: _project_url("projects:updates", w)),
    ("charter history", "participant", lambda w: _project_url("projects:charter_history", w)),
    ("team page", "participant", lambda w: _team_url("teams:detail", w)),
    ("team page (coach)", "coach", lambda w: _team_url("teams:detail", w)),
    ("team reflections", "participant", lambda w: _team_url("reflections:team_list", w)),
    ("coach notes", "coach", lambda w: _team_url("coaching:notes", w)),
    ("team pulse", "coach", lambda w: _team_url("coaching:pulse", w)),
    ("coach dashboard", "coach", lambda w: _program_url("dashboards:coach_dashboard", w)),
    ("program overview", "admin", lambda w: _program_url("dashboards:program", w)),
    (
        "program overview (participant)",
        "participant",
        lambda w: _program_url("dashboards:program", w),
    ),
    ("program analytics", "admin", lambda w: _program_url("dashboards:analytics", w)),
    ("outcome report", "admin", lambda w: _program_url("dashboards:report", w)),
    ("people page", "admin", lambda w: _program_url("teams:people", w)),
    ("reminder log", "admin", lambda w: _program_url("notifications:reminder_log", w)),
    ("sponsor dashboard", "sponsor", lambda w: reverse("projects:sponsor_dashboard")),
    ("notification centre", "participant", lambda w: reverse("notifications:centre")),
    ("unread notifications count", "participant", lambda w: reverse("notifications:unread")),
]


def _program_url(name: str, world: World) -> str:
    return reverse(name, args=[world.program.pk])


def _project_url(name: str, world: World) -> str:
    return reverse(name, args=[world.project.pk])


def _team_url(name: str, world: World) -> str:
    return reverse(name, args=[world.team.pk])


@pytest.mark.parametrize(("label", "who", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_page_runs_the_same_queries_on_a_50_times_larger_program_and_at_most_10(
    worlds: dict[str, World], db: None, label: str, who: str, url: Callable[[World], str]
) -> None:
    small, large = worlds["small"], worlds["large"]
    small_sql = count_queries(getattr(small, who), url(small))
    large_sql = count_queries(getattr(large, who), url(large))
    listing = "\n".join(f"  {n}. {sql[:300]}" for n, sql in enumerate(large_sql, 1))
    assert len(small_sql) == len(large_sql), (
        f"{label}: {len(small_sql)} queries on the small program, {len(large_sql)} on the "
        f"large one:\n{listing}"
    )
    budget = PAGE_BUDGETS.get(label, BUDGET)
    assert len(large_sql) <= budget, (
        f"{label}: {len(large_sql)} queries (budget {budget}):\n{listing}"
    )


def _hold_every_role(world: World) -> User:
    """The world's coach, made also the sponsor of every team, a program admin and a
    participant on the first team, with a check-in this week and a plan: one person whose
    home has every role's part."""
    person = world.coach
    cohort = world.team.cohort
    Team.objects.filter(cohort=cohort).update(sponsor=person)
    Membership.objects.bulk_create(
        Membership(user=person, program=world.program, role=role, cohort=cohort)
        for role in (Role.SPONSOR, Role.PROGRAM_ADMIN, Role.PARTICIPANT)
    )
    TeamMember.objects.create(team=world.team, cohort=cohort, user=person)
    week = LocalWeek.containing(TODAY)
    CheckIn.objects.create(
        user=person,
        program=world.program,
        team=world.team,
        iso_year=week.iso_year,
        iso_week=week.iso_week,
        week_starts_on=week.starts_on,
        time_zone=ZONE,
        steps_taken="Asked first.",
        next_focus="Listen longer.",
        created_at=NOW,
        updated_at=NOW,
    )
    Plan.objects.create(
        user=person,
        program=world.program,
        aspect="Listening.",
        action="ask before I advise",
        checkin_weekday=2,
        checkin_time=datetime.time(8, 0),
        created_at=NOW,
        updated_at=NOW,
    )
    return person


def test_the_home_of_a_person_holding_every_role_runs_at_most_10_queries_at_any_size(
    worlds: dict[str, World], db: None
) -> None:
    small, large = worlds["small"], worlds["large"]
    small_sql = count_queries(_hold_every_role(small), reverse("home"))
    large_sql = count_queries(_hold_every_role(large), reverse("home"))
    listing = "\n".join(f"  {n}. {sql[:300]}" for n, sql in enumerate(large_sql, 1))
    assert len(small_sql) == len(large_sql), listing
    assert len(large_sql) <= BUDGET, listing


def test_the_home_of_a_person_holding_every_role_shows_each_part_in_order(
    worlds: dict[str, World], db: None
) -> None:
    large = worlds["large"]
    client = Client()
    client.force_login(_hold_every_role(large))
    html = client.get(reverse("home")).content.decode()
    headings = ["My week", "My team", "Teams I coach", "Projects I sponsor", "Programs I run"]
    positions = [html.index(f">{heading}</h2>") for heading in headings]
    assert positions == sorted(positions)
    assert "Open this week’s check-in" in html
    assert "Team 049" in html


def _team_names(html: str) -> list[str]:
    return re.findall(r'<h2 id="team-\d+-heading">(Team \d{3})', html)


def test_the_coach_dashboard_shows_ten_teams_a_page(worlds: dict[str, World], db: None) -> None:
    large = worlds["large"]
    client = Client()
    client.force_login(large.coach)
    url = _program_url("dashboards:coach_dashboard", large)

    first = client.get(url).content.decode()
    assert _team_names(first) == [f"Team {n:03d}" for n in range(10)]
    assert "Teams 1–10 of 50, in name order." in first
    assert "Page 1 of 5" in first

    last = client.get(url, {"page": 5}).content.decode()
    assert _team_names(last) == [f"Team {n:03d}" for n in range(40, 50)]
    assert "Teams 41–50 of 50, in name order." in last


def test_a_coach_of_one_team_sees_no_pages(worlds: dict[str, World], db: None) -> None:
    small = worlds["small"]
    client = Client()
    client.force_login(small.coach)
    html = client.get(_program_url("dashboards:coach_dashboard", small)).content.decode()
    assert _team_names(html) == ["Team 000"]
    assert "Page 1 of" not in html
    assert "Teams 1–" not in html


def test_the_people_page_still_shows_each_persons_unit_discipline_and_team(
    worlds: dict[str, World], db: None
) -> None:
    # The page reads these in the same query as its members: they must still be right.
    small = worlds["small"]
    client = Client()
    client.force_login(small.admin)
    html = client.get(_program_url("teams:people", small)).content.decode()
    rows = {
        re.findall(r'<td data-label="Name">([^<]*)', row)[0]: row
        for row in html.split("<tr>")
        if '<td data-label="Name">' in row
    }
    member = rows["Member 0003"]
    assert '<span class="muted">Nurse manager</span>' in member
    assert '<td data-label="Unit">Unit 3</td>' in member
    assert '<td data-label="Discipline">Allied health</td>' in member
    team_link = f'<a href="{_team_url("teams:detail", small)}">Team 000</a>'
    assert team_link in member
    coach = rows["Coach small"]
    for cell in ("Unit", "Discipline", "Team"):
        assert f'<td data-label="{cell}">—</td>' in coach
