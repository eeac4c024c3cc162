"""What the reflection services announce to the apps above them (see `core.events`).

Each event names what happened by ids and names only: never a title or a word anyone
wrote (a journal entry, a check-in, a team reflection, a plan), so that nothing a
subscriber builds from an event can carry private writing. `reader_ids` are the people
the share added to the writing's audience (`reflections.models.Audience`) just now.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class ReflectionShared:
    """A journal entry was shared with its author's coach, or team and coach."""

    reflection_id: int
    program_id: int
    author_id: int
    author_name: str
    reader_ids: tuple[int, ...]


@dataclass(frozen=True)
class CheckInShared:
    """A weekly check-in was shared with the person's coach or accountability partner."""

    checkin_id: int
    program_id: int
    author_id: int
    author_name: str
    # The check-in's ISO week on its author's clock, e.g. "2026-W21".
    week: str
    reader_ids: tuple[int, ...]


@dataclass(frozen=True)
class TeamReflectionShared:
    """A team reflection was written or saved; `by_id` saved it."""

    team_reflection_id: int
    program_id: int
    team_id: int
    team_name: str
    by_id: int
    reader_ids: tuple[int, ...]


@dataclass(frozen=True)
class PartnerNamed:
    """A participant named a member of the program as their accountability partner."""

    plan_id: int
    program_id: int
    person_id: int
    person_name: str
    partner_id: int


@dataclass(frozen=True)
class CheckedIn:
    """A weekly check-in was written or changed (`at`); the person's accountability
    partner may hear that they checked in that week (ISO week on the author's clock)."""

    checkin_id: int
    program_id: int
    user_id: int
    iso_year: int
    iso_week: int
    time_zone: str
    at: datetime.datetime


@dataclass(frozen=True)
class CheckInSlotChanged:
    """The person's weekly check-in slot in the program moved: their plan's day or time
    changed (a new plan counts when it differs from the program's slot)."""

    user_id: int
    program_id: int
