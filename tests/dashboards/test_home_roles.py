"""Home by role: what each role's part says needs the person now, on their own clock, and
what an outsider is told. (The query budgets of the homes are in
tests/performance/test_query_budget.py.)"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from notifications.kinds import Kind
from notifications.models import Notification
from programs.models import Invitation, Role, User
from projects.models import CharterAmendment, DoorRequest, Phase, SponsorComment, StatusUpdate
from reflections.models import Plan, Reflection, ReminderKind, ReminderPreference, Visibility
from reflections.services import do_record_read, do_write_reflection
from reflections.weeks import LocalWeek
from teams.models import Team, TeamMember
from tests import factories as f
from tests.conftest import Cast
from tests.dashboards.conftest import add_checkin

# Sunday evening in UTC, already Monday morning of the next week in Tokyo.
NOW = datetime.datetime(2026, 11, 22, 20, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def home(user: User) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    """The page's words, without tags, on one line."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def in_tokyo(user: User) -> User:
    user.time_zone = "Asia/Tokyo"
    user.save(update_fields=["time_zone"])
    return user


def share_with_the_coach(cast: Cast) -> Reflection:
    """An entry the participant shares with their coach."""
    return do_write_reflection(
        author=cast.participant,
        program=cast.program,
        title="Shared",
        body="Text.",
        tags=[],
        visibility=Visibility.COACH,
        prompt=None,
    )


# Participant -----------------------------------------------------------------------------


def test_the_check_in_is_due_at_the_slot_of_the_participants_own_week(cast: Cast) -> None:
    # The program's slot is Friday 09:00, on each person's clock. In Tokyo the new week
    # has begun: its check-in is due next Friday. In New York (the teammate's zone) the
    # week is still the old one, whose Friday has passed.
    tokyo = text(home(in_tokyo(cast.participant)))
    assert "Due by Friday 27 November, 09:00 on your clock (Asia/Tokyo)" in tokyo
    assert "Write this week’s check-in" in tokyo

    new_york = text(home(cast.teammate))
    assert "It was due Friday 20 November, 09:00 on your clock (America/New_York)" in new_york
    assert "you can still write it until Sunday ends" in new_york


def test_a_done_check_in_shows_done_the_streak_and_next_weeks_reminder(cast: Cast) -> None:
    user = in_tokyo(cast.participant)
    program = cast.program
    this_week = LocalWeek.of(NOW, user.zone)
    for week in (this_week, this_week.previous(), this_week.previous().previous()):
        add_checkin(user, program, week)
    Plan.objects.create(
        user=user,
        program=program,
        aspect="How I listen in huddles.",
        action="ask one open question before I advise",
        checkin_weekday=0,
        checkin_time=datetime.time(8, 30),
        created_at=NOW,
        updated_at=NOW,
    )
    page = text(home(user))
    assert "Done You have checked in this week." in page
    assert "Open this week’s check-in" in page
    assert "Write this week’s check-in" not in page
    assert "3 weeks in a row" in page
    assert "ask one open question before I advise" in page
    # It is Monday 05:00 in Tokyo: this week's slot, 08:30, is still ahead, but the
    # check-in is done, so no reminder goes out this week; the next is a week on.
    assert "Next reminder Monday 30 November, 08:30" in page


def test_the_next_reminder_is_this_weeks_slot_until_the_check_in_is_written(
    cast: Cast,
) -> None:
    page = text(home(in_tokyo(cast.participant)))
    assert "Next reminder Friday 27 November, 09:00" in page


def test_a_participant_who_turned_reminders_off_is_told_so(cast: Cast) -> None:
    ReminderPreference.objects.create(
        user=cast.participant, kind=ReminderKind.CHECKIN, enabled=False, updated_at=NOW
    )
    page = text(home(cast.participant))
    assert "Next reminder Reminders are off: turn them on" in page
    assert "by email, unless you have checked in by then" not in page


def test_the_participant_sees_the_project_phase_next_milestone_and_unread_count(
    cast: Cast,
) -> None:
    review = cast.program.milestones.create(
        title="Mid-point review", due_on=datetime.date(2027, 1, 15), kind="midpoint_review"
    )
    cast.program.milestones.create(title="Kickoff", due_on=datetime.date(2026, 9, 7))
    for _ in range(2):
        Notification.objects.create(
            recipient=cast.participant,
            program=cast.program,
            kind=Kind.SPONSOR_COMMENT,
            subject=cast.project.title,
            link="/",
            created_at=NOW,
        )
    page = text(home(cast.participant))
    assert "Cut ED boarding time Crafting" in page
    assert f"Next milestone {review.title}, 15 January 2027" in page
    assert "2 unread" in page


def test_feedback_counts_reads_of_shared_writing_and_sponsor_comments(cast: Cast) -> None:
    do_record_read(reader=cast.coach, reflection=share_with_the_coach(cast))
    update = StatusUpdate.objects.create(
        project=cast.project,
        progress="Two wards on board.",
        next_steps="A third.",
        author=cast.participant,
    )
    SponsorComment.objects.create(update=update, author=cast.sponsor, body="Good.")
    page = text(home(cast.participant))
    assert "1 read of what you shared · 1 sponsor comment on your updates" in page
    # The teammate wrote and shared nothing: nothing for them.
    assert "Nothing new in the last two weeks." in text(home(cast.teammate))


def test_a_participant_on_no_team_is_told_who_forms_the_teams(cast: Cast) -> None:
    newcomer = f.UserFactory()
    f.MembershipFactory(user=newcomer, program=cast.program, role=Role.PARTICIPANT)
    page = text(home(newcomer))
    assert "You are not on a team yet" in page
    assert "Write this week’s check-in" in page


# Coach -----------------------------------------------------------------------------------


def test_teams_needing_attention_come_first(cast: Cast) -> None:
    # Flow Forward's members have not checked in for weeks; a team with nobody on it
    # yet, first by name, has nothing to flag.
    calm = f.TeamFactory(cohort=cast.team.cohort, name="Aardvark", coach=cast.coach)
    TeamMember.objects.filter(team=cast.team).update(
        joined_at=datetime.datetime(2026, 9, 7, tzinfo=datetime.UTC)
    )
    page = text(home(cast.coach))
    assert page.index("Flow Forward") < page.index("Aardvark")
    assert "1 team needs attention" in page
    assert "Pat Participant has missed" in page
    section = page[page.index("Teams I coach") :]
    assert section.index("Needs attention") < section.index("On track")
    assert calm.name in section


def test_the_coach_is_told_of_shared_writing_not_yet_read_and_never_of_private(
    cast: Cast,
) -> None:
    for title, visibility in (
        ("Shared one", Visibility.COACH),
        ("Shared two", Visibility.TEAM),
        ("Private", Visibility.PRIVATE),
    ):
        do_write_reflection(
            author=cast.participant,
            program=cast.program,
            title=title,
            body="Text.",
            tags=[],
            visibility=visibility,
            prompt=None,
        )
    assert "2 shared entries you have not read yet" in text(home(cast.coach))

    first = cast.participant.reflections.get(title="Shared one")
    do_record_read(reader=cast.coach, reflection=first)
    page = text(home(cast.coach))
    assert "1 shared entry you have not read yet" in page
    assert "Private" not in page


def test_the_coach_sees_the_next_team_meeting_on_their_clock(cast: Cast) -> None:
    in_tokyo(cast.coach)
    starts = datetime.datetime(2026, 11, 25, 6, 0, tzinfo=datetime.UTC)
    cast.team.sessions.create(
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        created_by=cast.coach,
        created_at=NOW,
        updated_at=NOW,
    )
    page = text(home(cast.coach))
    assert "Next team meetings Wednesday 25 November, 15:00 : Flow Forward" in page


# Sponsor ---------------------------------------------------------------------------------


def test_the_sponsor_sees_what_waits_for_their_decision(cast: Cast) -> None:
    project = cast.project
    project.charter_submitted_at = NOW
    project.save(update_fields=["charter_submitted_at"])
    DoorRequest.objects.create(
        project=project,
        kind=DoorRequest.Kind.INTRODUCTION,
        request="Introduce us to the CNO.",
        asked_by=cast.participant,
    )
    page = text(home(cast.sponsor))
    waiting = page[page.index("Waiting for your decision") : page.index("Projects Flow")]
    assert "Charter submitted for your approval : Cut ED boarding time (Flow Forward)" in waiting
    assert "1 door to open : Cut ED boarding time (Flow Forward; the oldest asked today)" in (
        waiting
    )

    project.phase = Phase.CARRYING_OUT
    project.save(update_fields=["phase"])
    CharterAmendment.objects.create(
        project=project,
        new_texts={"scope": "Two wards."},
        old_texts={"scope": ""},
        reason="The pilot grew.",
        proposed_by=cast.participant,
    )
    page = text(home(cast.sponsor))
    assert "Charter amendment awaiting your decision : Cut ED boarding time" in page
    assert "Charter submitted for your approval" not in page
    assert "Carrying out phase 2 of 4" in page


def test_a_sponsor_with_nothing_waiting_is_told_so(cast: Cast) -> None:
    page = text(home(cast.sponsor))
    assert "Nothing waits for your decision." in page
    assert "Cut ED boarding time" in page


# Program admin ---------------------------------------------------------------------------


def test_the_set_up_checklist_names_what_is_missing(cast: Cast) -> None:
    # Safe Passage has a coach but no sponsor; no team has submitted its charter.
    page = text(home(cast.program_admin))
    assert "Set-up: 2 steps left" in page
    assert "1 team lacks a coach or a sponsor." in page
    assert "2 teams have not submitted a project charter yet." in page
    html = home(cast.program_admin)
    builder = reverse("teams:builder", args=[cast.program.pk, cast.team.cohort_id])
    assert f'<a href="{builder}">A coach and a sponsor on every team</a>' in html

    Team.objects.filter(pk=cast.other_team.pk).update(sponsor=cast.sponsor)
    assert "A coach and a sponsor on every team : done" in text(home(cast.program_admin))


def test_a_new_program_starts_with_its_cohort_step(db: None) -> None:
    admin = f.UserFactory()
    program = f.ProgramFactory()
    f.MembershipFactory(user=admin, program=program, role=Role.PROGRAM_ADMIN)
    page = text(home(admin))
    assert "No cohort yet: add one." in page
    assert "No team yet: form them in the team builder." in page
    assert "No participants yet" in page


def test_the_admin_sees_participation_this_week_and_who_never_signed_in(
    cast: Cast,
) -> None:
    add_checkin(cast.participant, cast.program, LocalWeek.of(NOW, datetime.UTC))
    cast.teammate.last_login = NOW
    cast.teammate.save(update_fields=["last_login"])
    Invitation.objects.create(
        program=cast.program,
        cohort=cast.team.cohort,
        email="new@example.org",
        role=Role.PARTICIPANT,
        nonce="n" * 32,
        invited_by=cast.program_admin,
        expires_at=NOW + datetime.timedelta(days=7),
    )
    page = text(home(cast.program_admin))
    assert "1 of 3 participants checked in (33%)" in page
    # The admin signed in to see the page and the teammate has signed in before; the
    # two coaches, the sponsor and the two other participants never have.
    assert "5 members never signed in · 1 invitation pending" in page
    assert reverse("teams:people", args=[cast.program.pk]) in home(cast.program_admin)


# Several roles, and none -----------------------------------------------------------------


def test_the_parts_of_several_roles_come_in_a_fixed_order(cast: Cast) -> None:
    person = cast.coach
    other = f.ProgramFactory(name="Emerging Leaders")
    f.MembershipFactory(user=person, program=other, role=Role.PROGRAM_ADMIN)
    f.MembershipFactory(user=person, program=f.ProgramFactory(), role=Role.SPONSOR)
    team = f.TeamFactory(cohort=f.CohortFactory(program=f.ProgramFactory()))
    f.add_participant(team, person)
    html = home(person)
    headings = ["My week", "My team", "Teams I coach", "Projects I sponsor", "Programs I run"]
    positions = [html.index(f">{heading}</h2>") for heading in headings]
    assert positions == sorted(positions)


def test_an_outsider_in_no_program_is_told_what_happens_next(cast: Cast) -> None:
    page = text(home(cast.stranger))
    assert "You are not part of a program yet." in page
    for heading in ("My week", "Teams I coach", "Projects I sponsor", "Programs I run"):
        assert heading not in page


# The roles remembered from the last visit (dashboards.homes.home_memberships) ------------


def test_a_role_given_after_a_visit_shows_its_figures_on_the_next(cast: Cast) -> None:
    # The coach's first visit leaves "coach" as the roles to work out next time; then a
    # program admin makes them an admin and a participant elsewhere.
    person = cast.coach
    assert "Programs I run" not in text(home(person))
    other = f.ProgramFactory(name="Emerging Leaders")
    f.MembershipFactory(user=person, program=other, role=Role.PROGRAM_ADMIN)
    f.MembershipFactory(user=person, program=other, role=Role.PARTICIPANT)
    add_checkin(person, other, LocalWeek.of(NOW, person.zone))
    page = text(home(person))
    assert "1 participant · 0 teams" in page
    assert "1 of 1 participants checked in (100%)" in page
    assert "You have checked in this week." in page
    # And the coach's own figure is still read.
    share_with_the_coach(cast)
    assert "1 shared entry you have not read yet" in text(home(person))


def test_a_role_taken_away_leaves_no_part_and_the_others_keep_their_figures(
    cast: Cast,
) -> None:
    person = cast.coach
    other = f.ProgramFactory(name="Emerging Leaders")
    admin = f.MembershipFactory(user=person, program=other, role=Role.PROGRAM_ADMIN)
    assert "Programs I run" in text(home(person))
    admin.is_active = False
    admin.save(update_fields=["is_active"])
    share_with_the_coach(cast)
    page = text(home(person))
    assert "Programs I run" not in page
    assert "1 shared entry you have not read yet" in page
