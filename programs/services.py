"""Writes about people and programs."""

from __future__ import annotations

from django.db import transaction

from programs.models import (
    Cohort,
    Discipline,
    Membership,
    Organization,
    Profile,
    Program,
    Unit,
    User,
)


@transaction.atomic
def do_ensure_person(
    *,
    email: str,
    first_name: str,
    last_name: str,
    organization: Organization,
    unit: Unit | None,
    discipline: str = Discipline.OTHER,
    job_title: str = "",
    time_zone: str = "America/New_York",
    password: str | None = None,
) -> User:
    """Create the account and the organisation profile, or bring them up to date."""
    email = email.strip().lower()
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name}
    )
    if created:
        user.set_password(password) if password else user.set_unusable_password()
        user.save(update_fields=["password"])
    Profile.objects.update_or_create(
        user=user,
        organization=organization,
        defaults={
            "unit": unit,
            "discipline": discipline,
            "job_title": job_title,
            "time_zone": time_zone,
        },
    )
    return user


def do_add_membership(
    *, program: Program, user: User, role: str, cohort: Cohort | None = None
) -> Membership:
    """Give a person a role in a program (idempotent; re-activates an ended membership)."""
    if cohort is not None and cohort.program_id != program.pk:
        raise ValueError("The cohort belongs to another program.")
    membership, _ = Membership.objects.update_or_create(
        user=user, program=program, role=role, defaults={"cohort": cohort, "is_active": True}
    )
    return membership
