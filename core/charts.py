"""Small charts drawn on the server as SVG: no JavaScript, nothing fetched.

Each chart is an image named by its `<title>` and described by its `<desc>` (through
`aria-labelledby`), with a y axis (ticks, and a label naming the unit), x labels thinned
out when there are many points, and values that are shares printed as percentages. The
same figures come with it as rows of a table (`Chart.columns`, `Chart.rows`), which the
`_chart.html` include shows behind the chart.

The drawing has a fixed coordinate system (`viewBox`) that CSS scales to the width of its
container, so a chart fits a phone; its text is sized to stay legible at that width.
Colours come from CSS classes (`chart-axis`, `chart-grid`, `chart-series-N`), so the
dark scheme applies to them, and the page needs no `style` attribute.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 400
HEIGHT = 220
# Text is drawn at this size in viewBox units (the CSS of `.chart-axis` says the same);
# a character is taken as this wide when laying labels out.
FONT_SIZE = 13
CHAR_WIDTH = 8.2
PAD_TOP = 28
PAD_RIGHT = 12
PAD_BOTTOM = 28
# Colours for this many series; more series reuse them in turn.
SERIES_STYLES = 6
NO_FIGURE = "no figure"
# The light scheme's colours inside the drawing, for a PDF made on the server: WeasyPrint
# applies no stylesheet of the page to an inline SVG. (A page in a browser never gets this
# `<style>`: its colours come from the site's stylesheet.)
PRINT_STYLE = (
    "text{font-size:11px;fill:#4d5866}.chart-value{fill:#1c2430}"
    ".chart-grid{stroke:#d5dae1}.chart-baseline{stroke:#4d5866}"
    "polyline{fill:none;stroke-width:2}"
    ".chart-series-1{fill:#0b5cad;stroke:#0b5cad}.chart-series-2{fill:#1d6b3a;stroke:#1d6b3a}"
    ".chart-series-3{fill:#8a5300;stroke:#8a5300}.chart-series-4{fill:#a32020;stroke:#a32020}"
    ".chart-series-5{fill:#4d5866;stroke:#4d5866}.chart-series-6{fill:#1c2430;stroke:#1c2430}"
    ".chart-series-2 polyline{stroke-dasharray:6 3}.chart-series-4 polyline{stroke-dasharray:2 3}"
    ".chart-series-6 polyline{stroke-dasharray:8 3 2 3}.chart-series text{stroke:none}"
)

_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Chart:
    """A drawn chart and the same figures as a table (the first column names the rows)."""

    svg: SafeString
    title: str
    columns: list[str]
    rows: list[list[str]]
    # (CSS series number, label) of each series, for the key under a chart of several.
    legend: list[tuple[int, str]] = field(default_factory=list)

    @property
    def labelled_rows(self) -> list[list[tuple[str, str]]]:
        """Each row's cells with the heading of their column."""
        return [list(zip(self.columns, row, strict=True)) for row in self.rows]

    @property
    def printable(self) -> SafeString:
        """The drawing with its colours inside it, for a PDF (see `PRINT_STYLE`)."""
        opening, rest = str(self.svg).split(">", 1)
        return format_html(
            "{}><style>{}</style>{}", SafeString(opening), PRINT_STYLE, SafeString(rest)
        )

    def __html__(self) -> str:
        return str(self.svg)

    def __str__(self) -> str:
        return str(self.svg)


@dataclass(frozen=True)
class Scale:
    """How values are written: as a share (`percent`, "60%") or a number with `decimals`
    decimals; `missing` for a value there is none of (a hidden group, a week not due)."""

    percent: bool = False
    decimals: int = 0
    missing: str = NO_FIGURE

    def value(self, value: float | None) -> str:
        if value is None:
            return self.missing
        text = f"{value:.{self.decimals}f}"
        return f"{text}%" if self.percent else text

    def tick(self, value: float) -> str:
        text = f"{value:g}"
        return f"{text}%" if self.percent else text


def nice_ticks(low: float, high: float, *, count: int = 5, integer: bool = False) -> list[float]:
    """About `count` round values (steps of 1, 2, 2.5 or 5 times a power of ten) from at or
    below `low` to at or above `high`; whole numbers only if `integer`."""
    if high <= low:
        high = low + 1
    raw = (high - low) / (count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if integer:
        step = max(1, math.ceil(step))
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [round(i * step, 6) for i in range(first, last + 1)]


def shown_labels(count: int, room: float, longest: int) -> set[int]:
    """Which of `count` x labels to write so that none overlaps the next: every n-th,
    always the last (the most recent)."""
    fits = max(1, int(room // (longest * CHAR_WIDTH + 14)))
    step = math.ceil(count / fits)
    return {i for i in range(count) if (count - 1 - i) % step == 0}


def _shorten(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: max(chars - 1, 1)] + "…"


def _svg(*, title: str, description: str, height: float, body: SafeString) -> SafeString:
    chart_id = f"chart-{next(_ids)}"
    return format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        w=WIDTH,
        h=height,
        id=chart_id,
        title=title,
        desc=description,
        body=body,
    )


@dataclass(frozen=True)
class _Frame:
    """The plot area of a chart with a y axis on the left and x labels below. Coordinates
    are whole numbers: precise enough at this size, and no coordinate reads like a figure."""

    ticks: list[float]
    left: int
    top: int = PAD_TOP
    right: int = WIDTH - PAD_RIGHT
    bottom: int = HEIGHT - PAD_BOTTOM

    def y(self, value: float) -> int:
        low, high = self.ticks[0], self.ticks[-1]
        return round(self.bottom - (value - low) / (high - low) * (self.bottom - self.top))


def _frame(
    values: list[float], *, y_min: float | None, y_max: float | None, scale: Scale, integer: bool
) -> _Frame:
    low = y_min if y_min is not None else min([0.0, *values])
    high = y_max if y_max is not None else max([low, *values])
    ticks = nice_ticks(low, high, integer=integer)
    widest = max(len(scale.tick(t)) for t in ticks)
    return _Frame(ticks=ticks, left=round(widest * CHAR_WIDTH + 12))


def _y_axis(frame: _Frame, scale: Scale, y_label: str) -> SafeString:
    grid = format_html_join(
        "",
        '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="chart-axis" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (
                frame.left,
                frame.right,
                frame.y(t),
                frame.y(t),
                frame.left - 6,
                frame.y(t) + 4,
                scale.tick(t),
            )
            for t in frame.ticks
        ),
    )
    label = format_html(
        '<text class="chart-axis chart-axis-label" x="0" y="{}">{}</text>', FONT_SIZE, y_label
    )
    return format_html(
        '<g aria-hidden="true">{}{}'
        '<line class="chart-baseline" x1="{}" x2="{}" y1="{}" y2="{}"/></g>',
        label,
        grid,
        frame.left,
        frame.right,
        frame.bottom,
        frame.bottom,
    )


def _x_labels(
    frame: _Frame, labels: Sequence[str], xs: Sequence[float], room: float
) -> SafeString:
    longest = max((len(label) for label in labels), default=1)
    shown = shown_labels(len(labels), room, longest)
    return format_html_join(
        "",
        '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
        ((xs[i], frame.bottom + FONT_SIZE + 6, labels[i]) for i in sorted(shown)),
    )


def line_chart(
    *,
    title: str,
    description: str,
    x_heading: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    y_label: str,
    y_min: float | None = None,
    y_max: float | None = None,
    scale: Scale | None = None,
) -> Chart:
    """Several series over the same x labels, each a line through its points; a missing
    value leaves a gap. The table has a row per x label and a column per series."""
    scale = scale or Scale()
    values = [v for one in series for v in one.values if v is not None]
    frame = _frame(values, y_min=y_min, y_max=y_max, scale=scale, integer=False)
    count = len(x_labels)
    inset = 16
    room = frame.right - frame.left - 2 * inset
    step = room / (count - 1) if count > 1 else 0
    xs = [
        round(frame.left + inset + i * step)
        if count > 1
        else round((frame.left + frame.right) / 2)
        for i in range(count)
    ]
    lines = []
    for index, one in enumerate(series):
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(one.values):
            if v is None:
                runs.append([])
            else:
                runs[-1].append((xs[i], frame.y(v)))
        polylines = format_html_join(
            "",
            '<polyline fill="none" points="{}"/>',
            ((" ".join(f"{px},{py}" for px, py in run),) for run in runs if len(run) > 1),
        )
        dots = format_html_join(
            "",
            '<circle cx="{}" cy="{}" r="3.5"><title>{}</title></circle>',
            (
                (xs[i], frame.y(v), f"{one.label}, {x_labels[i]}: {scale.value(v)}")
                for i, v in enumerate(one.values)
                if v is not None
            ),
        )
        lines.append(
            format_html(
                '<g class="chart-series chart-series-{}">{}{}</g>',
                index % SERIES_STYLES + 1,
                polylines,
                dots,
            )
        )
    body = format_html(
        "{}{}{}",
        _y_axis(frame, scale, y_label),
        _x_labels(frame, x_labels, xs, frame.right - frame.left),
        format_html_join("", "{}", ((line,) for line in lines)),
    )
    return Chart(
        svg=_svg(title=title, description=description, height=HEIGHT, body=body),
        title=title,
        columns=[x_heading, *(one.label for one in series)],
        rows=[
            [label, *(scale.value(one.values[i]) for one in series)]
            for i, label in enumerate(x_labels)
        ],
        legend=[(index % SERIES_STYLES + 1, one.label) for index, one in enumerate(series)],
    )


def column_chart(
    *,
    title: str,
    description: str,
    x_heading: str,
    value_heading: str,
    columns: Sequence[tuple[str, float | None]],
    y_label: str,
    y_max: float | None = None,
    scale: Scale | None = None,
) -> Chart:
    """One value over time, a column each (from zero); a missing value draws no column."""
    scale = scale or Scale()
    values = [v for _, v in columns if v is not None]
    frame = _frame(values, y_min=0, y_max=y_max, scale=scale, integer=not scale.decimals)
    count = len(columns)
    band = (frame.right - frame.left) / max(count, 1)
    width = round(band * 0.6)
    xs = [round(frame.left + band * (i + 0.5)) for i in range(count)]
    bars = format_html_join(
        "",
        '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
        (
            (
                round(xs[i] - width / 2),
                frame.y(v),
                width,
                frame.bottom - frame.y(v),
                f"{label}: {scale.value(v)}",
            )
            for i, (label, v) in enumerate(columns)
            if v is not None
        ),
    )
    # A dash on the baseline where there is no figure, so it does not read as a zero.
    gaps = format_html_join(
        "",
        '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">–</text>',
        ((xs[i], frame.bottom - 4) for i, (_, v) in enumerate(columns) if v is None),
    )
    body = format_html(
        '{}{}<g class="chart-series chart-series-1">{}</g>{}',
        _y_axis(frame, scale, y_label),
        _x_labels(frame, [label for label, _ in columns], xs, frame.right - frame.left),
        bars,
        gaps,
    )
    return Chart(
        svg=_svg(title=title, description=description, height=HEIGHT, body=body),
        title=title,
        columns=[x_heading, value_heading],
        rows=[[label, scale.value(v)] for label, v in columns],
    )


def bar_chart(
    *,
    title: str,
    description: str,
    category_heading: str,
    value_heading: str,
    bars: Sequence[tuple[str, float | None]],
    x_label: str,
    maximum: float | None = None,
    scale: Scale | None = None,
) -> Chart:
    """Horizontal bars, one per category, each with its value written after it; a missing
    value draws no bar and says so."""
    scale = scale or Scale()
    values = [v for _, v in bars if v is not None]
    ticks = nice_ticks(0, max([maximum or 0, *values]), integer=not scale.decimals)
    longest = max((len(label) for label, _ in bars), default=1)
    label_chars = min(longest, 22)
    left = round(label_chars * CHAR_WIDTH + 12)
    right = round(
        WIDTH - 8 - max(len(scale.value(v)) for _, v in bars or [("", None)]) * CHAR_WIDTH
    )
    row = 30
    top = 8
    bottom = top + row * len(bars)
    height = bottom + FONT_SIZE + 8 + FONT_SIZE + 8

    def x(value: float) -> int:
        return round(left + value / ticks[-1] * (right - left))

    axis = format_html_join(
        "",
        '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
        ((x(t), x(t), top, bottom, x(t), bottom + FONT_SIZE + 4, scale.tick(t)) for t in ticks),
    )
    rows = format_html_join(
        "",
        '<text class="chart-axis chart-category" x="{}" y="{}" text-anchor="end">{}</text>'
        '<rect class="chart-bar" x="{}" y="{}" width="{}" height="18"><title>{}</title></rect>'
        '<text class="chart-value" x="{}" y="{}">{}</text>',
        (
            (
                left - 8,
                top + i * row + 19,
                _shorten(label, label_chars),
                left,
                top + i * row + 6,
                x(v or 0) - left,
                f"{label}: {scale.value(v)}",
                x(v or 0) + 6,
                top + i * row + 19,
                scale.value(v),
            )
            for i, (label, v) in enumerate(bars)
        ),
    )
    body = format_html(
        '<g aria-hidden="true">{}<text class="chart-axis chart-axis-label" x="{}" y="{}" '
        'text-anchor="end">{}</text></g><g class="chart-series chart-series-1">{}</g>',
        axis,
        right,
        height - 6,
        x_label,
        rows,
    )
    return Chart(
        svg=_svg(title=title, description=description, height=height, body=body),
        title=title,
        columns=[category_heading, value_heading],
        rows=[[label, scale.value(v)] for label, v in bars],
    )
