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


def program_roles(user: User, program_id: int) -> tuple[frozenset[str], bool]:
    """The user's active roles in a program, and whether they were ever a member."""
    rows = list(
        Membership.objects.filter(user=user, program_id=program_id).values_list(
            "role", "is_active"
        )
    )
    return frozenset(role for role, active in rows if active), bool(rows)


def require_member(
    user: User, program_id: int, *, roles: Collection[str] | None = None
) -> frozenset[str]:
    """Return the user's active roles in the program.

    Raises Http404 when the user has never been a member, PermissionDenied when their
    membership has ended or when none of `roles` (if given) is among their roles.
    """
    active, known = program_roles(user, program_id)
    if not known:
        raise Http404("No such program.")
    if not active:
        raise PermissionDenied("Your membership in this program has ended.")
    if roles is not None and not active.intersection(roles):
        raise PermissionDenied("Your role in this program does not give access to this page.")
    return active


def get_program_for_user(
    user: User, program_id: int, *, roles: Collection[str] | None = None
) -> ProgramAccess:
    """The program, if the user may open it (any active member by default)."""
    try:
        program = Program.objects.select_related("organization").get(pk=program_id)
    except Program.DoesNotExist:
        raise Http404("No such program.") from None
    active = require_member(user, program.pk, roles=roles)
    return ProgramAccess(program=program, roles=active)
