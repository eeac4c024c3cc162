"""What each role's home shows first: what needs the person now.

A person may hold several roles in several programs; each role has its part of the home,
gathered here in a fixed number of queries however many programs, teams, members or
weeks there are:

- the person's memberships (ended ones too), each with its program, the person's plan
  there, and the facts its role's part needs (a program admin's set-up steps and
  participation, a coach's unread shared writing, a participant's recent feedback), with
  the person's own counters (unread notifications, reminders on or off);
- the teams they are on or coach, with their project, next milestone, next and last
  meeting and overdue actions; then, for coaches, the members and the pulses of the
  teams they coach;
- the check-in weeks: all of the person's own (their streak) and the recent ones of the
  members of the teams they coach (their missed weeks), in one query;
- the projects they sponsor (`projects.work.sponsored_projects`).

The rules are those of the pages each part leads to: a person's check-in slot
(`CheckInSlot`) and its reminder (`notifications.reminders.Slot`), the streak
(`reflections.weeks.streak`), the coach dashboard's flags (`dashboards.coach.team_flags`)
and who may read what (`Reflection.objects.shared_with`). Only check-in completion is read
for a coach, never its content.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Case,
    Exists,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse

from coaching.models import PulseSurvey, TeamSession
from coaching.pulse import pulse_scores, with_pulse_averages
from dashboards.coach import (
    TeamRow,
    expected_weeks_in_phase,
    grid_weeks,
    member_row,
    overdue_annotations,
    team_flags,
    weeks_since,
)
from notifications.models import Notification
from notifications.reminders import Slot
from programs.context_processors import navigation_items
from programs.models import Cohort, Invitation, Membership, Milestone, Program, Role, User
from projects.models import Phase, SponsorComment
from projects.work import SponsoredProject, sponsored_projects
from reflections.models import (
    CheckIn,
    CheckInSlot,
    Plan,
    ReadReceipt,
    Reflection,
    ReminderKind,
    ReminderPreference,
)
from reflections.weeks import LocalWeek, next_slot, streak
from teams.models import Team, TeamMember

# Feedback on what a participant shared counts from this many days back.
FEEDBACK_DAYS = 14
# Upcoming team meetings shown to a coach.
COMING_MEETINGS = 5
# How long the roles a person held at their last visit are kept (`home_memberships`).
HINT_SECONDS = 7 * 24 * 3600


def _count(queryset: QuerySet[Any]) -> Coalesce:
    """COUNT(*) of `queryset` as a scalar subquery (it may be filtered on OuterRef)."""
    return Coalesce(
        Subquery(
            queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def _for(role: str, expression: Any) -> Case:
    """`expression` for memberships of `role` only (others read 0), so that a fact of one
    role is never worked out for the rows of another."""
    return Case(When(role=role, then=expression), default=0, output_field=IntegerField())


# The roles whose part of the home needs facts read with the memberships.
FACT_ROLES = frozenset({Role.PROGRAM_ADMIN, Role.COACH, Role.PARTICIPANT})


def role_facts(
    role: str, user: User, *, now: datetime.datetime, week: LocalWeek
) -> dict[str, Any]:
    """The annotations of a membership of `role` (see `memberships_with_facts`); each
    reads 0 on the rows of other roles."""
    program = OuterRef("program")
    facts: dict[str, Any]
    if role == Role.PROGRAM_ADMIN:
        participants = Membership.objects.filter(
            program=program, role=Role.PARTICIPANT, is_active=True
        )
        teams = Team.objects.filter(cohort__program=program)
        facts = {
            "cohort_count": _count(Cohort.objects.filter(program=program)),
            "participant_count": _count(participants),
            "unplaced_count": _count(
                participants.exclude(
                    Exists(
                        TeamMember.objects.filter(
                            user=OuterRef("user"), team__cohort__program=OuterRef("program")
                        )
                    )
                )
            ),
            "first_cohort_id": Subquery(
                Cohort.objects.filter(program=program).order_by("starts_on", "pk").values("pk")[:1]
            ),
            "team_count": _count(teams),
            "teams_without_advisors": _count(
                teams.filter(Q(coach__isnull=True) | Q(sponsor__isnull=True))
            ),
            "teams_without_charter": _count(
                teams.filter(
                    Q(project__isnull=True)
                    | Q(project__phase=Phase.CRAFTING, project__charter_submitted_at__isnull=True)
                )
            ),
            "checked_in_count": _count(
                participants.filter(
                    Exists(
                        CheckIn.objects.filter(
                            user=OuterRef("user"),
                            program=OuterRef("program"),
                            iso_year=week.iso_year,
                            iso_week=week.iso_week,
                        )
                    )
                )
            ),
            "never_signed_in": _count(
                Membership.objects.filter(
                    program=program, is_active=True, user__last_login__isnull=True
                )
            ),
            "pending_invitations": _count(Invitation.objects.filter(program=program).pending(now)),
        }
    elif role == Role.COACH:
        unread_shared = (
            Reflection.objects.shared_with(user)
            .filter(program=program, team__coach=user)
            .exclude(Exists(ReadReceipt.objects.filter(reader=user, reflection=OuterRef("pk"))))
        )
        facts = {"unread_shared": _count(unread_shared)}
    elif role == Role.PARTICIPANT:
        since = now - datetime.timedelta(days=FEEDBACK_DAYS)
        reads = ReadReceipt.objects.filter(read_at__gte=since)
        facts = {
            # Two counts, each on its own index, rather than one over an OR of both.
            "recent_reads": _count(
                reads.filter(reflection__author=user, reflection__program=program)
            )
            + _count(reads.filter(checkin__user=user, checkin__program=program)),
            "recent_comments": _count(
                SponsorComment.objects.filter(
                    created_at__gte=since,
                    update__author=user,
                    update__project__team__cohort__program=program,
                )
            ),
        }
    else:
        facts = {}
    return {name: _for(role, expression) for name, expression in facts.items()}


def memberships_with_facts(
    user: User,
    *,
    now: datetime.datetime,
    week: LocalWeek,
    roles: Iterable[str] = FACT_ROLES,
) -> list[Membership]:
    """Every membership of `user` (ended ones too), with its program and cohort, the
    person's plan in the program (`home_plan`, or None) and the facts of its role, for
    the `roles` asked for (a fact of a role not asked for is missing from its rows):

    - program admin: `cohort_count`, `first_cohort_id`, `participant_count` (active
      participants), `unplaced_count` (of them, on no team), `team_count`,
      `teams_without_advisors` (no coach or no sponsor), `teams_without_charter` (no
      charter submitted), `checked_in_count` (active participants with a check-in in
      `week`), `never_signed_in` (active members who have never signed in) and
      `pending_invitations`;
    - coach: `unread_shared` (writing shared with them in the program, not yet opened);
    - participant: `recent_reads` (of their shared writing by others) and
      `recent_comments` (the sponsor's, on their status updates), since `FEEDBACK_DAYS`;

    and on every row the person's own `unread_notifications` and `reminders_off`."""
    facts: dict[str, Any] = {}
    for role in sorted(FACT_ROLES.intersection(roles)):
        facts.update(role_facts(role, user, now=now, week=week))
    with_plan = Membership.objects.annotate(
        home_plan=FilteredRelation(
            "user__be_better_now_plans",
            condition=Q(user__be_better_now_plans__program=F("program")),
        )
    )
    # At most one plan per person and program, read on the same row. (The type stubs do
    # not know relations named by FilteredRelation.)
    with_plan = with_plan.select_related("home_plan")  # type: ignore[misc]
    return list(
        with_plan.filter(user=user)
        .select_related("program__organization", "cohort")
        .annotate(
            **facts,
            # The person's own counters: the same on every row, read once by the database.
            unread_notifications=_count(Notification.objects.for_user(user).unread()),
            reminders_off=Exists(
                ReminderPreference.objects.filter(
                    user=user, kind=ReminderKind.CHECKIN, enabled=False
                )
            ),
        )
        .order_by("program__name", "pk")
    )


def home_memberships(user: User, *, now: datetime.datetime, week: LocalWeek) -> list[Membership]:
    """`memberships_with_facts` with the facts of the roles the person holds.

    Working out a role's facts costs the database its planning even for rows of other
    roles, so the roles the person held at their last visit are kept in the cache and
    only theirs are asked for. The hint only narrows the work: with none (a first
    visit, an emptied cache) every role's facts are read, and a role held now but not
    in the hint (just given) has its facts read by one more query. No figure is ever
    read from the cache."""
    key = f"home-roles:{user.pk}"
    hint: list[str] | None = cache.get(key)
    asked = FACT_ROLES if hint is None else FACT_ROLES.intersection(hint)
    memberships = memberships_with_facts(user, now=now, week=week, roles=asked)
    held = {m.role for m in memberships if m.is_active}
    if held & FACT_ROLES - asked:
        memberships = memberships_with_facts(user, now=now, week=week, roles=held)
    if hint is None or set(hint) != held:
        cache.set(key, sorted(held), HINT_SECONDS)
    return memberships


def navigation_of(memberships: Iterable[Membership]) -> list[dict[str, str]]:
    """The header's programs (`programs.context_processors.navigation`), from the
    memberships the home already holds."""
    return navigation_items(m for m in memberships if m.is_active)


# Participant -----------------------------------------------------------------------------


@dataclass
class ParticipantPart:
    membership: Membership
    team: Team | None
    plan: Plan | None
    done_this_week: bool
    # This week's check-in slot on the person's clock: the check-in is due by then.
    due_at: datetime.datetime
    # Not written, and its slot has passed (it can still be written until the week ends).
    is_overdue: bool
    streak: int
    # When the next weekly reminder goes out, on the person's clock; None when they
    # turned reminders off.
    next_reminder: datetime.datetime | None
    unread_notifications: int
    recent_reads: int
    recent_comments: int

    @property
    def program(self) -> Program:
        return self.membership.program

    @property
    def has_feedback(self) -> bool:
        return bool(self.recent_reads or self.recent_comments)


def participant_parts(
    user: User,
    memberships: list[Membership],
    teams: list[Team],
    own_weeks: dict[int, list[tuple[int, int]]],
    now: datetime.datetime,
) -> list[ParticipantPart]:
    """One part per program in which the person takes part: this week's check-in,
    streak, plan, next reminder, team and feedback."""
    zone = user.zone
    week = LocalWeek.of(now, zone)
    team_in = {team.cohort.program_id: team for team in teams if getattr(team, "is_mine", False)}
    parts = []
    for membership in memberships:
        if membership.role != Role.PARTICIPANT or not membership.is_active:
            continue
        program = membership.program
        plan: Plan | None = getattr(membership, "home_plan", None)
        slot = CheckInSlot.of(user, program, plan)
        weeks = own_weeks.get(program.pk, [])
        done = (week.iso_year, week.iso_week) in weeks
        due_at = Slot.this_week(now, slot.weekday, slot.at, slot.zone_name).due_at
        next_reminder = None
        if not membership.reminders_off:  # type: ignore[attr-defined]
            # A reminder goes out at the slot of a week without a check-in.
            next_reminder = next_slot(now, slot.weekday, slot.at, zone)
            if done and LocalWeek.of(next_reminder, zone) == week:
                next_reminder = next_slot(next_reminder, slot.weekday, slot.at, zone)
        parts.append(
            ParticipantPart(
                membership=membership,
                team=team_in.get(program.pk),
                plan=plan,
                done_this_week=done,
                due_at=due_at.astimezone(zone),
                is_overdue=not done and due_at <= now,
                streak=streak(weeks, week),
                next_reminder=next_reminder.astimezone(zone) if next_reminder else None,
                unread_notifications=membership.unread_notifications,  # type: ignore[attr-defined]
                recent_reads=membership.recent_reads,  # type: ignore[attr-defined]
                recent_comments=membership.recent_comments,  # type: ignore[attr-defined]
            )
        )
    return parts


# Teams: the participant's and the coach's ---------------------------------------------------


def home_teams(
    user: User, *, participant_in: list[int], coach_in: list[int], now: datetime.datetime
) -> list[Team]:
    """The teams the person is on (`is_mine`) or coaches, in the programs where they
    hold that role, each with its project, coach and sponsor, its program's next
    milestone (`next_milestone_title`, `next_milestone_on`) and, when they coach, its
    next planned meeting (`next_meeting_at`, `next_meeting_id`), its last held one
    (`last_meeting_at`) and its overdue actions (`dashboards.coach.overdue_annotations`)."""
    if not participant_in and not coach_in:
        return []
    today = user.today()
    milestones = Milestone.objects.filter(
        program=OuterRef("cohort__program"), due_on__gte=today
    ).order_by("due_on", "title")
    sessions = TeamSession.objects.filter(team=OuterRef("pk"))
    coming = sessions.filter(status=TeamSession.Status.PLANNED, starts_at__gte=now).order_by(
        "starts_at"
    )
    mine = Q(
        pk__in=TeamMember.objects.filter(user=user).values("team_id"),
        cohort__program_id__in=participant_in,
    )
    # What only the coach's part shows, worked out only for a coach.
    coach_facts: dict[str, Any] = {}
    if coach_in:
        coach_facts = {
            "next_meeting_at": Subquery(coming.values("starts_at")[:1]),
            "next_meeting_id": Subquery(coming.values("pk")[:1]),
            "last_meeting_at": Subquery(
                sessions.filter(status=TeamSession.Status.DONE)
                .order_by("-starts_at")
                .values("starts_at")[:1]
            ),
            **overdue_annotations(now.date()),
        }
    return list(
        Team.objects.filter(mine | Q(coach=user, cohort__program_id__in=coach_in))
        .select_related("cohort__program", "project", "coach", "sponsor")
        .annotate(
            is_mine=Exists(
                TeamMember.objects.filter(
                    team=OuterRef("pk"), user=user, team__cohort__program_id__in=participant_in
                )
            ),
            next_milestone_title=Subquery(milestones.values("title")[:1]),
            next_milestone_on=Subquery(milestones.values("due_on")[:1]),
            **coach_facts,
        )
        .order_by("cohort__program__name", "name")
    )


# Coach -----------------------------------------------------------------------------------


@dataclass
class CoachPart:
    membership: Membership
    # Teams needing attention first (those with flags), then the others, by name.
    teams: list[TeamRow]
    unread_shared: int
    # The coached teams' next planned meetings, soonest first.
    meetings: list[tuple[Team, datetime.datetime]] = field(default_factory=list)

    @property
    def program(self) -> Program:
        return self.membership.program

    @property
    def needing_attention(self) -> list[TeamRow]:
        return [row for row in self.teams if row.flags]


def coach_parts(
    user: User,
    memberships: list[Membership],
    teams: list[Team],
    members: list[TeamMember],
    done: dict[tuple[int, int], set[LocalWeek]],
    pulses: list[PulseSurvey],
    now: datetime.datetime,
) -> list[CoachPart]:
    """One part per program the person coaches in: their teams with the coach
    dashboard's flags (teams with flags first), unread shared writing and next meetings."""
    today = now.date()
    rows: dict[int, TeamRow] = {}
    for team in teams:
        if team.coach_id != user.pk:
            continue
        program = team.cohort.program
        project = getattr(team, "project", None)
        row = TeamRow(team=team, project=project, weeks_in_phase=None, expected_weeks=None)
        if project is not None:
            row.weeks_in_phase = weeks_since(project.phase_changed_at, today)
            row.expected_weeks = expected_weeks_in_phase(program).get(Phase(project.phase))
        row.low_pulse_threshold = float(program.low_pulse_threshold)
        last_meeting: datetime.datetime | None = team.last_meeting_at  # type: ignore[attr-defined]
        if last_meeting is not None:
            row.weeks_since_session = weeks_since(last_meeting, today)
        rows[team.pk] = row
    for survey in pulses:
        rows[survey.team_id].pulses.append(pulse_scores(survey))
    weeks_of: dict[int, list[LocalWeek]] = {}
    for member in members:
        row = rows[member.team_id]
        program = row.team.cohort.program
        if program.pk not in weeks_of:
            weeks_of[program.pk] = grid_weeks(program, LocalWeek.containing(today))
        member_done = done.get((member.user_id, program.pk), set())
        row.members.append(member_row(member, row.team, weeks_of[program.pk], member_done, now))
    for row in rows.values():
        row.flags = team_flags(row)

    parts = []
    for membership in memberships:
        if membership.role != Role.COACH or not membership.is_active:
            continue
        coached = [
            row for row in rows.values() if row.team.cohort.program_id == membership.program_id
        ]
        coached.sort(key=lambda row: (not row.flags, row.team.name))
        meetings = sorted(
            (
                (row.team, row.team.next_meeting_at)  # type: ignore[attr-defined]
                for row in coached
                if row.team.next_meeting_at is not None  # type: ignore[attr-defined]
            ),
            key=lambda pair: pair[1],
        )[:COMING_MEETINGS]
        parts.append(
            CoachPart(
                membership=membership,
                teams=coached,
                unread_shared=membership.unread_shared,  # type: ignore[attr-defined]
                meetings=meetings,
            )
        )
    return parts


def coached_members(teams: list[Team], user: User) -> list[TeamMember]:
    """The members of the teams `user` coaches among `teams`."""
    coached = [team.pk for team in teams if team.coach_id == user.pk]
    if not coached:
        return []
    return list(
        TeamMember.objects.filter(team_id__in=coached)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def coached_pulses(teams: list[Team], user: User) -> list[PulseSurvey]:
    coached = [team.pk for team in teams if team.coach_id == user.pk]
    if not coached:
        return []
    return list(
        with_pulse_averages(PulseSurvey.objects.filter(team_id__in=coached)).order_by("meeting_on")
    )


def checkin_weeks(
    user: User,
    *,
    participant_in: list[int],
    members: list[TeamMember],
    coach_in: dict[int, Program],
    now: datetime.datetime,
) -> dict[tuple[int, int], set[LocalWeek]]:
    """The weeks with a check-in, by (person, program): all of the person's own in the
    programs they take part in (their streak), and the recent ones of the members they
    coach (as far back as the coach dashboard's grid, and one week more: a person ahead
    of UTC may already be in the next week). Completion only, never content."""
    own = Q(user=user, program_id__in=participant_in)
    starts = [
        weeks[0].starts_on
        for program in coach_in.values()
        if (weeks := grid_weeks(program, LocalWeek.containing(now.date())))
    ]
    theirs = Q(pk__in=[])
    if members and starts:
        theirs = Q(
            user_id__in={m.user_id for m in members},
            program_id__in=list(coach_in),
            week_starts_on__gte=min(starts) - datetime.timedelta(days=7),
        )
    done: dict[tuple[int, int], set[LocalWeek]] = defaultdict(set)
    if not participant_in and not members:
        return done
    rows = CheckIn.objects.filter(own | theirs).values_list(
        "user_id", "program_id", "iso_year", "iso_week"
    )
    for user_id, program_id, iso_year, iso_week in rows:
        done[(user_id, program_id)].add(LocalWeek(iso_year, iso_week))
    return done


# Sponsor ---------------------------------------------------------------------------------


@dataclass
class SponsorPart:
    projects: list[SponsoredProject]

    @property
    def waiting(self) -> list[SponsoredProject]:
        """Projects where something waits for the sponsor's decision or answer."""
        return [row for row in self.projects if row.awaiting or row.open_door_count]


def sponsor_part(user: User) -> SponsorPart:
    return SponsorPart(projects=sponsored_projects(user))


# Program admin ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SetupStep:
    label: str
    done: bool
    # What is missing, in words, while the step is not done.
    missing: str
    # The page where the step is done.
    url: str


@dataclass
class AdminPart:
    membership: Membership

    @property
    def program(self) -> Program:
        return self.membership.program

    def fact(self, name: str) -> int:
        return int(getattr(self.membership, name) or 0)

    @property
    def steps(self) -> list[SetupStep]:
        """The set-up checklist: program → cohorts → people → teams → advisors →
        projects, each with what is missing and the page where it is done."""
        program_id = self.program.pk
        cohorts = self.fact("cohort_count")
        people = self.fact("participant_count")
        teams = self.fact("team_count")
        unplaced = self.fact("unplaced_count")
        without_advisors = self.fact("teams_without_advisors")
        without_charter = self.fact("teams_without_charter")
        overview = reverse("dashboards:program", args=[program_id])
        # The team builder works on one cohort; with several, the overview lists each.
        builder = (
            reverse("teams:builder", args=[program_id, self.fact("first_cohort_id")])
            if cohorts == 1
            else overview
        )
        form_teams_first = "Form the teams first."
        return [
            SetupStep(
                "Program dates and check-in slot",
                True,
                "",
                reverse("programs:edit", args=[program_id]),
            ),
            SetupStep(
                "Cohorts",
                cohorts > 0,
                "No cohort yet: add one.",
                reverse("programs:cohort_create", args=[program_id]),
            ),
            SetupStep(
                "People",
                people > 0,
                "No participant yet: invite people or import them.",
                reverse("teams:people", args=[program_id]),
            ),
            SetupStep(
                "Teams",
                teams > 0 and unplaced == 0,
                (
                    f"{unplaced} participant{'s are' if unplaced != 1 else ' is'} on no team."
                    if teams
                    else "No team yet: form them in the team builder."
                ),
                builder,
            ),
            SetupStep(
                "A coach and a sponsor on every team",
                teams > 0 and without_advisors == 0,
                (
                    f"{without_advisors} team{'s lack' if without_advisors != 1 else ' lacks'} "
                    "a coach or a sponsor."
                    if teams
                    else form_teams_first
                ),
                builder,
            ),
            SetupStep(
                "A chartered project for every team",
                teams > 0 and without_charter == 0,
                (
                    f"{without_charter} team{'s have' if without_charter != 1 else ' has'} "
                    "not submitted a project charter yet."
                    if teams
                    else form_teams_first
                ),
                overview,
            ),
        ]

    @property
    def steps_left(self) -> int:
        return sum(1 for step in self.steps if not step.done)

    @property
    def participation_percent(self) -> int | None:
        people = self.fact("participant_count")
        if not people:
            return None
        return round(100 * self.fact("checked_in_count") / people)


def admin_parts(memberships: list[Membership]) -> list[AdminPart]:
    return [
        AdminPart(membership=m)
        for m in memberships
        if m.role == Role.PROGRAM_ADMIN and m.is_active
    ]


# The home ---------------------------------------------------------------------------------


@dataclass
class Home:
    memberships: list[Membership]
    participant: list[ParticipantPart]
    coach: list[CoachPart]
    sponsor: SponsorPart | None
    admin: list[AdminPart]


def build_home(user: User, *, now: datetime.datetime) -> Home:
    """Each role's part of the person's home, as of `now`."""
    every_membership = home_memberships(user, now=now, week=LocalWeek.of(now, user.zone))
    active = [m for m in every_membership if m.is_active]
    roles: dict[str, dict[int, Program]] = defaultdict(dict)
    for membership in active:
        roles[membership.role][membership.program_id] = membership.program
    participant_in = list(roles[Role.PARTICIPANT])
    coach_in = roles[Role.COACH]
    teams = home_teams(user, participant_in=participant_in, coach_in=list(coach_in), now=now)
    members = coached_members(teams, user)
    done = checkin_weeks(
        user, participant_in=participant_in, members=members, coach_in=coach_in, now=now
    )
    own_weeks = {
        program_id: [(w.iso_year, w.iso_week) for w in weeks]
        for (user_id, program_id), weeks in done.items()
        if user_id == user.pk and program_id in roles[Role.PARTICIPANT]
    }
    return Home(
        memberships=every_membership,
        participant=participant_parts(user, every_membership, teams, own_weeks, now),
        coach=coach_parts(
            user, every_membership, teams, members, done, coached_pulses(teams, user), now
        ),
        sponsor=sponsor_part(user) if Role.SPONSOR in roles else None,
        admin=admin_parts(every_membership),
    )
