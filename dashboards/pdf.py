"""PDF documents made on the server from HTML, with WeasyPrint (no browser needed).

The HTML is our own template's output; WeasyPrint fetches nothing from the network: any
URL other than an inline `data:` one is refused, so a value typed into a project cannot
make the server load something."""

from __future__ import annotations

from typing import Any


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> Any:
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"The PDF loads nothing from outside: {url[:60]}")


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    document: bytes = HTML(string=html, url_fetcher=_no_fetching).write_pdf()
    return document
