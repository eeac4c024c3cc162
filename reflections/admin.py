"""The Django admin shows metadata only: never a reflection's, check-in's, draft's or
plan's text, not even its title (DESIGN.md, privacy rule 1). Writing is not added or
changed here; it belongs to its author. Each admin declares which text is protected
(`core.admin.WritingAdmin`); learning themes are part of the entries that carry them, so
they have no admin page of their own."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from core.admin import WritingAdmin
from reflections.models import (
    CheckIn,
    Draft,
    Plan,
    Prompt,
    ReadReceipt,
    Reflection,
    TeamReflection,
)


class MetadataOnlyAdmin[M: models.Model](WritingAdmin[M]):
    """Read-only, listed fields only; search by the author's email, never by text."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Reflection)
class ReflectionAdmin(MetadataOnlyAdmin[Reflection]):
    protected_fields = ("title", "body", "tags")
    public_fields = ("visibility",)
    list_display = ("__str__", "author", "program", "visibility", "created_at", "deleted_at")
    list_filter = ("visibility", "program")
    list_select_related = ("author", "program")
    search_fields = ("author__email",)
    fields = ("author", "program", "team", "visibility", "created_at", "updated_at", "deleted_at")
    readonly_fields = fields


@admin.register(CheckIn)
class CheckInAdmin(MetadataOnlyAdmin[CheckIn]):
    protected_fields = ("steps_taken", "next_focus", "progress")
    public_fields = ("time_zone", "visibility")
    list_display = ("__str__", "user", "program", "iso_year", "iso_week", "visibility")
    list_filter = ("visibility", "program")
    list_select_related = ("user", "program")
    search_fields = ("user__email",)
    fields = (
        "user",
        "program",
        "team",
        "iso_year",
        "iso_week",
        "week_starts_on",
        "time_zone",
        "visibility",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields


@admin.register(TeamReflection)
class TeamReflectionAdmin(MetadataOnlyAdmin[TeamReflection]):
    protected_fields = ("title", "body")
    list_display = ("__str__", "team", "version", "share_with_sponsor", "updated_at")
    list_select_related = ("team",)
    search_fields = ("team__name",)
    fields = (
        "team",
        "version",
        "share_with_sponsor",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
    )
    readonly_fields = fields


@admin.register(Plan)
class PlanAdmin(MetadataOnlyAdmin[Plan]):
    # The partner from outside the program is named by the person, in their plan.
    protected_fields = (
        "aspect",
        "action",
        "partner_name",
        "partner_email",
        "partner_invited_email",
    )
    public_fields = ("time_zone",)
    list_display = ("__str__", "user", "program", "checkin_weekday", "checkin_time")
    list_select_related = ("user", "program")
    search_fields = ("user__email",)
    fields = (
        "user",
        "program",
        "partner_user",
        "partner_invited_at",
        "partner_confirmed_at",
        "notify_partner",
        "checkin_weekday",
        "checkin_time",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields


@admin.register(Draft)
class DraftAdmin(MetadataOnlyAdmin[Draft]):
    protected_fields = ("title", "body", "tags", "token")
    public_fields = ("visibility",)
    list_display = ("__str__", "user", "program", "saved_at", "closed_at")
    list_select_related = ("user", "program")
    search_fields = ("user__email",)
    fields = ("user", "program", "saved_at", "closed_at")
    readonly_fields = fields


@admin.register(ReadReceipt)
class ReadReceiptAdmin(MetadataOnlyAdmin[ReadReceipt]):
    list_display = ("__str__", "reader", "reflection", "checkin", "read_at")
    list_select_related = ("reader", "reflection", "checkin")
    search_fields = ("reader__email",)
    fields = ("reader", "reflection", "checkin", "read_at")
    readonly_fields = fields


@admin.register(Prompt)
class PromptAdmin(WritingAdmin[Prompt]):
    # Prompts are the program's, written for every participant to read.
    public_fields = ("text",)
    list_display = ("text", "program", "week_number")
    list_filter = ("program",)
    search_fields = ("text",)
