"""Coach notes and pulses in the Django admin: metadata only.

A coach note's body is the coach's alone, and pulse answers are anonymous, so the admin
shows neither: notes appear with their team, author, date and time split, pulses with
their team, meeting date and number of answers.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from coaching.models import CoachNote, PulseSurvey
from core.admin import WritingAdmin


@admin.register(CoachNote)
class CoachNoteAdmin(WritingAdmin[CoachNote]):
    protected_fields = ("body",)
    list_display = ("__str__", "team", "author", "held_on", "task_minutes", "process_minutes")
    list_filter = ("team__cohort__program",)
    list_select_related = ("team", "author")
    fields = ("team", "author", "held_on", "task_minutes", "process_minutes", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PulseSurvey)
class PulseSurveyAdmin(WritingAdmin[PulseSurvey]):
    list_display = ("__str__", "team", "meeting_on", "answers")
    list_filter = ("team__cohort__program",)
    list_select_related = ("team",)
    fields = ("team", "meeting_on", "opened_by", "created_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[PulseSurvey]:
        return super().get_queryset(request).annotate(answer_count=Count("responses"))

    @admin.display(description="answers", ordering="answer_count")
    def answers(self, obj: PulseSurvey) -> int:
        return int(getattr(obj, "answer_count", 0))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
