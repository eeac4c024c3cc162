"""Fetch-or-404 helpers for programs.

Every view that takes a program id starts here. The rules (DESIGN.md, privacy rule 5):
someone with no membership in the program gets 404, exactly as for a program that does
not exist; a member without the right gets 403.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from programs.models import Membership, Organization, Program, Role, User


@dataclass(frozen=True)
class ProgramAccess:
    program: Program
    roles: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return is_program_admin(self.roles)


ADMINS = frozenset({Role.PROGRAM_ADMIN})


def is_program_admin(roles: Collection[str]) -> bool:
    """Whether these active roles in a program make the person one of its program admins:
    the one place that says who administers a program."""
    return Role.PROGRAM_ADMIN in roles


ARCHIVED = (
    "This program has ended and is archived: only its program admins can open its pages. "
    "If you took part in it, your journal, Be Better Now plan and weekly check-ins stay "
    "yours in your alumni space: find it on your home page."
)
ENDED = "Your membership in this program has ended."


def memberships_in(user: User, program_id: int, **annotations: Any) -> list[Membership]:
    """The user's memberships in the program (ended ones too), each with its program and
    organisation and `annotations`.

    They are read in one query with the user's memberships in every other program, which
    are kept on the user (`User.memberships_read`) for the page's header
    (`programs.context_processors.navigation`): a page that checks access runs no second
    query for its navigation. Access is decided on this query's rows, never on kept ones."""
    rows = list(
        Membership.objects.filter(user=user)
        .select_related("program__organization")
        .annotate(**annotations)
        .order_by("pk")
    )
    user.memberships_read = rows
    return [m for m in rows if m.program_id == program_id]


def program_roles(user: User, program_id: int) -> tuple[frozenset[str], bool]:
    """The user's active roles in a program, and whether they were ever a member."""
    rows = memberships_in(user, program_id)
    return frozenset(m.role for m in rows if m.is_active), bool(rows)


NOT_YOUR_ROLE = "Your role in this program does not give access to this page."


def check_roles(
    user: User,
    program_id: int,
    active: frozenset[str],
    known: bool,
    roles: Collection[str] | None,
    *,
    refusal: str = NOT_YOUR_ROLE,
) -> frozenset[str]:
    """The membership rule, applied to the user's memberships in the program (`active`:
    their active roles; `known`: whether they were ever a member): 404 for someone the
    program never knew, 403 with the reason for a membership that has ended (archived or
    left), 403 with `refusal` when none of `roles` (if given) is theirs."""
    if not known:
        raise Http404("No such program.")
    if not active:
        raise PermissionDenied(_ended(user, program_id))
    if roles is not None and not active.intersection(roles):
        raise PermissionDenied(refusal)
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
    return check_roles(user, program_id, active, known, roles)


def get_program_for_user(
    user: User, program_id: int, *, roles: Collection[str] | None = None
) -> ProgramAccess:
    """The program, if the user may open it (any active member by default), with the
    user's roles in it: one query. A program that does not exist is one the user has no
    membership in."""
    memberships = memberships_in(user, program_id)
    active = check_roles(
        user,
        program_id,
        frozenset(m.role for m in memberships if m.is_active),
        bool(memberships),
        roles,
    )
    return ProgramAccess(program=memberships[0].program, roles=active)


def get_program_for_admin(user: User, program_id: int) -> ProgramAccess:
    """The program, for its program admins only: an outsider gets 404, any other member
    403 (see `get_program_for_user`)."""
    return get_program_for_user(user, program_id, roles=ADMINS)


# Organisations ------------------------------------------------------------------------


def is_organization_admin(user: User, organization_id: int) -> bool:
    """Whether the user is an organisation admin of this organisation."""
    return Organization.objects.administered_by(user).filter(pk=organization_id).exists()


def get_organization_for_admin(user: User, organization_id: int) -> Organization:
    """The organisation, if the user administers it.

    Someone the organisation does not know (no profile, membership or admin role there)
    gets 404, exactly as for an organisation that does not exist; someone it knows
    without the admin role gets 403.
    """
    organization = Organization.objects.administered_by(user).filter(pk=organization_id).first()
    if organization is not None:
        return organization
    if not Organization.objects.known_to(user).filter(pk=organization_id).exists():
        raise Http404("No such organisation.")
    raise PermissionDenied("Only the organisation's admins can manage it.")


def require_site_admin(user: User) -> None:
    """The installation's operator (staff) only: everyone else gets 403, the same
    whatever they ask for (there is no object to hide)."""
    if not user.is_staff:
        raise PermissionDenied("Only the site's administrators can manage organisations.")
