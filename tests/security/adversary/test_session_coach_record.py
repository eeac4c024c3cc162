"""A program admin makes herself the team's coach to read the previous coach's record of
a session.

The session's run page shows the coach their own taps (task or process, the question
asked, when) and links their private note of the session. Had it shown the taps of the
session, or linked the note, to whoever coaches the team *now*, she would read the
previous coach's record by taking the role. Now the taps and the note stay with the coach
who made them (DESIGN.md, privacy rule 7): she finds an empty record and no note.
"""

from __future__ import annotations

from django.urls import reverse

from tests.coaching.test_coach_record import CANARY, run_a_session_with_interventions
from tests.conftest import Cast
from tests.security.adversary.test_admin_makes_herself_coach import make_herself_coach


def test_a_new_coach_finds_none_of_the_previous_coachs_session_record(cast: Cast) -> None:
    session = run_a_session_with_interventions(cast)
    note = session.coach_note
    assert note is not None

    client = make_herself_coach(cast)

    page = client.get(reverse("coaching:run", args=[session.pk]))
    assert page.status_code == 200
    assert "No interventions recorded yet." in page.text
    assert "My coach note of this session" not in page.text
    assert reverse("coaching:note", args=[note.pk]) not in page.text
    assert client.get(reverse("coaching:note", args=[note.pk])).status_code == 404
    notes = client.get(reverse("coaching:notes", args=[cast.team.pk]))
    assert CANARY not in notes.text
