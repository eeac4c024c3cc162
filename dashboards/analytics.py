"""Program analytics for program admins: weekly participation (check-ins done and due,
reflections written — counts only, never content), overall and by unit, discipline and
team, and projects by phase.

No figure singles out a person (DESIGN.md, privacy rule 4): a group of fewer than
`MIN_GROUP` people shows "fewer than 5" instead of its numbers, in the page and in the
CSV files alike; and no two shown figures differ by such a group either, so that no
subtraction (the total minus the shown rows of a table, a unit minus a team inside it)
recovers one (`suppress_differences`). Everything is counted in the database in a fixed
number of queries, and kept for a few minutes in the shared cache (`program_analytics`).
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
# A group large enough to show whose figures would, subtracted from another shown figure,
# give a smaller group's.
WITHHELD = "withheld"
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
    # The day (on the site's clock) the person joined the program: they are due to check
    # in from that week on, never for the weeks before.
    joined_on: datetime.date


@dataclass
class Tally:
    """Participation of a group of people over some weeks."""

    label: str
    people: set[int] = field(default_factory=set)
    done: int = 0
    due: int = 0
    reflections: int = 0
    # Set by `suppress_differences` on a group of at least MIN_GROUP people.
    withheld: bool = False

    @property
    def small(self) -> bool:
        return len(self.people) < MIN_GROUP

    @property
    def hidden(self) -> bool:
        return self.small or self.withheld

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


def first_due(weeks: list[LocalWeek], joined_on: datetime.date) -> int:
    """The index of the first of `weeks` a person who joined on `joined_on` is due in: the
    week they joined counts, the weeks before do not (len(weeks) when none is due)."""
    return next((i for i, week in enumerate(weeks) if week.ends_on >= joined_on), len(weeks))


def load_people(program: Program) -> list[Person]:
    """The program's active participants with their unit and discipline in the program's
    organization, their team in the program and the day they joined, in two queries
    whatever their number."""
    rows = (
        Membership.objects.filter(program=program, role=Role.PARTICIPANT, is_active=True)
        .annotate(
            org_profile=FilteredRelation(
                "user__profiles",
                condition=Q(user__profiles__organization_id=program.organization_id),
            )
        )
        .order_by("pk")
        .values_list("user_id", "org_profile__unit__name", "org_profile__discipline", "created_at")
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
            joined_on=timezone.localdate(created_at),
        )
        for user_id, unit, discipline, created_at in rows
    ]


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of `day` on the site's clock, the clock that `__date` lookups use."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def weekly_counts(
    rows: Iterable[tuple[int, ...]], due_from: dict[int, int], week_count: int
) -> tuple[dict[int, int], list[int]]:
    """Rows of (person, count in week 1, …, count in week n) as totals per person and per
    week, counting only the people in `due_from` and only the weeks they are due in (from
    the index `due_from` gives), so that a figure never counts more than was due."""
    per_person: dict[int, int] = {}
    per_week = [0] * week_count
    for user_id, *counts in rows:
        start = due_from.get(user_id)
        if start is None:
            continue
        counted = counts[start:]
        per_person[user_id] = per_person.get(user_id, 0) + sum(counted)
        for index, count in enumerate(counted, start=start):
            per_week[index] += count
    return per_person, per_week


def build_analytics(*, program: Program, today: datetime.date) -> Analytics:
    """Counts are made in the database, grouped by person with one column per week, so
    the work in Python grows with the number of people, not with their check-ins."""
    weeks = due_weeks(program, today)
    people = load_people(program)
    due_from: dict[int, int] = {}
    for person in people:
        start = first_due(weeks, person.joined_on)
        due_from[person.user_id] = min(start, due_from.get(person.user_id, start))
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
        done_by_person, done_by_week = weekly_counts(checkins, due_from, len(weeks))
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
        written_by_person, written_by_week = weekly_counts(reflections, due_from, len(weeks))
    phases = dict(
        Project.objects.filter(team__cohort__program=program)
        .values_list("phase")
        .annotate(n=Count("id"))
        .values_list("phase", "n")
    )

    def tally(label: str, group: Iterable[Person]) -> Tally:
        result = Tally(label=label, people={person.user_id for person in group})
        result.due = sum(len(weeks) - due_from[user_id] for user_id in result.people)
        result.done = sum(done_by_person.get(user_id, 0) for user_id in result.people)
        result.reflections = sum(written_by_person.get(user_id, 0) for user_id in result.people)
        return result

    weekly = []
    for index, week in enumerate(weeks):
        due_people = {user_id for user_id, start in due_from.items() if start <= index}
        weekly.append(
            Tally(
                label=f"Week of {week.starts_on:%d %b %Y}",
                people=due_people,
                done=done_by_week[index],
                due=len(due_people),
                reflections=written_by_week[index],
            )
        )
    overall = tally("Everyone", people)

    def partition(key: Callable[[Person], str]) -> list[Tally]:
        groups: dict[str, list[Person]] = defaultdict(list)
        for person in people:
            groups[key(person)].append(person)
        return [tally(name, groups[name]) for name in sorted(groups)]

    units = partition(lambda p: p.unit)
    disciplines = partition(lambda p: p.discipline)
    teams = partition(lambda p: p.team)
    suppress_differences(overall=overall, partitions=[units, disciplines, teams])

    def grouped(slug: str, title: str, heading: str, tallies: list[Tally]) -> Table:
        return Table(slug, title, [heading, *TALLY_COLUMNS], [tally_row(t) for t in tallies])

    tables = [
        Table(
            "weekly",
            "Participation by week",
            ["Week", *TALLY_COLUMNS],
            [tally_row(t) for t in weekly] + [tally_row(overall)],
        ),
        grouped("units", "Participation by unit", "Unit", units),
        grouped("disciplines", "Participation by discipline", "Discipline", disciplines),
        grouped("teams", "Participation by team", "Team", teams),
        Table(
            "phases",
            "Projects by phase",
            ["Phase", "Projects"],
            [[label, phases.get(value, 0)] for value, label in Phase.choices],
        ),
    ]
    return Analytics(weeks=weeks, weekly=weekly, tables=tables)


def suppress_differences(*, overall: Tally, partitions: list[list[Tally]]) -> None:
    """Complementary suppression: withhold more groups until no shown figure differs from
    another shown figure by a group of fewer than MIN_GROUP people.

    - Each table (units, disciplines, teams) splits everyone into groups, and "Everyone" is
      shown: the total minus the shown rows is the hidden rows together, so the hidden rows
      of a table must hold at least MIN_GROUP people between them. While they do not, the
      smallest shown row is withheld too.
    - A shown group inside another shown group (a team inside a unit, a unit that is
      everyone but two people) must not differ from it by fewer than MIN_GROUP people:
      the smaller one is withheld.

    Every figure of a group (done, due, reflections) is over the same weeks, so comparing
    people is enough. Runs until nothing changes; each round withholds at least one group.
    """
    groups = [overall, *(row for rows in partitions for row in rows)]
    changed = True
    while changed:
        changed = False
        for rows in partitions:
            hidden_people: set[int] = set()
            for row in rows:
                if row.hidden:
                    hidden_people |= row.people
            shown = [row for row in rows if not row.hidden]
            if 0 < len(hidden_people) < MIN_GROUP and shown:
                min(shown, key=lambda row: (len(row.people), row.label)).withheld = True
                changed = True
        shown = sorted(
            (group for group in groups if not group.hidden), key=lambda g: len(g.people)
        )
        for inner in shown:
            if any(
                inner.people < outer.people and len(outer.people - inner.people) < MIN_GROUP
                for outer in shown
                if not outer.hidden
            ):
                inner.withheld = True
                changed = True


def program_analytics(*, program: Program, today: datetime.date) -> Analytics:
    """The analytics of `program` as of `today`, counted at most `CACHE_SECONDS` ago."""
    # The cached value is a pickled `Analytics`: change "v2" when its shape changes.
    zone = timezone.get_current_timezone_name()
    key = f"dashboards:analytics:v2:{program.pk}:{today.isoformat()}:{zone}"
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
    if tally.small:
        return [tally.label, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN]
    if tally.withheld:
        return [tally.label, WITHHELD, WITHHELD, WITHHELD, WITHHELD, WITHHELD]
    completion = "" if tally.completion is None else tally.completion
    return [tally.label, len(tally.people), tally.done, tally.due, completion, tally.reflections]


def table_csv(table: Table) -> str:
    return csv_text([table.columns, *table.rows])
