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
from dataclasses import dataclass, field, replace
from functools import reduce

from django.core.cache import cache
from django.db.models import Count, DateTimeField, FilteredRelation, Q, Value
from django.utils import timezone

from core.csv import csv_text
from core.privacy import MIN_GROUP
from programs.models import Discipline, Membership, Program, Role
from projects.models import Phase, Project
from reflections.models import CheckIn, Reflection
from reflections.weeks import LocalWeek
from teams.models import TeamChange, TeamMember

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
    # The day their membership ended, if it did: they stay counted in the weeks that began
    # before it, so that ending (or restoring) a membership changes no figure of a
    # completed week, and no figure before and after it gives the person's counts.
    left_on: datetime.date | None = None
    # The teams they left (when, which), oldest first: each week counts for the team they
    # were on when it began, so that moving a person changes no completed week's figure.
    left_teams: list[tuple[datetime.datetime, str]] = field(default_factory=list)

    def team_at(self, moment: datetime.datetime) -> str:
        """The team the person was on at `moment`: the first team they left after it, or
        their team now."""
        return next((team for when, team in self.left_teams if when > moment), self.team)


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
    # How many people it counts, once `people` is let go (`without_people`).
    headcount: int | None = None

    @property
    def small(self) -> bool:
        size = len(self.people) if self.headcount is None else self.headcount
        return size < MIN_GROUP

    def without_people(self) -> Tally:
        """The tally with its figures and how many people it counts, but not who: what
        the page needs, and all the shared cache keeps."""
        return replace(self, people=set(), headcount=len(self.people))

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


def last_due(weeks: list[LocalWeek], left_on: datetime.date | None) -> int:
    """How many of `weeks` a person whose membership ended on `left_on` is due in: the
    weeks that began before that day (all of them while the membership lasts)."""
    if left_on is None:
        return len(weeks)
    return sum(1 for week in weeks if week.starts_on < left_on)


def load_people(program: Program, since: datetime.date | None = None) -> list[Person]:
    """The program's participants with their unit and discipline in the program's
    organization, their team in the program (and the teams they left), the day they
    joined and, for a membership that ended on or after `since`, the day it ended; in
    three queries whatever their number."""
    current = Q(is_active=True)
    if since is not None:
        current |= Q(is_active=False, ended_at__gte=local_midnight(since))
    rows = (
        Membership.objects.filter(current, program=program, role=Role.PARTICIPANT)
        .annotate(
            org_profile=FilteredRelation(
                "user__profiles",
                condition=Q(user__profiles__organization_id=program.organization_id),
            )
        )
        .order_by("pk")
        .values_list(
            "user_id",
            "org_profile__unit__name",
            "org_profile__discipline",
            "created_at",
            "is_active",
            "ended_at",
        )
    )
    # Teams now and teams left, in one query: (person, when they left or None, team, pk).
    on_teams = (
        TeamMember.objects.filter(team__cohort__program=program)
        .annotate(left_at=Value(None, output_field=DateTimeField()))
        .order_by()
        .values_list("user_id", "left_at", "team__name", "pk")
    )
    left_teams = (
        TeamChange.objects.filter(
            team__cohort__program=program, kind=TeamChange.Kind.LEFT, person__isnull=False
        )
        .order_by()
        .values_list("person_id", "changed_at", "team__name", "pk")
    )
    left: dict[int, list[tuple[datetime.datetime, str]]] = defaultdict(list)
    teams: dict[int, str] = {}
    for user_id, left_at, team_name, _pk in sorted(
        on_teams.union(left_teams, all=True),
        key=lambda row: (
            row[1] is not None,
            row[1] or datetime.datetime.min.replace(tzinfo=datetime.UTC),
            row[3],
        ),
    ):
        if left_at is None:
            teams.setdefault(user_id, team_name)
        else:
            left[user_id].append((left_at, team_name))
    disciplines = dict(Discipline.choices)
    return [
        Person(
            user_id=user_id,
            unit=unit or "No unit recorded",
            discipline=disciplines.get(discipline or "", "No discipline recorded"),
            team=teams.get(user_id) or "Not on a team",
            joined_on=timezone.localdate(created_at),
            left_on=None if is_active or ended_at is None else timezone.localdate(ended_at),
            left_teams=left.get(user_id, []),
        )
        for user_id, unit, discipline, created_at, is_active, ended_at in rows
    ]


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of `day` on the site's clock, the clock that `__date` lookups use."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def weekly_counts(
    rows: Iterable[tuple[int, ...]], due: dict[int, range], week_count: int
) -> tuple[dict[int, list[int]], list[int]]:
    """Rows of (person, count in week 1, …, count in week n) as counts per person and week
    and totals per week, counting only the people in `due` and only the weeks they are due
    in (the range `due` gives), so that a figure never counts more than was due."""
    per_person: dict[int, list[int]] = {}
    per_week = [0] * week_count
    for user_id, *counts in rows:
        weeks = due.get(user_id)
        if weeks is None:
            continue
        mine = per_person.setdefault(user_id, [0] * week_count)
        for index in weeks:
            mine[index] += counts[index]
            per_week[index] += counts[index]
    return per_person, per_week


def build_analytics(*, program: Program, today: datetime.date) -> Analytics:
    """Counts are made in the database, grouped by person with one column per week, so
    the work in Python grows with the number of people, not with their check-ins."""
    weeks = due_weeks(program, today)
    people = load_people(program, since=weeks[0].starts_on if weeks else today)
    due: dict[int, range] = {}
    for person in people:
        weeks_due = range(first_due(weeks, person.joined_on), last_due(weeks, person.left_on))
        known = due.get(person.user_id)
        if known is not None:  # two memberships: due whenever either is
            weeks_due = range(min(known.start, weeks_due.start), max(known.stop, weeks_due.stop))
        due[person.user_id] = weeks_due
    week_starts = [local_midnight(week.starts_on) for week in weeks]
    done_by_person: dict[int, list[int]] = {}
    written_by_person: dict[int, list[int]] = {}
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
        done_by_person, done_by_week = weekly_counts(checkins, due, len(weeks))
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
        written_by_person, written_by_week = weekly_counts(reflections, due, len(weeks))
    phases = dict(
        Project.objects.filter(team__cohort__program=program)
        .values_list("phase")
        .annotate(n=Count("id"))
        .values_list("phase", "n")
    )

    zeros = [0] * len(weeks)

    def tally(label: str, cells: Iterable[tuple[int, int | None]]) -> Tally:
        """A group's figures over its cells: (person, week index), or (person, None) for a
        person in the group with no week due."""
        result = Tally(label=label)
        for user_id, index in cells:
            result.people.add(user_id)
            if index is None:
                continue
            result.due += 1
            result.done += done_by_person.get(user_id, zeros)[index]
            result.reflections += written_by_person.get(user_id, zeros)[index]
        return result

    def cells_of(person: Person) -> list[tuple[int, int | None]]:
        weeks_due = due[person.user_id]
        return [(person.user_id, index) for index in weeks_due] or [(person.user_id, None)]

    weekly = []
    for index, week in enumerate(weeks):
        due_people = {user_id for user_id, weeks_due in due.items() if index in weeks_due}
        weekly.append(
            Tally(
                label=f"Week of {week.starts_on:%d %b %Y}",
                people=due_people,
                done=done_by_week[index],
                due=len(due_people),
                reflections=written_by_week[index],
            )
        )
    overall = tally("Everyone", (cell for person in people for cell in cells_of(person)))

    def partition(key: Callable[[Person], str]) -> list[Tally]:
        groups: dict[str, list[tuple[int, int | None]]] = defaultdict(list)
        for person in people:
            groups[key(person)].extend(cells_of(person))
        return [tally(name, groups[name]) for name in sorted(groups)]

    def by_team() -> list[Tally]:
        """Each week of a person counts for the team they were on when it began."""
        groups: dict[str, list[tuple[int, int | None]]] = defaultdict(list)
        for person in people:
            for user_id, index in cells_of(person):
                team = person.team if index is None else person.team_at(week_starts[index])
                groups[team].append((user_id, index))
        return [tally(name, groups[name]) for name in sorted(groups)]

    units = partition(lambda p: p.unit)
    disciplines = partition(lambda p: p.discipline)
    teams = by_team()
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
    return Analytics(weeks=weeks, weekly=[t.without_people() for t in weekly], tables=tables)


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
    # The cached value is a pickled `Analytics`: change "v3" when its shape changes.
    zone = timezone.get_current_timezone_name()
    key = f"dashboards:analytics:v3:{program.pk}:{today.isoformat()}:{zone}"
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
