from django.contrib import admin

from projects.models import Project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "team", "project_type", "phase")
    list_filter = ("phase", "project_type")
    search_fields = ("title", "team__name")
    list_select_related = ("team",)
