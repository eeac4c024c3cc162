"""Generates the scale dataset and writes it (see the package's docstring)."""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from coaching.models import CoachNote, PulseResponse, PulseSurvey
from devtools.demo.program import MILESTONES, UNITS
from devtools.demo.reflections import PROMPTS
from devtools.scale.bulk import RowWriter
from devtools.scale.data import (
    BENCH_PASSWORD,
    DISCIPLINES,
    DOMAIN,
    FIRST_NAMES,
    JOB_TITLES,
    LAST_NAMES,
    MORE_UNITS,
    ORGANIZATION,
    PROGRAM,
    TAGS,
    TEAM_WORDS,
    TIME_ZONES,
)
from devtools.scale.work import seed_projects
from devtools.scale.writing import seed_checkins_and_plans, seed_reflections, seed_team_life
from programs.models import (
    Cohort,
    Discipline,
    Membership,
    Milestone,
    Organization,
    Profile,
    Program,
    Role,
    Unit,
    User,
)
from projects.models import (
    Action,
    CriterionAssessment,
    DoorRequest,
    PhaseEvent,
    Project,
    SponsorComment,
    StakeholderEngagement,
    StatusUpdate,
    TransitionPlan,
)
from reflections.models import (
    Audience,
    CheckIn,
    Plan,
    Prompt,
    ReadReceipt,
    Reflection,
    Tag,
    TeamReflection,
    TeamReflectionEdit,
)
from teams.models import Team, TeamMember

# Every table the seeder writes in bulk (devtools.scale.bulk.RowWriter).
BULK_TABLES = [
    User,
    EmailAddress,
    Profile,
    Membership,
    Team,
    TeamMember,
    Project,
    CriterionAssessment,
    PhaseEvent,
    TransitionPlan,
    Action,
    StakeholderEngagement,
    DoorRequest,
    StatusUpdate,
    SponsorComment,
    Plan,
    CheckIn,
    Reflection,
    Reflection.tags.through,
    ReadReceipt,
    Audience,
    PulseSurvey,
    PulseResponse,
    CoachNote,
    TeamReflection,
    TeamReflectionEdit,
]


@dataclass(frozen=True)
class ScaleSpec:
    """How big: the defaults are the performance issue's dataset."""

    participants: int = 5000
    teams: int = 700
    weeks: int = 52
    cohorts: int = 4
    teams_per_coach: int = 3
    teams_per_sponsor: int = 2
    seed: int = 2026
    password: str = BENCH_PASSWORD

    def problems(self) -> list[str]:
        found = []
        if self.teams < 1 or self.participants < self.teams:
            found.append("Give at least one team and at least one participant per team.")
        if not 1 <= self.cohorts <= self.teams:
            found.append("Give between one cohort and one cohort per team.")
        if self.weeks < 1:
            found.append("Give at least one week of history.")
        if self.teams_per_coach < 1 or self.teams_per_sponsor < 1:
            found.append("A coach and a sponsor each guide at least one team.")
        return found

    @property
    def coaches(self) -> int:
        return -(-self.teams // self.teams_per_coach)

    @property
    def sponsors(self) -> int:
        return -(-self.teams // self.teams_per_sponsor)


@dataclass
class ScaleResult:
    program_id: int
    logins: list[tuple[str, str]]
    counts: dict[str, int]
    seconds: float
    stages: list[tuple[str, float]] = field(default_factory=list)


def participant_email(number: int) -> str:
    return f"participant{number:05d}@{DOMAIN}"


def coach_email(number: int) -> str:
    return f"coach{number:04d}@{DOMAIN}"


def sponsor_email(number: int) -> str:
    return f"sponsor{number:04d}@{DOMAIN}"


ADMIN_EMAIL = f"admin@{DOMAIN}"


def bench_logins() -> list[tuple[str, str]]:
    """The accounts the HTTP benchmark signs in as: participant 1 is on team 1, which
    coach 1 and sponsor 1 guide, so the four see the same corner of the program."""
    return [
        ("program admin", ADMIN_EMAIL),
        ("learning coach", coach_email(1)),
        ("executive sponsor", sponsor_email(1)),
        ("participant", participant_email(1)),
    ]


def weighted(rng: random.Random, choices: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


@dataclass
class Person:
    user_id: int
    first: str
    last: str
    email: str
    unit_id: int
    discipline: str
    time_zone: str


@dataclass
class TeamPlan:
    index: int
    team_id: int
    project_id: int
    cohort_id: int
    coach_id: int
    sponsor_id: int
    members: list[Person] = field(default_factory=list)


class Seeder:
    """Generates and writes the dataset; `run()` does it all in one transaction."""

    def __init__(
        self,
        spec: ScaleSpec,
        *,
        now: datetime.datetime,
        log: Callable[[str], None],
    ) -> None:
        self.spec = spec
        self.now = now
        self.today = now.date()
        self.log = log
        self.rng = random.Random(spec.seed)  # noqa: S311  (repeatable test data, no secrets)
        self.writer = RowWriter(connection)
        this_monday = self.today - datetime.timedelta(days=self.today.weekday())
        self.starts_on = this_monday - datetime.timedelta(weeks=spec.weeks)
        # Still running: a few weeks are left, so this week's check-in can be written.
        self.ends_on = this_monday + datetime.timedelta(weeks=4, days=4)
        self.stages: list[tuple[str, float]] = []
        # How steadily each participant writes, from 0 to 1 (set with their plans).
        self.diligence: dict[int, float] = {}

    # -- helpers ---------------------------------------------------------------------

    def at(self, day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
        moment = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=datetime.UTC)
        return min(moment, self.now)

    def week_start(self, week: int) -> datetime.date:
        return self.starts_on + datetime.timedelta(weeks=week)

    def stage(self, name: str, started: float) -> None:
        took = time.perf_counter() - started
        self.stages.append((name, took))
        self.log(f"  {name:<44} {took:6.1f} s")

    # -- the run ---------------------------------------------------------------------

    def run(self) -> int:
        with transaction.atomic():
            started = time.perf_counter()
            self.program = self.seed_program()
            self.password = make_password(self.spec.password)
            self.stage("organisation, program, cohorts (one hash)", started)
            with self.writer.foreign_keys_checked_once(BULK_TABLES):
                steps: list[tuple[str, Callable[[Seeder], None]]] = [
                    ("people, memberships and teams", Seeder.seed_people_and_teams),
                    ("projects and a year of their work", seed_projects),
                    ("plans and weekly check-ins", seed_checkins_and_plans),
                    ("reflections, tags and read receipts", seed_reflections),
                    ("pulses, coach notes, team reflections", seed_team_life),
                ]
                for name, step in steps:
                    started = time.perf_counter()
                    step(self)
                    self.stage(name, started)
                started = time.perf_counter()
            self.stage("foreign keys checked", started)
            started = time.perf_counter()
            self.writer.finish()
        self.stage("commit", started)
        started = time.perf_counter()
        self.writer.analyze()
        self.stage("planner statistics (ANALYZE)", started)
        return self.program.pk

    def seed_program(self) -> Program:
        organization = Organization.objects.create(name=ORGANIZATION)
        self.units = Unit.objects.bulk_create(
            Unit(organization=organization, name=name) for name in [*UNITS, *MORE_UNITS]
        )
        program = Program.objects.create(
            organization=organization,
            name=PROGRAM,
            description=(
                "A year in which leaders from across Northfield work in cross-boundary "
                "teams on strategic projects, guided by an executive sponsor and a learning "
                "coach, and learn by reflecting on that work."
            ),
            learning_goals=(
                "Lead change across organisational boundaries.\n"
                "Ask questions that open up a problem before solving it.\n"
                "Reflect on one's own leadership practice every week."
            ),
            competencies=(
                "Leading across boundaries\nAsking powerful questions\nEngaging stakeholders\n"
                "Reflective practice\nStrategic thinking"
            ),
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            checkin_weekday=Program.Weekday.FRIDAY,
            checkin_time=datetime.time(9, 0),
        )
        self.cohorts = Cohort.objects.bulk_create(
            Cohort(
                program=program,
                name=f"Cohort {number}",
                starts_on=self.starts_on,
                ends_on=self.ends_on,
            )
            for number in range(1, self.spec.cohorts + 1)
        )
        length = self.ends_on - self.starts_on
        Milestone.objects.bulk_create(
            Milestone(
                program=program,
                kind=kind,
                title=title,
                due_on=self.starts_on + length * (offset / datetime.timedelta(weeks=39)),
            )
            for kind, title, offset in MILESTONES
        )
        self.prompts = Prompt.objects.bulk_create(
            Prompt(program=program, text=text, week_number=week) for week, text in PROMPTS
        )
        existing = {tag.name: tag for tag in Tag.objects.filter(name__in=TAGS)}
        Tag.objects.bulk_create(Tag(name=name) for name in TAGS if name not in existing)
        self.tag_ids = list(Tag.objects.filter(name__in=TAGS).values_list("pk", flat=True))
        return program

    # -- people and teams --------------------------------------------------------------

    def new_person(self, user_id: int, email: str) -> Person:
        rng = self.rng
        discipline = weighted(rng, DISCIPLINES)
        return Person(
            user_id=user_id,
            first=rng.choice(FIRST_NAMES),
            last=rng.choice(LAST_NAMES),
            email=email,
            unit_id=rng.choice(self.units).pk,
            discipline=discipline,
            time_zone=weighted(rng, TIME_ZONES),
        )

    def seed_people_and_teams(self) -> None:
        spec, w = self.spec, self.writer
        total = 1 + spec.coaches + spec.sponsors + spec.participants
        first_id = w.reserve(User, total)
        ids = iter(range(first_id, first_id + total))
        self.admin = self.new_person(next(ids), ADMIN_EMAIL)
        self.admin.discipline = Discipline.ADMINISTRATOR
        coaches = [self.new_person(next(ids), coach_email(n + 1)) for n in range(spec.coaches)]
        sponsors = [self.new_person(next(ids), sponsor_email(n + 1)) for n in range(spec.sponsors)]
        participants = [
            self.new_person(next(ids), participant_email(n + 1)) for n in range(spec.participants)
        ]
        # The bench participant lives on the site's clock, like most of the organisation.
        participants[0].time_zone = "America/New_York"
        self.participants = participants
        everyone = [self.admin, *coaches, *sponsors, *participants]
        joined = self.at(self.starts_on - datetime.timedelta(days=21))

        w.write(
            User,
            (
                "id password is_superuser first_name last_name is_staff is_active date_joined "
                "email time_zone"
            ),
            (
                (
                    p.user_id,
                    self.password,
                    False,
                    p.first,
                    p.last,
                    False,
                    True,
                    joined,
                    p.email,
                    p.time_zone,
                )
                for p in everyone
            ),
        )
        w.write(
            EmailAddress,
            "user email verified primary",
            ((p.user_id, p.email, True, True) for p in everyone),
        )
        organization_id = self.program.organization_id
        w.write(
            Profile,
            "user organization unit discipline job_title",
            (
                (
                    p.user_id,
                    organization_id,
                    p.unit_id,
                    p.discipline,
                    JOB_TITLES[p.discipline][p.user_id % len(JOB_TITLES[p.discipline])],
                )
                for p in everyone
            ),
        )

        team_first = w.reserve(Team, spec.teams)
        project_first = w.reserve(Project, spec.teams)
        self.teams = [
            TeamPlan(
                index=index,
                team_id=team_first + index,
                project_id=project_first + index,
                cohort_id=self.cohorts[index * spec.cohorts // spec.teams].pk,
                coach_id=coaches[index // spec.teams_per_coach].user_id,
                sponsor_id=sponsors[index // spec.teams_per_sponsor].user_id,
            )
            for index in range(spec.teams)
        ]
        # Dealt round the teams: each gets people from many units and disciplines.
        for number, person in enumerate(participants):
            self.teams[number % spec.teams].members.append(person)
        self.team_of = {p.user_id: team for team in self.teams for p in team.members}

        program_id = self.program.pk
        memberships: list[tuple[Any, ...]] = [
            (self.admin.user_id, program_id, None, Role.PROGRAM_ADMIN, True, joined)
        ]
        memberships += [(c.user_id, program_id, None, Role.COACH, True, joined) for c in coaches]
        memberships += [
            (s.user_id, program_id, None, Role.SPONSOR, True, joined) for s in sponsors
        ]
        memberships += [
            (
                p.user_id,
                program_id,
                self.team_of[p.user_id].cohort_id,
                Role.PARTICIPANT,
                True,
                joined,
            )
            for p in participants
        ]
        w.write(
            Membership,
            "user program cohort role is_active created_at",
            memberships,
        )
        w.write(
            Team,
            "id cohort name coach sponsor created_at",
            (
                (
                    t.team_id,
                    t.cohort_id,
                    self.team_name(t.index),
                    t.coach_id,
                    t.sponsor_id,
                    joined,
                )
                for t in self.teams
            ),
        )
        w.write(
            TeamMember,
            "team cohort user joined_at",
            ((t.team_id, t.cohort_id, p.user_id, joined) for t in self.teams for p in t.members),
        )

    @staticmethod
    def team_name(index: int) -> str:
        first = TEAM_WORDS[index % len(TEAM_WORDS)]
        second = TEAM_WORDS[(index // len(TEAM_WORDS) + 1 + index) % len(TEAM_WORDS)]
        return f"{first} {second} {index + 1}"


def seed_scale(
    spec: ScaleSpec,
    *,
    now: datetime.datetime,
    log: Callable[[str], None] = lambda line: None,
) -> ScaleResult:
    """Seed the dataset described by `spec` as of `now`, in one transaction."""
    started = time.perf_counter()
    seeder = Seeder(spec, now=now, log=log)
    program_id = seeder.run()
    return ScaleResult(
        program_id=program_id,
        logins=bench_logins(),
        counts=dict(seeder.writer.counts),
        seconds=time.perf_counter() - started,
        stages=seeder.stages,
    )


def print_counts(counts: dict[str, int], out: TextIO) -> None:
    for label, count in sorted(counts.items(), key=lambda item: -item[1]):
        out.write(f"  {label:<34} {count:>9,}\n")
