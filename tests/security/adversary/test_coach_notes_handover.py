"""A coach's notes go to the next coach only when the coach who wrote them hands them over.

Before: a coach note was readable by whoever was the team's coach at the moment, so
replacing the coach (or making oneself coach) handed every earlier note to the newcomer,
and reading one left no trace. Now notes stay with their author; the author hands them over
explicitly ("Hand over my notes"), the handover is a security event, and every read by a
coach other than the author is shown to the author.
"""

from __future__ import annotations

import datetime

from django.urls import reverse

from coaching.models import CoachNote, CoachNoteHandover
from coaching.notes import do_write_coach_note
from core.models import SecurityEvent
from teams.services import do_set_advisors
from tests.conftest import Cast


def a_note(cast: Cast) -> CoachNote:
    return do_write_coach_note(
        team=cast.team,
        by=cast.coach,
        held_on=datetime.date(2026, 10, 1),
        body="The team avoids the conflict about scope.",
        task_minutes=45,
        process_minutes=15,
    )


def handover_url(cast: Cast) -> str:
    return reverse("coaching:note_handover", args=[cast.team.pk])


def test_a_new_coach_reads_the_notes_only_after_they_are_handed_over(cast: Cast) -> None:
    note = a_note(cast)
    do_set_advisors(team=cast.team, coach=cast.other_coach, sponsor=cast.sponsor)
    newcomer = cast.client_for("other_coach")
    note_url = reverse("coaching:note", args=[note.pk])
    assert newcomer.get(note_url).status_code == 404
    listing = newcomer.get(reverse("coaching:notes", args=[cast.team.pk])).content.decode()
    assert "avoids the conflict" not in listing

    # The coach who wrote them is no longer the team's coach, and still hands them over.
    author = cast.client_for("coach")
    page = author.get(handover_url(cast))
    assert page.status_code == 200
    assert "Cory Othercoach" in page.content.decode()
    response = author.post(handover_url(cast), {"coach": cast.other_coach.pk})
    assert response.status_code == 302

    listing = newcomer.get(reverse("coaching:notes", args=[cast.team.pk])).content.decode()
    assert note_url in listing
    assert newcomer.get(note_url).status_code == 200
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.NOTES_HANDED_OVER)
    assert (event.user, event.details["to"], event.details["notes"]) == (
        cast.coach,
        cast.other_coach.pk,
        1,
    )


def test_the_author_sees_who_read_a_handed_over_note(cast: Cast) -> None:
    note = a_note(cast)
    cast.client_for("coach").post(handover_url(cast), {"coach": cast.other_coach.pk})
    do_set_advisors(team=cast.team, coach=cast.other_coach, sponsor=cast.sponsor)
    cast.client_for("other_coach").get(reverse("coaching:note", args=[note.pk]))

    page = cast.client_for("coach").get(reverse("coaching:note", args=[note.pk]))
    reads = page.content.decode().split('id="reads-heading"', 1)[1]
    assert "Cory Othercoach" in reads
    # The author's own reads are not recorded.
    assert list(note.reads.values_list("reader_id", flat=True)) == [cast.other_coach.pk]


def test_notes_are_handed_only_to_a_coach_of_the_program(cast: Cast) -> None:
    a_note(cast)
    author = cast.client_for("coach")
    for someone in (cast.participant, cast.program_admin, cast.coach):
        response = author.post(handover_url(cast), {"coach": someone.pk})
        assert response.status_code == 400
        assert "Choose one of the program&#x27;s coaches." in response.content.decode()
    assert not CoachNoteHandover.objects.exists()


def test_nobody_else_hands_over_a_coachs_notes(cast: Cast) -> None:
    a_note(cast)
    for who in ("other_coach", "program_admin", "sponsor", "participant"):
        client = cast.client_for(who)
        assert client.get(handover_url(cast)).status_code == 403, who
        assert client.post(handover_url(cast), {"coach": cast.other_coach.pk}).status_code == 403
    assert cast.client_for("stranger").get(handover_url(cast)).status_code == 404
    assert not CoachNoteHandover.objects.exists()
