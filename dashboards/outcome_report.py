"""What the outcome report says about the program's projects and its shared learning.

One card per project: its title, team, sponsor, problem, measures (baseline, target,
achieved), the stakeholders it reached by level and by unit, the doors its sponsor opened,
the new owner and how the work is sustained, and the team's sessions held in the app with
their attendance (places taken of places expected: completion, like check-ins, never who
said what). Nothing on a card is anyone's journal.

Learning themes come from shared writing only: the tags of live journal entries their
authors shared with their coach or their team (never a private entry), and a theme is
named only once at least MIN_GROUP different people used it, without a count.

Self-assessment stages open with the program's milestones
(`programs.self_assessment.stage_opens_on`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from coaching.models import SessionAttendance, TeamSession
from dashboards.analytics import MIN_GROUP
from programs.models import Program
from projects.models import (
    DoorRequest,
    EngagementLevel,
    Project,
    ProjectResults,
    StakeholderEngagement,
    SuccessMeasure,
    TransitionPlan,
)
from reflections.models import Reflection, Visibility


@dataclass
class ProjectCard:
    project: Project
    team: str
    sponsor: str
    coach: str
    measures: list[SuccessMeasure]
    by_level: list[tuple[str, int]]
    by_unit: list[tuple[str, int]]
    doors: list[DoorRequest]
    plan: TransitionPlan | None
    results: ProjectResults | None
    stakeholders: int = 0
    notes: list[str] = field(default_factory=list)
    # The team's sessions held (ended) and, over them, the members who came of those expected.
    sessions: int = 0
    attended: int = 0
    expected: int = 0

    @property
    def attendance_percent(self) -> int | None:
        return round(100 * self.attended / self.expected) if self.expected else None

    @property
    def measures_text(self) -> str:
        return "; ".join(
            f"{m.name}: baseline {m.baseline or '—'}, target {m.target or '—'}, "
            f"achieved {m.achieved or '—'}"
            for m in self.measures
        )


def _per_team(rows: QuerySet[Any], team_field: str) -> Coalesce:
    """The number of `rows` of the outer project's team, as a subquery (0 if none)."""
    counted = (
        rows.filter(**{team_field: OuterRef("team_id")})
        .order_by()
        .values(team_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def project_cards(program: Program) -> list[ProjectCard]:
    """One card per project of the program, in team order, in a fixed number of queries."""
    held = TeamSession.objects.filter(status=TeamSession.Status.DONE)
    expected = SessionAttendance.objects.filter(session__status=TeamSession.Status.DONE)
    projects = list(
        Project.objects.filter(team__cohort__program=program)
        # The team's sessions held, and over them the members expected and those who came.
        .annotate(
            sessions_held=_per_team(held, "team_id"),
            places_expected=_per_team(expected, "session__team_id"),
            places_attended=_per_team(expected.filter(attended=True), "session__team_id"),
        )
        .select_related(
            "team__sponsor",
            "team__coach",
            "team__cohort",
            "transition_plan__new_owner_unit",
            "results",
        )
        .order_by("team__cohort__name", "team__name", "pk")
    )
    ids = [p.pk for p in projects]
    measures: dict[int, list[SuccessMeasure]] = {}
    for measure in SuccessMeasure.objects.filter(project_id__in=ids).order_by("pk"):
        measures.setdefault(measure.project_id, []).append(measure)
    levels: dict[int, Counter[str]] = {}
    units: dict[int, Counter[str]] = {}
    for row in (
        StakeholderEngagement.objects.filter(project_id__in=ids)
        .values("project_id", "level", "unit__name")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        levels.setdefault(row["project_id"], Counter())[row["level"]] += row["n"]
        unit_name = row["unit__name"] or "No unit given"
        units.setdefault(row["project_id"], Counter())[unit_name] += row["n"]
    doors: dict[int, list[DoorRequest]] = {}
    for door in DoorRequest.objects.filter(project_id__in=ids, answered_at__isnull=False).order_by(
        "answered_at", "pk"
    ):
        doors.setdefault(door.project_id, []).append(door)
    cards = []
    for project in projects:
        team = project.team
        level_counts = levels.get(project.pk, Counter())
        cards.append(
            ProjectCard(
                project=project,
                team=team.name,
                sponsor=team.sponsor.display_name if team.sponsor else "No sponsor named",
                coach=team.coach.display_name if team.coach else "No coach named",
                measures=measures.get(project.pk, []),
                by_level=[
                    (label, level_counts[value])
                    for value, label in EngagementLevel.choices
                    if level_counts[value]
                ],
                by_unit=sorted(units.get(project.pk, Counter()).items()),
                doors=doors.get(project.pk, []),
                plan=getattr(project, "transition_plan", None),
                results=getattr(project, "results", None),
                stakeholders=sum(level_counts.values()),
                sessions=project.sessions_held,
                attended=project.places_attended,
                expected=project.places_expected,
            )
        )
    return cards


def learning_themes(program: Program) -> list[str]:
    """Themes (tags) of journal entries shared with a coach or a team, each used by at
    least MIN_GROUP different people, most used first; never from a private entry."""
    shared = Reflection.objects.live().filter(
        program=program, visibility__in=[Visibility.COACH, Visibility.TEAM]
    )
    rows = (
        shared.values("tags__name")
        .exclude(tags__name__isnull=True)
        .annotate(people=Count("author", distinct=True))
        .filter(people__gte=MIN_GROUP)
        .order_by("-people", "tags__name")
    )
    return [row["tags__name"] for row in rows]


def outcome_csv_rows(cards: list[ProjectCard]) -> list[list[object]]:
    rows: list[list[object]] = [
        [
            "Cohort",
            "Team",
            "Project",
            "Type",
            "Phase",
            "Sponsor",
            "Problem",
            "Measures (baseline, target, achieved)",
            "Results",
            "Results confirmed by the sponsor",
            "Stakeholder engagements",
            "By level",
            "By unit",
            "Doors opened",
            "New owner",
            "New owner's unit",
            "How the work is sustained",
            "Hand-over confirmed",
            "Sessions held",
            "Attendance (members who came)",
            "Attendance (members expected)",
        ]
    ]
    for card in cards:
        project, plan, results = card.project, card.plan, card.results
        rows.append(
            [
                project.team.cohort.name,
                card.team,
                project.title,
                project.get_project_type_display(),
                project.get_phase_display(),
                card.sponsor,
                project.problem_statement,
                card.measures_text,
                results.narrative if results else "",
                results.confirmed_at.date().isoformat()
                if results and results.confirmed_at
                else "",
                card.stakeholders,
                "; ".join(f"{label}: {n}" for label, n in card.by_level),
                "; ".join(f"{unit}: {n}" for unit, n in card.by_unit),
                len(card.doors),
                plan.new_owner_name if plan else "",
                plan.new_owner_unit.name if plan else "",
                plan.sustainment if plan else "",
                results.handover_confirmed_at.date().isoformat()
                if results and results.handover_confirmed_at
                else "",
                card.sessions,
                card.attended,
                card.expected,
            ]
        )
    return rows
