"""In-app notifications, each person's email preferences, and the email deliveries."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from notifications.kinds import DEFAULT_DIGEST_HOUR, EmailMode, Kind
from programs.models import Program, User
from reflections.models import ReminderKind


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: User) -> NotificationQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something that happened which a person should know of, in their notification
    centre. `subject` and `link` name things (a project's title, a path), never anyone's
    writing. `email` is how the email was planned when it was created."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    link = models.CharField(max_length=300)
    # Set by the caller so that the same event announced twice notifies once.
    dedupe_key = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=10, choices=EmailMode.choices, default=EmailMode.NOW)
    # The daily digest that carried (or will carry) this notification by email.
    digest = models.ForeignKey(
        "EmailDelivery",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="digested",
    )
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_once_per_dedupe_key",
            ),
        ]
        indexes = [
            # The header's unread count.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            # The centre: a person's notifications, newest first.
            models.Index(fields=["recipient", "-created_at"], name="notification_centre"),
            # The digest tick: daily notifications not yet put in a digest.
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(email="daily", digest__isnull=True),
                name="notification_digest_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.subject}"


class Preference(models.Model):
    """How a person wants one kind of notification by email (in the app it always shows).
    No row means the kind's default (`default_email_mode`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    email = models.CharField(max_length=10, choices=EmailMode.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}: {self.email}"


class DigestSetting(models.Model):
    """The local hour (on the person's own clock, `User.zone`) of their daily digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_setting"
    )
    hour = models.PositiveSmallIntegerField(
        default=DEFAULT_DIGEST_HOUR, validators=[MaxValueValidator(23)]
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(hour__lte=23), name="digestsetting_hour_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.hour:02d}:00"


class Delivery(models.Model):
    """What every outgoing email's row holds for the pipeline's one claim rule
    (`notifications.pipeline`): its status (queued → sending → sent, failed or skipped),
    why it was skipped or last failed, how often it was claimed, when it was planned, last
    handed to a worker (the sweeper hands rows idle past their lease to a worker again),
    claimed and sent."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    queued_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "sending", "sent", "failed", "skipped"]),
                name="%(class)s_status_valid",
            ),
        ]
        indexes = [
            # The sweeper's: only the rows still waiting, so that a row sent leaves it.
            models.Index(
                fields=["status", "queued_at"],
                condition=Q(status__in=["queued", "sending"]),
                name="%(class)s_waiting",
            ),
        ]


class EmailDelivery(Delivery):
    """One email: a notification sent immediately, or a person's digest of one local day.
    The unique constraints make "planned once" a database fact; a worker claims a row by
    moving it from queued to sending, so a task run twice sends once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_deliveries"
    )
    notification = models.OneToOneField(
        Notification,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="delivery",
    )
    # The digest's day on the person's clock.
    digest_day = models.DateField(null=True, blank=True)

    class Meta(Delivery.Meta):
        verbose_name_plural = "email deliveries"
        ordering = ["-created_at", "-pk"]
        constraints = [
            *Delivery.Meta.constraints,
            models.UniqueConstraint(
                fields=["recipient", "digest_day"],
                condition=Q(digest_day__isnull=False),
                name="emaildelivery_one_digest_a_day",
            ),
            models.CheckConstraint(
                condition=Q(notification__isnull=False, digest_day__isnull=True)
                | Q(notification__isnull=True, digest_day__isnull=False),
                name="emaildelivery_notification_or_digest",
            ),
        ]
        indexes = [
            *Delivery.Meta.indexes,
        ]

    def __str__(self) -> str:
        what = f"digest {self.digest_day}" if self.digest_day else f"#{self.notification_id}"
        return f"{self.recipient} · {what} · {self.status}"


class ReminderDelivery(Delivery):
    """One reminder for one person, program, local ISO week and kind. The unique
    constraint makes "planned once" a database fact; `status` records what became of it,
    under the pipeline's claim (`notifications.pipeline`)."""

    # Each delivery changes status twice (claimed, then sent) and every index is written
    # again each time: the foreign keys are not indexed on their own, the unique constraint
    # (user first) and the log's index (program first) serve their look-ups.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_deliveries",
        db_index=False,
    )
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="reminder_deliveries", db_index=False
    )
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    iso_year = models.PositiveSmallIntegerField()
    iso_week = models.PositiveSmallIntegerField()
    time_zone = models.CharField(max_length=64)
    # The person's check-in slot this week, in UTC.
    due_at = models.DateTimeField()
    # The tick that inserted the row, so that it enqueues only the rows it inserted.
    planned_by = models.UUIDField()

    class Meta(Delivery.Meta):
        # The table keeps the name it had when the reminders lived in `reflections`.
        db_table = "reflections_reminderdelivery"
        verbose_name_plural = "reminder deliveries"
        ordering = ["-iso_year", "-iso_week", "user_id"]
        constraints = [
            *Delivery.Meta.constraints,
            models.UniqueConstraint(
                fields=["user", "program", "iso_year", "iso_week", "kind"],
                name="reminderdelivery_once_per_week",
            ),
        ]
        indexes = [
            *Delivery.Meta.indexes,
            # The reminder log: a program's deliveries by week and status.
            models.Index(fields=["program", "-iso_year", "-iso_week", "status"]),
            models.Index(fields=["planned_by"]),
        ]

    def __str__(self) -> str:
        return f"Reminder #{self.pk} ({self.iso_year}-W{self.iso_week:02d}, {self.status})"


class CalendarInvitation(models.Model):
    """One event a person has in their own calendar because we invited them (iTIP, RFC
    5546): their weekly Be Better Now check-in in a program, or one of its milestones
    they asked for. `uid` never changes, so every update and the cancel land on the same
    event; `sequence` is raised by each change; `cancelled` once a CANCEL was planned.
    The milestone is kept by id, not by foreign key: a deleted milestone's cancel still
    needs the row."""

    class Kind(models.TextChoices):
        CHECKIN = "checkin", "Weekly check-in"
        MILESTONE = "milestone", "Milestone"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_invitations"
    )
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="calendar_invitations"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    milestone_key = models.PositiveIntegerField(null=True, blank=True)
    uid = models.CharField(max_length=200, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    cancelled = models.BooleanField(default=False)
    # What a cancel names when the milestone is gone.
    summary = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program"],
                condition=Q(kind="checkin"),
                name="calendarinvitation_one_checkin",
            ),
            models.UniqueConstraint(
                fields=["user", "program", "milestone_key"],
                condition=Q(kind="milestone"),
                name="calendarinvitation_one_per_milestone",
            ),
            models.CheckConstraint(
                condition=Q(kind="checkin", milestone_key__isnull=True)
                | Q(kind="milestone", milestone_key__isnull=False),
                name="calendarinvitation_kind_matches_milestone",
            ),
        ]
        indexes = [models.Index(fields=["program", "kind"], name="calendarinvitation_program")]

    def __str__(self) -> str:
        state = "cancelled" if self.cancelled else f"sequence {self.sequence}"
        return f"{self.user} · {self.uid} · {state}"


class MilestoneInvitationRequest(models.Model):
    """A person asked for a program's milestones as calendar invitations: each milestone
    (and each one added later) is sent to them, its changes update it, its deletion
    cancels it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program"], name="milestoneinvitationrequest_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · milestones of {self.program_id}"


class InvitationDelivery(Delivery):
    """One invitation email: the REQUEST or CANCEL of one `sequence` of an invitation,
    planned once (unique), sent under the pipeline's claim rule. A delivery whose sequence
    a later change overtook before it went out is skipped: the later one carries the
    event as it is now."""

    class Method(models.TextChoices):
        REQUEST = "REQUEST", "Request"
        CANCEL = "CANCEL", "Cancel"

    invitation = models.ForeignKey(
        CalendarInvitation, on_delete=models.CASCADE, related_name="deliveries"
    )
    sequence = models.PositiveIntegerField()
    method = models.CharField(max_length=10, choices=Method.choices)

    class Meta(Delivery.Meta):
        verbose_name_plural = "invitation deliveries"
        ordering = ["-created_at", "-pk"]
        constraints = [
            *Delivery.Meta.constraints,
            models.UniqueConstraint(
                fields=["invitation", "sequence"], name="invitationdelivery_once_per_sequence"
            ),
        ]
        indexes = [
            *Delivery.Meta.indexes,
        ]

    def __str__(self) -> str:
        return f"{self.method} #{self.invitation_id} seq {self.sequence} ({self.status})"
