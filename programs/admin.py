from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils import timezone

from programs.models import Cohort, Membership, Organization, Profile, Program, Unit, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),
    )


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    search_fields = ("name",)
    inlines = (UnitInline,)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "unit", "discipline", "job_title", "time_zone")
    list_filter = ("organization", "discipline")
    search_fields = ("user__email", "user__last_name", "job_title")
    list_select_related = ("user", "organization", "unit")
    raw_id_fields = ("user", "reports_to")


class CohortInline(admin.TabularInline):
    model = Cohort
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "starts_on", "ends_on", "archived_at")
    list_filter = ("archived_at",)
    search_fields = ("name",)
    inlines = (CohortInline,)
    # Archiving pauses memberships, so it happens on the program's page, not here.
    readonly_fields = ("archived_at", "archived_by")

    def has_delete_permission(self, request: HttpRequest, obj: Program | None = None) -> bool:
        """As on the site, only an archived program is deleted for good: never in bulk, and
        not through its organisation while one of its programs is still open."""
        if obj is None or not obj.is_archived:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "program", "cohort", "role", "is_active", "ended_at")
    list_filter = ("role", "is_active", "ending", "program")
    search_fields = ("user__email", "user__last_name")
    list_select_related = ("user", "program", "cohort")
    raw_id_fields = ("user",)
    readonly_fields = ("ended_at", "ending")

    def save_model(
        self, request: HttpRequest, obj: Membership, form: object, change: bool
    ) -> None:
        if obj.is_active:
            obj.ended_at, obj.ending = None, ""
        elif obj.ended_at is None:
            obj.ended_at, obj.ending = timezone.now(), Membership.Ending.LEFT
        super().save_model(request, obj, form, change)
