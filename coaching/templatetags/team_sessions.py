"""The team page's "next session" card (the team page belongs to `teams`, which knows
nothing of sessions)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from coaching.models import TeamSession
from programs.models import Role

# How many past sessions' attendance the team page shows.
RECENT_SESSIONS = 4

register = template.Library()


@register.inclusion_tag("coaching/_next_session.html", takes_context=True)
def next_session(context: template.Context, access: Any) -> dict[str, Any]:
    """The team's next session (on the reader's clock), with the way to schedule one for
    its members and coach."""
    team = access.team
    session = TeamSession.objects.filter(team=team).upcoming(timezone.now()).first()
    # Attendance is completion (who came), shown to the coach and program admins only.
    attendance = []
    if access.is_coach or Role.PROGRAM_ADMIN in access.roles:
        attendance = list(
            TeamSession.objects.filter(team=team, status=TeamSession.Status.DONE)
            .annotate(
                expected_count=Count("attendance"),
                attended_count=Count("attendance", filter=Q(attendance__attended=True)),
            )
            .order_by("-starts_at")[:RECENT_SESSIONS]
        )
    # The team's record of its past sessions, for those who run them.
    past = []
    if access.is_member or access.is_coach:
        past = list(
            TeamSession.objects.filter(team=team, status=TeamSession.Status.DONE).order_by(
                "-starts_at"
            )[:RECENT_SESSIONS]
        )
    return {
        "attendance": attendance,
        "past": past,
        "team": team,
        "session": session,
        "user": context["user"],
        "may_schedule": access.is_member or access.is_coach,
        "invited": access.is_member or access.is_coach or access.is_sponsor,
    }
