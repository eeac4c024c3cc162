from django.contrib import admin

from core.admin import WritingAdmin
from projects.models import Project


@admin.register(Project)
class ProjectAdmin(WritingAdmin[Project]):
    # The charter is the team's writing, read in the app by the team and its advisers;
    # the title names the project everywhere.
    protected_fields = (
        "problem_statement",
        "strategic_alignment",
        "intended_outcomes",
        "success_measures",
        "scope",
        "out_of_scope",
    )
    public_fields = ("title", "project_type", "phase")
    list_display = ("title", "team", "project_type", "phase")
    list_filter = ("phase", "project_type")
    search_fields = ("title", "team__name")
    list_select_related = ("team",)
