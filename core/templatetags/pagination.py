"""`{% page_query param number %}`: the current query string with one page number set,
for `templates/_pagination.html`, whose page parameter is named by the caller."""

from __future__ import annotations

from django import template
from django.template.context import RequestContext

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context: RequestContext, param: str, number: int) -> str:
    query = context.request.GET.copy()
    query[param] = str(number)
    return f"?{query.urlencode()}"
