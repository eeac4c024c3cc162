from allauth.account.forms import ResetPasswordForm
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from core.admin import WritingAdmin
from core.models import SecurityEvent
from core.security import record_event
from programs.models import (
    Cohort,
    Membership,
    Organization,
    OrganizationSignOn,
    Profile,
    Program,
    SignOnDomain,
    Unit,
    User,
)


@admin.register(User)
class UserAdmin(WritingAdmin[User], DjangoUserAdmin):
    """People's accounts. A site admin never sets someone else's password or address
    here (that would let them sign in as the person and read their journal): the
    password page offers to email the person a reset link instead, and the address is
    read-only. Their own password they may change here as anywhere."""

    protected_fields = ("password",)
    public_fields = ("email", "first_name", "last_name", "time_zone")
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password_reset")}),
        ("Name and time zone", {"fields": ("first_name", "last_name", "time_zone")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),
    )
    readonly_fields = ("password_reset",)

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk != request.user.pk:
            fields.append("email")
        return fields

    @admin.display(description="password")
    def password_reset(self, obj: User) -> str:
        if obj.pk is None:
            return ""
        url = reverse(f"{self.admin_site.name}:auth_user_password_change", args=(obj.pk,))
        return format_html('<a href="{}">Email them a link to reset it</a>', url)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:user_id>/password/send-reset-link/",
                self.admin_site.admin_view(require_POST(self.send_password_reset)),
                name="programs_user_send_password_reset",
            ),
            *super().get_urls(),
        ]

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        user = self.get_object(request, unquote(id))
        if user is None:
            raise Http404
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        if user.pk == request.user.pk:
            return super().user_change_password(request, id, form_url)
        # Someone else's password: refused (403, a security event), with the reset link
        # offered in its place.
        context = {
            **self.admin_site.each_context(request),
            "title": "Email a password reset link",
            "opts": self.opts,
            "original": user,
            "send_url": reverse(
                f"{self.admin_site.name}:programs_user_send_password_reset", args=(user.pk,)
            ),
        }
        return TemplateResponse(
            request,
            "admin/programs/user/password_refused.html",
            context,
            status=403 if request.method == "POST" else 200,
        )

    def send_password_reset(self, request: HttpRequest, user_id: int) -> HttpResponse:
        """Email the person allauth's password reset link (they choose the password)."""
        user = self.get_object(request, str(user_id))
        if user is None:
            raise Http404
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        form = ResetPasswordForm(data={"email": user.email})
        if form.is_valid():
            form.save(request)
        record_event(
            SecurityEvent.Kind.ADMIN_PASSWORD_RESET_SENT,
            request=request,
            user=user,
            by=request.user.pk,
        )
        messages.success(request, f"A link to reset their password was emailed to {user.email}.")
        return HttpResponseRedirect(
            reverse(f"{self.admin_site.name}:programs_user_change", args=(user.pk,))
        )


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(WritingAdmin[Organization]):
    public_fields = ("name", "time_zone")

    search_fields = ("name",)
    inlines = (UnitInline,)


@admin.register(Profile)
class ProfileAdmin(WritingAdmin[Profile]):
    public_fields = ("discipline", "job_title", "time_zone")

    list_display = ("user", "organization", "unit", "discipline", "job_title")
    list_filter = ("organization", "discipline")
    search_fields = ("user__email", "user__last_name", "job_title")
    list_select_related = ("user", "organization", "unit")
    raw_id_fields = ("user", "reports_to")


class CohortInline(admin.TabularInline):
    model = Cohort
    extra = 0


@admin.register(Program)
class ProgramAdmin(WritingAdmin[Program]):
    # The program's own description, written for its members.
    public_fields = ("name", "description", "learning_goals", "competencies")

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
class MembershipAdmin(WritingAdmin[Membership]):
    public_fields = ("role", "ending")

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


class SignOnDomainInline(admin.TabularInline[SignOnDomain, OrganizationSignOn]):
    model = SignOnDomain
    extra = 0
    can_delete = False
    readonly_fields = ("domain",)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OrganizationSignOn)
class OrganizationSignOnAdmin(WritingAdmin[OrganizationSignOn]):
    """Organisations' single sign-on, read-only: its admins configure it in the app, where
    the client secret is never shown back."""

    public_fields = ("protocol",)
    list_display = ("organization", "protocol", "is_active", "require_sso", "updated_at")
    list_filter = ("protocol", "is_active", "require_sso")
    readonly_fields = (
        "organization",
        "protocol",
        "app",
        "is_active",
        "email_authoritative",
        "require_sso",
        "join_cohort",
        "updated_at",
        "updated_by",
    )
    fields = readonly_fields
    inlines = (SignOnDomainInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
