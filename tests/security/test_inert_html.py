"""The hostile-input checker itself: the app's icons pass, any other <use> is reported."""

from __future__ import annotations

import pytest

from tests.security.inert_html import executable_parts

OURS = '<svg class="icon"><use href="/static/img/icons.svg#bell"></use></svg>'


@pytest.mark.parametrize(
    "html",
    [OURS, '<svg><use href="/static/img/icons.0123456789ab.svg#user-plus"></use></svg>'],
)
def test_an_icon_of_the_apps_sprite_is_not_reported(html: str) -> None:
    assert executable_parts(html, nonce=None) == []


@pytest.mark.parametrize(
    "html",
    [
        '<svg><use href="https://evil.example/static/img/icons.svg#bell"></use></svg>',
        '<svg><use href="//evil.example/static/img/icons.svg#bell"></use></svg>',
        '<svg><use href="#xss"></use></svg>',
        '<svg><use href="data:image/svg+xml,xss#a"></use></svg>',
        '<svg><use xlink:href="/static/img/icons.svg#bell"></use></svg>',
        '<svg><use href="/static/img/icons.svg#bell" x="xss"></use></svg>',
        '<svg><use href="/static/img/icons.svg#bell/../../xss.svg#a"></use></svg>',
        "<svg><use></use></svg>",
    ],
)
def test_any_other_use_element_is_reported(html: str) -> None:
    found = [finding.what for finding in executable_parts(html, nonce=None)]
    assert "an active SVG <use> element" in found
