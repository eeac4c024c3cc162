"""The team page's "next session" card (the team page belongs to `teams`, which knows
nothing of sessions)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from coaching.models import TeamSession

register = template.Library()


@register.inclusion_tag("coaching/_next_session.html", takes_context=True)
def next_session(context: template.Context, access: Any) -> dict[str, Any]:
    """The team's next session (on the reader's clock), with the way to schedule one for
    its members and coach."""
    team = access.team
    session = TeamSession.objects.filter(team=team).upcoming(timezone.now()).first()
    return {
        "team": team,
        "session": session,
        "user": context["user"],
        "may_schedule": access.is_member or access.is_coach,
        "invited": access.is_member or access.is_coach or access.is_sponsor,
    }
