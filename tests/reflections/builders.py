"""Short ways to put writing in the database through the services the pages use."""

from __future__ import annotations

import datetime

from django.utils import timezone

from programs.models import Program, User
from reflections.models import (
    CheckIn,
    CheckInVisibility,
    Plan,
    Reflection,
    TeamReflection,
    Visibility,
)
from reflections.services import (
    do_create_checkin,
    do_save_plan,
    do_write_reflection,
    do_write_team_reflection,
)
from teams.models import Team

HTMX = {"HTTP_HX_REQUEST": "true"}


def write(
    author: User,
    program: Program,
    *,
    title: str = "After the huddle",
    body: str = "I listened more than I spoke.",
    visibility: str = Visibility.PRIVATE,
    tags: tuple[str, ...] = (),
) -> Reflection:
    return do_write_reflection(
        author=author,
        program=program,
        title=title,
        body=body,
        tags=list(tags),
        visibility=visibility,
        prompt=None,
    )


def check_in(
    user: User,
    program: Program,
    *,
    visibility: str = CheckInVisibility.PRIVATE,
    steps: str = "Asked an open question in every huddle.",
    focus: str = "Let the charge nurse run the bed meeting.",
    time_zone: str = "America/New_York",
    now: datetime.datetime | None = None,
) -> CheckIn:
    return do_create_checkin(
        user=user,
        program=program,
        time_zone=time_zone,
        steps_taken=steps,
        next_focus=focus,
        progress=3,
        visibility=visibility,
        now=now or timezone.now(),
    )


def team_entry(
    team: Team,
    by: User,
    *,
    title: str = "What our stakeholders told us",
    body: str = "Everyone agrees the problem is real.",
    share_with_sponsor: bool = False,
) -> TeamReflection:
    return do_write_team_reflection(
        team=team, by=by, title=title, body=body, share_with_sponsor=share_with_sponsor
    )


def plan_for(user: User, program: Program, *, partner: User | None = None) -> Plan:
    return do_save_plan(
        user=user,
        program=program,
        aspect="How I listen in meetings I chair.",
        action="ask one open question before I give advice",
        partner_user=partner,
        partner_name="" if partner else "Alex Mentor",
        partner_email="" if partner else "alex.mentor@example.com",
        checkin_weekday=4,
        checkin_time=datetime.time(9, 0),
    )
