"""Fetch-or-404 helpers for programs.

Every view that takes a program id starts here. The rules (DESIGN.md, privacy rule 5):
someone with no membership in the program gets 404, exactly as for a program that does
not exist; a member without the right gets 403.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from programs.models import Membership, Program, Role, User


@dataclass(frozen=True)
class ProgramAccess:
    program: Program
    roles: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return Role.PROGRAM_ADMIN in self.roles


ARCHIVED = (
    "This program is archived: only its program admins can open it until they restore it. "
    "Your own writing stays yours: download it from your home page."
)
ENDED = "Your membership in this program has ended."


def program_roles(user: User, program_id: int) -> tuple[frozenset[str], bool]:
    """The user's active roles in a program, and whether they were ever a member."""
    rows = list(
        Membership.objects.filter(user=user, program_id=program_id).values_list(
            "role", "is_active"
        )
    )
    return frozenset(role for role, active in rows if active), bool(rows)


def _check_roles(
    user: User,
    program_id: int,
    active: frozenset[str],
    known: bool,
    roles: Collection[str] | None,
) -> frozenset[str]:
    """The rules of `require_member`, applied to the user's memberships in the program."""
    if not known:
        raise Http404("No such program.")
    if not active:
        raise PermissionDenied(_ended(user, program_id))
    if roles is not None and not active.intersection(roles):
        raise PermissionDenied("Your role in this program does not give access to this page.")
    return active


def _ended(user: User, program_id: int) -> str:
    """Why the user's membership is no longer active, in words."""
    paused = Membership.objects.filter(
        user=user, program_id=program_id, ending=Membership.Ending.ARCHIVED
    ).exists()
    return ARCHIVED if paused else ENDED


def require_member(
    user: User, program_id: int, *, roles: Collection[str] | None = None
) -> frozenset[str]:
    """Return the user's active roles in the program.

    Raises Http404 when the user has never been a member, PermissionDenied when their
    membership has ended or when none of `roles` (if given) is among their roles.
    """
    active, known = program_roles(user, program_id)
    return _check_roles(user, program_id, active, known, roles)


def get_program_for_user(
    user: User, program_id: int, *, roles: Collection[str] | None = None
) -> ProgramAccess:
    """The program, if the user may open it (any active member by default), with the
    user's roles in it: one query. A program that does not exist is one the user has no
    membership in."""
    memberships = list(
        Membership.objects.filter(user=user, program_id=program_id).select_related(
            "program__organization"
        )
    )
    active = _check_roles(
        user,
        program_id,
        frozenset(m.role for m in memberships if m.is_active),
        bool(memberships),
        roles,
    )
    return ProgramAccess(program=memberships[0].program, roles=active)
