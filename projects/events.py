"""What the project services announce to the apps above them (see `core.events`).

Each event names what happened by ids and titles only: never the text anyone wrote (a
charter, a door request, an update, a comment), so that nothing a subscriber builds from
an event can carry it. Every event says who acted (`by_id`), so that nobody is told about
their own step.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProjectEvent:
    """A step in the loop between a team and its sponsor, on one project."""

    project_id: int
    project_title: str
    by_id: int | None


@dataclass(frozen=True)
class CharterSubmitted(ProjectEvent):
    """The team sent its charter to the sponsor for approval."""

    phase_event_id: int


@dataclass(frozen=True)
class CharterApproved(ProjectEvent):
    """The sponsor approved the charter: the project is being carried out."""

    phase_event_id: int


@dataclass(frozen=True)
class CharterReturned(ProjectEvent):
    """The sponsor sent the charter back to the team to change."""

    phase_event_id: int


@dataclass(frozen=True)
class AmendmentProposed(ProjectEvent):
    """The team proposed an amendment to its approved charter, for the sponsor."""

    amendment_id: int


@dataclass(frozen=True)
class AmendmentDecided(ProjectEvent):
    """The sponsor approved or returned the team's amendment."""

    amendment_id: int
    approved: bool


@dataclass(frozen=True)
class CriterionQueried(ProjectEvent):
    """The sponsor asked for more on one of the six criteria."""

    criterion: int
    criterion_label: str
    # Distinguishes one query from the next on the same criterion.
    queried_at: str


@dataclass(frozen=True)
class DoorRequested(ProjectEvent):
    """The team asked its sponsor to open a door."""

    door_id: int


@dataclass(frozen=True)
class DoorAnswered(ProjectEvent):
    """The sponsor answered a door request."""

    door_id: int
    asked_by_id: int | None


@dataclass(frozen=True)
class StatusUpdatePosted(ProjectEvent):
    """The team posted a status update."""

    update_id: int


@dataclass(frozen=True)
class SponsorCommented(ProjectEvent):
    """The sponsor commented on a status update."""

    update_id: int
    comment_id: int


@dataclass(frozen=True)
class TransitionPlanSubmitted(ProjectEvent):
    """The team sent its transition plan to the sponsor."""

    phase_event_id: int


@dataclass(frozen=True)
class TransitionPlanAccepted(ProjectEvent):
    """The sponsor accepted the transition plan: the project is completed."""

    phase_event_id: int


@dataclass(frozen=True)
class ActionAssigned(ProjectEvent):
    """Someone was made the owner of an action (when created or when the owner changed)."""

    action_id: int
    action_title: str
    owner_id: int
    # Distinguishes one assignment from a later one of the same action to the same person.
    assigned_at: str
