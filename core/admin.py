from django.contrib import admin
from django.http import HttpRequest

from core.models import SecurityEvent


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The security log, read-only: rows are written by the application alone and no one
    may add, change or delete them here."""

    list_display = ("created_at", "kind", "user", "ip_address", "details")
    list_filter = ("kind",)
    search_fields = ("user__email", "ip_address", "details__login")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    fields = ("created_at", "kind", "user", "ip_address", "details")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
