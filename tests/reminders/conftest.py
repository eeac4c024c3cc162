"""People with weekly check-in slots in several time zones, in a program that runs
through 2026 (both daylight-saving changes of the northern and southern hemispheres)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from programs.models import Cohort, Membership, Program, Role, User
from tests import factories as f

STARTS_ON = datetime.date(2026, 1, 5)
ENDS_ON = datetime.date(2026, 12, 31)
# The people joined the program before it started: every week of it is theirs.
JOINED_AT = datetime.datetime(2025, 12, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def cohort(db: None) -> Cohort:
    program = f.ProgramFactory(
        name="Clinical Leadership 2026",
        starts_on=STARTS_ON,
        ends_on=ENDS_ON,
        checkin_weekday=Program.Weekday.SUNDAY,
        checkin_time=datetime.time(9, 0),
    )
    return f.CohortFactory(program=program, starts_on=STARTS_ON, ends_on=ENDS_ON)


Person = Callable[..., User]


@pytest.fixture
def person(cohort: Cohort) -> Person:
    """A participant of the 2026 program with a profile in the given time zone, who joined
    it at `joined_at` (before it started, unless told otherwise)."""

    def make(
        time_zone: str = "America/New_York",
        joined_at: datetime.datetime = JOINED_AT,
        **user: object,
    ) -> User:
        member = f.UserFactory(**user)
        membership = f.MembershipFactory(
            user=member, program=cohort.program, cohort=cohort, role=Role.PARTICIPANT
        )
        # `created_at` is set on insert; when the person joined is written afterwards.
        Membership.objects.filter(pk=membership.pk).update(created_at=joined_at)
        f.ProfileFactory(
            user=member, organization=cohort.program.organization, time_zone=time_zone
        )
        return member

    return make
