"""The coach who wrote the record of a session shares its figures with the team's members:
the task/process split and the questions used, never the text of their note. Until then,
and after "Stop sharing", the members see nothing of it; the sponsor, the program admin and
another coach never do."""

from __future__ import annotations

import datetime
from typing import Any

import time_machine
from django.test import Client
from django.urls import reverse

from coaching.models import TeamSession
from tests.coaching.test_coach_record import CANARY, run_a_session_with_interventions
from tests.conftest import Cast

SPLIT = "20 min (33% process)"
NOTE_TEXT = "Interventions: 1 on the task, 1 on the process."


def page(client: Client, session: TeamSession) -> str:
    response = client.get(reverse("coaching:detail", args=[session.pk]))
    assert response.status_code == 200
    return response.text


def share(cast: Cast, session: TeamSession, choice: str = "yes") -> None:
    response = cast.client_for("coach").post(
        reverse("coaching:share_record", args=[session.pk]), {"share": choice}
    )
    assert response.status_code == 302


def test_before_sharing_the_members_see_nothing_of_the_coachs_record(cast: Cast) -> None:
    session = run_a_session_with_interventions(cast)
    for who in ("participant", "teammate", "sponsor"):
        text = page(cast.client_for(who), session)
        assert SPLIT not in text
        assert CANARY not in text
        assert "Share my record" not in text
    coach_page = page(cast.client_for("coach"), session)
    assert "Share my record of this session with the team" in coach_page
    assert "never my note's text" in coach_page


def test_after_sharing_the_members_see_the_split_and_questions_but_not_the_note(
    cast: Cast,
) -> None:
    session = run_a_session_with_interventions(cast)
    shared_at = datetime.datetime(2026, 12, 3, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(shared_at, tick=False):
        share(cast, session)
    session.refresh_from_db()
    assert session.record_shared_at == shared_at
    for who in ("participant", "teammate", "coach"):
        text = page(cast.client_for(who), session)
        assert "Time on the process" in text
        assert SPLIT in text
        assert "40 min" in text
        assert CANARY in text
        assert NOTE_TEXT not in text
    assert "Stop sharing" in page(cast.client_for("coach"), session)
    assert "Stop sharing" not in page(cast.client_for("participant"), session)


def test_the_sponsor_the_program_admin_and_another_coach_still_see_nothing(cast: Cast) -> None:
    session = run_a_session_with_interventions(cast)
    share(cast, session)
    sponsor_page = page(cast.client_for("sponsor"), session)
    assert SPLIT not in sponsor_page
    assert CANARY not in sponsor_page
    for who in ("program_admin", "other_coach"):
        response = cast.client_for(who).get(reverse("coaching:detail", args=[session.pk]))
        assert response.status_code == 403
        assert CANARY not in response.text
    # The team's next coach opens the session, not the earlier coach's shared record.
    cast.team.coach = cast.other_coach
    cast.team.save(update_fields=["coach"])
    new_coach_page = page(cast.client_for("other_coach"), session)
    assert SPLIT not in new_coach_page
    assert CANARY not in new_coach_page


def test_stop_sharing_hides_the_record_from_the_team_again(cast: Cast) -> None:
    session = run_a_session_with_interventions(cast)
    share(cast, session)
    assert SPLIT in page(cast.client_for("participant"), session)
    share(cast, session, "no")
    session.refresh_from_db()
    assert session.record_shared_at is None
    assert SPLIT not in page(cast.client_for("participant"), session)
    assert CANARY not in page(cast.client_for("participant"), session)
    assert "Share my record" in page(cast.client_for("coach"), session)


def test_a_member_cannot_share_the_coachs_record(cast: Cast) -> None:
    session = run_a_session_with_interventions(cast)
    response = cast.client_for("participant").post(
        reverse("coaching:share_record", args=[session.pk]), {"share": "yes"}
    )
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.record_shared_at is None


def test_a_session_without_a_record_has_nothing_to_share(cast: Cast) -> None:
    session = run_a_session_with_interventions(cast)
    TeamSession.objects.filter(pk=session.pk).update(coach_note=None)
    share(cast, session)
    session.refresh_from_db()
    assert session.record_shared_at is None


def test_sharing_tells_the_teams_active_members_and_nobody_else_once(
    cast: Cast, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    from django.utils import timezone

    from notifications.kinds import Kind
    from notifications.models import Notification
    from programs.models import Membership
    from tests import factories as f

    session = run_a_session_with_interventions(cast)
    left = f.add_participant(cast.team)
    Membership.objects.filter(user=left).update(is_active=False, ended_at=timezone.now())
    Notification.objects.all().delete()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        share(cast, session)
        share(cast, session, "no")
        share(cast, session)  # shared again: nobody is told twice

    told = Notification.objects.filter(kind=Kind.SHARED_WITH_YOU).select_related("recipient")
    assert sorted(n.recipient.email for n in told) == sorted(
        [cast.participant.email, cast.teammate.email]
    )
    for notification in told:
        assert notification.subject.startswith("Your coach shared the record of Flow Forward")
        assert notification.link == reverse("coaching:detail", args=[session.pk])
    sent = [message for message in mailoutbox if "shared the record" in message.subject]
    assert sorted(m.to[0] for m in sent) == sorted([cast.participant.email, cast.teammate.email])
    for message in sent:
        assert NOTE_TEXT not in message.body
        assert NOTE_TEXT not in message.alternatives[0].content
