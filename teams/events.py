"""What the team services announce to the apps above them (see `core.events`)."""

from __future__ import annotations

from dataclasses import dataclass

from teams.models import Team


@dataclass(frozen=True)
class TeamsCreated:
    """New teams, saved in the current transaction. `projects` gives each its project."""

    teams: tuple[Team, ...]
