"""`{% icon "name" %}`: one icon of the sprite (core/icons.py), decorative, so hidden from
assistive technology; the text beside it says what it means."""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.icons import ICONS

register = template.Library()


@register.simple_tag
def icon(name: str) -> SafeString:
    if name not in ICONS:
        raise template.TemplateSyntaxError(f"No icon {name!r} in core/icons.py")
    return format_html(
        '<svg class="icon" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
        static("img/icons.svg"),
        name,
    )
