"""Action learning teams (sets) and who is on them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Exists, OuterRef, Q

from programs.models import Cohort, Membership, Program, Role, User


class TeamQuerySet(models.QuerySet["Team"]):
    def for_user(self, user: User | AnonymousUser) -> TeamQuerySet:
        """Teams the user may open: member, coach, sponsor, or admin of the program."""
        if not user.is_authenticated:
            return self.none()
        admin_programs = Program.objects.filter(
            memberships__user=user,
            memberships__role=Role.PROGRAM_ADMIN,
            memberships__is_active=True,
        )
        return self.filter(
            Q(members__user=user)
            | Q(coach=user)
            | Q(sponsor=user)
            | Q(cohort__program__in=admin_programs)
        ).distinct()


class Team(models.Model):
    """An action learning set: a few leaders from different units, one coach, one sponsor."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coached_teams",
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sponsored_teams",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "name"], name="team_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    """A participant on a team. `cohort` repeats the team's cohort so that the database
    can refuse a second team for the same participant in one cohort."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "user"], name="teammember_one_team_per_cohort"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.team}"


class PeopleImport(models.Model):
    """A people file uploaded by a program admin, kept between its preview and its
    confirmation. Nothing in it is written to people, memberships or teams before the
    admin confirms; `applied_at` records when that happened."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="people_imports")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="people_imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    filename = models.CharField(max_length=255)
    content = models.TextField()
    create_units = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    # When only the valid rows were imported: the others, as CSV with a `reason` column.
    rejected_rows = models.TextField(blank=True)
    # When the members it gave a role were told so by email (a retried task sends nothing).
    notices_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} for {self.cohort}"


class TeamChange(models.Model):
    """A change of who holds a place on a team: a new coach or sponsor (or none), a member
    who joined or left. The team page shows them to the team ("Your coach is now …");
    the security log keeps the same facts for the installation's operators."""

    class Kind(models.TextChoices):
        COACH = "coach", "Learning coach changed"
        SPONSOR = "sponsor", "Executive sponsor changed"
        JOINED = "joined", "Member joined"
        LEFT = "left", "Member left"

    # The history goes with the team (an empty team can still be deleted: see
    # `team_deletion_blockers`) and with the program.
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The new coach or sponsor (None: the place is empty now), or the member.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    previous = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["team", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.changed_at:%Y-%m-%d})"


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
