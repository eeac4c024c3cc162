"""A participant is moved to another team: which team's writing do they read?

Before: "my team" meant whoever is on the entry's team *now*, so a member moved in read the
new team's whole history of shared entries, and a team reflection showed its current text
to anyone on the team. Now the audience is fixed when something is shared (DESIGN.md,
privacy rule 7): after the move the person reads neither the old team's later writing nor
the new team's earlier writing, only what the new team shares from then on. The move is a
security event, shown on both teams' pages.
"""

from __future__ import annotations

from django.urls import reverse

from core.models import SecurityEvent
from reflections.models import Visibility
from tests.conftest import Cast
from tests.reflections.builders import team_entry, write


def move_teammate(cast: Cast) -> None:
    response = cast.client_for("program_admin").post(
        reverse("teams:builder_assign", args=[cast.program.pk, cast.team.cohort_id]),
        {"user": cast.teammate.pk, "team": cast.other_team.pk},
    )
    assert response.status_code in (200, 302)


def reads(cast: Cast, name: str, pk: int) -> int:
    return cast.client_for("teammate").get(reverse(name, args=[pk])).status_code


def test_the_moved_member_reads_neither_the_old_teams_later_nor_the_new_teams_earlier_writing(
    cast: Cast,
) -> None:
    new_team_earlier = write(
        cast.other_participant, cast.program, title="Safe Passage so far", visibility="team"
    )
    new_team_reflection = team_entry(cast.other_team, cast.other_participant, title="Our start")
    move_teammate(cast)
    old_team_later = write(
        cast.participant, cast.program, title="Flow Forward after", visibility=Visibility.TEAM
    )
    old_team_reflection = team_entry(cast.team, cast.participant, title="Without Terry")
    new_team_later = write(
        cast.other_participant, cast.program, title="Welcome Terry", visibility="team"
    )

    assert reads(cast, "reflections:detail", new_team_earlier.pk) == 404
    assert reads(cast, "reflections:detail", old_team_later.pk) == 404
    assert reads(cast, "reflections:team_detail", old_team_reflection.pk) == 403
    assert reads(cast, "reflections:team_detail", new_team_reflection.pk) == 403
    assert reads(cast, "reflections:detail", new_team_later.pk) == 200
    shared = cast.client_for("teammate").get(reverse("reflections:shared", args=[cast.program.pk]))
    html = shared.content.decode()
    assert "Welcome Terry" in html
    assert "Safe Passage so far" not in html and "Flow Forward after" not in html


def test_the_move_is_recorded_and_both_teams_see_it(cast: Cast) -> None:
    move_teammate(cast)
    event = SecurityEvent.objects.get(
        kind=SecurityEvent.Kind.TEAM_MEMBER_MOVED, user=cast.teammate
    )
    assert (event.details["left_team"], event.details["joined_team"], event.details["by"]) == (
        cast.team.pk,
        cast.other_team.pk,
        cast.program_admin.pk,
    )
    old = cast.client_for("participant").get(reverse("teams:detail", args=[cast.team.pk]))
    assert "Terry Teammate left the team" in old.content.decode()
    new = cast.client_for("other_participant").get(
        reverse("teams:detail", args=[cast.other_team.pk])
    )
    assert "Terry Teammate joined the team" in new.content.decode()
