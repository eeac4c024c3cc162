"""The outcome report's self-assessment cells: a closed stage's figures, as counted when a
program admin closed it (programs/self_assessment.py), and nothing for an open stage."""

from __future__ import annotations

from dashboards.analytics import HIDDEN
from programs.models import SelfAssessmentStage

OPEN = "open: figures when the stage closes"


def stage_figure(closed: SelfAssessmentStage | None, competency: str) -> str:
    """The report's cell for a competency at a stage."""
    if closed is None:
        return OPEN
    figure = closed.figures.get(competency)
    if not figure:
        return HIDDEN
    average, people = figure[0], figure[1]
    return f"{average:.1f} ({people} people)"


def growth_figure(closed: SelfAssessmentStage | None, competency: str) -> str:
    """The change since the first closed stage, over the same people, for a later stage."""
    if closed is None:
        return OPEN
    figure = closed.figures.get(competency)
    if not figure or len(figure) < 4:
        return HIDDEN
    change, people = figure[2], figure[3]
    return f"{change:+.1f} ({people} people)"
