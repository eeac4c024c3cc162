"""Coach notes: a learning coach's process notes about one team.

Coach notes stay with the coach who wrote them: the team's current learning coach (with
an active coach membership in the program) writes them and reads their own, and reads a
previous coach's notes only once that coach hands them over (`do_hand_over_notes`).
Every read by a coach other than the author is recorded, and the author sees it.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from coaching.models import CoachNote, CoachNoteHandover, CoachNoteRead
from core.models import SecurityEvent
from core.security import record_event
from programs.access import require_member
from programs.models import Membership, Role, User
from teams.access import TeamAccess, get_team_for_user
from teams.models import Team

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
