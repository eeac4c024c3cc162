"""Server-drawn SVG charts: an image named and described for screen readers, axes with
round ticks and units, escaped labels, gaps for missing values, and every figure in the
table that goes with the chart."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from django.template.loader import render_to_string

from core.charts import (
    Chart,
    Scale,
    Series,
    bar_chart,
    column_chart,
    line_chart,
    nice_ticks,
    shown_labels,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart: Chart) -> ElementTree.Element:
    # Our own markup, not untrusted input.
    return ElementTree.fromstring(str(chart.svg))  # noqa: S314


def texts(chart: Chart) -> list[str]:
    """The words drawn in the chart (not the tooltips)."""
    return [t.text or "" for t in parse(chart).iter(f"{SVG}text")]


def pulse(values: list[float | None], labels: list[str] | None = None) -> Chart:
    return line_chart(
        title="Pulse of Flow Forward",
        description="Team average at each meeting.",
        x_heading="Meeting",
        x_labels=labels or [f"{day:02d} Oct" for day in range(1, len(values) + 1)],
        series=[Series("Learning", values), Series("Progress", [3.0] * len(values))],
        y_label="Team average, 1 to 5",
        y_min=1,
        y_max=5,
        scale=Scale(decimals=1),
    )


def completion(columns: list[tuple[str, float | None]]) -> Chart:
    return column_chart(
        title="Weekly check-in completion",
        description="Share of due check-ins done.",
        x_heading="Week of",
        value_heading="Check-ins done",
        columns=columns,
        y_label="Check-ins done, % of due",
        y_max=100,
        scale=Scale(percent=True, missing="fewer than 5"),
    )


def phases(bars: list[tuple[str, float | None]]) -> Chart:
    return bar_chart(
        title="Projects by phase",
        description="Number of projects in each phase.",
        category_heading="Phase",
        value_heading="Projects",
        bars=bars,
        x_label="projects",
    )


def test_a_chart_is_an_image_named_by_its_title_and_described_by_its_desc() -> None:
    for chart in (
        pulse([3.0, 4.5]),
        completion([("01 Oct", 60)]),
        phases([("Crafting", 2)]),
    ):
        root = parse(chart)
        title = root.find(f"{SVG}title")
        desc = root.find(f"{SVG}desc")
        assert root.get("role") == "img"
        assert title is not None
        assert desc is not None
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert title.text == chart.title
        assert root.get("viewBox", "").startswith("0 0 400 ")


def test_two_charts_on_a_page_have_different_ids() -> None:
    first, second = parse(pulse([3.0])), parse(pulse([3.0]))
    assert first.get("aria-labelledby") != second.get("aria-labelledby")


def test_no_chart_carries_a_style_attribute_or_a_colour() -> None:
    """Colours come from the stylesheet, which the CSP allows and the dark scheme changes."""
    for chart in (pulse([3.0, None, 4.0]), completion([("a", 1)]), phases([("a", 1)])):
        for element in parse(chart).iter():
            assert "style" not in element.attrib
            assert element.get("fill") in (None, "none")
            assert "stroke" not in element.attrib


def test_ticks_are_round_numbers_covering_the_values() -> None:
    assert nice_ticks(0, 100) == [0, 25, 50, 75, 100]
    assert nice_ticks(1, 5) == [1, 2, 3, 4, 5]
    assert nice_ticks(0, 7, integer=True) == [0, 2, 4, 6, 8]
    assert nice_ticks(0, 0, integer=True) == [0, 1]
    assert nice_ticks(0, 0.3) == [0, 0.1, 0.2, 0.3]
    assert nice_ticks(0, 1234, integer=True) == [0, 500, 1000, 1500]


def test_the_y_axis_of_a_share_reads_in_percent_and_names_its_unit() -> None:
    chart = completion([("01 Oct", 60), ("08 Oct", 85)])
    drawn = texts(chart)
    for tick in ("0%", "25%", "50%", "75%", "100%"):
        assert tick in drawn
    assert "Check-ins done, % of due" in drawn
    assert chart.columns == ["Week of", "Check-ins done"]
    assert chart.rows == [["01 Oct", "60%"], ["08 Oct", "85%"]]
    tooltips = [t.text for t in parse(chart).iter(f"{SVG}title")]
    assert "08 Oct: 85%" in tooltips


def test_a_line_charts_axis_runs_from_1_to_5_with_one_decimal_figures() -> None:
    chart = pulse([3.25, 4.5])
    drawn = texts(chart)
    assert [t for t in drawn if t in {"1", "2", "3", "4", "5"}] == ["1", "2", "3", "4", "5"]
    assert "Team average, 1 to 5" in drawn
    assert chart.rows == [["01 Oct", "3.2", "3.0"], ["02 Oct", "4.5", "3.0"]]
    assert chart.legend == [(1, "Learning"), (2, "Progress")]


def test_a_higher_value_is_drawn_higher() -> None:
    root = parse(pulse([2.0, 4.0]))
    learning = root.find(f".//{SVG}g[@class='chart-series chart-series-1']")
    assert learning is not None
    low, high = (float(c.get("cy") or 0) for c in learning.iter(f"{SVG}circle"))
    assert high < low  # SVG's y grows downwards


def test_chart_text_is_escaped() -> None:
    chart = line_chart(
        title="<script>alert(1)</script>",
        description="A & B <i>",
        x_heading="x",
        x_labels=["<b>week</b>"],
        series=[Series("Tom & <Jerry>", [1.0])],
        y_label="<u>",
        y_min=1,
        y_max=5,
    )
    svg = str(chart.svg)
    assert "<script>" not in svg
    assert "<b>" not in svg
    assert "&lt;script&gt;" in svg
    assert "Tom &amp; &lt;Jerry&gt;" in svg
    root = parse(chart)
    assert root.find(f"{SVG}desc") is not None
    assert "<b>week</b>" in texts(chart)
    bars = phases([("R&D <lab>", 3)])
    assert "R&amp;D &lt;lab&gt;" in str(bars.svg)
    assert "R&D <lab>" in texts(bars)


def test_a_missing_value_leaves_a_gap_and_says_so_in_the_table() -> None:
    chart = pulse([3.0, None, 4.5, 4.0])
    root = parse(chart)
    learning = root.find(f".//{SVG}g[@class='chart-series chart-series-1']")
    assert learning is not None
    # Three points; only the last two are joined: the first stands alone.
    assert len(list(learning.iter(f"{SVG}circle"))) == 3
    assert len(list(learning.iter(f"{SVG}polyline"))) == 1
    assert chart.rows[1] == ["02 Oct", "no figure", "3.0"]


def test_a_hidden_week_draws_no_column() -> None:
    chart = completion([("01 Oct", 80), ("08 Oct", None), ("15 Oct", 0)])
    rects = list(parse(chart).iter(f"{SVG}rect"))
    assert [r.find(f"{SVG}title").text for r in rects] == ["01 Oct: 80%", "15 Oct: 0%"]  # type: ignore[union-attr]
    assert chart.rows[1] == ["08 Oct", "fewer than 5"]
    # A dash on the baseline where the week has no figure, unlike a zero.
    assert texts(chart).count("–") == 1


def test_the_printable_drawing_carries_its_own_colours_for_the_pdf() -> None:
    chart = completion([("01 Oct", 80)])
    assert "<style" not in str(chart.svg)
    root = ElementTree.fromstring(str(chart.printable))  # noqa: S314
    style = root.find(f"{SVG}style")
    assert style is not None
    assert ".chart-series-1{fill:#0b5cad" in (style.text or "")
    assert str(chart.printable).replace(f"<style>{style.text}</style>", "") == str(chart.svg)


def test_a_single_point_is_drawn_in_the_middle_without_a_line() -> None:
    chart = pulse([4.0], labels=["Baseline"])
    root = parse(chart)
    circles = list(root.iter(f"{SVG}circle"))
    assert len(circles) == 2  # one per series
    assert not list(root.iter(f"{SVG}polyline"))
    assert "Baseline" in texts(chart)
    xs = {float(c.get("cx") or 0) for c in circles}
    assert len(xs) == 1
    assert 150 < xs.pop() < 250


def test_all_zeros_draw_an_axis_from_0_and_empty_bars() -> None:
    chart = phases([("Crafting", 0), ("Carrying out", 0)])
    drawn = texts(chart)
    assert "0" in drawn
    assert "1" in drawn  # the axis still has a scale
    assert [float(r.get("width") or 0) for r in parse(chart).iter(f"{SVG}rect")] == [0, 0]
    assert chart.rows == [["Crafting", "0"], ["Carrying out", "0"]]
    columns = column_chart(
        title="t",
        description="d",
        x_heading="x",
        value_heading="v",
        columns=[("a", 0), ("b", 0)],
        y_label="count",
    )
    assert [float(r.get("height") or 0) for r in parse(columns).iter(f"{SVG}rect")] == [0, 0]


def test_a_bar_chart_writes_each_value_after_its_bar() -> None:
    chart = phases([("Crafting", 3), ("Carrying out", 1), ("Completed", None)])
    drawn = texts(chart)
    for words in ("Crafting", "Carrying out", "Completed", "3", "1", "no figure", "projects"):
        assert words in drawn
    widths = [float(r.get("width") or 0) for r in parse(chart).iter(f"{SVG}rect")]
    assert widths[0] > widths[1] > widths[2] == 0
    assert widths[0] == pytest.approx(3 * widths[1], abs=1)


def test_a_long_category_is_shortened_in_the_drawing_but_whole_in_the_table() -> None:
    name = "Strategic partnership development with community organisations"
    chart = phases([(name, 2)])
    assert name not in texts(chart)
    assert any(t.endswith("…") and name.startswith(t[:-1]) for t in texts(chart))
    assert chart.rows == [[name, "2"]]
    assert f"{name}: 2" in str(chart.svg)


def test_many_x_labels_are_thinned_out_keeping_the_latest() -> None:
    labels = [f"{day:02d} Nov" for day in range(1, 13)]
    chart = completion([(label, 50) for label in labels])
    drawn = [t for t in texts(chart) if t.endswith("Nov")]
    assert 3 <= len(drawn) <= 6
    assert drawn[-1] == "12 Nov"
    # …while the table keeps every week.
    assert [row[0] for row in chart.rows] == labels
    assert shown_labels(3, 340, 6) == {0, 1, 2}
    assert shown_labels(12, 340, 6) == {2, 5, 8, 11}


def test_the_include_puts_every_figure_in_a_table_behind_the_chart() -> None:
    chart = pulse([3.0, None, 4.5])
    html = render_to_string("_chart.html", {"chart": chart, "caption": "Caption & more"})
    assert str(chart.svg) in html
    assert "<details" in html
    assert "Show the figures as a table" in html
    assert "Caption &amp; more" in html
    table = html.split("<table", 1)[1]
    for column in chart.columns:
        assert f'<th scope="col">{column}</th>' in table
    for row in chart.rows:
        for column, cell in zip(chart.columns, row, strict=True):
            assert f'<td data-label="{column}">{cell}</td>' in table
    # A key to the lines' colours and dashes, one item per series.
    assert html.count('class="chart-key chart-series-') == 2
