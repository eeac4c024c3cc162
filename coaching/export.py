"""The coaching writing that belongs in a person's export (privacy rule 6): their coach
notes, their pulse answers, their closing-round learning entries, shared with the team or
not, and nobody else's."""

from __future__ import annotations

import datetime
from typing import Any

from coaching.models import PULSE_DIMENSIONS, CoachNote, LearningEntry, PulseResponse
from core.exports import ExportItems, ExportSection
from reflections.export import markdown_file, slug_or


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


def coach_notes_of(user: Any) -> ExportItems:
    """The notes the coach wrote, by team, oldest session first."""
    notes = (
        CoachNote.objects.filter(author=user)
        .select_related("team__cohort__program")
        .order_by("team__name", "held_on", "pk")
    )
    return [
        {
            "id": n.pk,
            "program": n.team.cohort.program.name,
            "team": n.team.name,
            "session": n.held_on.isoformat(),
            "body": n.body,
            "task_minutes": n.task_minutes,
            "process_minutes": n.process_minutes,
        }
        for n in notes
    ]


def coach_note_files(notes: ExportItems) -> dict[str, str]:
    """One Markdown file per note, by team."""
    return {
        f"coach-notes/{slug_or(n['team'], 'team')}/{n['session']}-{n['id']}.md": markdown_file(
            f"Session of {n['session']}",
            [
                ("Team", n["team"]),
                ("Minutes on the task", str(n["task_minutes"])),
                ("Minutes on the process", str(n["process_minutes"])),
            ],
            n["body"],
        )
        for n in notes
    }


def pulse_answers_of(user: Any) -> ExportItems:
    """The person's own pulse answers, oldest meeting first."""
    answers = (
        PulseResponse.objects.filter(respondent=user)
        .select_related("survey__team")
        .order_by("survey__meeting_on", "pk")
    )
    return [
        {
            "team": r.survey.team.name,
            "meeting_on": r.survey.meeting_on.isoformat(),
            **{name: getattr(r, name) for name in PULSE_DIMENSIONS},
            "comment": r.comment,
        }
        for r in answers
    ]


COACH_NOTES_SECTION = ExportSection(
    key="coach_notes", title="My coach notes", items=coach_notes_of, files=coach_note_files
)
# Pulse answers are kept in the JSON file only: they have no Markdown file.
PULSE_SECTION = ExportSection(
    key="pulse_answers",
    title="My pulse answers",
    items=pulse_answers_of,
    files=lambda answers: {},
)
