"""Coach tools for a team: coach notes and the team pulse.

Coach notes stay with the coach who wrote them: the team's current learning coach (with
an active coach membership in the program) writes them and reads their own, and reads a
previous coach's notes only once that coach hands them over (`do_hand_over_notes`).
Every read by a coach other than the author is recorded, and the author sees it.

Pulse answers are anonymous to the team: nobody sees one person's answers, and averages
appear only once at least `MIN_PULSE_RESPONSES` members have answered.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, QuerySet
from django.http import Http404
from django.utils import timezone

from core.events import announce
from core.models import SecurityEvent
from core.security import record_event
from programs.access import require_member
from programs.models import Membership, Role, User
from teams.access import TeamAccess, get_team_for_user
from teams.events import PulseOpened
from teams.models import (
    PULSE_DIMENSIONS,
    CoachNote,
    CoachNoteHandover,
    CoachNoteRead,
    PulseResponse,
    PulseSurvey,
    Team,
)

MIN_PULSE_RESPONSES = 3
# A pulse takes answers for PULSE_OPEN_DAYS after it was opened, then closes. Its averages
# (and, for the coach, its comments, in alphabetical order without names or times) appear
# only once it has closed with at least MIN_PULSE_RESPONSES answers, never while answers
# still arrive: so no one can compare the figures before and after a teammate answered to
# read that teammate's scores, or spot their comment as the new line.
PULSE_OPEN_DAYS = 3


def pulse_closes_at(survey: PulseSurvey) -> datetime.datetime:
    return survey.created_at + datetime.timedelta(days=PULSE_OPEN_DAYS)


def pulse_is_open(survey: PulseSurvey, now: datetime.datetime | None = None) -> bool:
    return (now or timezone.now()) < pulse_closes_at(survey)


QUESTIONING_PROTOCOL = (
    "What did we try?\n\n\n"
    "What happened?\n\n\n"
    "What did we learn?\n\n\n"
    "What will we do differently?\n"
)


def is_team_coach(access: TeamAccess) -> bool:
    return access.is_coach and Role.COACH in access.roles


def get_coached_team(user: User, team_id: int) -> TeamAccess:
    """The team, if the user is its learning coach. Outsiders get 404; members, the
    sponsor and program admins get 403."""
    access = get_team_for_user(user, team_id)
    if not is_team_coach(access):
        raise PermissionDenied("Only the team's learning coach can open its coach notes.")
    return access


def get_note_for_user(user: User, note_id: int) -> CoachNote:
    """A coach note, for the coach who wrote it and the coaches it was handed over to
    (see `CoachNoteQuerySet.for_user`); for everyone else it does not exist (404)."""
    note = (
        CoachNote.objects.for_user(user)
        .select_related("team__cohort__program", "author")
        .filter(pk=note_id)
        .first()
    )
    if note is None:
        raise Http404("No such note.")
    return note


def notes_for_team(user: User, team: Team) -> QuerySet[CoachNote]:
    """The notes on a team that the user may read."""
    return CoachNote.objects.for_user(user).filter(team=team).select_related("author")


def do_record_note_read(*, note: CoachNote, reader: User) -> CoachNoteRead | None:
    """Record a read of a note by a coach other than its author (the author's own reads
    are not recorded)."""
    if note.author_id == reader.pk:
        return None
    return CoachNoteRead.objects.create(note=note, reader=reader, read_at=timezone.now())


def get_notes_to_hand_over(user: User, team_id: int) -> Team:
    """A team on which the user, an active coach of its program, wrote notes: they may
    hand them over, whether or not they still coach it. Outsiders to the program get 404,
    other members 403."""
    team = Team.objects.select_related("cohort__program").filter(pk=team_id).first()
    if team is None:
        raise Http404("No such team.")
    roles = require_member(user, team.cohort.program_id)
    if Role.COACH not in roles or not CoachNote.objects.filter(team=team, author=user).exists():
        raise PermissionDenied("Only a coach who wrote notes on this team can hand them over.")
    return team


def handover_candidates(team: Team, by: User) -> QuerySet[User]:
    """The coaches a note's author may hand notes over to: the program's other active
    coaches."""
    return (
        User.objects.filter(
            memberships__program_id=team.cohort.program_id,
            memberships__role=Role.COACH,
            memberships__is_active=True,
        )
        .exclude(pk=by.pk)
        .order_by("first_name", "last_name", "pk")
    )


@transaction.atomic
def do_hand_over_notes(*, team: Team, by: User, to: User) -> int:
    """Hand over all the notes `by` wrote on `team` to another active coach of the
    program, who may read them while a coach in the program. Recorded as a security event.
    Returns how many notes were handed over."""
    if (
        to.pk == by.pk
        or not Membership.objects.filter(
            user=to, program_id=team.cohort.program_id, role=Role.COACH, is_active=True
        ).exists()
    ):
        raise ValidationError("Notes can be handed over only to another coach of the program.")
    now = timezone.now()
    notes = list(CoachNote.objects.filter(team=team, author=by).values_list("pk", flat=True))
    CoachNoteHandover.objects.bulk_create(
        [CoachNoteHandover(note_id=pk, coach=to, handed_by=by, handed_at=now) for pk in notes],
        ignore_conflicts=True,
    )
    record_event(
        SecurityEvent.Kind.NOTES_HANDED_OVER,
        user=by,
        team=team.pk,
        to=to.pk,
        notes=len(notes),
    )
    return len(notes)


def do_write_coach_note(
    *,
    team: Team,
    by: User,
    held_on: datetime.date,
    body: str,
    task_minutes: int,
    process_minutes: int,
    now: datetime.datetime | None = None,
) -> CoachNote:
    """Save a process note about one team session."""
    now = now or timezone.now()
    return CoachNote.objects.create(
        team=team,
        author=by,
        held_on=held_on,
        body=body,
        task_minutes=task_minutes,
        process_minutes=process_minutes,
        created_at=now,
        updated_at=now,
    )


def get_pulse_team(user: User, team_id: int) -> TeamAccess:
    """The team, for its members and its coach (who open and answer pulses or read their
    averages). The sponsor and program admins get 403, outsiders 404."""
    access = get_team_for_user(user, team_id)
    if not (access.is_member and Role.PARTICIPANT in access.roles) and not is_team_coach(access):
        raise PermissionDenied("Only the team and its learning coach take part in its pulse.")
    return access


def get_pulse_for_respondent(user: User, survey_id: int) -> PulseSurvey:
    """A pulse that the user, as a member of its team, may answer."""
    survey = (
        PulseSurvey.objects.select_related("team__cohort__program").filter(pk=survey_id).first()
    )
    if survey is None:
        raise Http404("No such pulse.")
    access = get_team_for_user(user, survey.team_id)
    if not (access.is_member and Role.PARTICIPANT in access.roles):
        raise PermissionDenied("Only the team's members answer its pulse.")
    return survey


def do_open_pulse(
    *, team: Team, by: User, meeting_on: datetime.date, now: datetime.datetime | None = None
) -> tuple[PulseSurvey, bool]:
    """Open the pulse for one team meeting; a second opening for the same meeting returns
    the first one (the unique constraint decides between two at once). The team's
    members are asked to answer (`PulseOpened`)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            survey = PulseSurvey.objects.create(
                team=team, meeting_on=meeting_on, opened_by=by, created_at=now
            )
            announce(
                PulseOpened(
                    survey_id=survey.pk,
                    team_id=team.pk,
                    team_name=team.name,
                    program_id=team.cohort.program_id,
                    meeting_on=meeting_on.isoformat(),
                    by_id=by.pk,
                )
            )
            return survey, True
    except IntegrityError:
        return PulseSurvey.objects.get(team=team, meeting_on=meeting_on), False


class AlreadyAnswered(Exception):
    """The member has answered this pulse already."""


class PulseClosed(Exception):
    """The pulse no longer takes answers: its results are final."""


def do_answer_pulse(
    *,
    survey: PulseSurvey,
    by: User,
    scores: dict[str, int],
    comment: str,
    now: datetime.datetime | None = None,
) -> PulseResponse:
    """Record one member's answers; a second answer raises AlreadyAnswered, an answer
    after the pulse closed raises PulseClosed (so that its shown averages never change)."""
    now = now or timezone.now()
    if not pulse_is_open(survey, now):
        raise PulseClosed
    try:
        with transaction.atomic():
            return PulseResponse.objects.create(
                survey=survey,
                respondent=by,
                comment=comment,
                created_at=now,
                **{name: scores[name] for name in PULSE_DIMENSIONS},
            )
    except IntegrityError:
        raise AlreadyAnswered from None


def with_pulse_averages(surveys: QuerySet[PulseSurvey]) -> QuerySet[PulseSurvey]:
    """Each survey with `response_count` and `avg_<dimension>` (read them through
    `pulse_scores`, which hides averages of too few responses)."""
    return surveys.annotate(
        response_count=Count("responses"),
        **{f"avg_{name}": Avg(f"responses__{name}") for name in PULSE_DIMENSIONS},
    )


@dataclass(frozen=True)
class PulseScores:
    survey: PulseSurvey
    responses: int
    # Dimension → average rounded to one decimal; empty while the pulse is open and for a
    # closed pulse with fewer than the minimum of responses.
    averages: dict[str, float]
    is_open: bool = False

    @property
    def closes_at(self) -> datetime.datetime:
        return pulse_closes_at(self.survey)

    @property
    def shown(self) -> bool:
        return bool(self.averages)

    def rows(self) -> list[tuple[str, float | None]]:
        return [(label, self.averages.get(name)) for name, label in PULSE_DIMENSIONS.items()]


def pulse_scores(survey: PulseSurvey, now: datetime.datetime | None = None) -> PulseScores:
    """The averages of a survey annotated by `with_pulse_averages`, once it has closed
    with enough answers."""
    count = int(getattr(survey, "response_count", 0))
    is_open = pulse_is_open(survey, now)
    averages: dict[str, float] = {}
    if not is_open and count >= MIN_PULSE_RESPONSES:
        averages = {
            name: round(float(getattr(survey, f"avg_{name}")), 1) for name in PULSE_DIMENSIONS
        }
    return PulseScores(survey=survey, responses=count, averages=averages, is_open=is_open)


def falling_dimensions(history: list[PulseScores]) -> list[tuple[str, list[float]]]:
    """Dimensions whose average fell at each of the last two meetings with enough
    responses, oldest first: (label, the three averages)."""
    shown = [
        scores for scores in sorted(history, key=lambda s: s.survey.meeting_on) if scores.shown
    ]
    if len(shown) < 3:
        return []
    last = shown[-3:]
    falling = []
    for name, label in PULSE_DIMENSIONS.items():
        values = [scores.averages[name] for scores in last]
        if values[0] > values[1] > values[2]:
            falling.append((label, values))
    return falling
