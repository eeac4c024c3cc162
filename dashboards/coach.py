"""The coach dashboard: for each team a coach guides, check-in completion by member and
week, the project's phase and time in it, the pulse trend, and flags that say in words
why a team may need attention.

Only completion is read from check-ins (done / not done per week), never their content
(DESIGN.md, privacy rule 3). Everything is loaded in a fixed number of queries, however
many teams the coach guides; the teams come ten to a page, so that the members, weeks and
pulses read and shown stay bounded too.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Page
from django.db.models import Count, Min, Q
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from coaching.models import PulseSurvey, TeamSession
from coaching.pulse import PulseScores, falling_dimensions, pulse_scores, with_pulse_averages
from core.pagination import paginate
from programs.models import Program, User
from projects.models import Action, Phase, Project
from reflections.models import CheckIn
from reflections.weeks import LocalWeek
from teams.models import Team, TeamMember

HEATMAP_WEEKS = 12
TEAMS_PER_PAGE = 10
MISSED_WEEKS_FLAG = 2

# How many closed pulses the dashboard shows per team, newest last.
PULSE_HISTORY = 6


# A team that has met before and not for this many weeks is flagged.
SESSION_GAP_WEEKS = 4


def expected_weeks_in_phase(program: Program) -> dict[str, int]:
    """How long a project usually stays in each phase of this program, as its admins set
    it on the program form. A project that stays longer is flagged so that the coach can
    ask what holds it. Completed projects are never flagged."""
    return {
        Phase.CRAFTING: program.expected_weeks_crafting,
        Phase.CARRYING_OUT: program.expected_weeks_carrying_out,
        Phase.TRANSITIONING: program.expected_weeks_transitioning,
    }


@dataclass(frozen=True)
class Cell:
    week: LocalWeek
    # "done", "missed", "open" (this week, not written yet) or "not-due" (before the
    # cohort started or the person joined the team, or after their own current week).
    state: str

    @property
    def label(self) -> str:
        return {
            "done": "done",
            "missed": "not done",
            "open": "this week, not yet done",
            "not-due": "not due",
        }[self.state]

    @property
    def symbol(self) -> str:
        return {"done": "✓", "missed": "✗", "open": "○"}.get(self.state, "·")

    @property
    def html(self) -> SafeString:
        return CELL_HTML[self.state]


# Each cell is one of four fixed snippets, escaped once here.
CELL_HTML = {
    state: format_html(
        '<td class="dash-cell dash-{}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></td>',
        state,
        Cell(LocalWeek(2000, 1), state).symbol,
        Cell(LocalWeek(2000, 1), state).label,
    )
    for state in ("done", "missed", "open", "not-due")
}


@dataclass
class MemberRow:
    user: User
    cells: list[Cell]
    missed_in_a_row: int

    def cells_html(self) -> SafeString:
        """The row's heatmap cells, made here rather than in a template loop: a coach of
        several teams sees hundreds of them."""
        return mark_safe("".join(cell.html for cell in self.cells))  # noqa: S308 (fixed snippets)


@dataclass
class TeamRow:
    team: Team
    project: Project | None
    weeks_in_phase: int | None
    expected_weeks: int | None
    members: list[MemberRow] = field(default_factory=list)
    pulses: list[PulseScores] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    low_pulse_threshold: float = 0.0
    # Session cadence: sessions held, the latest one, and its attendance (completion).
    sessions_held: int = 0
    last_session: TeamSession | None = None
    weeks_since_session: int | None = None
    # The share of each session's time the team spent on its process, from the reading
    # coach's own notes of the sessions (oldest first): (session date, percent).
    process_shares: list[tuple[datetime.datetime, int]] = field(default_factory=list)

    @property
    def shown_pulses(self) -> list[PulseScores]:
        """Closed pulses with enough answers (the pulse privacy rule), oldest first."""
        return [scores for scores in self.pulses if scores.shown]

    @property
    def pulse_history(self) -> list[PulseScores]:
        return self.shown_pulses[-PULSE_HISTORY:]

    def pulse_table(self) -> list[tuple[str, list[tuple[float | None, bool]]]]:
        """One row per question: its average at each shown meeting, with whether it is
        below the program's threshold."""
        table: dict[str, list[tuple[float | None, bool]]] = {}
        for scores in self.pulse_history:
            for label, value in scores.rows():
                low = value is not None and value < self.low_pulse_threshold
                table.setdefault(label, []).append((value, low))
        return list(table.items())

    def low_dimensions(self) -> list[tuple[str, float]]:
        """The questions of the latest shown pulse whose average is below the program's
        threshold: (label, average)."""
        shown = self.shown_pulses
        if not shown:
            return []
        return [
            (label, value)
            for label, value in shown[-1].rows()
            if value is not None and value < self.low_pulse_threshold
        ]


@dataclass
class CoachDashboard:
    # The grid's columns: from the program's first week (or the last `HEATMAP_WEEKS`
    # weeks, when it began earlier) to this week (or the program's last week).
    weeks: list[LocalWeek]
    # The teams on this page.
    teams: list[TeamRow]
    page: Page[Team]


def weeks_ending(current: LocalWeek, count: int) -> list[LocalWeek]:
    weeks = [current]
    while len(weeks) < count:
        weeks.append(weeks[-1].previous())
    return weeks[::-1]


def grid_weeks(program: Program, current: LocalWeek) -> list[LocalWeek]:
    """The grid's weeks: at most `HEATMAP_WEEKS`, ending this week (or the program's last
    week once it is over) and never starting before the program's first week; none before
    the program begins."""
    first = LocalWeek.containing(program.starts_on)
    last = min(current, LocalWeek.containing(program.ends_on))
    if last < first:
        return []
    return [week for week in weeks_ending(last, HEATMAP_WEEKS) if week >= first]


def member_cells(
    weeks: list[LocalWeek], done: set[LocalWeek], own_current: LocalWeek, starts_on: datetime.date
) -> list[Cell]:
    cells = []
    for week in weeks:
        if week > own_current or week.ends_on < starts_on:
            state = "not-due"
        elif week in done:
            state = "done"
        elif week == own_current:
            state = "open"
        else:
            state = "missed"
        cells.append(Cell(week, state))
    return cells


def missed_in_a_row(
    done: set[LocalWeek], own_current: LocalWeek, starts_on: datetime.date, weeks: list[LocalWeek]
) -> int:
    """Completed weeks without a check-in, counting back from last week (this week is
    still open), from the day the person is due (cohort start or joining the team)."""
    count = 0
    week = own_current.previous()
    # Only the weeks on the grid are loaded: count no further back than they go.
    shown = set(weeks)
    while week not in done and week.ends_on >= starts_on and week in shown:
        count += 1
        week = week.previous()
    return count


def weeks_since(moment: datetime.datetime, today: datetime.date) -> int:
    return max((today - moment.date()).days // 7, 0)


def overdue_annotations(today: datetime.date) -> dict[str, Count | Min]:
    """A team's overdue actions (`overdue_actions`) and the oldest one's due date
    (`oldest_overdue`), for `Team.objects.annotate`. A completed project raises no
    flags: its open actions were closed at completion."""
    overdue = (
        Q(project__actions__due_on__lt=today)
        & Q(project__actions__status__in=Action.OPEN_STATUSES)
        & ~Q(project__phase=Phase.COMPLETED)
    )
    return {
        "overdue_actions": Count("project__actions", filter=overdue),
        "oldest_overdue": Min("project__actions__due_on", filter=overdue),
    }


def member_row(
    member: TeamMember,
    team: Team,
    weeks: list[LocalWeek],
    done: set[LocalWeek],
    now: datetime.datetime,
) -> MemberRow:
    """A member's row: their check-in weeks on their own clock, due from the week they
    joined the team (never the weeks before), given the weeks they checked in."""
    zone = member.user.zone
    starts_on = max(team.cohort.starts_on, member.joined_at.astimezone(zone).date())
    own_current = LocalWeek.of(now, zone)
    return MemberRow(
        user=member.user,
        cells=member_cells(weeks, done, own_current, starts_on),
        missed_in_a_row=missed_in_a_row(done, own_current, starts_on, weeks),
    )


def build_coach_dashboard(
    *, program: Program, coach: User, now: datetime.datetime, page_number: int = 1
) -> CoachDashboard:
    """The dashboard of the teams that `coach` guides in `program`, as of `now`: the page
    `page_number` of them, in name order."""
    today = now.date()
    weeks = grid_weeks(program, LocalWeek.containing(today))
    teams: list[Team] = list(
        Team.objects.filter(cohort__program=program, coach=coach)
        .select_related("cohort", "project")
        .annotate(**overdue_annotations(today))
        .order_by("name")
    )
    # The teams are few and their row is small: read them all (no separate count query),
    # then everything else for this page's teams only.
    page = paginate(teams, page_number, per_page=TEAMS_PER_PAGE)
    teams = list(page.object_list)
    team_ids = [team.pk for team in teams]
    members = list(
        TeamMember.objects.filter(team_id__in=team_ids)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    done: dict[int, set[LocalWeek]] = defaultdict(set)
    # One week more than shown: a person ahead of UTC may already be in the next week.
    rows = CheckIn.objects.filter(
        program=program,
        user_id__in=[m.user_id for m in members] if weeks else [],
        week_starts_on__gte=(weeks[0].starts_on if weeks else today) - datetime.timedelta(days=7),
    ).values_list("user_id", "iso_year", "iso_week")
    for user_id, iso_year, iso_week in rows:
        done[user_id].add(LocalWeek(iso_year, iso_week))
    pulses: dict[int, list[PulseScores]] = defaultdict(list)
    for survey in with_pulse_averages(PulseSurvey.objects.filter(team_id__in=team_ids)).order_by(
        "meeting_on"
    ):
        pulses[survey.team_id].append(pulse_scores(survey))

    held: dict[int, list[TeamSession]] = defaultdict(list)
    for session in (
        TeamSession.objects.filter(team_id__in=team_ids, status=TeamSession.Status.DONE)
        .select_related("coach_note")
        .annotate(
            expected_count=Count("attendance"),
            attended_count=Count("attendance", filter=Q(attendance__attended=True)),
        )
        .order_by("starts_at")
    ):
        held[session.team_id].append(session)

    expected = expected_weeks_in_phase(program)
    by_team: dict[int, TeamRow] = {}
    for team in teams:
        project = getattr(team, "project", None)
        row = TeamRow(team=team, project=project, weeks_in_phase=None, expected_weeks=None)
        if project is not None:
            row.weeks_in_phase = weeks_since(project.phase_changed_at, today)
            row.expected_weeks = expected.get(Phase(project.phase))
        row.pulses = pulses[team.pk]
        row.low_pulse_threshold = float(program.low_pulse_threshold)
        if sessions := held[team.pk]:
            row.sessions_held = len(sessions)
            row.last_session = sessions[-1]
            row.weeks_since_session = weeks_since(sessions[-1].starts_at, today)
            row.process_shares = [
                (session.starts_at, session.coach_note.process_percent)
                for session in sessions
                if session.coach_note is not None and session.coach_note.author_id == coach.pk
            ]
        by_team[team.pk] = row
    for member in members:
        row = by_team[member.team_id]
        row.members.append(member_row(member, row.team, weeks, done[member.user_id], now))
    for row in by_team.values():
        row.flags = team_flags(row)
    return CoachDashboard(weeks=weeks, teams=list(by_team.values()), page=page)


def team_flags(row: TeamRow) -> list[str]:
    """Why the team may need the coach's attention, each reason in words."""
    flags = []
    if row.weeks_since_session is not None and row.weeks_since_session >= SESSION_GAP_WEEKS:
        flags.append(f"No team session for {row.weeks_since_session} weeks.")
    for member in row.members:
        if member.missed_in_a_row >= MISSED_WEEKS_FLAG:
            if member.missed_in_a_row >= HEATMAP_WEEKS - 1:
                flags.append(
                    f"{member.user.display_name} has missed every weekly check-in of the "
                    f"last {member.missed_in_a_row} weeks."
                )
            else:
                flags.append(
                    f"{member.user.display_name} has missed the last {member.missed_in_a_row} "
                    "weekly check-ins."
                )
    overdue = int(getattr(row.team, "overdue_actions", 0))
    if overdue:
        oldest: datetime.date = row.team.oldest_overdue  # type: ignore[attr-defined]
        flags.append(
            f"{overdue} action{'s are' if overdue > 1 else ' is'} overdue, the oldest due "
            f"{oldest.day} {oldest:%b %Y}."
        )
    if (
        row.project is not None
        and row.expected_weeks is not None
        and row.weeks_in_phase is not None
        and row.weeks_in_phase > row.expected_weeks
    ):
        flags.append(
            f"The project has been in {row.project.get_phase_display().lower()} for "
            f"{row.weeks_in_phase} weeks; about {row.expected_weeks} is usual."
        )
    low = row.low_dimensions()
    if low:
        latest = row.shown_pulses[-1].survey.meeting_on
        named = ", ".join(f"{label.lower()} {value:.1f}" for label, value in low)
        flags.append(
            f"The pulse after the meeting of {latest.day} {latest:%b %Y} is low: {named} "
            f"(below {row.low_pulse_threshold:.1f}, this program's threshold)."
        )
    for label, values in falling_dimensions(row.pulses):
        trend = " → ".join(f"{value:.1f}" for value in values)
        flags.append(f"{label} fell two meetings in a row ({trend}).")
    return flags
