"""A program admin makes herself a coach to read what was shared with the team's coach.

She invites her own address with the coach role, accepts, and assigns herself as the team's
coach in the team builder. Before: `for_user` asked only who the team's coach is *now*, so
she read every entry, check-in and team reflection ever shared with "my coach" on that team,
and the previous coach's notes; a note read left no receipt. Now the audience of shared
writing is fixed when it is shared (DESIGN.md, privacy rule 7): she reads nothing shared
before her assignment, nor the previous coach's notes, and both grants are security events
the team sees. A program admin may coach in her own program: with the audience fixed at
share time, taking the role opens nothing that was written before.
"""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse

from coaching.notes import do_write_coach_note
from core.models import SecurityEvent
from programs.models import Invitation, Role
from programs.services import do_accept_invitation
from reflections.models import CheckInVisibility, Visibility
from tests.conftest import Cast
from tests.reflections.builders import check_in, team_entry, write


def make_herself_coach(cast: Cast) -> Client:
    admin = cast.program_admin
    client = cast.client_for("program_admin")
    client.post(
        reverse("programs:invite", args=[cast.program.pk]),
        {"email": admin.email, "role": Role.COACH},
    )
    do_accept_invitation(invitation=Invitation.objects.get(email=admin.email), user=admin)
    response = client.post(
        reverse(
            "teams:builder_team_advisors",
            args=[cast.program.pk, cast.team.cohort_id, cast.team.pk],
        ),
        {"coach": admin.pk, "sponsor": cast.sponsor.pk},
    )
    assert response.status_code in (200, 302)
    cast.team.refresh_from_db()
    assert cast.team.coach == admin
    return client


def test_she_reads_nothing_shared_before_she_made_herself_coach(cast: Cast) -> None:
    for_coach = write(cast.participant, cast.program, title="For my coach", visibility="coach")
    for_team = write(cast.teammate, cast.program, title="For us all", visibility=Visibility.TEAM)
    checkin = check_in(cast.participant, cast.program, visibility=CheckInVisibility.COACH)
    together = team_entry(cast.team, cast.participant, title="How we argue")

    client = make_herself_coach(cast)

    for name, args in (
        ("reflections:detail", [for_coach.pk]),
        ("reflections:detail", [for_team.pk]),
        ("reflections:checkin_detail", [checkin.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404, name
    assert client.get(reverse("reflections:team_detail", args=[together.pk])).status_code == 403
    shared = client.get(reverse("reflections:shared", args=[cast.program.pk])).content.decode()
    assert "For my coach" not in shared and "For us all" not in shared
    team_list = client.get(reverse("reflections:team_list", args=[cast.team.pk]))
    assert "How we argue" not in team_list.content.decode()
    # The coach they shared it with still reads it, and nothing was recorded as read by her.
    assert not for_coach.read_receipts.filter(reader=cast.program_admin).exists()


def test_she_does_not_read_the_previous_coachs_notes(cast: Cast) -> None:
    note = do_write_coach_note(
        team=cast.team,
        by=cast.coach,
        held_on=datetime.date(2026, 10, 1),
        body="Terry dominates; Pat withdraws when challenged.",
        task_minutes=40,
        process_minutes=20,
    )
    client = make_herself_coach(cast)
    notes = client.get(reverse("coaching:notes", args=[cast.team.pk]))
    assert notes.status_code == 200
    assert "Terry dominates" not in notes.content.decode()
    assert reverse("coaching:note", args=[note.pk]) not in notes.content.decode()
    assert client.get(reverse("coaching:note", args=[note.pk])).status_code == 404


def test_what_is_shared_after_or_shared_again_reaches_her(cast: Cast) -> None:
    before = write(cast.participant, cast.program, title="Before her", visibility="coach")
    client = make_herself_coach(cast)
    after = write(cast.participant, cast.program, title="After her", visibility="coach")
    assert client.get(reverse("reflections:detail", args=[after.pk])).status_code == 200
    assert client.get(reverse("reflections:detail", args=[before.pk])).status_code == 404

    author = cast.client_for("participant")
    author.post(reverse("reflections:share_again", args=[before.pk]))
    assert client.get(reverse("reflections:detail", args=[before.pk])).status_code == 200
    # Her read is recorded, and the author sees it in "Who read it".
    assert before.read_receipts.filter(reader=cast.program_admin).exists()
    page = author.get(reverse("reflections:detail", args=[before.pk])).content.decode()
    assert 'data-label="Reader">Dana Admin' in page


def test_both_grants_are_security_events_and_the_team_is_told(cast: Cast) -> None:
    make_herself_coach(cast)
    granted = SecurityEvent.objects.get(
        kind=SecurityEvent.Kind.ROLE_GRANTED,
        user=cast.program_admin,
        details__role=Role.COACH,
        details__how="invitation",
    )
    assert granted.details["program"] == cast.program.pk
    changed = SecurityEvent.objects.get(
        kind=SecurityEvent.Kind.ADVISOR_CHANGED, user=cast.program_admin
    )
    assert changed.details["team"] == cast.team.pk
    assert changed.details["previous"] == cast.coach.pk
    assert (changed.details["by"], changed.details["self_granted"]) == (
        cast.program_admin.pk,
        True,
    )

    team_page = cast.client_for("participant").get(reverse("teams:detail", args=[cast.team.pk]))
    html = team_page.content.decode()
    assert "Your coach is now Dana Admin" in html
    assert "after Casey Coach" in html
