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


@dataclass(frozen=True)
class TimeZoneChanged:
    """A person set their own time zone (`User.time_zone`) to another zone."""

    user_id: int
    old_zone: str
    new_zone: str


@dataclass(frozen=True)
class ProgramScheduleChanged:
    """A program's default check-in day or time (`slot_changed`: it is the slot of the
    participants without a plan of their own), or its dates (`dates_changed`: they bound
    everyone's weekly check-in), changed."""

    program_id: int
    slot_changed: bool
    dates_changed: bool


@dataclass(frozen=True)
class ProgramArchived:
    """A program was archived: every membership but the program admins' is paused."""

    program_id: int
    by_id: int | None


@dataclass(frozen=True)
class ProgramRestored:
    """An archived program was brought back, with the memberships its archiving paused."""

    program_id: int


@dataclass(frozen=True)
class MilestoneSaved:
    """A milestone of the program was added or changed (its date, title or text)."""

    milestone_id: int
    program_id: int


@dataclass(frozen=True)
class MilestoneDeleted:
    """A milestone of the program was deleted."""

    milestone_id: int
    program_id: int
