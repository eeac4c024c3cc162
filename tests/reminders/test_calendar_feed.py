"""The personal calendar feed: a secret address, revocable, for calendar apps."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from programs.models import Membership, Milestone
from programs.services import do_archive_program
from reflections.models import CalendarFeed
from teams.services import do_end_membership
from tests.conftest import Cast


def feed_page(cast: Cast) -> str:
    return reverse("reflections:calendar_feed", args=[cast.program.pk])


def make_feed(cast: Cast, who: str = "participant") -> CalendarFeed:
    response = cast.client_for(who).post(
        reverse("reflections:calendar_feed_create", args=[cast.program.pk])
    )
    assert response.status_code == 302
    return CalendarFeed.objects.get(user=getattr(cast, who), revoked_at__isnull=True)


def test_the_feed_carries_the_weekly_checkin_and_the_programs_milestones(cast: Cast) -> None:
    Milestone.objects.create(
        program=cast.program, kind="showcase", title="Showcase", due_on=datetime.date(2027, 5, 20)
    )
    feed = make_feed(cast)

    response = Client().get(reverse("reflections:calendar_feed_ics", args=[feed.token]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert "RRULE:FREQ=WEEKLY" in body
    assert "Be Better Now check-in" in body
    assert "SUMMARY:Showcase · System Leadership Academy" in body
    assert "DTSTART;VALUE=DATE:20270520" in body


def test_the_page_shows_the_address_to_subscribe_to(cast: Cast) -> None:
    feed = make_feed(cast)
    response = cast.client_for("participant").get(feed_page(cast))
    assert feed.token.encode() in response.content


def test_a_revoked_feed_is_gone(cast: Cast) -> None:
    feed = make_feed(cast)
    cast.client_for("participant").post(
        reverse("reflections:calendar_feed_revoke", args=[cast.program.pk])
    )

    response = Client().get(reverse("reflections:calendar_feed_ics", args=[feed.token]))

    assert response.status_code == 404


def test_a_new_address_stops_the_old_one(cast: Cast) -> None:
    old = make_feed(cast)
    new = make_feed(cast)

    assert (
        Client().get(reverse("reflections:calendar_feed_ics", args=[old.token])).status_code == 404
    )
    assert (
        Client().get(reverse("reflections:calendar_feed_ics", args=[new.token])).status_code == 200
    )


def test_an_unknown_token_is_404(cast: Cast) -> None:
    response = Client().get(reverse("reflections:calendar_feed_ics", args=["guessed-token"]))
    assert response.status_code == 404


def test_the_feed_stops_when_the_person_leaves_the_program(cast: Cast) -> None:
    feed = make_feed(cast)
    cast.participant.memberships.update(is_active=False)
    response = Client().get(reverse("reflections:calendar_feed_ics", args=[feed.token]))
    assert response.status_code == 404


def test_alumni_keep_their_feed_when_the_program_is_archived(cast: Cast) -> None:
    feed = make_feed(cast)
    do_archive_program(program=cast.program, by=cast.program_admin)
    response = Client().get(reverse("reflections:calendar_feed_ics", args=[feed.token]))
    assert response.status_code == 200
    assert b"RRULE:FREQ=WEEKLY" in response.content
    assert cast.client_for("participant").get(feed_page(cast)).status_code == 200


def test_someone_who_left_before_the_program_was_archived_has_no_feed(cast: Cast) -> None:
    feed = make_feed(cast)
    do_end_membership(membership=Membership.objects.get(user=cast.participant))
    do_archive_program(program=cast.program, by=cast.program_admin)
    response = Client().get(reverse("reflections:calendar_feed_ics", args=[feed.token]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["calendar_feed_create", "calendar_feed_revoke"])
def test_making_and_stopping_a_feed_refuse_get(cast: Cast, name: str) -> None:
    response = cast.client_for("participant").get(
        reverse(f"reflections:{name}", args=[cast.program.pk])
    )
    assert response.status_code == 405
    assert not CalendarFeed.objects.exists()
