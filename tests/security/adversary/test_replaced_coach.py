"""A team's coach is replaced: what does each coach read?

Before: a replaced team's new coach read everything ever shared with "my coach" on the team,
because `for_user` asked only who coaches the team now. Now "my coach" means the coach when
the entry was shared (DESIGN.md, privacy rule 7):

- the new coach reads what is shared after their assignment, and earlier entries only once
  their author shares them again;
- the replaced coach keeps reading what was shared with them only while they hold the place
  they held then, the team's coach (and a coach in the program): once replaced, nothing of
  the team's. We chose the narrower of the two possible rules: "my coach" is whoever
  coaches me now *and* coached me when I shared; a coach who returns to the team reads
  again what was shared with them then, and never what was shared in between.
"""

from __future__ import annotations

from django.urls import reverse

from reflections.models import CheckInVisibility
from teams.services import do_set_advisors
from tests.conftest import Cast
from tests.reflections.builders import check_in, team_entry, write


def replace_coach(cast: Cast) -> None:
    client = cast.client_for("program_admin")
    client.post(
        reverse(
            "teams:builder_team_advisors",
            args=[cast.program.pk, cast.team.cohort_id, cast.team.pk],
        ),
        {"coach": cast.other_coach.pk, "sponsor": cast.sponsor.pk},
    )
    cast.team.refresh_from_db()
    assert cast.team.coach == cast.other_coach


def status(cast: Cast, who: str, name: str, pk: int) -> int:
    return cast.client_for(who).get(reverse(name, args=[pk])).status_code


def test_the_new_coach_reads_only_what_is_shared_after_or_shared_again(cast: Cast) -> None:
    before = write(cast.participant, cast.program, title="Before the change", visibility="coach")
    checkin = check_in(cast.participant, cast.program, visibility=CheckInVisibility.COACH)
    together = team_entry(cast.team, cast.participant, title="Our first month")
    replace_coach(cast)
    after = write(cast.participant, cast.program, title="After the change", visibility="coach")

    assert status(cast, "other_coach", "reflections:detail", before.pk) == 404
    assert status(cast, "other_coach", "reflections:checkin_detail", checkin.pk) == 404
    assert status(cast, "other_coach", "reflections:team_detail", together.pk) == 403
    assert status(cast, "other_coach", "reflections:detail", after.pk) == 200

    cast.client_for("participant").post(reverse("reflections:share_again", args=[before.pk]))
    assert status(cast, "other_coach", "reflections:detail", before.pk) == 200
    # The team sees that its new coach does not read its reflection yet ...
    page = cast.client_for("teammate").get(reverse("reflections:team_detail", args=[together.pk]))
    assert "Cory Othercoach (once the team saves it again" in page.content.decode()
    # ... and a team reflection is shared again each time the team saves it.
    edit = cast.client_for("teammate").post(
        reverse("reflections:team_edit", args=[together.pk]),
        {
            "title": together.title,
            "body": together.body + " And a second month.",
            "version": together.version,
        },
    )
    assert edit.status_code == 302
    assert status(cast, "other_coach", "reflections:team_detail", together.pk) == 200


def test_the_replaced_coach_reads_nothing_of_the_team_until_they_coach_it_again(
    cast: Cast,
) -> None:
    before = write(cast.participant, cast.program, title="Before the change", visibility="coach")
    replace_coach(cast)
    assert status(cast, "coach", "reflections:detail", before.pk) == 404
    during = write(cast.participant, cast.program, title="While Cory coached", visibility="coach")

    do_set_advisors(team=cast.team, coach=cast.coach, sponsor=cast.sponsor)
    # Back on the team: what was shared with them, yes; what was shared in between, no.
    assert status(cast, "coach", "reflections:detail", before.pk) == 200
    assert status(cast, "coach", "reflections:detail", during.pk) == 404
    assert status(cast, "other_coach", "reflections:detail", during.pk) == 404


def test_the_author_is_told_who_reads_and_who_would_need_a_new_share(cast: Cast) -> None:
    before = write(cast.participant, cast.program, title="Before the change", visibility="coach")
    replace_coach(cast)
    author = cast.client_for("participant")
    page = author.get(reverse("reflections:detail", args=[before.pk])).content.decode()
    assert "Cory Othercoach" not in page.split("Who can read it:", 1)[1].split("</p>", 1)[0]
    assert "unless you share it again" in page
    assert "Share again" in page
    team_page = author.get(reverse("teams:detail", args=[cast.team.pk])).content.decode()
    assert "Your coach is now Cory Othercoach" in team_page
