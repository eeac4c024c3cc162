"""What the session and pulse services announce to the apps above them (see `core.events`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SessionScheduled:
    """A team session was scheduled (`sequence` 0) or moved or changed (`sequence` above
    0): its members and advisors get a notification and a calendar invitation."""

    session_id: int
    team_id: int
    team_name: str
    program_id: int
    starts_at: str  # ISO, UTC
    sequence: int
    by_id: int


@dataclass(frozen=True)
class SessionRecordShared:
    """The coach shared the record of a session (its figures, never the note's text) with
    the team's members: they get a notification."""

    session_id: int
    team_id: int
    team_name: str
    program_id: int
    by_id: int


@dataclass(frozen=True)
class PulseOpened:
    """A team pulse was opened for one meeting; the team's members are asked to answer."""

    survey_id: int
    team_id: int
    team_name: str
    program_id: int
    meeting_on: str  # ISO date
    by_id: int
