"""Who an entry is shared with is decided when it is shared (DESIGN.md, privacy rule 7):
editing it without widening its audience adds nobody; widening it, sharing it again, or
the team saving its reflection again adds the people who hold the places then."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from programs.models import User
from reflections.models import CheckIn, CheckInVisibility, Reflection, TeamReflection
from reflections.services import (
    do_edit_reflection,
    do_edit_team_reflection,
    do_share_reflection_again,
    do_update_checkin,
)
from teams.services import do_assign_member, do_set_advisors
from tests.conftest import Cast
from tests.reflections.builders import check_in, plan_for, team_entry, write


def readable(
    model: type[Reflection] | type[CheckIn] | type[TeamReflection], who: User, pk: int
) -> bool:
    return model.objects.for_user(who).filter(pk=pk).exists()


def new_coach(cast: Cast) -> None:
    do_set_advisors(team=cast.team, coach=cast.other_coach, sponsor=cast.sponsor)


def edit(entry: Reflection, visibility: str, body: str = "Changed.") -> None:
    do_edit_reflection(
        reflection=entry, title=entry.title, body=body, tags=[], visibility=visibility, prompt=None
    )


def test_an_edit_that_keeps_the_audience_adds_nobody(cast: Cast) -> None:
    entry = write(cast.participant, cast.program, visibility="coach")
    new_coach(cast)
    edit(entry, "coach", body="A typo fixed.")
    assert not readable(Reflection, cast.other_coach, entry.pk)


def test_widening_the_audience_shares_with_whoever_holds_the_places_now(cast: Cast) -> None:
    entry = write(cast.participant, cast.program, visibility="private")
    new_coach(cast)
    edit(entry, "team")
    assert readable(Reflection, cast.other_coach, entry.pk)
    assert readable(Reflection, cast.teammate, entry.pk)
    assert not readable(Reflection, cast.coach, entry.pk)


def test_narrowing_then_widening_again_brings_back_only_who_was_there(cast: Cast) -> None:
    entry = write(cast.participant, cast.program, visibility="team")
    edit(entry, "coach")
    assert not readable(Reflection, cast.teammate, entry.pk)
    edit(entry, "team")
    assert readable(Reflection, cast.teammate, entry.pk)


def test_sharing_again_follows_the_author_to_their_new_team(cast: Cast) -> None:
    entry = write(cast.participant, cast.program, visibility="team")
    do_assign_member(cohort=cast.team.cohort, user=cast.participant, team=cast.other_team)
    assert not readable(Reflection, cast.other_participant, entry.pk)
    added = do_share_reflection_again(reflection=entry)
    assert set(added) == {cast.other_coach.display_name, cast.other_participant.display_name}
    assert readable(Reflection, cast.other_participant, entry.pk)
    assert readable(Reflection, cast.other_coach, entry.pk)
    # The old team's teammate no longer reads it: the entry now belongs to the new team.
    assert not readable(Reflection, cast.teammate, entry.pk)


def test_a_private_entry_cannot_be_shared_again_from_its_page(cast: Cast) -> None:
    entry = write(cast.participant, cast.program, visibility="private")
    response = cast.client_for("participant").post(
        reverse("reflections:share_again", args=[entry.pk]), follow=True
    )
    assert "This entry is private" in response.content.decode()
    assert not entry.audience.exists()


def test_a_partner_named_after_a_check_in_does_not_read_it(cast: Cast) -> None:
    plan_for(cast.participant, cast.program, partner=cast.teammate)
    checkin = check_in(cast.participant, cast.program, visibility=CheckInVisibility.PARTNER)
    plan_for(cast.participant, cast.program, partner=cast.other_participant)
    assert not readable(CheckIn, cast.other_participant, checkin.pk)
    # Nor does the former partner, who is no longer named.
    assert not readable(CheckIn, cast.teammate, checkin.pk)


def test_changing_a_check_ins_audience_shares_it_with_the_coach_of_now(cast: Cast) -> None:
    checkin = check_in(cast.participant, cast.program, visibility=CheckInVisibility.PRIVATE)
    new_coach(cast)
    do_update_checkin(
        checkin=checkin,
        steps_taken=checkin.steps_taken,
        next_focus=checkin.next_focus,
        progress=checkin.progress,
        visibility=CheckInVisibility.COACH,
        now=timezone.now(),
    )
    assert readable(CheckIn, cast.other_coach, checkin.pk)
    assert not readable(CheckIn, cast.coach, checkin.pk)


def test_a_team_reflection_saved_again_reaches_a_new_member(cast: Cast) -> None:
    entry = team_entry(cast.team, cast.participant)
    do_assign_member(cohort=cast.team.cohort, user=cast.other_participant, team=cast.team)
    assert not readable(TeamReflection, cast.other_participant, entry.pk)
    do_edit_team_reflection(
        team_reflection=entry,
        by=cast.participant,
        title=entry.title,
        body="With our new member.",
        share_with_sponsor=False,
        base_version=entry.version,
    )
    assert readable(TeamReflection, cast.other_participant, entry.pk)
