"""The icon sprite: every icon a template names is in it, it holds nothing unused, and it is
what bin/build-icons makes from the pinned lucide-static package."""

from __future__ import annotations

import os
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.template import Context, Template, TemplateSyntaxError

from core.icons import ICONS, SOURCE, SPRITE, build_sprite

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = {".venv", "node_modules", "var", ".git"}
ICON_TAG = re.compile(r"""\{%\s*icon\s+["']([^"']+)["']\s*%\}""")


def template_icons() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.html"):
        if SKIPPED.intersection(path.relative_to(ROOT).parts):
            continue
        for name in ICON_TAG.findall(path.read_text()):
            used.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return used


def test_every_icon_a_template_names_is_in_the_sprite() -> None:
    symbols = {
        symbol.get("id")
        for symbol in ElementTree.parse(SPRITE).getroot()  # noqa: S314 (our own file)
        if symbol.tag.endswith("symbol")
    }
    used = template_icons()
    assert used, "no template shows an icon"
    assert {name: where for name, where in used.items() if name not in symbols} == {}


def test_the_sprite_holds_only_icons_the_templates_use() -> None:
    assert sorted(set(ICONS) - set(template_icons())) == []


def test_the_sprite_is_what_bin_build_icons_writes() -> None:
    if not SOURCE.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SOURCE} is missing: run npm ci")
        pytest.skip(f"{SOURCE} is missing: run npm ci")
    assert SPRITE.read_text() == build_sprite()


def test_an_icon_is_hidden_from_screen_readers_and_drawn_from_the_sprite() -> None:
    html = Template('{% load icons %}{% icon "bell" %}').render(Context())
    assert html == (
        '<svg class="icon" aria-hidden="true" focusable="false">'
        '<use href="/static/img/icons.svg#bell"></use></svg>'
    )


def test_an_unknown_icon_is_a_template_error() -> None:
    with pytest.raises(TemplateSyntaxError, match="No icon 'nope'"):
        Template('{% load icons %}{% icon "nope" %}').render(Context())
