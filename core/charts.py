"""Small charts drawn on the server as SVG: no JavaScript, a text alternative in `<title>`
and `aria-labelledby`, and the same numbers always printed in a table next to the chart.

Colours come from CSS classes (`chart-series-N`), so the dark scheme applies to them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 480
HEIGHT = 200
PAD_LEFT = 32
PAD_RIGHT = 16
PAD_TOP = 16
PAD_BOTTOM = 32

_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]


def line_chart(
    *,
    title: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    y_min: float,
    y_max: float,
) -> SafeString:
    """A line chart of several series over the same x labels (gaps where a value is
    missing). `title` is read by screen readers; put the numbers in a table beside it."""
    chart_id = f"chart-{next(_ids)}"
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / max(len(x_labels) - 1, 1)
    span = (y_max - y_min) or 1

    def x(i: int) -> float:
        return round(PAD_LEFT + i * step, 1)

    def y(value: float) -> float:
        return round(PAD_TOP + plot_h - (value - y_min) / span * plot_h, 1)

    grid = format_html_join(
        "",
        '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="chart-axis" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (PAD_LEFT, WIDTH - PAD_RIGHT, y(v), y(v), PAD_LEFT - 6, y(v) + 4, f"{v:g}")
            for v in _ticks(y_min, y_max)
        ),
    )
    labels = format_html_join(
        "",
        '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
        ((x(i), HEIGHT - 8, label) for i, label in enumerate(x_labels)),
    )
    lines = []
    for index, one in enumerate(series):
        points = [(x(i), y(v)) for i, v in enumerate(one.values) if v is not None]
        path = " ".join(f"{px},{py}" for px, py in points)
        dots = format_html_join(
            "",
            '<circle cx="{}" cy="{}" r="3"><title>{}</title></circle>',
            (
                (x(i), y(v), f"{one.label}, {x_labels[i]}: {v:g}")
                for i, v in enumerate(one.values)
                if v is not None
            ),
        )
        lines.append(
            format_html(
                '<g class="chart-series chart-series-{}"><polyline points="{}"/>{}</g>',
                index % 5 + 1,
                path,
                dots,
            )
        )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title">'
        '<title id="{}-title">{}</title>{}{}{}</svg>',
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        title,
        grid,
        labels,
        SafeString("".join(lines)),
    )


def legend(series: Sequence[Series]) -> SafeString:
    """The key to a line chart's colours, as a list under the chart."""
    return format_html(
        '<ul class="chart-legend">{}</ul>',
        format_html_join(
            "",
            '<li><span class="chart-key chart-series-{}" aria-hidden="true"></span>{}</li>',
            ((index % 5 + 1, one.label) for index, one in enumerate(series)),
        ),
    )


def bar_chart(
    *, title: str, bars: Sequence[tuple[str, float | None]], maximum: float
) -> SafeString:
    """Horizontal bars, one per label; a missing value (a hidden group) draws no bar."""
    chart_id = f"chart-{next(_ids)}"
    row = 24
    label_w = 160
    height = row * len(bars) + 8
    plot_w = WIDTH - label_w - 48
    rows = format_html_join(
        "",
        '<text class="chart-axis" x="{}" y="{}" text-anchor="end">{}</text>'
        '<rect class="chart-bar" x="{}" y="{}" width="{}" height="16"><title>{}</title></rect>'
        '<text class="chart-axis" x="{}" y="{}">{}</text>',
        (
            (
                label_w - 8,
                i * row + 16,
                label,
                label_w,
                i * row + 4,
                round((value or 0) / (maximum or 1) * plot_w, 1),
                f"{label}: {'hidden' if value is None else f'{value:g}'}",
                label_w + round((value or 0) / (maximum or 1) * plot_w, 1) + 4,
                i * row + 16,
                "—" if value is None else f"{value:g}",
            )
            for i, (label, value) in enumerate(bars)
        ),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title">'
        '<title id="{}-title">{}</title>{}</svg>',
        WIDTH,
        height,
        chart_id,
        chart_id,
        title,
        rows,
    )


def _ticks(low: float, high: float) -> list[float]:
    if high - low <= 5:
        return [float(v) for v in range(int(low), int(high) + 1)]
    step = (high - low) / 4
    return [round(low + i * step, 1) for i in range(5)]
