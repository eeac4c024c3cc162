"""Template helpers for the journal: rendering Markdown, and pieces for other pages (the
unsaved-draft notice and the links to a participant's journal pages). They only format
what the view read: none of them queries the database."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString

from core.markdown import render_markdown as render
from programs.models import Membership, Program, Role, User
from reflections.models import Draft

register = template.Library()


@register.filter
def render_markdown(text: str) -> SafeString:
    """Markdown to sanitised HTML (see core.markdown)."""
    return render(text)


@register.filter
def has_ended_for(program: Program, user: User) -> bool:
    """Whether the program is over on the reader's own clock (ended or archived)."""
    return program.has_ended(user.today())


@register.inclusion_tag("reflections/_draft_notice.html", takes_context=True)
def draft_notice(context: dict[str, Any], drafts: Iterable[Draft]) -> dict[str, Any]:
    """ "You have an unsaved draft from <time> — continue it / discard", for each of the
    reader's drafts with something written (the view reads them: `Draft.objects.unclosed`),
    on the reader's clock."""
    request = context["request"]
    return {
        "drafts": [draft for draft in drafts if draft.is_open],
        "zone": request.user.zone,
        "csrf_token": context.get("csrf_token"),
        "here": request.path,
    }


@register.inclusion_tag("reflections/_links.html")
def journal_links(memberships: Any) -> dict[str, Any]:
    """Links to the journal pages of each program in which the person takes part or
    coaches, from memberships the page already holds (no query)."""
    participant_in = []
    coach_in = []
    for membership in memberships:
        if not membership.is_active:
            continue
        if membership.role == Role.PARTICIPANT:
            participant_in.append(membership.program)
        elif membership.role == Role.COACH:
            coach_in.append(membership.program)
    return {"participant_in": participant_in, "coach_in": coach_in}


@register.inclusion_tag("reflections/_former_programs.html")
def former_programs(memberships: Any) -> dict[str, Any]:
    """Programs the reader took part in and no longer does, with the link to download all of
    their own writing, which stays theirs after they leave (DESIGN.md, privacy rule 6).
    From all of the reader's memberships, ended ones included, which the page holds (no
    query)."""
    current = {m.program_id for m in memberships if m.role == Role.PARTICIPANT and m.is_active}
    ended = [
        m
        for m in memberships
        if m.role == Role.PARTICIPANT
        and not m.is_active
        and m.program_id not in current
        # A paused membership of an archived program is in the alumni space instead.
        and m.ending != Membership.Ending.ARCHIVED
    ]
    ended.sort(key=lambda m: m.program.name)
    ended.sort(
        key=lambda m: m.ended_at or datetime.datetime.min.replace(tzinfo=datetime.UTC),
        reverse=True,
    )
    return {"ended": ended}
