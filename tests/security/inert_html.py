"""Parse a page (or an email) and list everything in it that a browser could execute, or
that htmx would act on, which the app's own templates do not put there.

The hostile-input tests put text that tries to inject such things into every field and
render the pages; the CSP tests use the same parser to find inline code the policy blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Every payload of the hostile-input tests says "xss" in the part that would run, so an
# htmx attribute or a style that carries it came from a payload.
MARKER = "xss"

# Never in a page of ours, wherever they are.
FORBIDDEN_TAGS = frozenset(
    {"iframe", "frame", "frameset", "object", "embed", "applet", "isindex", "math", "portal"}
)
# Allowed in <head> only (ours); one in <body> came from somebody's text.
HEAD_ONLY_TAGS = frozenset({"base", "meta", "link", "style", "title"})
# SVG elements that run or load something: our charts use none of them.
SVG_ACTIVE_TAGS = frozenset(
    {"animate", "set", "animatemotion", "animatetransform", "foreignobject", "use", "handler"}
)
# The one <use> of ours: an icon of the app's own sprite (`{% icon %}`, core/icons.py), with
# the hashed name the manifest storage gives it in production, and nothing else on it.
OUR_ICON = re.compile(r"/static/img/icons(\.[0-9a-f]{12})?\.svg#[a-z0-9-]+")
# A <script> of one of these types holds data, and browsers do not run it.
DATA_BLOCK_TYPES = frozenset({"application/json", "application/ld+json"})
URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "xlink:href",
        "poster",
        "background",
        "data",
        "srcset",
        "ping",
        "cite",
        "codebase",
        "dynsrc",
        "lowsrc",
        "longdesc",
        "manifest",
        "icon",
        "usemap",
        "profile",
    }
)
EXECUTABLE_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")
# Random tokens of ours (the CSRF token in <body hx-headers>) may spell the marker by chance.
_TOKENS = re.compile(r"[A-Za-z0-9_-]{20,}")
# As a browser reads a URL (WHATWG URL standard): leading and trailing C0 controls and
# spaces are stripped, tabs and newlines removed wherever they are.
_C0_AND_SPACE = "".join(chr(n) for n in range(0x21))
_TAB_AND_NEWLINE = re.compile(r"[\t\n\r]")


def _scheme_of(url: str) -> str:
    return _TAB_AND_NEWLINE.sub("", url.strip(_C0_AND_SPACE)).lower()


def _is_our_icon(attrs: list[tuple[str, str | None]]) -> bool:
    return (
        len(attrs) == 1 and attrs[0][0] == "href" and bool(OUR_ICON.fullmatch(attrs[0][1] or ""))
    )


@dataclass
class Finding:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.what}: {self.where}"


@dataclass
class _Scanner(HTMLParser):
    nonce: str | None = None
    findings: list[Finding] = field(default_factory=list)
    scripts: list[dict[str, str | None]] = field(default_factory=list)
    in_body: bool = False
    svg_depth: int = 0

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def _find(self, tag: str, attrs: list[tuple[str, str | None]], what: str) -> None:
        shown = " ".join(
            f'{name}="{value}"' if value is not None else name for name, value in attrs
        )
        self.findings.append(Finding(where=f"<{tag} {shown}>"[:300], what=what))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag == "body":
            self.in_body = True
        if tag == "svg":
            self.svg_depth += 1
        if tag == "script":
            self._check_script(attrs)
        if tag in FORBIDDEN_TAGS:
            self._find(tag, attrs, f"a <{tag}> element")
        # An SVG has its own <title> (our charts' accessible names).
        if tag in HEAD_ONLY_TAGS and self.in_body and not (tag == "title" and self.svg_depth):
            self._find(tag, attrs, f"a <{tag}> element in the body")
        if tag == "meta" and any(name.lower() == "http-equiv" for name, _ in attrs):
            self._find(tag, attrs, "a <meta http-equiv>")
        if tag in SVG_ACTIVE_TAGS and not (tag == "use" and _is_our_icon(attrs)):
            self._find(tag, attrs, f"an active SVG <{tag}> element")
        for name, value in attrs:
            self._check_attribute(tag, attrs, name.lower(), value or "")

    def handle_endtag(self, tag: str) -> None:
        if tag.lower() == "svg" and self.svg_depth:
            self.svg_depth -= 1

    def _check_script(self, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value for name, value in attrs}
        self.scripts.append(values)
        if (values.get("type") or "").lower() in DATA_BLOCK_TYPES and "src" not in values:
            return  # data for a script (allauth's), which browsers never run
        src = values.get("src") or ""
        if self.nonce is None:
            self._find("script", attrs, "a <script> element")
        elif values.get("nonce") != self.nonce:
            self._find("script", attrs, "a <script> without the response's CSP nonce")
        elif not src.startswith("/static/"):
            self._find("script", attrs, "a <script> that is not one of our static files")

    def _check_attribute(
        self, tag: str, attrs: list[tuple[str, str | None]], name: str, value: str
    ) -> None:
        lowered = _TOKENS.sub("", value).lower()
        if name.startswith("on"):
            self._find(tag, attrs, f"an event handler attribute {name}")
        if name in {"srcdoc", "formaction"}:
            self._find(tag, attrs, f"a {name} attribute")
        if name in URL_ATTRIBUTES:
            urls = (
                [part.strip().split(" ")[0] for part in value.split(",")]
                if name
                in {
                    "srcset",
                    "ping",
                }
                else [value]
            )
            for url in urls:
                if _scheme_of(url).startswith(EXECUTABLE_SCHEMES):
                    self._find(tag, attrs, f"an executable URL in {name}")
        if name.startswith(("hx-", "data-hx-")):
            if name.startswith(("hx-on", "data-hx-on")):
                self._find(tag, attrs, f"an htmx event handler {name}")
            if MARKER in lowered or MARKER in name or "js:" in lowered or "javascript:" in lowered:
                self._find(tag, attrs, f"an htmx attribute {name} from someone's text")
        if name == "style" and (
            MARKER in lowered or "expression" in lowered or "javascript:" in lowered
        ):
            self._find(tag, attrs, "a style attribute from someone's text")
        if MARKER in name:
            self._find(tag, attrs, f"an attribute {name} from someone's text")


def executable_parts(html: str, *, nonce: str | None) -> list[Finding]:
    """What in `html` would run or act: scripts other than our static files with this
    response's nonce (`nonce=None`, as for an email: any script at all), event handler
    attributes, javascript:/data: URLs, frames and plugins, a meta refresh, tags that
    belong in <head> found in the body, active SVG, htmx attributes carrying a payload."""
    scanner = _Scanner(nonce=nonce)
    scanner.feed(html)
    scanner.close()
    return scanner.findings


def inline_code(html: str, *, nonce: str | None) -> list[Finding]:
    """What the Content-Security-Policy would block on an honest page of ours: a script
    without the nonce, inline event handlers, <style> elements and style attributes
    (style-src has no 'unsafe-inline')."""
    scanner = _StyleScanner(nonce=nonce)
    scanner.feed(html)
    scanner.close()
    return scanner.findings


@dataclass
class _StyleScanner(_Scanner):
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag == "script":
            self._check_script(attrs)
        if tag == "style":
            self._find(tag, attrs, "a <style> element")
        for name, _ in attrs:
            if name.lower() == "style":
                self._find(tag, attrs, "a style attribute")
            if name.lower().startswith("on"):
                self._find(tag, attrs, f"an event handler attribute {name}")
