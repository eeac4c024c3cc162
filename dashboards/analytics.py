"""Program analytics for program admins: weekly participation (check-ins done and due,
reflections written — counts only, never content), overall and by unit, discipline and
team, and projects by phase.

No figure singles out a person (DESIGN.md, privacy rule 4): a group of fewer than
`MIN_GROUP` people shows "fewer than 5" instead of its numbers, in the page and in the
CSV files alike. Everything is counted in the database in a fixed number of queries,
and kept for a few minutes in the shared cache (`program_analytics`).
"""

from __future__ import annotations

import datetime
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce

from django.core.cache import cache
from django.db.models import Count, FilteredRelation, Q
from django.utils import timezone

from core.csv import csv_text
from programs.models import Discipline, Membership, Program, Role
from projects.models import Phase, Project
from reflections.models import CheckIn, Reflection
from reflections.weeks import LocalWeek
from teams.models import TeamMember

MIN_GROUP = 5
HIDDEN = f"fewer than {MIN_GROUP}"
ANALYTICS_WEEKS = 12
# Counted figures are kept this long in the shared cache, for the page and its CSV files
# alike: the weeks counted are completed weeks, so a few minutes' delay in showing a
# late check-in or a change of team is harmless, and the page says when it was counted.
CACHE_SECONDS = 300


@dataclass
class Person:
    user_id: int
    unit: str
    discipline: str
    team: str


@dataclass
class Tally:
    """Participation of a group of people over some weeks."""

    label: str
    people: set[int] = field(default_factory=set)
    done: int = 0
    due: int = 0
    reflections: int = 0

    @property
    def hidden(self) -> bool:
        return len(self.people) < MIN_GROUP

    @property
    def completion(self) -> int | None:
        return round(100 * self.done / self.due) if self.due else None


@dataclass(frozen=True)
class Table:
    """One table of the page, also offered as a CSV file named after `slug`."""

    slug: str
    title: str
    columns: list[str]
    rows: list[list[object]]


@dataclass
class Analytics:
    weeks: list[LocalWeek]
    weekly: list[Tally]
    tables: list[Table]
    counted_at: datetime.datetime = field(default_factory=timezone.now)

    def table(self, slug: str) -> Table | None:
        return next((table for table in self.tables if table.slug == slug), None)


def due_weeks(program: Program, today: datetime.date) -> list[LocalWeek]:
    """The last completed weeks (this week is still open) that fall within the program."""
    weeks: list[LocalWeek] = []
    week = LocalWeek.containing(today).previous()
    while len(weeks) < ANALYTICS_WEEKS and week.ends_on >= program.starts_on:
        if week.starts_on <= program.ends_on:
            weeks.append(week)
        week = week.previous()
    return weeks[::-1]


def load_people(program: Program) -> list[Person]:
    """The program's active participants with their unit and discipline in the program's
    organization and their team in the program, in two queries whatever their number."""
    rows = (
        Membership.objects.filter(program=program, role=Role.PARTICIPANT, is_active=True)
        .annotate(
            org_profile=FilteredRelation(
                "user__profiles",
                condition=Q(user__profiles__organization_id=program.organization_id),
            )
        )
        .order_by("pk")
        .values_list("user_id", "org_profile__unit__name", "org_profile__discipline")
    )
    teams: dict[int, str] = {}
    for user_id, team_name in (
        TeamMember.objects.filter(team__cohort__program=program)
        .order_by("pk")
        .values_list("user_id", "team__name")
    ):
        teams.setdefault(user_id, team_name)
    disciplines = dict(Discipline.choices)
    return [
        Person(
            user_id=user_id,
            unit=unit or "No unit recorded",
            discipline=disciplines.get(discipline or "", "No discipline recorded"),
            team=teams.get(user_id) or "Not on a team",
        )
        for user_id, unit, discipline in rows
    ]


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of `day` on the site's clock, the clock that `__date` lookups use."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def weekly_counts(
    rows: Iterable[tuple[int, ...]], ids: set[int], week_count: int
) -> tuple[dict[int, int], list[int]]:
    """Rows of (person, count in week 1, …, count in week n) as totals per person and per
    week, counting only the people in `ids`."""
    per_person: dict[int, int] = {}
    per_week = [0] * week_count
    for user_id, *counts in rows:
        if user_id not in ids:
            continue
        per_person[user_id] = per_person.get(user_id, 0) + sum(counts)
        for index, count in enumerate(counts):
            per_week[index] += count
    return per_person, per_week


def build_analytics(*, program: Program, today: datetime.date) -> Analytics:
    """Counts are made in the database, grouped by person with one column per week, so
    the work in Python grows with the number of people, not with their check-ins."""
    weeks = due_weeks(program, today)
    people = load_people(program)
    ids = {person.user_id for person in people}
    done_by_person: dict[int, int] = {}
    written_by_person: dict[int, int] = {}
    done_by_week = [0] * len(weeks)
    written_by_week = [0] * len(weeks)
    if weeks:
        in_week = [Q(iso_year=week.iso_year, iso_week=week.iso_week) for week in weeks]
        checkins = (
            CheckIn.objects.filter(
                reduce(operator.or_, in_week),
                program=program,
                week_starts_on__gte=weeks[0].starts_on - datetime.timedelta(days=7),
                week_starts_on__lte=weeks[-1].starts_on + datetime.timedelta(days=7),
            )
            .order_by()
            .values("user_id")
            .annotate(**{f"w{i}": Count("id", filter=q) for i, q in enumerate(in_week)})
            .values_list("user_id", *(f"w{i}" for i in range(len(weeks))))
        )
        done_by_person, done_by_week = weekly_counts(checkins, ids, len(weeks))
        bounds = [local_midnight(week.starts_on) for week in weeks]
        bounds.append(local_midnight(weeks[-1].ends_on + datetime.timedelta(days=1)))
        written_in = [
            Q(created_at__gte=bounds[i], created_at__lt=bounds[i + 1]) for i in range(len(weeks))
        ]
        reflections = (
            Reflection.objects.live()
            .filter(program=program, created_at__gte=bounds[0], created_at__lt=bounds[-1])
            .order_by()
            .values("author_id")
            .annotate(**{f"w{i}": Count("id", filter=q) for i, q in enumerate(written_in)})
            .values_list("author_id", *(f"w{i}" for i in range(len(weeks))))
        )
        written_by_person, written_by_week = weekly_counts(reflections, ids, len(weeks))
    phases = dict(
        Project.objects.filter(team__cohort__program=program)
        .values_list("phase")
        .annotate(n=Count("id"))
        .values_list("phase", "n")
    )

    def tally(label: str, group: Iterable[Person]) -> Tally:
        result = Tally(label=label, people={person.user_id for person in group})
        result.due = len(result.people) * len(weeks)
        result.done = sum(done_by_person.get(user_id, 0) for user_id in result.people)
        result.reflections = sum(written_by_person.get(user_id, 0) for user_id in result.people)
        return result

    weekly = [
        Tally(
            label=f"Week of {week.starts_on:%d %b %Y}",
            people=ids,
            done=done_by_week[index],
            due=len(ids),
            reflections=written_by_week[index],
        )
        for index, week in enumerate(weeks)
    ]
    overall = tally("Everyone", people)

    def grouped(slug: str, title: str, heading: str, key: Callable[[Person], str]) -> Table:
        groups: dict[str, list[Person]] = defaultdict(list)
        for person in people:
            groups[key(person)].append(person)
        tallies = [tally(name, groups[name]) for name in sorted(groups)]
        return Table(slug, title, [heading, *TALLY_COLUMNS], [tally_row(t) for t in tallies])

    tables = [
        Table(
            "weekly",
            "Participation by week",
            ["Week", *TALLY_COLUMNS],
            [tally_row(t) for t in weekly] + [tally_row(overall)],
        ),
        grouped("units", "Participation by unit", "Unit", lambda p: p.unit),
        grouped(
            "disciplines", "Participation by discipline", "Discipline", lambda p: p.discipline
        ),
        grouped("teams", "Participation by team", "Team", lambda p: p.team),
        Table(
            "phases",
            "Projects by phase",
            ["Phase", "Projects"],
            [[label, phases.get(value, 0)] for value, label in Phase.choices],
        ),
    ]
    return Analytics(weeks=weeks, weekly=weekly, tables=tables)


def program_analytics(*, program: Program, today: datetime.date) -> Analytics:
    """The analytics of `program` as of `today`, counted at most `CACHE_SECONDS` ago."""
    # The cached value is a pickled `Analytics`: change "v1" when its shape changes.
    zone = timezone.get_current_timezone_name()
    key = f"dashboards:analytics:v1:{program.pk}:{today.isoformat()}:{zone}"
    found = cache.get(key)
    if isinstance(found, Analytics):
        return found
    analytics = build_analytics(program=program, today=today)
    cache.set(key, analytics, timeout=CACHE_SECONDS)
    return analytics


TALLY_COLUMNS = [
    "People",
    "Check-ins done",
    "Check-ins due",
    "Completion (%)",
    "Reflections written",
]


def tally_row(tally: Tally) -> list[object]:
    if tally.hidden:
        return [tally.label, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN]
    completion = "" if tally.completion is None else tally.completion
    return [tally.label, len(tally.people), tally.done, tally.due, completion, tally.reflections]


def table_csv(table: Table) -> str:
    return csv_text([table.columns, *table.rows])
