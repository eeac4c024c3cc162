"""A word-level before/after view of a text, safe to put on a page."""

from __future__ import annotations

import difflib
import re

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Words and the whitespace between them, so that the pieces join back into the text.
_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(before: str, after: str) -> SafeString:
    """`after` with the words removed from `before` in <del> and the words added in <ins>;
    every piece of text is escaped."""
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    pieces: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("span", "".join(old[a1:a2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(("del", "".join(old[a1:a2])))
        if op in ("insert", "replace"):
            pieces.append(("ins", "".join(new[b1:b2])))
    return format_html_join(
        "", "{}", ((format_html("<{}>{}</{}>", tag, text, tag),) for tag, text in pieces)
    )
