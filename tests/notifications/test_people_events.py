"""What happens to people, their writing and their teams reaches the people it concerns:
writing shared with someone tells them, a pulse opened tells the team, a place on a team
or a role given or ended tells that person, an action due tomorrow or overdue tells its
owner. Nobody else hears of it: not the person who acted, not another team, not someone
whose membership has ended. And nothing anyone wrote (a journal entry, a check-in, a team
reflection, a plan) is ever in a notification or its email: a canary string written in
the shared thing appears in none of them."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coaching.models import PulseSurvey
from notifications.deadlines import do_notify_action_deadlines
from notifications.kinds import EmailMode, Kind
from notifications.models import Notification
from notifications.services import do_set_email_mode
from notifications.subscribers_people import reflection_shared
from programs.models import Membership, Role, User
from programs.services import do_add_membership, do_create_program
from projects.models import Action, Phase
from reflections.events import ReflectionShared
from reflections.models import CheckIn, Reflection, TeamReflection, Visibility
from reflections.services import (
    do_edit_reflection,
    do_save_plan,
    do_share_reflection_again,
    do_write_reflection,
)
from teams.services import do_set_advisors
from tests import factories as f
from tests.conftest import Cast

CANARY = "canary-7e3b-private-words"


def told(kind: Kind) -> set[User]:
    return {n.recipient for n in Notification.objects.filter(kind=kind)}


def subjects(kind: Kind) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("subject", flat=True))


def links(kind: Kind) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("link", flat=True))


def mailed(outbox: list[EmailMessage]) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


def assert_no_canary(outbox: list[EmailMessage]) -> None:
    """Nothing anyone wrote is in a notification or in any part of an email."""
    assert outbox, "nothing was emailed to look into"
    for message in outbox:
        parts = [message.subject, str(message.body), *map(str, message.extra_headers.values())]
        parts += [str(content) for content, _ in getattr(message, "alternatives", [])]
        assert CANARY not in " ".join(parts)
    notifications = Notification.objects.all()
    assert notifications
    for notification in notifications:
        assert CANARY not in f"{notification.subject} {notification.link}"


def post(client: Client, name: str, data: dict[str, Any], *args: int) -> None:
    response = client.post(reverse(name, args=list(args)), data)
    assert response.status_code in (200, 302), response.content[:500]


# A journal entry ------------------------------------------------------------------------


def test_an_entry_shared_with_the_team_tells_the_team_and_coach_and_nobody_else(
    cast: Cast, committed: Callable[[], Any], mailoutbox: list[EmailMessage]
) -> None:
    with committed():
        post(
            cast.client_for("participant"),
            "reflections:write",
            {"title": f"Title {CANARY}", "body": f"Body {CANARY}", "visibility": Visibility.TEAM},
            cast.program.pk,
        )

    entry = Reflection.objects.get(author=cast.participant)
    assert told(Kind.SHARED_WITH_YOU) == {cast.coach, cast.teammate}
    assert subjects(Kind.SHARED_WITH_YOU) == {"Pat Participant shared a journal entry with you"}
    assert links(Kind.SHARED_WITH_YOU) == {f"/reflections/{entry.pk}/"}
    assert mailed(mailoutbox) == sorted([cast.coach.email, cast.teammate.email])
    assert_no_canary(mailoutbox)


def test_a_private_entry_tells_nobody(
    cast: Cast, committed: Callable[[], Any], mailoutbox: list[EmailMessage]
) -> None:
    with committed():
        post(
            cast.client_for("participant"),
            "reflections:write",
            {"title": "Mine", "body": f"Only mine {CANARY}", "visibility": Visibility.PRIVATE},
            cast.program.pk,
        )

    assert Reflection.objects.filter(author=cast.participant).exists()
    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_widening_an_entry_tells_only_the_readers_it_adds(
    cast: Cast, committed: Callable[[], Any], mailoutbox: list[EmailMessage]
) -> None:
    with committed():
        entry = do_write_reflection(
            author=cast.participant,
            program=cast.program,
            title=f"Hard week {CANARY}",
            body=f"{CANARY}",
            tags=[],
            visibility=Visibility.COACH,
            prompt=None,
        )
    assert told(Kind.SHARED_WITH_YOU) == {cast.coach}
    mailoutbox.clear()

    with committed():
        do_edit_reflection(
            reflection=entry,
            title=f"Hard week {CANARY}",
            body=f"More {CANARY}",
            tags=[],
            visibility=Visibility.TEAM,
            prompt=None,
        )

    assert Notification.objects.filter(recipient=cast.coach).count() == 1
    assert told(Kind.SHARED_WITH_YOU) == {cast.coach, cast.teammate}
    assert mailed(mailoutbox) == [cast.teammate.email]
    assert_no_canary(mailoutbox)


def test_sharing_again_tells_a_new_coach_and_not_the_readers_it_had(
    cast: Cast, committed: Callable[[], Any], mailoutbox: list[EmailMessage]
) -> None:
    with committed():
        entry = do_write_reflection(
            author=cast.participant,
            program=cast.program,
            title="Before the change",
            body=CANARY,
            tags=[],
            visibility=Visibility.TEAM,
            prompt=None,
        )
        do_set_advisors(
            team=cast.team, coach=cast.other_coach, sponsor=cast.sponsor, by=cast.program_admin
        )
    Notification.objects.filter(kind=Kind.ADVISOR_ASSIGNED).delete()
    mailoutbox.clear()

    with committed():
        do_share_reflection_again(reflection=entry)

    shared = Notification.objects.filter(kind=Kind.SHARED_WITH_YOU)
    assert sorted(n.recipient.email for n in shared) == sorted(
        [cast.coach.email, cast.teammate.email, cast.other_coach.email]
    )
    assert mailed(mailoutbox) == [cast.other_coach.email]
    assert_no_canary(mailoutbox)


def test_a_reader_whose_membership_ended_is_not_told(cast: Cast) -> None:
    # The teammate was in the audience when the entry was shared, and has left since.
    Membership.objects.filter(user=cast.teammate).update(
        is_active=False, ended_at=timezone.now(), ending=Membership.Ending.LEFT
    )

    reflection_shared(
        ReflectionShared(
            reflection_id=1,
            program_id=cast.program.pk,
            author_id=cast.participant.pk,
            author_name=cast.participant.display_name,
            reader_ids=(cast.coach.pk, cast.teammate.pk, cast.former_participant.pk),
        )
    )

    assert told(Kind.SHARED_WITH_YOU) == {cast.coach}


def test_shared_writing_is_emailed_as_the_reader_prefers(
    cast: Cast, committed: Callable[[], Any], mailoutbox: list[EmailMessage]
) -> None:
    do_set_email_mode(user=cast.coach, kind=Kind.SHARED_WITH_YOU, email=EmailMode.OFF)
    do_set_email_mode(user=cast.teammate, kind=Kind.SHARED_WITH_YOU, email=EmailMode.DAILY)

    with committed():
        do_write_reflection(
            author=cast.participant,
            program=cast.program,
            title="Shared",
            body=CANARY,
            tags=[],
            visibility=Visibility.TEAM,
            prompt=None,
        )

    # In the app always; by email not at once for either of them.
    assert told(Kind.SHARED_WITH_YOU) == {cast.coach, cast.teammate}
    assert mailoutbox == []


# A check-in -----------------------------------------------------------------------------


def checkin_data(visibility: str) -> dict[str, str]:
    return {
        "steps_taken": f"Steps {CANARY}",
        "next_focus": f"Focus {CANARY}",
        "progress": "3",
        "visibility": visibility,
    }


def test_a_checkin_shared_with_the_coach_tells_the_coach_only(
    cast: Cast, committed: Callable[[], Any], mailoutbox: list[EmailMessage]
) -> None:
    with committed():
        post(
            cast.client_for("participant"),
            "reflections:checkin",
            checkin_data("coach"),
            cast.program.pk,
        )

    checkin = CheckIn.objects.get(user=cast.participant)
    assert told(Kind.SHARED_WITH_YOU) == {cast.coach}
    week = f"{checkin.iso_year}-W{checkin.iso_week:02d}"
    assert subjects(Kind.SHARED_WITH_YOU) == {
        f"Pat Participant shared their check-in for {week} with you"
    }
    assert links(Kind.SHARED_WITH_YOU) == {f"/check-ins/{checkin.pk}/"}
    assert mailed(mailoutbox) == [cast.coach.email]
    assert_no_canary(mailoutbox)


def test_a_private_checkin_changed_to_the_coach_tells_the_coach_then(
    cast: Cast, committed: Callable[[], Any], mailoutbox: list[EmailMessage]
) -> None:
    client = cast.client_for("participant")
    with committed():
        post(client, "reflections:checkin", checkin_data("private"), cast.program.pk)
    assert not Notification.objects.exists()

    with committed():
        post(client, "reflections:checkin", checkin_data("coach"), cast.program.pk)

    assert CheckIn.objects.get(user=cast.participant).visibility == "coach"
    assert told(Kind.SHARED_WITH_YOU) == {cast.coach}
    assert mailed(mailoutbox) == [cast.coach.email]
    assert_no_canary(mailoutbox)


def test_a_checkin_shared_with_the_partner_tells_the_partner(
    cast: Cast, committed: Callable[[], Any], mailoutbox: list[EmailMessage]
) -> None:
    do_save_plan(
        user=cast.participant,
        program=cast.program,
        aspect="Listening",
        action="ask before I answer",
        partner_user=cast.other_participant,
        partner_name="",
        partner_email="",
        checkin_weekday=0,
        checkin_time=datetime.time(9),
    )
    Notification.objects.all().delete()

    with committed():
        post(
            cast.client_for("participant"),
            "reflections:checkin",
            checkin_data("partner"),
            cast.program.pk,
        )

    assert told(Kind.SHARED_WITH_YOU) == {cast.other_participant}
    assert mailed(mailoutbox) == [cast.other_participant.email]
    assert_no_canary(mailoutbox)


# A team reflection ----------------------------------------------------------------------


def test_a_team_reflection_tells_the_team_coach_and_sponsor_but_not_its_writer(
    cast: Cast, committed: Callable[[], Any], mailoutbox: list[EmailMessage]
) -> None:
    with committed():
        post(
            cast.client_for("teammate"),
            "reflections:team_write",
            {"title": f"Retro {CANARY}", "body": f"We {CANARY}", "share_with_sponsor": "on"},
            cast.team.pk,
        )

    entry = TeamReflection.objects.get(team=cast.team)
    assert told(Kind.SHARED_WITH_YOU) == {cast.participant, cast.coach, cast.sponsor}
    assert subjects(Kind.SHARED_WITH_YOU) == {"Flow Forward shared a team reflection with you"}
    assert links(Kind.SHARED_WITH_YOU) == {f"/team-reflections/{entry.pk}/"}
    assert mailed(mailoutbox) == sorted(
        [cast.participant.email, cast.coach.email, cast.sponsor.email]
    )
    assert_no_canary(mailoutbox)


def test_saving_a_team_reflection_again_tells_nobody_twice(
    cast: Cast, committed: Callable[[], Any], mailoutbox: list[EmailMessage]
) -> None:
    with committed():
        post(
            cast.client_for("teammate"),
            "reflections:team_write",
            {"title": "Retro", "body": f"We {CANARY}"},
            cast.team.pk,
        )
    entry = TeamReflection.objects.get(team=cast.team)
    mailoutbox.clear()

    with committed():
        post(
            cast.client_for("participant"),
            "reflections:team_edit",
            {"title": "Retro", "body": f"We also {CANARY}", "version": str(entry.version)},
            entry.pk,
        )

    entry.refresh_from_db()
    assert entry.version == 2
    assert told(Kind.SHARED_WITH_YOU) == {cast.participant, cast.coach}
    assert Notification.objects.count() == 2
    assert mailoutbox == []


def test_a_team_reflection_shared_with_the_sponsor_later_tells_only_the_sponsor_then(
    cast: Cast, committed: Callable[[], Any], mailoutbox: list[EmailMessage]
) -> None:
    with committed():
        post(
            cast.client_for("teammate"),
            "reflections:team_write",
            {"title": "Retro", "body": f"We {CANARY}"},
            cast.team.pk,
        )
    entry = TeamReflection.objects.get(team=cast.team)
    assert cast.sponsor not in told(Kind.SHARED_WITH_YOU)
    mailoutbox.clear()

    with committed():
        post(
            cast.client_for("teammate"),
            "reflections:team_edit",
            {
                "title": "Retro",
                "body": f"We {CANARY}",
                "share_with_sponsor": "on",
                "version": str(entry.version),
            },
            entry.pk,
        )

    assert told(Kind.SHARED_WITH_YOU) == {cast.participant, cast.coach, cast.sponsor}
    assert mailed(mailoutbox) == [cast.sponsor.email]
    assert_no_canary(mailoutbox)


# Accountability partner -------------------------------------------------------------------


def test_a_member_named_as_partner_is_told_once(
    cast: Cast, committed: Callable[[], Any], mailoutbox: list[EmailMessage]
) -> None:
    plan = {
        "user": cast.participant,
        "program": cast.program,
        "aspect": f"Aspect {CANARY}",
        "action": f"ask before I answer {CANARY}",
        "partner_user": cast.teammate,
        "partner_name": "",
        "partner_email": "",
        "checkin_weekday": 0,
        "checkin_time": datetime.time(9),
    }
    with committed():
        do_save_plan(**plan)
    with committed():
        do_save_plan(**{**plan, "checkin_weekday": 2})

    assert told(Kind.PARTNER_NAMED) == {cast.teammate}
    assert subjects(Kind.PARTNER_NAMED) == {
        "Pat Participant named you their accountability partner"
    }
    # The partner is told once. The person's own calendar invitation follows each move of
    # their slot (tests/notifications/test_calendar_invitations.py), with no plan text.
    assert mailed(mailoutbox) == sorted([cast.teammate.email, *[cast.participant.email] * 2])
    invitations = [m.subject for m in mailoutbox if m.to == [cast.participant.email]]
    assert [subject.split(":")[0] for subject in invitations] == [
        "Invitation",
        "Updated invitation",
    ]
    assert_no_canary(mailoutbox)


def test_a_partner_from_outside_the_program_gets_no_notification(
    cast: Cast, committed: Callable[[], Any]
) -> None:
    with committed():
        do_save_plan(
            user=cast.participant,
            program=cast.program,
            aspect="Listening",
            action="ask before I answer",
            partner_user=None,
            partner_name="Alex Mentor",
            partner_email="alex@example.org",
            checkin_weekday=0,
            checkin_time=datetime.time(9),
        )

    assert not Notification.objects.filter(kind=Kind.PARTNER_NAMED).exists()


# Team pulse -----------------------------------------------------------------------------


def test_an_opened_pulse_asks_the_team_and_nobody_else(
    cast: Cast, committed: Callable[[], Any], mailoutbox: list[EmailMessage]
) -> None:
    # A member who has left the program no longer hears from the team.
    Membership.objects.filter(user=cast.teammate).update(
        is_active=False, ended_at=timezone.now(), ending=Membership.Ending.LEFT
    )
    with committed():
        post(
            cast.client_for("coach"),
            "coaching:pulse_open",
            {"meeting_on": "2026-11-30"},
            cast.team.pk,
        )

    survey = PulseSurvey.objects.get(team=cast.team)
    assert told(Kind.PULSE_OPENED) == {cast.participant}
    assert subjects(Kind.PULSE_OPENED) == {
        "Flow Forward: a pulse on your meeting of 30 November 2026"
    }
    assert links(Kind.PULSE_OPENED) == {f"/coaching/pulse/{survey.pk}/answer/"}
    assert mailed(mailoutbox) == [cast.participant.email]

    # Opening the same meeting's pulse again asks nobody twice.
    with committed():
        post(
            cast.client_for("coach"),
            "coaching:pulse_open",
            {"meeting_on": "2026-11-30"},
            cast.team.pk,
        )
    assert Notification.objects.filter(kind=Kind.PULSE_OPENED).count() == 1


def test_a_member_who_opens_the_pulse_is_not_told_of_it(
    cast: Cast, committed: Callable[[], Any]
) -> None:
    with committed():
        post(
            cast.client_for("participant"),
            "coaching:pulse_open",
            {"meeting_on": "2026-11-30"},
            cast.team.pk,
        )

    assert told(Kind.PULSE_OPENED) == {cast.teammate}


# Places on a team -----------------------------------------------------------------------


def test_a_new_coach_is_told_and_the_unchanged_sponsor_is_not(
    cast: Cast, committed: Callable[[], Any], mailoutbox: list[EmailMessage]
) -> None:
    with committed():
        post(
            cast.client_for("program_admin"),
            "teams:builder_team_advisors",
            {"coach": str(cast.other_coach.pk), "sponsor": str(cast.sponsor.pk)},
            cast.program.pk,
            cast.team.cohort_id,
            cast.team.pk,
        )

    assert told(Kind.ADVISOR_ASSIGNED) == {cast.other_coach}
    assert subjects(Kind.ADVISOR_ASSIGNED) == {"You are now the learning coach of Flow Forward"}
    assert links(Kind.ADVISOR_ASSIGNED) == {f"/teams/{cast.team.pk}/"}
    assert mailed(mailoutbox) == [cast.other_coach.email]


def test_a_sponsor_who_takes_the_place_is_told_each_time_they_take_it(
    cast: Cast, committed: Callable[[], Any]
) -> None:
    with committed():
        do_set_advisors(team=cast.team, coach=cast.coach, sponsor=None, by=cast.program_admin)
        do_set_advisors(
            team=cast.team, coach=cast.coach, sponsor=cast.sponsor, by=cast.program_admin
        )

    assert subjects(Kind.ADVISOR_ASSIGNED) == {"You are now the executive sponsor of Flow Forward"}
    assert told(Kind.ADVISOR_ASSIGNED) == {cast.sponsor}
    assert Notification.objects.filter(kind=Kind.ADVISOR_ASSIGNED).count() == 1


def test_an_admin_who_makes_herself_coach_is_not_told_of_her_own_step(
    cast: Cast, committed: Callable[[], Any]
) -> None:
    f.MembershipFactory(user=cast.program_admin, program=cast.program, role=Role.COACH)
    with committed():
        do_set_advisors(
            team=cast.team, coach=cast.program_admin, sponsor=cast.sponsor, by=cast.program_admin
        )

    assert not Notification.objects.filter(kind=Kind.ADVISOR_ASSIGNED).exists()


# Roles ----------------------------------------------------------------------------------


def test_a_role_given_by_an_admin_tells_the_person(
    cast: Cast, committed: Callable[[], Any], mailoutbox: list[EmailMessage]
) -> None:
    with committed():
        do_add_membership(
            program=cast.program, user=cast.stranger, role=Role.SPONSOR, by=cast.program_admin
        )

    assert told(Kind.ROLE_CHANGED) == {cast.stranger}
    assert subjects(Kind.ROLE_CHANGED) == {
        "You are now an executive sponsor in System Leadership Academy"
    }
    assert mailed(mailoutbox) == [cast.stranger.email]


def test_accepting_ones_own_invitation_or_creating_a_program_tells_nobody(
    cast: Cast, committed: Callable[[], Any]
) -> None:
    with committed():
        do_add_membership(
            program=cast.program,
            user=cast.stranger,
            role=Role.PARTICIPANT,
            cohort=cast.team.cohort,
            by=cast.program_admin,
            how="invitation",
        )
        do_create_program(
            organization=cast.program.organization,
            by=cast.org_admin,
            name="Second Academy",
            starts_on=datetime.date(2027, 1, 4),
            ends_on=datetime.date(2027, 9, 30),
        )

    assert not Notification.objects.filter(kind=Kind.ROLE_CHANGED).exists()


def test_an_ended_membership_tells_the_person_who_left(
    cast: Cast, committed: Callable[[], Any], mailoutbox: list[EmailMessage]
) -> None:
    membership = Membership.objects.get(user=cast.teammate, role=Role.PARTICIPANT)
    with committed():
        post(
            cast.client_for("program_admin"),
            "teams:membership_end",
            {},
            cast.program.pk,
            membership.pk,
        )

    membership.refresh_from_db()
    assert not membership.is_active
    assert told(Kind.ROLE_CHANGED) == {cast.teammate}
    assert subjects(Kind.ROLE_CHANGED) == {
        "You are no longer a participant in System Leadership Academy"
    }
    assert mailed(mailoutbox) == [cast.teammate.email]


def test_a_restored_membership_tells_the_person(
    cast: Cast, committed: Callable[[], Any], mailoutbox: list[EmailMessage]
) -> None:
    membership = Membership.objects.get(user=cast.former_participant)
    Membership.objects.filter(pk=membership.pk).update(
        ended_at=timezone.now(), ending=Membership.Ending.LEFT
    )
    with committed():
        post(
            cast.client_for("program_admin"),
            "teams:membership_restore",
            {},
            cast.program.pk,
            membership.pk,
        )

    assert told(Kind.ROLE_CHANGED) == {cast.former_participant}
    assert subjects(Kind.ROLE_CHANGED) == {
        "You are now a participant in System Leadership Academy"
    }
    # The notification, and the invitation to the weekly check-in of a participant again.
    assert mailed(mailoutbox) == [cast.former_participant.email] * 2
    assert sorted(m.subject.split(":")[0] for m in mailoutbox) == [
        "Invitation",
        "You are now a participant in System Leadership Academy",
    ]


# Actions due tomorrow and overdue ---------------------------------------------------------


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


@pytest.fixture
def actions(cast: Cast) -> Iterator[dict[str, Action]]:
    """The participant (in New York) owns an action due on Wednesday 2 December 2026 and
    one due on Monday 30 November; the teammate's is due Wednesday too."""
    User.objects.filter(pk=cast.participant.pk).update(time_zone="America/New_York")
    cast.participant.refresh_from_db()
    make = Action.objects.create
    yield {
        "wednesday": make(
            project=cast.project,
            title="Book the board room",
            owner=cast.participant,
            due_on=datetime.date(2026, 12, 2),
        ),
        "monday": make(
            project=cast.project,
            title="Send the survey",
            owner=cast.participant,
            due_on=datetime.date(2026, 11, 30),
        ),
        "teammate": make(
            project=cast.project,
            title="Draft the agenda",
            owner=cast.teammate,
            due_on=datetime.date(2026, 12, 2),
            status=Action.Status.DONE,
        ),
    }


def test_an_owner_hears_of_tomorrows_and_overdue_actions_in_their_own_morning(
    cast: Cast,
    actions: dict[str, Action],
    committed: Callable[[], Any],
    mailoutbox: list[EmailMessage],
) -> None:
    # Tuesday 1 December, 10:00 UTC: 05:00 in New York, too early to be told.
    with committed():
        assert do_notify_action_deadlines(now=at("2026-12-01 10:00")) == 0
    # 12:00 UTC: 07:00 in New York.
    with committed():
        assert do_notify_action_deadlines(now=at("2026-12-01 12:00")) == 2

    assert subjects(Kind.ACTION_DUE) == {
        "Book the board room is due tomorrow (Cut ED boarding time)"
    }
    assert subjects(Kind.ACTION_OVERDUE) == {"Send the survey is overdue (Cut ED boarding time)"}
    assert told(Kind.ACTION_DUE) == told(Kind.ACTION_OVERDUE) == {cast.participant}
    wednesday = actions["wednesday"]
    assert links(Kind.ACTION_DUE) == {
        f"/projects/{cast.project.pk}/actions/#action-{wednesday.pk}"
    }
    # "Due tomorrow" waits for the daily digest by default; "overdue" is emailed at once.
    assert [m.subject for m in mailoutbox] == ["Send the survey is overdue (Cut ED boarding time)"]


def test_the_deadline_run_is_safe_to_run_twice_and_again_every_hour(
    cast: Cast, actions: dict[str, Action], committed: Callable[[], Any]
) -> None:
    with committed():
        do_notify_action_deadlines(now=at("2026-12-01 12:00"))
        do_notify_action_deadlines(now=at("2026-12-01 12:00"))
        do_notify_action_deadlines(now=at("2026-12-01 18:00"))
        # Thursday: the Wednesday action is now overdue, the Monday one still is.
        do_notify_action_deadlines(now=at("2026-12-03 12:00"))

    assert Notification.objects.filter(kind=Kind.ACTION_DUE).count() == 1
    overdue = Notification.objects.filter(kind=Kind.ACTION_OVERDUE)
    assert sorted(n.subject for n in overdue) == [
        "Book the board room is overdue (Cut ED boarding time)",
        "Send the survey is overdue (Cut ED boarding time)",
    ]


def test_tomorrow_is_read_on_the_owners_clock(
    cast: Cast, actions: dict[str, Action], committed: Callable[[], Any]
) -> None:
    # Tuesday 1 December 2026, 20:00 UTC: already Wednesday 09:00 in Auckland.
    User.objects.filter(pk=cast.participant.pk).update(time_zone="Pacific/Auckland")

    with committed():
        do_notify_action_deadlines(now=at("2026-12-01 20:00"))

    # Wednesday's action is due today there, not tomorrow; Monday's is overdue.
    assert not Notification.objects.filter(kind=Kind.ACTION_DUE).exists()
    assert subjects(Kind.ACTION_OVERDUE) == {"Send the survey is overdue (Cut ED boarding time)"}


def test_done_actions_finished_projects_and_former_owners_hear_nothing(
    cast: Cast, actions: dict[str, Action], committed: Callable[[], Any]
) -> None:
    Membership.objects.filter(user=cast.participant).update(
        is_active=False, ended_at=timezone.now(), ending=Membership.Ending.LEFT
    )
    Action.objects.create(
        project=cast.other_project,
        title="Close out",
        owner=cast.other_participant,
        due_on=datetime.date(2026, 12, 2),
    )
    cast.other_project.phase = Phase.COMPLETED
    cast.other_project.save(update_fields=["phase"])

    with committed():
        assert do_notify_action_deadlines(now=at("2026-12-01 14:00")) == 0

    assert not Notification.objects.exists()
