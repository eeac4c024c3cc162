"""A tiny typed registry of the writing that apps above `reflections` keep for a person,
so that a person's export (DESIGN.md, privacy rule 6) holds all of it.

`reflections` builds the export but cannot import the apps above it (`coaching`, ...).
Each of them registers one contributor in its `AppConfig.ready()`:
`register_export(ExportSection(key=..., title=..., items=...))`. The export calls every
contributor with the person and adds its items under `key` (JSON) and as one Markdown
file, or as the Markdown files its `files` makes of them. A contributor returns the
person's own writing only, as plain data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

type ExportItems = list[dict[str, Any]]


@dataclass(frozen=True)
class ExportSection:
    """`key` names the part of the JSON file and the Markdown file; `title` heads the
    Markdown file; `items(user)` returns the person's own entries, oldest first.
    `files(items)`, if given, replaces the one Markdown file: path in the zip → text
    (none at all for a section kept in the JSON file only)."""

    key: str
    title: str
    items: Callable[[Any], ExportItems]
    files: Callable[[ExportItems], dict[str, str]] | None = None


_sections: dict[str, ExportSection] = {}


def register_export(section: ExportSection) -> None:
    """Add `section` to every person's export; registering the same key again replaces it."""
    _sections[section.key] = section


def export_sections() -> list[ExportSection]:
    """The registered sections, in the order they were first registered."""
    return list(_sections.values())
