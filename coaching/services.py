"""Writes for team sessions: scheduling and changing a session, and running it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from coaching.events import SessionRecordShared, SessionScheduled
from coaching.models import (
    CoachQuestion,
    Intervention,
    LearningEntry,
    PulseSurvey,
    SessionAttendance,
    TeamSession,
)
from coaching.notes import do_write_coach_note
from coaching.pulse import do_open_pulse
from core.events import announce
from programs.models import Program, Role, User
from projects.models import Action
from projects.work_services import do_create_action
from teams.models import Team, TeamMember


def session_members(team: Team) -> list[User]:
    """The team's members who are active participants of its program: those expected at
    its sessions."""
    return list(
        User.objects.filter(
            pk__in=TeamMember.objects.filter(team=team).values("user_id"),
            memberships__program_id=team.cohort.program_id,
            memberships__role=Role.PARTICIPANT,
            memberships__is_active=True,
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def _announce(session: TeamSession, by: User) -> None:
    team = session.team
    announce(
        SessionScheduled(
            session_id=session.pk,
            team_id=team.pk,
            team_name=team.name,
            program_id=team.cohort.program_id,
            starts_at=session.starts_at.astimezone(datetime.UTC).isoformat(),
            sequence=session.sequence,
            by_id=by.pk,
        )
    )


@transaction.atomic
def do_schedule_session(
    *,
    team: Team,
    by: User,
    starts_at: datetime.datetime,
    duration: datetime.timedelta,
    place: str = "",
    video_link: str = "",
    agenda: str = "",
    now: datetime.datetime | None = None,
) -> TeamSession:
    """Schedule a session of the team; each current member is expected at it, and the
    members and advisors are told and sent a calendar invitation (`SessionScheduled`)."""
    now = now or timezone.now()
    session = TeamSession.objects.create(
        team=team,
        starts_at=starts_at,
        duration=duration,
        ends_at=starts_at + duration,
        place=place,
        video_link=video_link,
        agenda=agenda,
        created_by=by,
        created_at=now,
        updated_at=now,
    )
    SessionAttendance.objects.bulk_create(
        [SessionAttendance(session=session, user=member) for member in session_members(team)]
    )
    _announce(session, by)
    return session


@transaction.atomic
def do_change_session(
    *,
    session: TeamSession,
    by: User,
    starts_at: datetime.datetime,
    duration: datetime.timedelta,
    place: str,
    video_link: str,
    agenda: str,
    now: datetime.datetime | None = None,
) -> TeamSession:
    """Move or change a planned session. The attendees' calendars get an update of the
    same event (same UID, a higher SEQUENCE); nothing is sent when nothing changed."""
    session = (
        TeamSession.objects.select_for_update().select_related("team__cohort").get(pk=session.pk)
    )
    if session.status != TeamSession.Status.PLANNED:
        raise ValueError("Only a session that has not started can be changed.")
    new = {
        "starts_at": starts_at,
        "duration": duration,
        "place": place,
        "video_link": video_link,
        "agenda": agenda,
    }
    if all(getattr(session, name) == value for name, value in new.items()):
        return session
    for name, value in new.items():
        setattr(session, name, value)
    session.ends_at = starts_at + duration
    session.sequence += 1
    session.updated_at = now or timezone.now()
    session.save()
    _announce(session, by)
    return session


# Running a session ----------------------------------------------------------------------


def _require_open_session(session: TeamSession) -> None:
    if session.status == TeamSession.Status.DONE:
        raise PermissionDenied("This session has ended: its record is closed.")


def do_start_session(
    *, session: TeamSession, by: User, now: datetime.datetime | None = None
) -> TeamSession:
    """Mark the session running (starting it twice changes nothing)."""
    _require_open_session(session)
    if session.status == TeamSession.Status.PLANNED:
        session.status = TeamSession.Status.RUNNING
        session.started_at = now or timezone.now()
        session.save(update_fields=["status", "started_at"])
    return session


@transaction.atomic
def do_record_attendance(*, session: TeamSession, present: Iterable[User]) -> None:
    """Record who came: the expected members present are marked attended, the others
    absent. A member not expected (joined since) is added."""
    _require_open_session(session)
    present_ids = {user.pk for user in present}
    members = {user.pk for user in session_members(session.team)}
    expected = set(
        SessionAttendance.objects.filter(session=session).values_list("user_id", flat=True)
    )
    SessionAttendance.objects.bulk_create(
        [
            SessionAttendance(session=session, user_id=pk)
            for pk in (present_ids & members) - expected
        ]
    )
    SessionAttendance.objects.filter(session=session, user_id__in=present_ids).update(
        attended=True
    )
    SessionAttendance.objects.filter(session=session).exclude(user_id__in=present_ids).update(
        attended=False
    )


def do_save_session_notes(*, session: TeamSession, question: str, decisions: str) -> None:
    """Save the team's question and its decisions."""
    _require_open_session(session)
    session.question = question
    session.decisions = decisions
    session.save(update_fields=["question", "decisions"])


@transaction.atomic
def do_add_session_action(
    *,
    session: TeamSession,
    by: User,
    title: str,
    owner: User,
    due_on: datetime.date | None,
) -> Action:
    """A new action of the team's project decided in the session (its owner is told by
    the projects service)."""
    _require_open_session(session)
    action = do_create_action(
        project=session.team.project, title=title, owner=owner, due_on=due_on, by=by
    )
    session.actions.add(action)
    return action


def do_write_learning(
    *,
    session: TeamSession,
    author: User,
    learned: str,
    differently: str,
    shared: bool,
    now: datetime.datetime | None = None,
) -> LearningEntry:
    """Save a member's closing-round entry; it stays private to them until they share it
    with the team (sharing is kept when they edit it; unticking takes it back)."""
    now = now or timezone.now()
    entry, _ = LearningEntry.objects.get_or_create(
        session=session,
        author=author,
        defaults={
            "learned": learned,
            "differently": differently,
            "created_at": now,
            "updated_at": now,
        },
    )
    entry.learned = learned
    entry.differently = differently
    entry.updated_at = now
    if shared and entry.shared_at is None:
        entry.shared_at = now
    elif not shared:
        entry.shared_at = None
    entry.save()
    return entry


@transaction.atomic
def do_end_session(
    *, session: TeamSession, by: User, now: datetime.datetime | None = None
) -> PulseSurvey:
    """End the session and open the team pulse for it (the members are asked to answer);
    its date is the session's date on the clock of whoever ends it. The coach's
    interventions become their private coach note of the session (time split between task
    and process, questions used)."""
    now = now or timezone.now()
    session = TeamSession.objects.select_for_update().select_related("team").get(pk=session.pk)
    if session.status != TeamSession.Status.DONE:
        session.status = TeamSession.Status.DONE
        session.started_at = session.started_at or session.starts_at
        session.ended_at = now
        session.save(update_fields=["status", "started_at", "ended_at"])
        # The coach's record goes to their private notes, never to the team's record.
        for coach in User.objects.filter(
            pk__in=Intervention.objects.filter(session=session).values("coach_id")
        ):
            _coach_record(session, coach, now)
    survey, _ = do_open_pulse(
        team=session.team, by=by, meeting_on=session.starts_at.astimezone(by.zone).date(), now=now
    )
    return survey


# The shared default bank, by purpose; a fresh installation gets it from the migration
# `0002_default_question_bank` (which keeps its own frozen copy), and
# `do_ensure_default_question_bank` restores whatever of it is missing.
DEFAULT_QUESTIONS: dict[str, tuple[str, ...]] = {
    "clarify": (
        "What exactly is the problem we are trying to solve?",
        "What would success look like, and how would we know?",
        "What do we mean when we use that word?",
    ),
    "challenge": (
        "What are we assuming that might not be true?",
        "What would someone who disagrees with us say?",
        "What if we did the opposite?",
    ),
    "process": (
        "How well are we listening to each other right now?",
        "Who has not spoken yet, and what do they think?",
        "Are we asking questions, or giving answers?",
    ),
    "learning": (
        "What have we learned in this session so far?",
        "What will each of us do differently as a result?",
        "What did we learn about ourselves as leaders today?",
    ),
}


def do_ensure_default_question_bank() -> int:
    """Add the default bank's questions that are missing (idempotent); returns how many."""
    present = set(
        CoachQuestion.objects.filter(program__isnull=True).values_list("purpose", "text")
    )
    missing = [
        CoachQuestion(purpose=purpose, text=text, program=None)
        for purpose, texts in DEFAULT_QUESTIONS.items()
        for text in texts
        if (purpose, text) not in present
    ]
    CoachQuestion.objects.bulk_create(missing)
    return len(missing)


def do_add_coach_question(*, program: Program, by: User, purpose: str, text: str) -> CoachQuestion:
    """Extend the program's question bank (the shared default bank stays as it is)."""
    return CoachQuestion.objects.create(
        program=program, added_by=by, purpose=CoachQuestion.Purpose(purpose), text=text
    )


# The coach's record ---------------------------------------------------------------------


def do_record_intervention(
    *,
    session: TeamSession,
    coach: User,
    about: str,
    question: CoachQuestion | None = None,
    now: datetime.datetime | None = None,
) -> Intervention:
    """One tap by the coach: an intervention about the task or the process (with the
    bank question asked, if any). The first one starts a planned session."""
    _require_open_session(session)
    now = now or timezone.now()
    do_start_session(session=session, by=coach, now=now)
    return Intervention.objects.create(
        session=session, coach=coach, about=Intervention.About(about), question=question, at=now
    )


@dataclass(frozen=True)
class TimeSplit:
    task_minutes: int
    process_minutes: int

    @property
    def process_percent(self) -> int:
        total = self.task_minutes + self.process_minutes
        return round(100 * self.process_minutes / total) if total else 0


def time_split(
    interventions: list[Intervention], start: datetime.datetime, end: datetime.datetime
) -> TimeSplit:
    """Minutes on the task and on the process: from each intervention to the next, the
    team is counted on what it was about; before the first, on the task."""
    seconds = {Intervention.About.TASK: 0.0, Intervention.About.PROCESS: 0.0}
    about, since = Intervention.About.TASK, start
    for intervention in interventions:
        at = min(max(intervention.at, start), end)
        seconds[about] += (at - since).total_seconds()
        about, since = Intervention.About(intervention.about), at
    seconds[about] += max((end - since).total_seconds(), 0.0)
    task, process = (round(seconds[k] / 60) for k in Intervention.About)
    if task == 0 and process == 0:
        # A session shorter than a minute still counts one, where it spent the most.
        longer_on_task = seconds[Intervention.About.TASK] >= seconds[Intervention.About.PROCESS]
        task, process = (1, 0) if longer_on_task else (0, 1)
    return TimeSplit(task_minutes=task, process_minutes=process)


def _coach_record(session: TeamSession, coach: User, now: datetime.datetime) -> None:
    """Write the coach's private note of the session from their interventions."""
    interventions = list(
        Intervention.objects.filter(session=session, coach=coach).select_related("question")
    )
    if not interventions:
        return
    start = session.started_at or session.starts_at
    split = time_split(interventions, start, now)
    asked = [i.question.text for i in interventions if i.question is not None]
    counts = {
        label: sum(1 for i in interventions if i.about == value)
        for value, label in Intervention.About.choices
    }
    lines = [
        f"Session of {session.starts_at.astimezone(coach.zone):%d %b %Y %H:%M}.",
        f"Interventions: {counts['Task']} on the task, {counts['Process']} on the process.",
        f"Time: {split.task_minutes} min on the task, {split.process_minutes} min on the "
        f"process ({split.process_percent}% process).",
    ]
    if asked:
        lines += ["", "Questions used:", *(f"- {text}" for text in asked)]
    note = do_write_coach_note(
        team=session.team,
        by=coach,
        held_on=start.astimezone(coach.zone).date(),
        body="\n".join(lines),
        task_minutes=split.task_minutes,
        process_minutes=split.process_minutes,
        now=now,
    )
    session.coach_note = note
    session.save(update_fields=["coach_note"])


@dataclass(frozen=True)
class SharedRecord:
    """What the coach shares of their record of a session: the figures and the questions
    used, never the text of their note."""

    task_minutes: int
    process_minutes: int
    process_percent: int
    questions: list[str]
    shared_at: datetime.datetime


def shared_record(session: TeamSession, reader: User, *, is_member: bool) -> SharedRecord | None:
    """The coach's shared record of the session, for the team's members and the coach who
    wrote it; None for everyone else, and while it is not shared."""
    note = session.coach_note
    if session.record_shared_at is None or note is None or note.author_id is None:
        return None
    if not (is_member or note.author_id == reader.pk):
        return None
    asked = Intervention.objects.filter(
        session=session, coach_id=note.author_id, question__isnull=False
    ).select_related("question")
    return SharedRecord(
        task_minutes=note.task_minutes,
        process_minutes=note.process_minutes,
        process_percent=note.process_percent,
        questions=[i.question.text for i in asked if i.question is not None],
        shared_at=session.record_shared_at,
    )


def do_share_session_record(
    *, session: TeamSession, by: User, now: datetime.datetime | None = None
) -> TeamSession:
    """The coach who wrote the session's record shares its figures (task/process split,
    questions used; never the note's text) with the team's members. Sharing again keeps the
    first share time."""
    note = session.coach_note
    if note is None or note.author_id != by.pk:
        raise ValueError("Only the coach who wrote the session's record shares it.")
    if session.record_shared_at is None:
        session.record_shared_at = now or timezone.now()
        session.save(update_fields=["record_shared_at"])
        team = session.team
        announce(
            SessionRecordShared(
                session_id=session.pk,
                team_id=team.pk,
                team_name=team.name,
                program_id=team.cohort.program_id,
                by_id=by.pk,
            )
        )
    return session


def do_stop_sharing_session_record(*, session: TeamSession, by: User) -> TeamSession:
    """The coach who shared the session's record hides it from the team again."""
    note = session.coach_note
    if note is None or note.author_id != by.pk:
        raise ValueError("Only the coach who wrote the session's record stops sharing it.")
    if session.record_shared_at is not None:
        session.record_shared_at = None
        session.save(update_fields=["record_shared_at"])
    return session
