"""People, organisations, programs, cohorts, who holds which role where, and participants'
self-assessments."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

if TYPE_CHECKING:
    pass


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known IANA time zone, e.g. America/New_York.")


def zone_or_site(name: str | None) -> zoneinfo.ZoneInfo:
    """The named IANA zone, or the site's zone when the name is empty or unknown: the one
    way a zone name (a person's, or one stored on a check-in or a delivery) is read back
    as a zone."""
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


class UserManager(DjangoUserManager["User"]):
    """Users are identified by email; there is no username."""

    use_in_migrations = True

    def _create_user_by_email(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user_by_email(email, password, **extra)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user_by_email(email, password, **extra)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    # The person's one clock: their check-in week, reminder slot, digests and every date
    # and time shown to them. Read it through `zone`.
    time_zone = models.CharField(
        "time zone", max_length=64, default="UTC", validators=[validate_time_zone]
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()

    # Every membership of the person (ended ones too), with its program, as the page's
    # access check read them (`programs.access.memberships_in`): the header's programs
    # come from here without a query of their own. Never read to decide access.
    memberships_read: list[Membership] | None = None

    class Meta:
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.email

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The person's own time zone, used for everything that has a date or a time."""
        return zone_or_site(self.time_zone)

    def today(self) -> datetime.date:
        """Today's date on the person's own clock."""
        return timezone.now().astimezone(self.zone).date()


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def administered_by(self, user: User | AnonymousUser) -> OrganizationQuerySet:
        """The organisations the user is an organisation admin of: the one place that
        says who administers an organisation."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(admins__user=user)

    def known_to(self, user: User | AnonymousUser) -> OrganizationQuerySet:
        """The organisations the user belongs to in any way: a profile there, a membership
        (even ended) in one of its programs, or its administration."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(profiles__user=user) | Q(programs__memberships__user=user) | Q(admins__user=user)
        ).distinct()


class Organization(models.Model):
    """The client, e.g. an academic health system."""

    name = models.CharField(max_length=200, unique=True)
    time_zone = models.CharField(
        "default time zone",
        max_length=64,
        default="America/New_York",
        validators=[validate_time_zone],
        help_text="The time zone new people in this organisation start with.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def starting_zone(self, given: str = "") -> str:
        """The time zone a new person in this organisation starts with: the one given
        for them (by an import, or by themselves), else the organisation's default. Once
        the account exists, the zone is its owner's (`User.zone`)."""
        return given or self.time_zone


class OrganizationAdmin(models.Model):
    """A person who manages one organisation: its units, its admins, its programs."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="admins")
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="organization_admin_roles"
    )
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField()

    class Meta:
        ordering = ["granted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="organization_admin_unique_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · admin of {self.organization}"


class UnitQuerySet(models.QuerySet["Unit"]):
    def active(self) -> UnitQuerySet:
        """Units one may pick for a person: not retired."""
        return self.filter(retired_at__isnull=True)


class Unit(models.Model):
    """A department, service line or site within an organisation.

    A retired unit stays on the profiles that name it but is offered for no new one.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(max_length=200)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="unit_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Discipline(models.TextChoices):
    PHYSICIAN = "physician", "Physician"
    NURSE = "nurse", "Nurse"
    ADMINISTRATOR = "administrator", "Administrator"
    ALLIED_HEALTH = "allied_health", "Allied health"
    RESEARCH = "research", "Research"
    OTHER = "other", "Other"


class Profile(models.Model):
    """A person as the organisation knows them: unit, discipline, title. (Their time zone
    is the person's own, on `User`.)"""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="profiles")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="profiles"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="profiles", null=True, blank=True
    )
    discipline = models.CharField(max_length=20, choices=Discipline.choices, default="other")
    job_title = models.CharField(max_length=200, blank=True)
    reports_to = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="direct_reports"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="profile_unique_user"),
            models.CheckConstraint(
                condition=~Q(reports_to=models.F("user")), name="profile_not_own_manager"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.organization}"


class ProgramQuerySet(models.QuerySet["Program"]):
    def for_user(self, user: User | AnonymousUser) -> ProgramQuerySet:
        """Programs in which the user holds an active membership."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user, memberships__is_active=True).distinct()

    def administered_by(self, user: User | AnonymousUser) -> ProgramQuerySet:
        """The programs the user is an active program admin of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            pk__in=Membership.objects.program_admins().filter(user=user).values("program_id")
        )


class Program(models.Model):
    """An action learning program, e.g. a nine-month leadership academy."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="programs"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    learning_goals = models.TextField(blank=True)
    competencies = models.TextField(
        blank=True, help_text="One competency per line; participants rate themselves on these."
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    checkin_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, default=Weekday.FRIDAY
    )
    checkin_time = models.TimeField(default=datetime.time(9, 0))
    team_min_size = models.PositiveSmallIntegerField(default=4)
    team_max_size = models.PositiveSmallIntegerField(default=8)
    # What the coach dashboard flags, set per program: its length and rhythm differ.
    low_pulse_threshold = models.DecimalField(
        "low pulse threshold",
        max_digits=2,
        decimal_places=1,
        default=Decimal("2.5"),
        validators=[MinValueValidator(Decimal("1.0")), MaxValueValidator(Decimal("5.0"))],
        help_text="A closed team pulse whose average on any question is below this "
        "(1 to 5) is flagged on the coach dashboard.",
    )
    expected_weeks_crafting = models.PositiveSmallIntegerField(
        "expected weeks in crafting",
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(104)],
        help_text="About how long a team takes to craft a charter the sponsor approves.",
    )
    expected_weeks_carrying_out = models.PositiveSmallIntegerField(
        "expected weeks in carrying out",
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(104)],
    )
    expected_weeks_transitioning = models.PositiveSmallIntegerField(
        "expected weeks in transitioning",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(104)],
        help_text="A project that stays longer in a phase is flagged on the coach dashboard.",
    )
    # Archiving is the step before deleting for good, and can be undone: while a program is
    # archived, everyone but its admins is paused (see `Membership.Ending.ARCHIVED`).
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="program_unique_name"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="program_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(team_max_size__gte=models.F("team_min_size")),
                name="program_team_sizes_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def has_ended(self, day: datetime.date) -> bool:
        """Whether the program is over for someone whose date is `day` (on their own
        clock): its last day has passed, or it was archived. Its participants then keep
        their own practice in an alumni space (see `Membership.keeps_alumni_space`)."""
        return self.is_archived or day > self.ends_on

    def has_started(self, day: datetime.date) -> bool:
        """Whether the program has begun for someone whose date is `day` (on their own
        clock)."""
        return day >= self.starts_on

    def runs_on(self, day: datetime.date) -> bool:
        """Whether `day` lies within the program's dates. The dates carry no time zone:
        `day` is a date on the clock of the person concerned."""
        return Program.dates_include(self.starts_on, self.ends_on, day)

    @staticmethod
    def dates_include(
        starts_on: datetime.date, ends_on: datetime.date, day: datetime.date
    ) -> bool:
        """`runs_on` for a program read as its two dates (`values_list`)."""
        return starts_on <= day <= ends_on

    @staticmethod
    def not_over_on(day: datetime.date, *, path: str = "") -> Q:
        """`has_ended` as a filter: the programs (through `path`, e.g. "team__cohort__
        program") not over for someone whose date is `day`."""
        prefix = f"{path}__" if path else ""
        return Q(**{f"{prefix}ends_on__gte": day, f"{prefix}archived_at__isnull": True})

    def competency_list(self) -> list[str]:
        return [line.strip() for line in self.competencies.splitlines() if line.strip()]

    def learning_goal_list(self) -> list[str]:
        return [line.strip() for line in self.learning_goals.splitlines() if line.strip()]


class Cohort(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["starts_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="cohort_unique_name"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="cohort_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} · {self.name}"


class Role(models.TextChoices):
    PROGRAM_ADMIN = "program_admin", "Program admin"
    COACH = "coach", "Learning coach"
    SPONSOR = "sponsor", "Executive sponsor"
    PARTICIPANT = "participant", "Participant"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True)

    def for_user(self, user: User | AnonymousUser) -> MembershipQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user, is_active=True)

    def program_admins(self) -> MembershipQuerySet:
        """Active program-admin memberships: the one place that says who administers a
        program (`programs.access.is_program_admin` reads the same rule from roles)."""
        return self.filter(role=Role.PROGRAM_ADMIN, is_active=True)

    def not_left(self) -> MembershipQuerySet:
        """Memberships of people who did not leave: active ones, and those paused when
        their program was archived."""
        return self.filter(Q(is_active=True) | Q(ending=Membership.Ending.ARCHIVED))

    def practising(self) -> MembershipQuerySet:
        """Participant memberships whose weekly practice goes on: active ones, and those
        paused when their program was archived (its alumni; see `keeps_alumni_space`)."""
        return self.not_left().filter(role=Role.PARTICIPANT)


class Membership(models.Model):
    """A user's role in a program (participants also belong to one cohort).

    One person may hold several roles in one program and different roles in different
    programs. A membership that has ended (`is_active=False`) keeps the person known to
    the program, so its pages answer 403 rather than 404. `ending` says why it ended: the
    person left (or was taken off) the program, or the program was archived, in which case
    restoring the program brings the membership back.
    """

    class Ending(models.TextChoices):
        LEFT = "left", "Left the program"
        ARCHIVED = "archived", "Paused while the program is archived"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="memberships")
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="memberships", null=True, blank=True
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ending = models.CharField(max_length=10, choices=Ending.choices, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program", "role"], name="membership_unique_role"
            ),
            models.CheckConstraint(
                condition=~Q(role="participant") | Q(cohort__isnull=False),
                name="membership_participant_has_cohort",
            ),
            models.CheckConstraint(
                condition=Q(is_active=False) | Q(ended_at__isnull=True, ending=""),
                name="membership_active_has_not_ended",
            ),
        ]
        indexes = [models.Index(fields=["program", "role"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.program}"

    @property
    def keeps_alumni_space(self) -> bool:
        """Whether this membership gives an alumni space once the program has ended: a
        participant who was still taking part when it ended (or was archived), not one
        who left before."""
        return self.role == Role.PARTICIPANT and (
            self.is_active or self.ending == Membership.Ending.ARCHIVED
        )


class Milestone(models.Model):
    """A dated point in the program's schedule."""

    class Kind(models.TextChoices):
        KICKOFF = "kickoff", "Kickoff"
        CHARTER_DUE = "charter_due", "Charter due"
        MIDPOINT_REVIEW = "midpoint_review", "Mid-point review"
        SHOWCASE = "showcase", "Showcase"
        TRANSITION = "transition", "Transition"
        CUSTOM = "custom", "Other"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CUSTOM)
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.due_on:%d %b %Y})"


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self, now: datetime.datetime) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """An emailed, signed, single-use link that makes the recipient a member."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="invitations")
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="invitations", null=True, blank=True
    )
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    # Changing the nonce kills every link sent before: resending rotates it.
    nonce = models.CharField(max_length=32)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "email", "role"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_role",
            ),
            models.CheckConstraint(
                condition=~Q(role="participant") | Q(cohort__isnull=False),
                name="invitation_participant_has_cohort",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} · {self.get_role_display()} · {self.program}"

    def status(self, now: datetime.datetime) -> str:
        if self.accepted_at:
            return Invitation.Status.ACCEPTED
        if self.revoked_at:
            return Invitation.Status.REVOKED
        if self.expires_at <= now:
            return Invitation.Status.EXPIRED
        return Invitation.Status.PENDING


class OrganizationInvitationQuerySet(models.QuerySet["OrganizationInvitation"]):
    def pending(self, now: datetime.datetime) -> OrganizationInvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class OrganizationInvitation(models.Model):
    """An emailed, signed, single-use link that makes the recipient an organisation admin.

    Kept apart from `Invitation`, which is always into a program with a role there.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="admin_invitations"
    )
    email = models.EmailField()
    # Changing the nonce kills every link sent before.
    nonce = models.CharField(max_length=32)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="organization_invitation_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} · organisation admin · {self.organization}"

    def status(self, now: datetime.datetime) -> str:
        # The same four states, read from the same three dates, as a program's invitation.
        return Invitation.status(self, now)  # type: ignore[arg-type]


class SignOnProtocol(models.TextChoices):
    OIDC = "oidc", "OpenID Connect"
    SAML = "saml", "SAML 2.0"


class OrganizationSignOn(models.Model):
    """An organisation's single sign-on: its provider (one allauth `SocialApp`, whose
    `provider_id` is `org-<organisation id>`), the email domains it answers for, and what
    a sign-in through it may do. Configured by the organisation's admins (programs/sso.py).
    """

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="sign_on"
    )
    protocol = models.CharField(max_length=10, choices=SignOnProtocol.choices)
    app = models.OneToOneField(
        "socialaccount.SocialApp", on_delete=models.PROTECT, related_name="organization_sign_on"
    )
    is_active = models.BooleanField(
        "in use",
        default=False,
        help_text="Off, the sign-in page sends nobody to this provider.",
    )
    email_authoritative = models.BooleanField(
        "the provider is authoritative for these domains",
        default=False,
        help_text="Trust the addresses it sends in these domains even when it does not "
        "mark them verified (Entra ID, ADFS and SAML providers usually do not).",
    )
    require_sso = models.BooleanField(
        "require single sign-on",
        default=False,
        help_text="People with an address in these domains cannot sign in with a password "
        "or an emailed code.",
    )
    join_cohort = models.ForeignKey(
        Cohort,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="anyone from these domains may join",
        help_text="A person with no account who signs in through the provider gets one, "
        "as a participant of this program and cohort. Empty: such a sign-in is refused.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "organisation single sign-on"

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_protocol_display()}"

    @property
    def provider_id(self) -> str:
        return str(self.app.provider_id)


class SignOnDomain(models.Model):
    """An email domain an organisation's provider answers for; a domain belongs to one
    organisation. Stored in lower case, without the @."""

    sign_on = models.ForeignKey(
        OrganizationSignOn, on_delete=models.CASCADE, related_name="domains"
    )
    domain = models.CharField(max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain


class SamlAssertionUse(models.Model):
    """A SAML assertion that signed someone in, kept until it expires so that the same
    response is never accepted twice (programs/saml.py). python3-saml checks everything
    in a response except whether it was seen before."""

    assertion_id = models.CharField(max_length=255, unique=True)
    # The allauth provider id of the organisation's IdP (`org-3`).
    provider_id = models.CharField(max_length=200)
    used_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "used SAML assertion"

    def __str__(self) -> str:
        return self.assertion_id


class SelfAssessment(models.Model):
    """A participant's rating of themselves, 1 to 5, on each of the program's competencies
    at one stage of the program. Read by its author only; program figures show averages
    of groups of at least five people."""

    class Stage(models.TextChoices):
        BASELINE = "baseline", "Baseline (start of the program)"
        MIDPOINT = "midpoint", "Mid-point"
        END = "end", "End of the program"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="self_assessments"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    # Competency (as the program names it) → rating from 1 to 5.
    ratings = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program", "stage"], name="selfassessment_once_per_stage"
            ),
        ]

    def __str__(self) -> str:
        return f"Self-assessment #{self.pk}"


class SelfAssessmentStage(models.Model):
    """A stage of a program's self-assessment (baseline, mid-point, end) that a program
    admin closed, with the figures the outcome report shows for it: counted once, when the
    stage closed, and never again. Ending or restoring a membership, a late or changed
    answer, or a deleted account changes no figure shown for a closed stage, so no two
    views of the report differ by one person's ratings."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=10, choices=SelfAssessment.Stage.choices)
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The people counted: everyone who had answered this stage when it closed, among those
    # counted in the program's first closed stage when there is one (the same people
    # across stages).
    people = models.PositiveIntegerField()
    # Competency → average rating (one decimal) and how many people it is over; None for a
    # competency rated by fewer than MIN_GROUP of them.
    figures = models.JSONField(default=dict)
    counted_user_ids = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "stage"], name="selfassessmentstage_closed_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} of {self.program}, closed"
