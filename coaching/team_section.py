"""The team page's "next session" card (the team page belongs to `teams`, which knows
nothing of sessions: it shows the card through `core.panels`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from coaching.models import TeamSession
from core.panels import Section
from programs.access import is_program_admin

# How many past sessions' attendance the team page shows.
RECENT_SESSIONS = 4


def next_session_section(access: Any) -> Section:
    """The team's next session (on the reader's clock), with the way to schedule one for
    its members and coach."""
    team = access.team
    session = TeamSession.objects.filter(team=team).upcoming(timezone.now()).first()
    # One read of the latest sessions held: the team's record of them for those who run
    # them, and their attendance, which is completion (who came), for the coach and
    # program admins only.
    sees_record = access.is_member or access.is_coach
    sees_attendance = access.is_coach or is_program_admin(access.roles)
    held: list[TeamSession] = []
    if sees_record or sees_attendance:
        held = list(
            TeamSession.objects.filter(team=team, status=TeamSession.Status.DONE)
            .annotate(
                expected_count=Count("attendance"),
                attended_count=Count("attendance", filter=Q(attendance__attended=True)),
            )
            .order_by("-starts_at")[:RECENT_SESSIONS]
        )
    attendance = held if sees_attendance else []
    past = held if sees_record else []
    return Section(
        "coaching/_next_session.html",
        {
            "attendance": attendance,
            "past": past,
            "team": team,
            "session": session,
            "may_schedule": access.is_member or access.is_coach,
            "invited": access.is_member or access.is_coach or access.is_sponsor,
        },
    )
