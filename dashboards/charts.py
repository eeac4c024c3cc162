"""The charts of the analytics page and the outcome report, drawn from figures those pages
already show (so they follow the same privacy rules: a hidden group draws nothing)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.charts import Chart, Scale, Series, bar_chart, column_chart, line_chart
from dashboards.analytics import HIDDEN, Analytics, Table
from programs.models import SelfAssessment, SelfAssessmentStage
from programs.self_assessment import STAGE_SHORT_LABELS


def participation_chart(data: Analytics) -> Chart | None:
    """Weekly check-in completion in percent, a column per completed week."""
    if not data.weeks:
        return None
    columns = [
        (f"{week.starts_on:%d %b}", None if tally.hidden else tally.completion)
        for week, tally in zip(data.weeks, data.weekly, strict=True)
    ]
    shown = [(label, value) for label, value in columns if value is not None]
    if shown:
        low = min(shown, key=lambda c: c[1] or 0)
        high = max(shown, key=lambda c: c[1] or 0)
        summary = (
            f"Latest: {shown[-1][1]}% in the week of {shown[-1][0]}; lowest {low[1]}% "
            f"(week of {low[0]}), highest {high[1]}% (week of {high[0]})."
        )
    else:
        summary = "No week has enough participants due to show a figure."
    return column_chart(
        title="Weekly check-in completion",
        description=(
            f"Share of due weekly check-ins that were done, in each of the last "
            f"{len(columns)} completed weeks. {summary} A week with fewer than 5 "
            "participants due has no column."
        ),
        x_heading="Week of",
        value_heading="Check-ins done",
        columns=columns,
        y_label="Check-ins done, % of due",
        y_max=100,
        scale=Scale(percent=True, missing=HIDDEN),
    )


def phases_chart(phases: Table | None) -> Chart | None:
    """The number of projects in each phase, a bar each."""
    if phases is None or not phases.rows:
        return None
    bars = [
        (str(label), float(count) if isinstance(count, int) else None)
        for label, count in phases.rows
    ]
    return bar_chart(
        title="Projects by phase",
        description="Number of projects in each phase: "
        + ", ".join(f"{label} {count or 0:g}" for label, count in bars)
        + ".",
        category_heading="Phase",
        value_heading="Projects",
        bars=bars,
        x_label="projects",
    )


def growth_chart(
    competencies: Sequence[str], closed: Mapping[str, SelfAssessmentStage]
) -> Chart | None:
    """The average self-rating on each competency at each closed stage, a line per
    competency; a stage still open, or a competency rated by fewer than 5 people, has no
    point."""
    stages = SelfAssessment.Stage.values
    series = []
    for competency in competencies:
        values: list[float | None] = []
        for stage in stages:
            found = closed.get(stage)
            figure = found.figures.get(competency) if found is not None else None
            values.append(float(figure[0]) if figure else None)
        series.append(Series(competency, values))
    if not any(v is not None for one in series for v in one.values):
        return None
    return line_chart(
        title="Self-assessment by competency, average at each stage",
        description=(
            "Average self-rating, from 1 to 5, of the same people on each competency at "
            "each closed stage. A stage still open, or a competency rated by fewer than 5 "
            "people, has no point."
        ),
        x_heading="Stage",
        x_labels=[STAGE_SHORT_LABELS[SelfAssessment.Stage(stage)] for stage in stages],
        series=series,
        y_label="Average, 1 to 5",
        y_min=1,
        y_max=5,
        scale=Scale(decimals=1),
    )
