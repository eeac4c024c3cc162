"""Reflection journal, team reflections, the Be Better Now plan and the weekly check-in.

Who may read what (DESIGN.md, privacy rules) lives in the `for_user` QuerySet methods
below; `reflections/access.py` builds on them. A private entry is its author's alone.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Exists, F, OuterRef, Q

from programs.models import Membership, Program, Role, User, validate_time_zone
from teams.models import Team, TeamMember

# Soft-deleted reflections can be restored for this long, then they are purged.
RESTORE_DAYS = 30


class Visibility(models.TextChoices):
    PRIVATE = "private", "Private"
    COACH = "coach", "My coach"
    TEAM = "team", "My team and coach"


class CheckInVisibility(models.TextChoices):
    PRIVATE = "private", "Private"
    COACH = "coach", "My coach"
    PARTNER = "partner", "My accountability partner"


def _active_membership(user: User, *roles: str) -> Exists:
    """Whether `user` holds one of `roles`, active, in the program of the outer row."""
    return Exists(
        Membership.objects.filter(
            user=user, program=OuterRef("program"), role__in=roles, is_active=True
        )
    )


class AudienceRole(models.TextChoices):
    """The place a reader held when a piece of writing was shared with them."""

    COACH = "coach", "Learning coach"
    MEMBER = "member", "Team member"
    SPONSOR = "sponsor", "Executive sponsor"
    PARTNER = "partner", "Accountability partner"


def _in_audience(user: User, role: str, **subject: OuterRef) -> Exists:
    """Whether `user` was in the audience, in `role`, when the outer row was shared."""
    return Exists(Audience.objects.filter(reader=user, role=role, **subject))


class Prompt(models.Model):
    """A reflection prompt in the program's schedule; without a week it fits any week."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="prompts")
    text = models.CharField(max_length=500)
    week_number = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The week of the program (1 is the week it starts) in which it is offered.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = [F("week_number").asc(nulls_last=True), "pk"]
        indexes = [models.Index(fields=["program", "week_number"])]

    def __str__(self) -> str:
        prefix = f"Week {self.week_number}: " if self.week_number else ""
        return f"{prefix}{self.text[:80]}"


class Tag(models.Model):
    """A learning theme, stored normalised (lower case, words joined by hyphens)."""

    name = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReflectionQuerySet(models.QuerySet["Reflection"]):
    def live(self) -> ReflectionQuerySet:
        return self.filter(deleted_at__isnull=True)

    def for_user(self, user: User | AnonymousUser) -> ReflectionQuerySet:
        """Reflections the user may read: their own (deleted ones too), and live entries
        shared with them — "my coach" with the coach of the team the entry was written
        in, "my team and coach" also with that team's members. The audience is fixed when
        the entry is shared (DESIGN.md, privacy rule 7): a reader must have been in it
        then (an `Audience` row) and still hold that place now (the team's coach, or a
        member of the team, with an active membership). Sponsors and program admins
        never read a reflection."""
        if not isinstance(user, User) or not user.is_authenticated:
            return self.none()
        as_coach = (
            Q(visibility__in=[Visibility.COACH, Visibility.TEAM], team__coach=user)
            & _active_membership(user, Role.COACH)
            & _in_audience(user, AudienceRole.COACH, reflection=OuterRef("pk"))
        )
        # Teammates read each other's shared writing while the program runs; once it is
        # over, each keeps only their own (their alumni space).
        as_teammate = (
            Q(visibility=Visibility.TEAM)
            & Program.not_over_on(user.today(), path="program")
            & Exists(TeamMember.objects.filter(team=OuterRef("team"), user=user))
            & _active_membership(user, Role.PARTICIPANT)
            & _in_audience(user, AudienceRole.MEMBER, reflection=OuterRef("pk"))
        )
        return self.filter(
            Q(author=user) | (Q(deleted_at__isnull=True) & (as_coach | as_teammate))
        )

    def shared_with(self, user: User) -> ReflectionQuerySet:
        """Live entries of other people that the user may read."""
        return self.for_user(user).live().exclude(author=user)


class Reflection(models.Model):
    """A journal entry. `team` is the author's team when the entry was written: the team
    (and its coach) that "my team and coach" and "my coach" mean for this entry."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="reflections")
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    prompt = models.ForeignKey(
        Prompt, on_delete=models.SET_NULL, null=True, blank=True, related_name="reflections"
    )
    title = models.CharField(max_length=200)
    body = models.TextField()
    tags = models.ManyToManyField(Tag, blank=True, related_name="reflections")
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = ReflectionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["author", "program", "-created_at"]),
            models.Index(fields=["team", "visibility"]),
            models.Index(fields=["deleted_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="reflection_visibility_valid"
            ),
        ]

    def __str__(self) -> str:
        # Never the title: this appears in the admin and its logs.
        return f"Reflection #{self.pk}"

    def restorable_until(self) -> datetime.datetime | None:
        if self.deleted_at is None:
            return None
        return self.deleted_at + datetime.timedelta(days=RESTORE_DAYS)


class DraftQuerySet(models.QuerySet["Draft"]):
    def unclosed(self, user: User) -> DraftQuerySet:
        """The person's drafts whose writing session has not ended, newest first, with
        their program (`Draft.is_open` tells those with something written)."""
        return (
            self.filter(user=user, closed_at__isnull=True)
            .select_related("program")
            .order_by("-saved_at")
        )


class Draft(models.Model):
    """What someone is writing, saved every few seconds, one per person and program.

    `token` identifies the writing session (one page load); `closed_at` is set when that
    session's entry was saved or the draft discarded, so that a late autosave from the same
    page cannot bring the draft back."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    tags = models.CharField(max_length=500, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    prompt = models.ForeignKey(
        Prompt, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    saved_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = DraftQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "program"], name="draft_one_per_program"),
        ]

    def __str__(self) -> str:
        return f"Draft #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None and bool(self.title.strip() or self.body.strip())


class TeamReflectionQuerySet(models.QuerySet["TeamReflection"]):
    def for_user(self, user: User | AnonymousUser) -> TeamReflectionQuerySet:
        """Team reflections the user may read: the team's members and its coach, and its
        sponsor for those the team chose to share — each only if they held that place
        when the entry was written or last saved (an `Audience` row) and still do."""
        if not isinstance(user, User) or not user.is_authenticated:
            return self.none()
        program = OuterRef("team__cohort__program")
        active = Membership.objects.filter(user=user, program=program, is_active=True)
        entry = OuterRef("pk")
        # As for journal entries, the team's writing is not read by its members once
        # the program is over.
        as_member = (
            Program.not_over_on(user.today(), path="team__cohort__program")
            & Exists(TeamMember.objects.filter(team=OuterRef("team"), user=user))
            & Exists(active.filter(role=Role.PARTICIPANT))
            & _in_audience(user, AudienceRole.MEMBER, team_reflection=entry)
        )
        as_coach = (
            Q(team__coach=user)
            & Exists(active.filter(role=Role.COACH))
            & _in_audience(user, AudienceRole.COACH, team_reflection=entry)
        )
        as_sponsor = (
            Q(share_with_sponsor=True, team__sponsor=user)
            & Exists(active.filter(role=Role.SPONSOR))
            & _in_audience(user, AudienceRole.SPONSOR, team_reflection=entry)
        )
        return self.filter(as_member | as_coach | as_sponsor)


class TeamReflection(models.Model):
    """An entry written together by a team. `version` goes up by one with every save; an
    edit names the version it started from, so that a save over someone else's newer
    text is noticed instead of overwriting it."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="reflections")
    title = models.CharField(max_length=200)
    body = models.TextField()
    share_with_sponsor = models.BooleanField(
        "share with our sponsor",
        default=False,
        help_text="The team's executive sponsor may read this entry.",
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    objects = TeamReflectionQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return f"Team reflection #{self.pk}"


class TeamReflectionEdit(models.Model):
    """Who saved which version of a team reflection, when, and the text as they saved it:
    their own revision, which is what their export carries (never the team's text as
    others changed it later)."""

    team_reflection = models.ForeignKey(
        TeamReflection, on_delete=models.CASCADE, related_name="edits"
    )
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    version = models.PositiveIntegerField()
    edited_at = models.DateTimeField()
    # Empty for versions saved before revisions were kept (only the latest one is known).
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Version {self.version} of {self.team_reflection}"


class CheckInSlot(NamedTuple):
    """A person's weekly check-in slot in a program, on their own clock (`User.zone`):
    their plan's day and time, else the program's default. The one rule for it;
    `notifications.reminders.running_participants` says the same in SQL."""

    weekday: int
    at: datetime.time
    zone_name: str
    plan: Plan | None

    @classmethod
    def of(cls, user: User, program: Program, plan: Plan | None) -> CheckInSlot:
        """The slot of `user` in `program`, given their plan there (None: no plan yet)."""
        if plan is not None:
            return cls(plan.checkin_weekday, plan.checkin_time, user.zone.key, plan)
        return cls(program.checkin_weekday, program.checkin_time, user.zone.key, None)


class PlanQuerySet(models.QuerySet["Plan"]):
    def slot_for(self, user: User, program: Program) -> CheckInSlot:
        """The person's weekly check-in slot in the program (one query, for the plan)."""
        return CheckInSlot.of(user, program, self.filter(user=user, program=program).first())


class Plan(models.Model):
    """The Be Better Now plan: one aspect to give more attention, one thing to do, an
    accountability partner and a weekly ten-minute check-in slot."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="be_better_now_plans"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    aspect = models.TextField(
        "one aspect of my professional life to give more attention", max_length=600
    )
    action = models.CharField("I will …", max_length=300)
    partner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="accountability partner in the program",
    )
    partner_name = models.CharField(max_length=200, blank=True)
    partner_email = models.EmailField(blank=True)
    # The address the one opt-in email went to, and when; a new address gets its own.
    partner_invited_email = models.EmailField(blank=True)
    partner_invited_at = models.DateTimeField(null=True, blank=True)
    partner_confirmed_at = models.DateTimeField(null=True, blank=True)
    # Opt-in: the partner hears *that* the person checked in each week, never what they wrote.
    notify_partner = models.BooleanField(
        "tell my accountability partner when I check in", default=False
    )
    checkin_weekday = models.PositiveSmallIntegerField(choices=Program.Weekday.choices)
    # The slot is on the person's own clock (`User.time_zone`), wherever they are now.
    checkin_time = models.TimeField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = "Be Better Now plan"
        constraints = [
            models.UniqueConstraint(fields=["user", "program"], name="plan_one_per_program"),
            models.CheckConstraint(
                condition=Q(partner_user__isnull=True) | Q(partner_email=""),
                name="plan_one_kind_of_partner",
            ),
        ]

    def __str__(self) -> str:
        return f"Be Better Now plan #{self.pk}"

    @property
    def partner_display(self) -> str:
        if self.partner_user is not None:
            return self.partner_user.display_name
        if self.partner_email:
            return f"{self.partner_name} ({self.partner_email})"
        return ""


class CheckInQuerySet(models.QuerySet["CheckIn"]):
    def for_user(self, user: User | AnonymousUser) -> CheckInQuerySet:
        """Check-ins whose content the user may read: their own, those shared with the
        coach of the team the person was on, and those shared with the accountability
        partner named in the person's plan — each only if they held that place when the
        check-in was shared (an `Audience` row) and still do."""
        if not isinstance(user, User) or not user.is_authenticated:
            return self.none()
        checkin = OuterRef("pk")
        as_coach = (
            Q(visibility=CheckInVisibility.COACH, team__coach=user)
            & _active_membership(user, Role.COACH)
            & _in_audience(user, AudienceRole.COACH, checkin=checkin)
        )
        named_partner = Exists(
            Plan.objects.filter(
                user=OuterRef("user"), program=OuterRef("program"), partner_user=user
            )
        )
        # A partner who took part in an archived program with the author stays their
        # partner in the alumni space.
        as_alumnus = Exists(
            Membership.objects.filter(
                user=user,
                program=OuterRef("program"),
                role=Role.PARTICIPANT,
                ending=Membership.Ending.ARCHIVED,
            )
        )
        as_partner = (
            Q(visibility=CheckInVisibility.PARTNER)
            & named_partner
            & (_active_membership(user, *Role.values) | as_alumnus)
            & _in_audience(user, AudienceRole.PARTNER, checkin=checkin)
        )
        return self.filter(Q(user=user) | as_coach | as_partner)

    def shared_with(self, user: User) -> CheckInQuerySet:
        return self.for_user(user).exclude(user=user)


class CheckIn(models.Model):
    """The weekly check-in: one per person, program and ISO week of the person's own
    clock (`iso_year`, `iso_week` and `week_starts_on` are local to `time_zone`)."""

    STEPS_QUESTION = "What clear steps did I take last week for my own development?"
    FOCUS_QUESTION = "What will I focus on executing next week?"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="checkins")
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    iso_year = models.PositiveSmallIntegerField()
    iso_week = models.PositiveSmallIntegerField()
    week_starts_on = models.DateField()
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    steps_taken = models.TextField(STEPS_QUESTION, max_length=4000)
    next_focus = models.TextField(FOCUS_QUESTION, max_length=4000)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)
    visibility = models.CharField(
        max_length=10, choices=CheckInVisibility.choices, default=CheckInVisibility.PRIVATE
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = CheckInQuerySet.as_manager()

    class Meta:
        verbose_name = "check-in"
        ordering = ["-iso_year", "-iso_week"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program", "iso_year", "iso_week"],
                name="checkin_one_per_local_week",
            ),
            models.CheckConstraint(
                condition=Q(iso_week__gte=1, iso_week__lte=53), name="checkin_iso_week_valid"
            ),
            models.CheckConstraint(
                condition=Q(progress__isnull=True) | Q(progress__gte=1, progress__lte=5),
                name="checkin_progress_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=CheckInVisibility.values),
                name="checkin_visibility_valid",
            ),
        ]
        # The weekly reports (coach dashboard, analytics, digests) read a program's
        # check-ins of a range of weeks; the program admin's home counts one week's.
        indexes = [
            models.Index(fields=["program", "week_starts_on"]),
            models.Index(fields=["program", "iso_year", "iso_week"], name="checkin_program_week"),
        ]

    def __str__(self) -> str:
        return f"Check-in #{self.pk} ({self.iso_year}-W{self.iso_week:02d})"


class ReadReceipt(models.Model):
    """One read of a reflection or a shared check-in by someone other than its author."""

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reflection = models.ForeignKey(
        Reflection,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="read_receipts",
    )
    checkin = models.ForeignKey(
        CheckIn, on_delete=models.CASCADE, null=True, blank=True, related_name="read_receipts"
    )
    team_reflection = models.ForeignKey(
        "TeamReflection",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="read_receipts",
    )
    read_at = models.DateTimeField()

    class Meta:
        ordering = ["-read_at"]
        indexes = [
            models.Index(fields=["reflection", "-read_at"]),
            models.Index(fields=["checkin", "-read_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    reflection__isnull=False, checkin__isnull=True, team_reflection__isnull=True
                )
                | Q(reflection__isnull=True, checkin__isnull=False, team_reflection__isnull=True)
                | Q(reflection__isnull=True, checkin__isnull=True, team_reflection__isnull=False),
                name="readreceipt_one_subject",
            ),
        ]

    def __str__(self) -> str:
        subject = self.reflection or self.checkin or self.team_reflection
        return f"Read of {subject} at {self.read_at:%Y-%m-%d %H:%M}"


class Audience(models.Model):
    """One reader of a shared piece of writing, recorded when it was shared (DESIGN.md,
    privacy rule 7): "my coach" means the coach at that moment, "my team" the people on
    the team then. Whoever takes a place later reads earlier writing only when its
    author shares it again, which adds the people who hold the places then. A row
    alone opens nothing: `for_user` also asks that the reader still holds the place."""

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(max_length=10, choices=AudienceRole.choices)
    reflection = models.ForeignKey(
        Reflection, on_delete=models.CASCADE, null=True, blank=True, related_name="audience"
    )
    checkin = models.ForeignKey(
        CheckIn, on_delete=models.CASCADE, null=True, blank=True, related_name="audience"
    )
    team_reflection = models.ForeignKey(
        TeamReflection, on_delete=models.CASCADE, null=True, blank=True, related_name="audience"
    )
    granted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    reflection__isnull=False, checkin__isnull=True, team_reflection__isnull=True
                )
                | Q(reflection__isnull=True, checkin__isnull=False, team_reflection__isnull=True)
                | Q(reflection__isnull=True, checkin__isnull=True, team_reflection__isnull=False),
                name="audience_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(role__in=AudienceRole.values), name="audience_role_valid"
            ),
            # Each also serves `for_user`'s lookup: this reader, this place, this entry.
            models.UniqueConstraint(
                fields=["reflection", "reader", "role"],
                condition=Q(reflection__isnull=False),
                name="audience_once_per_reflection",
            ),
            models.UniqueConstraint(
                fields=["checkin", "reader", "role"],
                condition=Q(checkin__isnull=False),
                name="audience_once_per_checkin",
            ),
            models.UniqueConstraint(
                fields=["team_reflection", "reader", "role"],
                condition=Q(team_reflection__isnull=False),
                name="audience_once_per_team_reflection",
            ),
        ]

    def __str__(self) -> str:
        return f"Audience #{self.pk} ({self.get_role_display()})"


# Weekly reminders ----------------------------------------------------------------------


class ReminderKind(models.TextChoices):
    CHECKIN = "checkin", "Weekly check-in reminder"
    COACH_DIGEST = "coach_digest", "Weekly coach digest"
    PARTNER_NUDGE = "partner_nudge", "Accountability partner note"


class ReminderPreference(models.Model):
    """Whether a person wants reminders of one kind. No row means yes: reminders are on by
    default, and the one-click unsubscribe link writes a row that turns them off."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preferences"
    )
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="reminderpreference_one_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {'on' if self.enabled else 'off'}"


class PartnerNudgeOptOut(models.Model):
    """An address that asked for no more check-in notes. An accountability partner from
    outside the program has no account, so their one-click unsubscribe is kept by address;
    a partner in the program turns the notes off with a `ReminderPreference`."""

    email = models.EmailField(unique=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "partner note opt-out"

    def __str__(self) -> str:
        return f"Partner note opt-out #{self.pk}"


class CalendarFeed(models.Model):
    """A personal calendar feed URL: whoever holds the token reads the person's weekly
    check-in and the program's milestones, until the person revokes it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Calendar feed #{self.pk}"
