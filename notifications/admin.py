"""The delivery log in the Django admin, read-only: what became of each email (queued,
sending, sent, failed or skipped, and why), for whoever runs the site. The rows hold no
one's writing; the notification an email carries is shown by its kind, not its subject."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from core.admin import WritingAdmin
from notifications.models import EmailDelivery, InvitationDelivery, ReminderDelivery

# What the claim rule records on every delivery (`notifications.models.Delivery`).
PIPELINE_FIELDS = (
    "status",
    "reason",
    "attempts",
    "created_at",
    "queued_at",
    "claimed_at",
    "sent_at",
)


class DeliveryLogAdmin[M: (EmailDelivery, ReminderDelivery, InvitationDelivery)](WritingAdmin[M]):
    """Rows are written by the pipeline alone: nobody adds, changes or deletes them here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(DeliveryLogAdmin[EmailDelivery]):
    public_fields = ("status", "reason")
    list_display = ("created_at", "recipient", "kind", "digest_day", "status", "attempts")
    list_filter = ("status",)
    search_fields = ("recipient__email",)
    list_select_related = ("recipient", "notification")
    date_hierarchy = "created_at"
    fields = (
        "recipient",
        "kind",
        "digest_day",
        *PIPELINE_FIELDS,
    )
    readonly_fields = fields

    @admin.display(description="kind")
    def kind(self, delivery: EmailDelivery) -> str:
        if delivery.notification is None:
            return "Daily digest"
        return delivery.notification.get_kind_display()


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(DeliveryLogAdmin[ReminderDelivery]):
    public_fields = ("kind", "time_zone", "status", "reason")
    list_display = ("due_at", "user", "program", "kind", "week", "status", "attempts")
    list_filter = ("status", "kind")
    search_fields = ("user__email",)
    list_select_related = ("user", "program")
    date_hierarchy = "due_at"
    fields = (
        "user",
        "program",
        "kind",
        "week",
        "time_zone",
        "due_at",
        *PIPELINE_FIELDS,
    )
    readonly_fields = fields

    @admin.display(description="week")
    def week(self, delivery: ReminderDelivery) -> str:
        return f"{delivery.iso_year}-W{delivery.iso_week:02d}"


@admin.register(InvitationDelivery)
class InvitationDeliveryAdmin(DeliveryLogAdmin[InvitationDelivery]):
    """Calendar invitations: each REQUEST or CANCEL of one SEQUENCE of an event."""

    public_fields = ("method", "status", "reason")
    list_display = ("created_at", "person", "event", "method", "sequence", "status", "attempts")
    list_filter = ("status", "method")
    search_fields = ("invitation__user__email",)
    list_select_related = ("invitation__user",)
    date_hierarchy = "created_at"
    fields = (
        "person",
        "event",
        "method",
        "sequence",
        *PIPELINE_FIELDS,
    )
    readonly_fields = fields

    @admin.display(description="person")
    def person(self, delivery: InvitationDelivery) -> str:
        return str(delivery.invitation.user)

    @admin.display(description="event")
    def event(self, delivery: InvitationDelivery) -> str:
        return delivery.invitation.get_kind_display()
