"""A tiny registry of the sections that apps higher up add to a page of an app below them.

The team page belongs to `teams`, which cannot import the apps above it; `coaching` shows
the team's next and past sessions there. Each such app registers one section in its
`AppConfig.ready()` with `register_team_section(...)`; the team view calls
`team_sections(...)`, so the reads happen in the view, where the query budget counts them,
and never inside a template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Section:
    """A template and the context it is rendered with."""

    template: str
    context: dict[str, Any]


type TeamSectionSource = Callable[[Any], Section]

_team_sections: dict[str, TeamSectionSource] = {}


def register_team_section(key: str, source: TeamSectionSource) -> None:
    """Add a section to the team page: `source(access)` reads what it shows (`access` is
    the reader's `teams.access.TeamAccess`) and returns it; registering a key again
    replaces it."""
    _team_sections[key] = source


def team_sections(request: HttpRequest, access: Any) -> list[SafeString]:
    """Every registered section of the team page, rendered for the reader."""
    rendered = []
    for source in _team_sections.values():
        section = source(access)
        rendered.append(render_to_string(section.template, section.context, request=request))
    return rendered
