"""Integrity that the database itself keeps."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programs.models import Membership, Profile, Role
from programs.services import do_add_membership
from projects.models import Project
from teams.services import do_add_team_member
from tests import factories as f
from tests.conftest import Cast


def test_a_participant_is_on_at_most_one_team_per_cohort(cast: Cast) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        f.TeamMemberFactory(team=cast.other_team, user=cast.participant)


def test_a_participant_can_be_on_teams_in_different_cohorts(cast: Cast) -> None:
    later = f.CohortFactory(program=cast.program, name="Cohort 2")
    team = f.TeamFactory(cohort=later)
    Membership.objects.filter(user=cast.participant).update(cohort=later)
    do_add_team_member(team=team, user=cast.participant)
    assert cast.participant.team_memberships.count() == 2


def test_a_team_has_one_project(cast: Cast) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.create(team=cast.team, title="A second project")


def test_a_role_is_held_once_per_program(cast: Cast) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=cast.coach, program=cast.program, role=Role.COACH)


def test_one_person_can_hold_two_roles_in_one_program(cast: Cast) -> None:
    do_add_membership(program=cast.program, user=cast.coach, role=Role.SPONSOR)
    assert set(cast.coach.memberships.values_list("role", flat=True)) == {"coach", "sponsor"}


def test_a_participant_membership_needs_a_cohort(cast: Cast) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=f.UserFactory(), program=cast.program, role=Role.PARTICIPANT
        )


def test_only_participants_of_the_cohort_join_its_teams(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="is not a participant"):
        do_add_team_member(team=cast.team, user=cast.coach)


def test_program_dates_must_be_in_order(db: None) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        f.ProgramFactory(starts_on=datetime.date(2027, 1, 1), ends_on=datetime.date(2026, 1, 1))


def test_nobody_reports_to_themselves(cast: Cast) -> None:
    profile = Profile.objects.get(user=cast.participant)
    profile.reports_to = cast.participant
    with pytest.raises(IntegrityError), transaction.atomic():
        profile.save()


def test_time_zone_must_be_an_iana_name(cast: Cast) -> None:
    person = cast.participant
    person.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError, match="not a known IANA time zone"):
        person.full_clean()


def test_an_ended_membership_hides_the_program_from_the_person(cast: Cast) -> None:
    from programs.models import Program

    assert not Program.objects.for_user(cast.former_participant).exists()
    assert Program.objects.for_user(cast.participant).get() == cast.program
