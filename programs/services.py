"""Writes about people and programs."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.events import announce
from core.mail import compose_email
from core.models import SecurityEvent
from core.security import record_event
from programs.events import (
    MilestoneDeleted,
    MilestoneSaved,
    ProgramArchived,
    ProgramRestored,
    ProgramScheduleChanged,
    RoleGranted,
    TimeZoneChanged,
)
from programs.models import (
    Cohort,
    Discipline,
    Invitation,
    Membership,
    Milestone,
    Organization,
    Profile,
    Program,
    Role,
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
    time_zone: str = "",
    password: str | None = None,
) -> User:
    """Create the account and the organisation profile, or bring the profile up to date.
    A new account's time zone is `time_zone`, else the organisation's default; an
    existing account keeps the zone its owner chose."""
    email = email.strip().lower()
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "time_zone": organization.starting_zone(time_zone),
        },
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
        },
    )
    return user


def do_add_membership(
    *,
    program: Program,
    user: User,
    role: str,
    cohort: Cohort | None = None,
    by: User | None = None,
    how: str = "added",
) -> Membership:
    """Give a person a role in a program (idempotent; re-activates an ended membership).
    A role given or given back is a security event (DESIGN.md, privacy rule 7) and is
    announced (`RoleGranted`); `how` says by which path (invitation, added, created)."""
    if cohort is not None and cohort.program_id != program.pk:
        raise ValueError("The cohort belongs to another program.")
    held = Membership.objects.filter(user=user, program=program, role=role, is_active=True)
    already = held.exists()
    membership, _ = Membership.objects.update_or_create(
        user=user,
        program=program,
        role=role,
        defaults={"cohort": cohort, "is_active": True, "ended_at": None, "ending": ""},
    )
    if not already:
        # One an admin gives herself (inviting her own address as coach) says so.
        record_event(
            SecurityEvent.Kind.ROLE_GRANTED,
            user=user,
            program=program.pk,
            role=role,
            how=how,
            by=by.pk if by else None,
            self_granted=by is not None and by.pk == user.pk,
        )
        announce(
            RoleGranted(
                membership_id=membership.pk,
                user_id=user.pk,
                program_id=program.pk,
                program_name=program.name,
                role=role,
                how=how,
                by_id=by.pk if by else None,
            )
        )
    return membership


INVITATION_SALT = "actionlab.invitation"


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("programs:invitation", args=[invitation_token(invitation)])
    return f"{settings.SITE_URL}{path}"


class InvitationProblem(Exception):
    """Why an invitation link cannot be used, in words for the person holding it."""


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link stands for, or InvitationProblem saying why it cannot be used."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT)
        invitation = Invitation.objects.select_related("program", "cohort").get(
            pk=int(data["i"]), nonce=str(data["n"])
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, Invitation.DoesNotExist):
        raise InvitationProblem(
            "This invitation link is not valid. It may have been replaced by a newer one: "
            "use the most recent email, or ask your program admin to send it again."
        ) from None
    if invitation.program.is_archived:
        raise InvitationProblem(
            f"{invitation.program.name} is archived, so nobody can join it now. "
            "Ask your program admin."
        )
    status = invitation.status(timezone.now())
    if status == Invitation.Status.ACCEPTED:
        raise InvitationProblem(
            "This invitation has already been used. Sign in with your email address."
        )
    if status == Invitation.Status.REVOKED:
        raise InvitationProblem("This invitation was withdrawn by the program's admins.")
    if status == Invitation.Status.EXPIRED:
        raise InvitationProblem(
            f"This invitation expired on {timezone.localtime(invitation.expires_at):%d %B %Y}. "
            "Ask your program admin to send a new one."
        )
    return invitation


def _enqueue_invitation_email(invitation: Invitation) -> None:
    from programs.tasks import send_invitation

    invitation_id, nonce = invitation.pk, invitation.nonce
    transaction.on_commit(lambda: send_invitation.delay(invitation_id, nonce))


@transaction.atomic
def do_invite(
    *, program: Program, email: str, role: str, cohort: Cohort | None, by: User
) -> Invitation:
    """Create an invitation and send it by email once the transaction commits."""
    invitation = Invitation.objects.create(
        program=program,
        cohort=cohort if role == Role.PARTICIPANT else None,
        email=email.strip().lower(),
        role=role,
        nonce=secrets.token_hex(16),
        invited_by=by,
        expires_at=timezone.now() + datetime.timedelta(days=settings.INVITATION_EXPIRY_DAYS),
    )
    _enqueue_invitation_email(invitation)
    # `by` is None only for invitations written by scripts and tests.
    if by is not None and user_owns_email(by, invitation.email):
        _record_self_invitation(invitation, by=by)
    return invitation


def _record_self_invitation(invitation: Invitation, *, by: User) -> None:
    """An admin who invites her own address to a role (coach, say) gives herself that
    role: the security log says so at once, like any grant of a role."""
    record_event(
        SecurityEvent.Kind.ROLE_GRANTED,
        user=by,
        program=invitation.program_id,
        role=invitation.role,
        how="own invitation",
        by=by.pk,
        self_granted=True,
        invitation_id=invitation.pk,
    )


@transaction.atomic
def do_invite_many(
    *, program: Program, invitations: list[tuple[str, str, Cohort | None]], by: User
) -> list[Invitation]:
    """Create many invitations, given as (email, role, cohort), in one query, and send
    each by email once the transaction commits (a people import, a pasted list)."""
    expires_at = timezone.now() + datetime.timedelta(days=settings.INVITATION_EXPIRY_DAYS)
    created = Invitation.objects.bulk_create(
        Invitation(
            program=program,
            cohort=cohort if role == Role.PARTICIPANT else None,
            email=email.strip().lower(),
            role=role,
            nonce=secrets.token_hex(16),
            invited_by=by,
            expires_at=expires_at,
        )
        for email, role, cohort in invitations
    )
    if not created:
        return created
    from allauth.account.models import EmailAddress

    own = {by.email.lower()} | {
        email.lower()
        for email in EmailAddress.objects.filter(user=by, verified=True).values_list(
            "email", flat=True
        )
    }
    for invitation in created:
        _enqueue_invitation_email(invitation)
        if invitation.email in own:
            _record_self_invitation(invitation, by=by)
    return created


@transaction.atomic
def do_resend_invitation(*, invitation: Invitation) -> Invitation:
    """Send a fresh link with a new expiry; links sent before stop working."""
    if invitation.accepted_at:
        raise ValidationError("This invitation has already been accepted.")
    if invitation.program.is_archived:
        raise ValidationError("The program is archived: restore it before sending invitations.")
    invitation.nonce = secrets.token_hex(16)
    invitation.revoked_at = None
    invitation.sent_at = None
    invitation.expires_at = timezone.now() + datetime.timedelta(
        days=settings.INVITATION_EXPIRY_DAYS
    )
    invitation.save(update_fields=["nonce", "revoked_at", "sent_at", "expires_at"])
    _enqueue_invitation_email(invitation)
    return invitation


def do_revoke_invitation(*, invitation: Invitation) -> Invitation:
    if invitation.accepted_at:
        raise ValidationError("This invitation has already been accepted.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


def do_send_invitation_email(*, invitation_id: int, nonce: str) -> bool:
    """Send the invitation email unless it was sent, replaced or closed since it was queued.

    Safe to run twice: the row is locked and `sent_at` records the sending.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("program", "invited_by")
            .filter(pk=invitation_id, nonce=nonce, sent_at__isnull=True)
            .first()
        )
        if invitation is None or invitation.status(timezone.now()) != Invitation.Status.PENDING:
            return False
        context = {
            "invitation": invitation,
            "program": invitation.program,
            "url": invitation_url(invitation),
            "inviter": invitation.invited_by,
        }
        message = compose_email(
            subject=f"You are invited to {invitation.program.name}",
            text_template="programs/email/invitation.txt",
            html_template="programs/email/invitation.html",
            context=context,
            to=[invitation.email],
        )
        message.send()
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
    return True


@transaction.atomic
def do_accept_invitation(
    *,
    invitation: Invitation,
    user: User,
    unit: Unit | None = None,
    discipline: str | None = None,
    job_title: str | None = None,
) -> Membership:
    """Make the invited person a member, filling in what they told of their unit,
    discipline and job title in the program's organisation (None: not asked). The
    invitation is single-use."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if (
        locked.status(timezone.now()) != Invitation.Status.PENDING
        or locked.nonce != invitation.nonce
    ):
        raise InvitationProblem("This invitation can no longer be used.")
    if not user_owns_email(user, locked.email):
        raise InvitationProblem(
            f"This invitation is for {locked.email}; you are signed in as {user.email}."
        )
    membership = do_add_membership(
        program=invitation.program,
        user=user,
        role=locked.role,
        cohort=locked.cohort,
        by=locked.invited_by,
        how="invitation",
    )
    if (unit, discipline, job_title) != (None, None, None):
        do_update_profile(
            user=user,
            organization=invitation.program.organization,
            unit=unit,
            discipline=discipline,
            job_title=job_title,
        )
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def user_owns_email(user: User, email: str) -> bool:
    from allauth.account.models import EmailAddress

    email = email.lower()
    return (
        user.email.lower() == email
        or EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()
    )


@transaction.atomic
def do_create_program(*, organization: Organization, by: User, **fields: object) -> Program:
    """Create a program; its creator becomes its first program admin."""
    program = Program.objects.create(organization=organization, **fields)
    do_add_membership(program=program, user=by, role=Role.PROGRAM_ADMIN, how="created")
    return program


# A program's details and schedule ----------------------------------------------------

# What a program's weekly check-in events are made of (`reflections.calendar`).
SLOT_FIELDS = ("checkin_weekday", "checkin_time", "starts_on", "ends_on")


@transaction.atomic
def do_save_program(*, program: Program, save: Callable[[], object]) -> Program:
    """Save the program's details with `save` (its form's); a change of its default
    check-in day or time, or of its dates, is announced (`ProgramScheduleChanged`)."""
    before = Program.objects.filter(pk=program.pk).values_list(*SLOT_FIELDS).first()
    save()
    after = tuple(getattr(program, name) for name in SLOT_FIELDS)
    if before is not None and tuple(before) != after:
        announce(
            ProgramScheduleChanged(
                program_id=program.pk,
                slot_changed=tuple(before[:2]) != after[:2],
                dates_changed=tuple(before[2:]) != after[2:],
            )
        )
    return program


@transaction.atomic
def do_save_milestone(*, milestone: Milestone, save: Callable[[], object]) -> Milestone:
    """Add or change a milestone with `save` (its form's), and announce it."""
    save()
    announce(MilestoneSaved(milestone_id=milestone.pk, program_id=milestone.program_id))
    return milestone


@transaction.atomic
def do_delete_milestone(*, milestone: Milestone) -> None:
    """Delete a milestone, and announce it."""
    milestone_id, program_id = milestone.pk, milestone.program_id
    milestone.delete()
    announce(MilestoneDeleted(milestone_id=milestone_id, program_id=program_id))


# Archiving and deleting a program ------------------------------------------------------


@transaction.atomic
def do_archive_program(*, program: Program, by: User) -> int:
    """Archive a program: the step before deleting it, and one that can be undone.

    Every membership but the program admins' is paused (`Ending.ARCHIVED`), so the program's
    pages, reminders, calendar feeds and shared writing close for everyone else exactly as
    when a membership ends; nothing is deleted, and participants can still export their own
    writing. Returns the number of memberships paused.
    """
    locked = Program.objects.select_for_update().get(pk=program.pk)
    if locked.archived_at is not None:
        raise ValidationError(f"“{locked.name}” is already archived.")
    now = timezone.now()
    paused = (
        Membership.objects.filter(program=locked, is_active=True)
        .exclude(role=Role.PROGRAM_ADMIN)
        .update(is_active=False, ended_at=now, ending=Membership.Ending.ARCHIVED)
    )
    locked.archived_at, locked.archived_by = now, by
    locked.save(update_fields=["archived_at", "archived_by"])
    program.archived_at, program.archived_by = locked.archived_at, locked.archived_by
    announce(ProgramArchived(program_id=locked.pk, by_id=by.pk))
    return paused


@transaction.atomic
def do_restore_program(*, program: Program) -> int:
    """Bring an archived program back, with every membership its archiving paused (not the
    ones that had ended before). Returns the number of memberships restored."""
    locked = Program.objects.select_for_update().get(pk=program.pk)
    if locked.archived_at is None:
        raise ValidationError(f"“{locked.name}” is not archived.")
    restored = Membership.objects.filter(
        program=locked, is_active=False, ending=Membership.Ending.ARCHIVED
    ).update(is_active=True, ended_at=None, ending="")
    locked.archived_at, locked.archived_by = None, None
    locked.save(update_fields=["archived_at", "archived_by"])
    program.archived_at, program.archived_by = None, None
    announce(ProgramRestored(program_id=locked.pk))
    return restored


@transaction.atomic
def do_delete_program(*, program: Program, confirm_name: str) -> None:
    """Delete an archived program for good, with everything in it (see the README's
    "Deletion and retention"). Only from the archive, and only when `confirm_name` is the
    program's name as typed by the admin."""
    locked = Program.objects.select_for_update().get(pk=program.pk)
    if locked.archived_at is None:
        raise ValidationError(
            "Archive the program first: a program is deleted for good only from the archive."
        )
    if confirm_name.strip() != locked.name:
        raise ValidationError("Type the program's name exactly as shown to delete it.")
    locked.delete()


# People's own profile ------------------------------------------------------------------


def do_update_person(*, user: User, first_name: str, last_name: str, time_zone: str) -> User:
    """The person changes their name or their time zone. A new zone moves their next
    reminder, their check-in week and every time shown to them to that clock; a check-in
    already written keeps the week it was written for, so nothing is lost or doubled."""
    old_zone = User.objects.filter(pk=user.pk).values_list("time_zone", flat=True).first()
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.time_zone = time_zone
    user.save(update_fields=["first_name", "last_name", "time_zone"])
    if old_zone is not None and old_zone != time_zone:
        announce(TimeZoneChanged(user_id=user.pk, old_zone=old_zone, new_zone=time_zone))
    return user


def do_update_profile(
    *,
    user: User,
    organization: Organization,
    unit: Unit | None = None,
    discipline: str | None = None,
    job_title: str | None = None,
) -> Profile:
    """Set the person's unit, discipline and job title in one organisation (the person
    themselves, or a program admin correcting them); a field left None stays as it is."""
    if unit is not None and unit.organization_id != organization.pk:
        raise ValueError("The unit belongs to another organisation.")
    profile, _ = Profile.objects.get_or_create(user=user, organization=organization)
    changed = []
    for name, value in (("unit", unit), ("discipline", discipline), ("job_title", job_title)):
        if value is not None and getattr(profile, name) != value:
            setattr(profile, name, value.strip() if isinstance(value, str) else value)
            changed.append(name)
    if changed:
        profile.save(update_fields=changed)
    return profile


def account_to_set_up(email: str) -> User | None:
    """The account a people import (or a script) made for this address, never used since:
    no password, never signed in. Its owner sets it up through their invitation, as a
    new person signs up."""
    return (
        User.objects.filter(
            email__iexact=email,
            last_login__isnull=True,
            password__startswith=UNUSABLE_PASSWORD_PREFIX,
        )
        .order_by("pk")
        .first()
    )


def do_create_invited_account(
    *, email: str, first_name: str, last_name: str, time_zone: str, password: str
) -> User:
    """Create the account of an invited address, and no other: the invitation link proves
    that its holder reads that mailbox, so the address is verified. An account a people
    import made for the address and nobody has used is set up instead."""
    from allauth.account.models import EmailAddress

    email = email.strip().lower()
    user = account_to_set_up(email)
    if user is None and User.objects.filter(email__iexact=email).exists():
        raise InvitationProblem(
            f"An account for {email} exists already: sign in to accept the invitation."
        )
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=password,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            time_zone=time_zone,
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    else:
        # Made by a people import and never used: setting it up is the sign-up.
        user.first_name, user.last_name = first_name.strip(), last_name.strip()
        user.time_zone = time_zone
        user.set_password(password)
        user.save(update_fields=["first_name", "last_name", "time_zone", "password"])
        if not EmailAddress.objects.filter(user=user, email__iexact=email).update(verified=True):
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@transaction.atomic
def do_sign_up_from_invitation(
    *,
    invitation: Invitation,
    first_name: str,
    last_name: str,
    time_zone: str,
    password: str,
    unit: Unit | None = None,
    discipline: str | None = None,
    job_title: str | None = None,
) -> tuple[User, Membership]:
    """Create the invited address's account (see `do_create_invited_account`), fill in
    what the admin left empty of the person's profile in the program's organisation, and
    accept the invitation."""
    user = do_create_invited_account(
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
        time_zone=time_zone,
        password=password,
    )
    do_update_profile(
        user=user,
        organization=invitation.program.organization,
        unit=unit,
        discipline=discipline,
        job_title=job_title,
    )
    membership = do_accept_invitation(invitation=invitation, user=user)
    return user, membership
