"""What changes to people's roles announce to the apps above them (see `core.events`).

A role is given (an invitation accepted, an admin adding someone, a membership restored)
or ends; the services that make the change (`programs.services`, `teams.services`)
announce it, by ids and names only. `by_id` is who made the change, so that nobody is
told of their own step.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoleGranted:
    """A person was given, or given back, a role in a program. `how` says by which path
    ("invitation", "added", "restored")."""

    membership_id: int
    user_id: int
    program_id: int
    program_name: str
    role: str
    how: str
    by_id: int | None


@dataclass(frozen=True)
class RoleEnded:
    """A person's role in a program ended."""

    membership_id: int
    user_id: int
    program_id: int
    program_name: str
    role: str
    by_id: int | None
