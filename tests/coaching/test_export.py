"""A member's learning-round entries are their writing: their export holds them, shared
with the team or not, and never a teammate's (privacy rule 6)."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.utils.text import slugify

from coaching.notes import do_write_coach_note
from coaching.services import do_write_learning
from tests.coaching.test_run import session_of
from tests.conftest import Cast
from tests.reflections.test_journal_views import exported


def test_the_export_holds_my_learning_entries_shared_or_not_and_nobody_elses(
    cast: Cast, now: datetime.datetime
) -> None:
    first = session_of(cast)
    second = session_of(cast)
    do_write_learning(
        session=first,
        author=cast.participant,
        learned="I jump to answers.",
        differently="Ask twice first.",
        shared=False,
    )
    do_write_learning(
        session=second,
        author=cast.participant,
        learned="Silence helps the quiet ones.",
        differently="",
        shared=True,
    )
    do_write_learning(
        session=first,
        author=cast.teammate,
        learned="Teammate learned this.",
        differently="Teammate will change that.",
        shared=True,
    )

    data, files = exported(cast.client_for("participant"))

    entries: list[dict[str, Any]] = data["session_learning"]  # type: ignore[assignment]
    assert [(e["what_i_learned"], e["shared_with_the_team"]) for e in entries] == [
        ("I jump to answers.", False),
        ("Silence helps the quiet ones.", True),
    ]
    assert entries[0]["what_i_will_do_differently"] == "Ask twice first."
    assert entries[0]["team"] == cast.team.name
    markdown = files["session-learning.md"]
    assert "I jump to answers." in markdown
    assert "Silence helps the quiet ones." in markdown
    everything = json.dumps(data) + "".join(files.values())
    assert "Teammate learned this." not in everything
    assert "Teammate will change that." not in everything


def test_someone_without_learning_entries_gets_none_in_their_export(cast: Cast) -> None:
    data, files = exported(cast.client_for("outsider"))
    assert data["session_learning"] == []
    assert "session-learning.md" not in files


def test_a_coachs_notes_are_one_markdown_file_each_and_pulse_answers_stay_in_json(
    cast: Cast,
) -> None:
    note = do_write_coach_note(
        team=cast.team,
        by=cast.coach,
        held_on=datetime.date(2026, 11, 20),
        body="They listened better today.",
        task_minutes=50,
        process_minutes=40,
    )
    data, files = exported(cast.client_for("coach"))

    path = f"coach-notes/{slugify(cast.team.name)}/2026-11-20-{note.pk}.md"
    assert "They listened better today." in files[path]
    assert "- Minutes on the process: 40" in files[path]
    assert [n["body"] for n in data["coach_notes"]] == ["They listened better today."]  # type: ignore[index]
    assert data["pulse_answers"] == []
    assert not any(name.startswith("pulse") for name in files)
