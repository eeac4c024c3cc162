"""Action learning teams (sets) and who is on them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q

from programs.models import Cohort, Program, User


class TeamQuerySet(models.QuerySet["Team"]):
    def for_user(self, user: User | AnonymousUser) -> TeamQuerySet:
        """Teams the user may open: member, coach, sponsor, or admin of the program."""
        if not user.is_authenticated:
            return self.none()
        admin_programs = Program.objects.administered_by(user)
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
