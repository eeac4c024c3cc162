"""An alumna uses her alumni space to reach what is not hers.

The program is over and her own pages are open again. She walks the ids around her own:
her teammate's entry shared with the team, his check-in shared with their coach, the team's
reflection, the team and project pages, the "shared with me" page, and the check-in of a
participant who named someone else as partner. Before the program ended she read the
team's shared writing; now each is closed to her: her own things work, nothing of others'
became readable.
"""

from __future__ import annotations

import datetime

import time_machine
from django.urls import reverse

from programs.services import do_archive_program
from reflections.models import Visibility
from tests.conftest import Cast
from tests.reflections.builders import check_in, plan_for, team_entry, write

AFTER_THE_END = datetime.datetime(2027, 6, 9, 15, 0, tzinfo=datetime.UTC)


def walk(cast: Cast) -> dict[str, int]:
    shared = write(cast.teammate, cast.program, title="For the team", visibility=Visibility.TEAM)
    for_coach = check_in(cast.teammate, cast.program, visibility="coach")
    plan_for(cast.other_participant, cast.program, partner=cast.teammate)
    for_partner = check_in(cast.other_participant, cast.program, visibility="partner")
    entry = team_entry(cast.team, cast.teammate, title="Our stakeholder map")
    return {
        reverse("reflections:detail", args=[shared.pk]): 404,
        reverse("reflections:checkin_detail", args=[for_coach.pk]): 404,
        reverse("reflections:checkin_detail", args=[for_partner.pk]): 404,
        reverse("reflections:team_detail", args=[entry.pk]): 403,
    }


def test_after_the_archive_an_alumna_reaches_only_her_own_things(cast: Cast) -> None:
    attempts = walk(cast)
    do_archive_program(program=cast.program, by=cast.program_admin)
    attempts |= {
        reverse("reflections:shared", args=[cast.program.pk]): 403,
        reverse("reflections:team_list", args=[cast.team.pk]): 403,
        reverse("teams:detail", args=[cast.team.pk]): 403,
        reverse("projects:detail", args=[cast.project.pk]): 403,
        reverse("dashboards:showcase", args=[cast.team.cohort_id]): 403,
        reverse("dashboards:coach_dashboard", args=[cast.program.pk]): 403,
    }
    client = cast.client_for("participant")
    for url, status in attempts.items():
        assert client.get(url).status_code == status, url
    # Her own pages are open.
    assert client.get(reverse("reflections:journal", args=[cast.program.pk])).status_code == 200


def test_after_the_last_day_an_alumna_reads_no_teammates_writing(cast: Cast) -> None:
    attempts = walk(cast)
    client = cast.client_for("participant")
    with time_machine.travel(AFTER_THE_END):
        for url, status in attempts.items():
            assert client.get(url).status_code == status, url
        shared = client.get(reverse("reflections:shared", args=[cast.program.pk]))
        assert "For the team" not in shared.content.decode()
        team = client.get(reverse("reflections:team_list", args=[cast.team.pk]))
        assert "Our stakeholder map" not in team.content.decode()
