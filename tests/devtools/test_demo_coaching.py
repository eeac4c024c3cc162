"""The demo shows team sessions at work: a history of sessions run in the app for every
coached team, each with attendance, the coach's private record and its pulse, and the next
session on the team page; loading it invites nobody."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from coaching.models import Intervention, LearningEntry, PulseSurvey, TeamSession
from programs.models import Program
from teams.models import Team


@pytest.mark.django_db
def test_the_demo_has_a_history_of_sessions_for_every_coached_team() -> None:
    call_command("seed_demo", stdout=StringIO())
    program = Program.objects.get()
    teams = Team.objects.filter(cohort__program=program, coach__isnull=False)
    assert teams.exists()
    for team in teams:
        done = TeamSession.objects.filter(team=team, status=TeamSession.Status.DONE)
        assert done.count() == 4
        assert (
            TeamSession.objects.filter(team=team, status=TeamSession.Status.PLANNED).count() == 1
        )
        for session in done:
            assert session.coach_note is not None
            assert session.coach_note.author == team.coach
            assert PulseSurvey.objects.filter(
                team=team, meeting_on=session.starts_at.astimezone(team.coach.zone).date()
            ).exists()
        assert Intervention.objects.filter(session__team=team).exists()
        # Some learning is shared, some kept private.
        entries = LearningEntry.objects.filter(session__team=team)
        assert entries.filter(shared_at__isnull=True).exists()
        assert entries.filter(shared_at__isnull=False).exists()
    assert not [m for m in mail.outbox if "invite.ics" in str(m.attachments)]

    # Loading again adds nothing.
    before = TeamSession.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert TeamSession.objects.count() == before

    team = teams.first()
    assert team is not None
    member = team.members.first()
    assert member is not None
    client = Client()
    client.force_login(member.user)
    page = client.get(reverse("teams:detail", args=[team.pk]))
    assert "Next session" in page.text
    assert "No session planned." not in page.text
