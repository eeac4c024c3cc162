"""Program analytics for program admins: weekly participation (check-ins done and due,
reflections written — counts only, never content), overall and by unit, discipline and
team, and projects by phase.

No figure singles out a person (DESIGN.md, privacy rule 4): a group of fewer than
`MIN_GROUP` people shows "fewer than 5" instead of its numbers, in the page and in the
CSV files alike. Everything is loaded in a fixed number of queries.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import ExtractIsoYear, ExtractWeek

from programs.models import Discipline, Membership, Profile, Program, Role
from projects.models import Phase, Project
from reflections.models import CheckIn, Reflection
from reflections.weeks import LocalWeek
from teams.models import TeamMember

MIN_GROUP = 5
HIDDEN = f"fewer than {MIN_GROUP}"
ANALYTICS_WEEKS = 12


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

    def labelled_rows(self) -> list[list[tuple[str, object]]]:
        return [list(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass
class Analytics:
    weeks: list[LocalWeek]
    weekly: list[Tally]
    tables: list[Table]

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
    profile = Profile.objects.filter(
        user=OuterRef("user"), organization_id=program.organization_id
    )
    team = TeamMember.objects.filter(user=OuterRef("user"), team__cohort__program=program)
    rows = (
        Membership.objects.filter(program=program, role=Role.PARTICIPANT, is_active=True)
        .annotate(
            unit_name=Subquery(profile.values("unit__name")[:1]),
            discipline=Subquery(profile.values("discipline")[:1]),
            team_name=Subquery(team.values("team__name")[:1]),
        )
        .values_list("user_id", "unit_name", "discipline", "team_name")
    )
    disciplines = dict(Discipline.choices)
    return [
        Person(
            user_id=user_id,
            unit=unit or "No unit recorded",
            discipline=disciplines.get(discipline or "", "No discipline recorded"),
            team=team_name or "Not on a team",
        )
        for user_id, unit, discipline, team_name in rows
    ]


def build_analytics(*, program: Program, today: datetime.date) -> Analytics:
    weeks = due_weeks(program, today)
    people = load_people(program)
    ids = {person.user_id for person in people}
    done: dict[int, set[LocalWeek]] = defaultdict(set)
    written: dict[int, dict[LocalWeek, int]] = defaultdict(dict)
    if weeks:
        for user_id, iso_year, iso_week in CheckIn.objects.filter(
            program=program,
            week_starts_on__gte=weeks[0].starts_on - datetime.timedelta(days=7),
            week_starts_on__lte=weeks[-1].starts_on + datetime.timedelta(days=7),
        ).values_list("user_id", "iso_year", "iso_week"):
            done[user_id].add(LocalWeek(iso_year, iso_week))
        reflection_weeks = (
            Reflection.objects.live()
            .filter(
                program=program,
                created_at__date__gte=weeks[0].starts_on,
                created_at__date__lte=weeks[-1].ends_on,
            )
            .annotate(y=ExtractIsoYear("created_at"), w=ExtractWeek("created_at"))
            .values_list("author_id", "y", "w")
            .annotate(n=Count("id"))
        )
        for user_id, iso_year, iso_week, count in reflection_weeks:
            written[user_id][LocalWeek(iso_year, iso_week)] = count
    phases = dict(
        Project.objects.filter(team__cohort__program=program)
        .values_list("phase")
        .annotate(n=Count("id"))
        .values_list("phase", "n")
    )

    def tally(label: str, group: Iterable[Person], in_weeks: list[LocalWeek]) -> Tally:
        result = Tally(label=label)
        for person in group:
            if person.user_id not in ids:
                continue
            result.people.add(person.user_id)
            result.due += len(in_weeks)
            result.done += sum(1 for week in in_weeks if week in done[person.user_id])
            result.reflections += sum(written[person.user_id].get(week, 0) for week in in_weeks)
        return result

    weekly = [tally(f"Week of {week.starts_on:%d %b %Y}", people, [week]) for week in weeks]
    overall = tally("Everyone", people, weeks)

    def grouped(slug: str, title: str, heading: str, key: Callable[[Person], str]) -> Table:
        groups: dict[str, list[Person]] = defaultdict(list)
        for person in people:
            groups[key(person)].append(person)
        tallies = [tally(name, groups[name], weeks) for name in sorted(groups)]
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


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """A cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([spreadsheet_safe(column) for column in table.columns])
    for row in table.rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()
