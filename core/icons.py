"""The icons of the interface: Lucide's (lucide-static on npm, ISC licence), bundled as one
SVG sprite, static/img/icons.svg, which `bin/build-icons` writes from the names below.

Only the icons named here are in the sprite, so it stays small; a test checks that every
`{% icon %}` in the templates names one of them and that the committed sprite is current.
"""

from __future__ import annotations

import re
from pathlib import Path

ICONS: tuple[str, ...] = (
    "archive",
    "bell",
    "calendar-plus",
    "circle-check",
    "download",
    "house",
    "inbox",
    "info",
    "layers",
    "log-out",
    "menu",
    "pencil",
    "plus",
    "trash-2",
    "triangle-alert",
    "upload",
    "user",
    "user-plus",
)

SPRITE = Path(__file__).resolve().parents[1] / "static" / "img" / "icons.svg"
SOURCE = Path(__file__).resolve().parents[1] / "node_modules" / "lucide-static" / "icons"

_LICENCE = re.compile(r"<!--\s*@license (lucide-static v[\d.]+) - ISC\s*-->")
# On each symbol, since a <use> copies the symbol and not the sprite's root element.
_STROKE = (
    'viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2"'
    ' stroke-linecap="round" stroke-linejoin="round"'
)
_BODY = re.compile(r"<svg\b[^>]*>(.*)</svg>", re.DOTALL)


def _symbol(name: str, text: str) -> str:
    found = _BODY.search(text)
    if found is None:
        raise ValueError(f"{name}.svg is not an SVG document")
    shapes = [" ".join(line.split()) for line in found.group(1).splitlines() if line.strip()]
    return f'<symbol id="{name}" {_STROKE}>{"".join(shapes)}</symbol>'


def build_sprite(source: Path = SOURCE) -> str:
    """The sprite of ICONS, read from Lucide's one-file-per-icon SVGs in `source`."""
    texts = {name: (source / f"{name}.svg").read_text() for name in ICONS}
    versions = {m.group(1) for text in texts.values() if (m := _LICENCE.search(text))}
    symbols = "\n".join(_symbol(name, text) for name, text in texts.items())
    return (
        f"<!-- Icons from {', '.join(sorted(versions))} (ISC licence, https://lucide.dev):"
        " written by bin/build-icons from core/icons.py; do not edit by hand. -->\n"
        '<svg xmlns="http://www.w3.org/2000/svg">\n'
        f"{symbols}\n</svg>\n"
    )
