"""Fetch-or-404 helpers for team sessions."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from coaching.models import TeamSession
from programs.models import User
from teams.access import TeamAccess, get_team_for_user, team_access


def may_schedule(access: TeamAccess) -> bool:
    """A team's sessions are scheduled by its members and its coach."""
    return access.is_member or access.is_coach


def get_team_to_schedule(user: User, team_id: int) -> TeamAccess:
    """The team, if the user may schedule its sessions: a member or its coach. Outsiders
    to the program get 404, other members of the program 403."""
    access = get_team_for_user(user, team_id)
    if not may_schedule(access):
        raise PermissionDenied("Only the team's members and its coach schedule its sessions.")
    return access


@dataclass(frozen=True)
class SessionAccess:
    session: TeamSession
    team: TeamAccess

    @property
    def may_change(self) -> bool:
        return may_schedule(self.team) and self.session.status == TeamSession.Status.PLANNED


def get_session_for_user(user: User, session_id: int) -> SessionAccess:
    """The session, if the user is invited to it: a member of the team, its coach or its
    sponsor. Outsiders to the program get 404, other members of the program (a program
    admin included: they see attendance as completion only) 403."""
    session = (
        TeamSession.objects.select_related(
            "team__cohort__program", "team__coach", "team__sponsor", "created_by", "coach_note"
        )
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise Http404("No such session.")
    access = team_access(user, session.team)
    if not (access.is_member or access.is_coach or access.is_sponsor):
        raise PermissionDenied("Only the team and its advisors open its sessions.")
    return SessionAccess(session=session, team=access)


def get_session_to_change(user: User, session_id: int) -> SessionAccess:
    """The session, if the user may move or change it (a member or the coach, before it
    starts)."""
    access = get_session_for_user(user, session_id)
    if not may_schedule(access.team):
        raise PermissionDenied("Only the team's members and its coach change its sessions.")
    return access


def get_session_to_run(user: User, session_id: int) -> SessionAccess:
    """The session, for those who run it: the team's members and its coach. The sponsor
    gets 403 (invited, they read the session page), outsiders 404."""
    return get_session_to_change(user, session_id)


def get_session_for_coach(user: User, session_id: int) -> SessionAccess:
    """The session, for the team's coach only (their question bank and record)."""
    access = get_session_for_user(user, session_id)
    if not access.team.is_coach:
        raise PermissionDenied("Only the team's coach does this.")
    return access


def get_session_record_to_share(user: User, session_id: int) -> SessionAccess:
    """The session, for the team's coach who wrote its record: they alone share it with
    the team or stop sharing it. Another coach of the team gets 403, outsiders 404."""
    access = get_session_for_coach(user, session_id)
    note = access.session.coach_note
    if note is not None and note.author_id != user.pk:
        raise PermissionDenied("Only the coach who wrote this record shares it.")
    return access
