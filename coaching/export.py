"""The session writing that belongs in a person's export (privacy rule 6): their
closing-round learning entries, shared with the team or not, and nobody else's."""

from __future__ import annotations

import datetime
from typing import Any

from coaching.models import LearningEntry
from core.exports import ExportItems, ExportSection


def _when(moment: datetime.datetime | None) -> str | None:
    return moment.astimezone(datetime.UTC).isoformat() if moment else None


def learning_entries_of(user: Any) -> ExportItems:
    """The person's own learning-round entries, oldest session first."""
    entries = (
        LearningEntry.objects.filter(author=user)
        .select_related("session__team__cohort__program")
        .order_by("session__starts_at", "pk")
    )
    return [
        {
            "id": e.pk,
            "program": e.session.team.cohort.program.name,
            "team": e.session.team.name,
            "session": _when(e.session.starts_at),
            "what_i_learned": e.learned,
            "what_i_will_do_differently": e.differently,
            "shared_with_the_team": e.shared_at is not None,
            "created_at": _when(e.created_at),
            "updated_at": _when(e.updated_at),
        }
        for e in entries
    ]


LEARNING_SECTION = ExportSection(
    key="session_learning",
    title="What I learned in our team sessions",
    items=learning_entries_of,
)
