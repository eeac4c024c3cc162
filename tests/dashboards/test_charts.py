"""Server-drawn SVG charts: a text alternative, escaped labels, gaps for hidden values."""

from __future__ import annotations

from xml.etree import ElementTree

from core.charts import Series, bar_chart, legend, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    # Our own markup, not untrusted input.
    return ElementTree.fromstring(  # noqa: S314
        svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    )


def test_line_chart_is_an_image_labelled_by_its_title() -> None:
    svg = line_chart(
        title="Pulse of Flow Forward",
        x_labels=["01 Oct", "08 Oct", "15 Oct"],
        series=[Series("Learning", [3.0, None, 4.5])],
        y_min=1,
        y_max=5,
    )
    root = parse(svg)
    title = root.find(f"{SVG}title")
    assert root.get("role") == "img"
    assert title is not None
    assert title.text == "Pulse of Flow Forward"
    assert root.get("aria-labelledby") == title.get("id")
    # A missing value leaves a gap: two points, each with its own text.
    assert len(root.findall(f".//{SVG}circle")) == 2
    assert "Learning, 15 Oct: 4.5" in svg


def test_chart_text_is_escaped() -> None:
    svg = line_chart(
        title="<script>alert(1)</script>",
        x_labels=["a"],
        series=[Series("<b>", [1.0])],
        y_min=1,
        y_max=5,
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    parse(svg)


def test_bar_chart_draws_no_bar_for_a_hidden_group() -> None:
    svg = bar_chart(title="Completion", bars=[("W1", 80), ("W2", None)], maximum=100)
    root = parse(svg)
    widths = [float(rect.get("width") or 0) for rect in root.findall(f".//{SVG}rect")]
    assert widths[1] == 0
    assert widths[0] > 0
    assert "W2: hidden" in svg


def test_legend_names_each_series() -> None:
    html = legend([Series("Learning", [1.0]), Series("Progress", [2.0])])
    assert "Learning" in html
    assert "chart-series-2" in html
