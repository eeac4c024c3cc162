"""Coach notes (with their handovers and reads), the team pulse, team sessions (the
action-learning meeting), who attends them, and the coach's bank of questions."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Exists, OuterRef, Q

from programs.models import Membership, Program, Role, User
from projects.models import Action
from teams.models import Team


class CoachNoteQuerySet(models.QuerySet["CoachNote"]):
    def for_user(self, user: User | AnonymousUser) -> CoachNoteQuerySet:
        """Notes the user may read: those they wrote and those handed over to them, while
        they hold an active coach membership in the note's program. Being made a team's
        coach opens none of the earlier coaches' notes."""
        if not isinstance(user, User) or not user.is_authenticated:
            return self.none()
        handed = CoachNoteHandover.objects.filter(note=OuterRef("pk"), coach=user)
        coaching = Membership.objects.filter(
            user=user, program=OuterRef("team__cohort__program"), role=Role.COACH, is_active=True
        )
        return self.filter((Q(author=user) | Exists(handed)) & Exists(coaching))


class CoachNote(models.Model):
    """A learning coach's dated process note about one team: readable by the coach who
    wrote it and by the coaches it was handed over to (`CoachNoteHandover`), while they
    are coaches in the program — never by members, the sponsor, program admins or the Django admin.
    The session's time split between the task and the process is kept in minutes."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="coach_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    held_on = models.DateField("session date")
    body = models.TextField()
    task_minutes = models.PositiveSmallIntegerField("minutes on the task")
    process_minutes = models.PositiveSmallIntegerField("minutes on the process")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = CoachNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(task_minutes__gt=0) | Q(process_minutes__gt=0),
                name="coachnote_time_split_not_empty",
            ),
        ]

    def __str__(self) -> str:
        # Never the body: this appears in the admin and its logs.
        return f"Coach note #{self.pk}"

    @property
    def process_percent(self) -> int:
        total = self.task_minutes + self.process_minutes
        return round(100 * self.process_minutes / total) if total else 0


class CoachNoteHandover(models.Model):
    """A coach note handed over by the coach who wrote it to another coach, who may read
    it from then on while a coach in the program. Notes are never handed over implicitly: a
    new coach of the team starts with none of the previous coach's notes."""

    note = models.ForeignKey(CoachNote, on_delete=models.CASCADE, related_name="handovers")
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    handed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["note", "coach"], name="coachnotehandover_once"),
        ]

    def __str__(self) -> str:
        return f"Handover of {self.note}"


class CoachNoteRead(models.Model):
    """One read of a coach note by a coach other than its author: the author sees who
    read their notes and when."""

    note = models.ForeignKey(CoachNote, on_delete=models.CASCADE, related_name="reads")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField()

    class Meta:
        ordering = ["-read_at"]
        indexes = [models.Index(fields=["note", "-read_at"])]

    def __str__(self) -> str:
        return f"Read of {self.note} at {self.read_at:%Y-%m-%d %H:%M}"


PULSE_DIMENSIONS = {
    "goal_clarity": "Goal clarity",
    "balanced_participation": "Balanced participation",
    "psychological_safety": "Psychological safety",
    "learning": "Learning",
    "progress": "Progress",
}


class PulseSurvey(models.Model):
    """The short survey after one team meeting, opened by a member or the coach."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="pulse_surveys")
    meeting_on = models.DateField("meeting date")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-meeting_on"]
        constraints = [
            models.UniqueConstraint(fields=["team", "meeting_on"], name="pulse_one_per_meeting"),
        ]

    def __str__(self) -> str:
        return f"Pulse of {self.team} on {self.meeting_on:%d %b %Y}"


def _score_field(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label)


class PulseResponse(models.Model):
    """One member's answers to one pulse: never shown individually to anyone on the team."""

    survey = models.ForeignKey(PulseSurvey, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    goal_clarity = _score_field("goal clarity")
    balanced_participation = _score_field("balanced participation")
    psychological_safety = _score_field("psychological safety")
    learning = _score_field("learning")
    progress = _score_field("progress")
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent"], name="pulse_one_response_per_member"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                    name=f"pulse_{name}_1_to_5",
                )
                for name in PULSE_DIMENSIONS
            ),
        ]

    def __str__(self) -> str:
        return f"Pulse response #{self.pk}"


class TeamSessionQuerySet(models.QuerySet["TeamSession"]):
    def for_user(self, user: User | AnonymousUser) -> TeamSessionQuerySet:
        """Sessions of the teams the user may open (see `Team.objects.for_user`)."""
        return self.filter(team__in=Team.objects.for_user(user))

    def upcoming(self, now: datetime.datetime) -> TeamSessionQuerySet:
        """Sessions not over yet, soonest first."""
        return self.exclude(status=TeamSession.Status.DONE).filter(ends_at__gt=now)


class TeamSession(models.Model):
    """One meeting of a team: when (stored in UTC, shown in each reader's zone), how long,
    where (a place or a video link) and its agenda. `sequence` counts the changes sent
    to the attendees' calendars (iTIP SEQUENCE)."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField()
    duration = models.DurationField(default=datetime.timedelta(minutes=90))
    # Kept with the start so that "upcoming" is one indexed comparison.
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(max_length=500, blank=True)
    agenda = models.TextField(blank=True, max_length=4000)
    # Written during the session, for the team's record: the problem or question the team
    # works on, and what it decided.
    question = models.TextField(blank=True, max_length=2000)
    decisions = models.TextField(blank=True, max_length=4000)
    # The project's actions decided in the session (created through the projects service).
    actions = models.ManyToManyField(Action, blank=True, related_name="+")
    # The coach's private record of the session, written when it ends (see
    # `do_end_session`): readable only as coach notes are.
    coach_note = models.ForeignKey(
        CoachNote, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When the coach who wrote `coach_note` shared its figures (the task/process split and
    # the questions used, never the note's text) with the team's members; None: not shared.
    record_shared_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = TeamSessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["team", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="teamsession_has_length"
            ),
        ]

    def __str__(self) -> str:
        return f"Session of {self.team} on {self.starts_at:%Y-%m-%d}"

    @property
    def uid(self) -> str:
        """The calendar UID: the same for every invitation and update of this session."""
        return f"team-session-{self.pk}@actionlab"


class SessionAttendance(models.Model):
    """A team member expected at a session; `attended` is set when the session is run
    (None: not recorded yet). Shown to the coach and program admins as completion only."""

    session = models.ForeignKey(TeamSession, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    attended = models.BooleanField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"Attendance #{self.pk}"


class Intervention(models.Model):
    """One tap by the coach during a session: an intervention about the task or about the
    process, with the bank question asked if any, at a moment. The team's discussion is
    counted as being about what the latest intervention was about (the task before the
    first). Seen by the coach who made it only, and in their private coach note."""

    class About(models.TextChoices):
        TASK = "task", "Task"
        PROCESS = "process", "Process"

    session = models.ForeignKey(
        TeamSession, on_delete=models.CASCADE, related_name="interventions"
    )
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    about = models.CharField(max_length=10, choices=About.choices)
    question = models.ForeignKey(
        "CoachQuestion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"Intervention #{self.pk}"


class LearningEntryQuerySet(models.QuerySet["LearningEntry"]):
    def visible_to(self, user: User) -> LearningEntryQuerySet:
        """The reader's own entries and those their authors shared with the team."""
        return self.filter(Q(author=user) | Q(shared_at__isnull=False))


class LearningEntry(models.Model):
    """One member's closing-round answer: what I learned, what I will do differently.
    Private to its author until they share it with the team (its members and coach)."""

    session = models.ForeignKey(TeamSession, on_delete=models.CASCADE, related_name="learning")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    learned = models.TextField("What did I learn?", max_length=2000)
    differently = models.TextField("What will I do differently?", max_length=2000, blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = LearningEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "author"], name="learning_once"),
        ]

    def __str__(self) -> str:
        # Never the text: this may appear in logs.
        return f"Learning entry #{self.pk}"


class CoachQuestionQuerySet(models.QuerySet["CoachQuestion"]):
    def for_program(self, program: Program) -> CoachQuestionQuerySet:
        """The shared default bank and the questions the program's coaches added."""
        return self.filter(Q(program__isnull=True) | Q(program=program))


class CoachQuestion(models.Model):
    """A question the coach can ask in the question-first round. Those with no program
    are the shared default bank; a coach extends the bank for their program."""

    class Purpose(models.TextChoices):
        CLARIFY = "clarify", "Clarify"
        CHALLENGE = "challenge", "Challenge assumptions"
        PROCESS = "process", "Process"
        LEARNING = "learning", "Learning"

    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    text = models.CharField(max_length=300)
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CoachQuestionQuerySet.as_manager()

    class Meta:
        ordering = ["purpose", "pk"]

    def __str__(self) -> str:
        return self.text
