"""Markdown written by people, turned into HTML that is safe to show to other people.

The text is rendered with Python-Markdown, then everything that is not on a short
allowlist is removed with nh3 (ammonia). Raw HTML inside the Markdown is therefore
harmless: no scripts, no event handlers, no `style`, no `hx-*` or `data-*` attributes
(htmx would act on them), no `javascript:` or `data:` URLs, no images (an external image
would tell its owner who read the entry, and when), no frames, forms or meta refreshes.
"""

from __future__ import annotations

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
# Tags whose content goes with them, not only the tags themselves.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "noscript", "textarea", "title"})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    link_rel=LINK_REL,
    strip_comments=True,
)


def render_markdown(text: str) -> SafeString:
    """Render Markdown to HTML and keep only the allowlisted tags, attributes and URLs."""
    html = markdown.markdown(
        text or "",
        extensions=["fenced_code", "tables", "sane_lists", "nl2br"],
        output_format="html",
    )
    return mark_safe(_cleaner.clean(html))  # noqa: S308  (sanitised by nh3 just above)
