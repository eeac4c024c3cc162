from django.contrib import admin

from core.admin import WritingAdmin
from teams.models import Team, TeamMember


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    raw_id_fields = ("user",)
    fields = ("user", "cohort")


@admin.register(Team)
class TeamAdmin(WritingAdmin[Team]):
    public_fields = ("name",)
    list_display = ("name", "cohort", "coach", "sponsor")
    list_filter = ("cohort__program",)
    search_fields = ("name",)
    list_select_related = ("cohort__program", "coach", "sponsor")
    raw_id_fields = ("coach", "sponsor")
    inlines = (TeamMemberInline,)
