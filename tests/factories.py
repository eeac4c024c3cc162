"""factory-boy factories for the domain: each builds a valid object with its parents."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from programs.models import (
    Cohort,
    Discipline,
    Membership,
    Organization,
    OrganizationAdmin,
    Profile,
    Program,
    Role,
    Unit,
    User,
)
from projects.models import Project
from teams.models import Team, TeamMember

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)


class OrganizationFactory(DjangoModelFactory[Organization]):
    class Meta:
        model = Organization
        django_get_or_create = ("name",)

    name = "Lakeside Health"


class OrganizationAdminFactory(DjangoModelFactory[OrganizationAdmin]):
    class Meta:
        model = OrganizationAdmin

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    granted_at = factory.LazyFunction(timezone.now)


class UnitFactory(DjangoModelFactory[Unit]):
    class Meta:
        model = Unit

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Unit {n}")


class ProfileFactory(DjangoModelFactory[Profile]):
    class Meta:
        model = Profile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    unit = factory.SubFactory(UnitFactory, organization=factory.SelfAttribute("..organization"))
    discipline = Discipline.NURSE
    job_title = "Nurse Manager"

    @factory.post_generation
    def time_zone(obj: Profile, create: bool, extracted: str | None, **kwargs: object) -> None:
        """`time_zone=` sets the person's own zone (a person has one zone, not one per
        organisation). Without it, someone still on the site's zone (UTC, the default)
        takes the organisation's default zone, as a person joining it does."""
        zone = extracted or (obj.organization.time_zone if obj.user.time_zone == "UTC" else "")
        if zone and zone != obj.user.time_zone:
            obj.user.time_zone = zone
            if create:
                obj.user.save(update_fields=["time_zone"])


class ProgramFactory(DjangoModelFactory[Program]):
    class Meta:
        model = Program

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Leadership Academy {n}")
    starts_on = datetime.date(2026, 9, 7)
    ends_on = datetime.date(2027, 6, 4)


class CohortFactory(DjangoModelFactory[Cohort]):
    class Meta:
        model = Cohort

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")
    starts_on = factory.SelfAttribute("program.starts_on")
    ends_on = factory.SelfAttribute("program.ends_on")


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    program = factory.SubFactory(ProgramFactory)
    role = Role.PARTICIPANT
    cohort = factory.LazyAttribute(
        lambda m: (
            (m.program.cohorts.first() or CohortFactory(program=m.program))
            if m.role == Role.PARTICIPANT
            else None
        )
    )


class TeamFactory(DjangoModelFactory[Team]):
    class Meta:
        model = Team

    cohort = factory.SubFactory(CohortFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class TeamMemberFactory(DjangoModelFactory[TeamMember]):
    class Meta:
        model = TeamMember

    team = factory.SubFactory(TeamFactory)
    cohort = factory.SelfAttribute("team.cohort")
    user = factory.SubFactory(UserFactory)


class ProjectFactory(DjangoModelFactory[Project]):
    class Meta:
        model = Project

    team = factory.SubFactory(TeamFactory)
    title = factory.Sequence(lambda n: f"Project {n}")
    problem_statement = "Patients wait too long for a bed."


def add_participant(team: Team, user: User | None = None, **profile: object) -> User:
    """A participant of the team's cohort, on the team, with a profile in the organisation."""
    user = user or UserFactory()
    program = team.cohort.program
    MembershipFactory(user=user, program=program, cohort=team.cohort, role=Role.PARTICIPANT)
    TeamMemberFactory(team=team, user=user)
    ProfileFactory(user=user, organization=program.organization, **profile)
    return user
