"""What the team services announce to the apps above them (see `core.events`)."""

from __future__ import annotations

from dataclasses import dataclass

from teams.models import Team


@dataclass(frozen=True)
class TeamsCreated:
    """New teams, saved in the current transaction. `projects` gives each its project."""

    teams: tuple[Team, ...]


@dataclass(frozen=True)
class AdvisorAssigned:
    """A person was made a team's learning coach or executive sponsor (`place` is
    `TeamChange.Kind.COACH` or `SPONSOR`; `change_id` the `TeamChange` recording it)."""

    change_id: int
    team_id: int
    team_name: str
    program_id: int
    place: str
    person_id: int
    by_id: int | None
