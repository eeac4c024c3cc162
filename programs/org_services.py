"""Writes about organisations: creating one, its admins, its units and its default zone."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.mail import compose_email
from core.models import SecurityEvent
from core.security import record_event
from programs.models import (
    Organization,
    OrganizationAdmin,
    OrganizationInvitation,
    Profile,
    Unit,
    User,
)
from programs.services import InvitationProblem, do_create_invited_account, user_owns_email

ORGANIZATION_INVITATION_SALT = "actionlab.organization-invitation"


# Creating an organisation ----------------------------------------------------------------


@transaction.atomic
def do_create_organization(
    *, name: str, time_zone: str, admin_email: str, by: User | None
) -> tuple[Organization, OrganizationInvitation]:
    """Create an organisation and invite its first organisation admin by email.

    `by` is the site admin who asked, or None for a scripted install.
    """
    name = name.strip()
    if Organization.objects.filter(name__iexact=name).exists():
        raise ValidationError(f"There is already an organisation called “{name}”.")
    organization = Organization.objects.create(name=name, time_zone=time_zone)
    invitation = do_invite_organization_admin(organization=organization, email=admin_email, by=by)
    return organization, invitation


# Organisation admins -----------------------------------------------------------------------


def organization_invitation_token(invitation: OrganizationInvitation) -> str:
    return signing.dumps(
        {"i": invitation.pk, "n": invitation.nonce}, salt=ORGANIZATION_INVITATION_SALT
    )


def organization_invitation_url(invitation: OrganizationInvitation) -> str:
    path = reverse(
        "programs:organization_invitation", args=[organization_invitation_token(invitation)]
    )
    return f"{settings.SITE_URL}{path}"


def organization_invitation_from_token(token: str) -> OrganizationInvitation:
    """The invitation a link stands for, or InvitationProblem saying why it cannot be used."""
    try:
        data = signing.loads(token, salt=ORGANIZATION_INVITATION_SALT)
        invitation = OrganizationInvitation.objects.select_related("organization").get(
            pk=int(data["i"]), nonce=str(data["n"])
        )
    except (
        signing.BadSignature,
        KeyError,
        TypeError,
        ValueError,
        OrganizationInvitation.DoesNotExist,
    ):
        raise InvitationProblem(
            "This invitation link is not valid. It may have been replaced by a newer one: "
            "use the most recent email, or ask the organisation's admins to send it again."
        ) from None
    status = invitation.status(timezone.now())
    if status == "accepted":
        raise InvitationProblem(
            "This invitation has already been used. Sign in with your email address."
        )
    if status == "revoked":
        raise InvitationProblem("This invitation was withdrawn.")
    if status == "expired":
        raise InvitationProblem(
            f"This invitation expired on {timezone.localtime(invitation.expires_at):%d %B %Y}. "
            "Ask the organisation's admins to send a new one."
        )
    return invitation


@transaction.atomic
def do_invite_organization_admin(
    *, organization: Organization, email: str, by: User | None
) -> OrganizationInvitation:
    """Invite someone to become an organisation admin; the email leaves after commit.

    An open invitation to the same address is replaced (its link stops working)."""
    email = email.strip().lower()
    if organization.admins.filter(user__email__iexact=email).exists():
        raise ValidationError(f"{email} is already an admin of {organization.name}.")
    now = timezone.now()
    organization.admin_invitations.filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    invitation = OrganizationInvitation.objects.create(
        organization=organization,
        email=email,
        nonce=secrets.token_hex(16),
        invited_by=by,
        expires_at=now + datetime.timedelta(days=settings.INVITATION_EXPIRY_DAYS),
    )
    from programs.tasks import send_organization_invitation

    invitation_id, nonce = invitation.pk, invitation.nonce
    transaction.on_commit(lambda: send_organization_invitation.delay(invitation_id, nonce))
    return invitation


def do_revoke_organization_invitation(*, invitation: OrganizationInvitation) -> None:
    if invitation.accepted_at:
        raise ValidationError("This invitation has already been accepted.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])


def do_send_organization_invitation_email(*, invitation_id: int, nonce: str) -> bool:
    """Send the invitation unless it was sent, replaced or closed since it was queued.

    Safe to run twice: the row is locked and `sent_at` records the sending.
    """
    with transaction.atomic():
        invitation = (
            OrganizationInvitation.objects.select_for_update(of=("self",))
            .select_related("organization", "invited_by")
            .filter(pk=invitation_id, nonce=nonce, sent_at__isnull=True)
            .first()
        )
        if invitation is None or invitation.status(timezone.now()) != "pending":
            return False
        context = {
            "invitation": invitation,
            "organization": invitation.organization,
            "url": organization_invitation_url(invitation),
            "inviter": invitation.invited_by,
        }
        message = compose_email(
            subject=f"You are invited to administer {invitation.organization.name}",
            text_template="programs/email/organization_invitation.txt",
            html_template="programs/email/organization_invitation.html",
            context=context,
            to=[invitation.email],
        )
        message.send()
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
    return True


def do_grant_organization_admin(
    *, organization: Organization, user: User, by: User | None
) -> OrganizationAdmin:
    """Make the person an organisation admin (idempotent); the grant is a security event."""
    admin, created = OrganizationAdmin.objects.get_or_create(
        organization=organization,
        user=user,
        defaults={"granted_by": by, "granted_at": timezone.now()},
    )
    if created:
        record_event(
            SecurityEvent.Kind.ORGANIZATION_ADMIN_GRANTED,
            user=by or user,
            organization_id=organization.pk,
            granted_to=user.pk,
        )
    return admin


@transaction.atomic
def do_accept_organization_invitation(
    *, invitation: OrganizationInvitation, user: User
) -> OrganizationAdmin:
    """Make the invited person an organisation admin. The invitation is single-use."""
    locked = OrganizationInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.status(timezone.now()) != "pending" or locked.nonce != invitation.nonce:
        raise InvitationProblem("This invitation can no longer be used.")
    if not user_owns_email(user, locked.email):
        raise InvitationProblem(
            f"This invitation is for {locked.email}; you are signed in as {user.email}."
        )
    admin = do_grant_organization_admin(
        organization=invitation.organization, user=user, by=locked.invited_by
    )
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    return admin


@transaction.atomic
def do_sign_up_from_organization_invitation(
    *,
    invitation: OrganizationInvitation,
    first_name: str,
    last_name: str,
    time_zone: str,
    password: str,
) -> tuple[User, OrganizationAdmin]:
    """Create the invited address's account, and only that address's, and make them an
    admin of the organisation."""
    user = do_create_invited_account(
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
        time_zone=time_zone,
        password=password,
    )
    return user, do_accept_organization_invitation(invitation=invitation, user=user)


@transaction.atomic
def do_remove_organization_admin(*, admin: OrganizationAdmin, by: User) -> None:
    """Take the organisation admin role away; an organisation always keeps one admin."""
    # Lock the organisation's admins so two removals at once cannot leave none.
    admins = list(
        OrganizationAdmin.objects.select_for_update().filter(organization_id=admin.organization_id)
    )
    if len(admins) <= 1:
        raise ValidationError(
            "An organisation needs at least one admin: invite another before removing this one."
        )
    OrganizationAdmin.objects.filter(pk=admin.pk).delete()
    record_event(
        SecurityEvent.Kind.ORGANIZATION_ADMIN_REMOVED,
        user=by,
        organization_id=admin.organization_id,
        removed=admin.user_id,
    )


# The organisation's settings -----------------------------------------------------------------


def do_set_organization_time_zone(*, organization: Organization, time_zone: str) -> None:
    """Set the zone new people in the organisation start with (people already there keep
    their own)."""
    organization.time_zone = time_zone
    organization.save(update_fields=["time_zone"])


# Units ---------------------------------------------------------------------------------------


def _unique_name(organization: Organization, name: str, *, unit: Unit | None = None) -> str:
    name = name.strip()
    others = Unit.objects.filter(organization=organization, name__iexact=name)
    if unit is not None:
        others = others.exclude(pk=unit.pk)
    if others.exists():
        raise ValidationError(f"{organization.name} already has a unit called “{name}”.")
    return name


def do_add_unit(*, organization: Organization, name: str) -> Unit:
    """Add a unit (department, service line, site) to the organisation."""
    name = _unique_name(organization, name)
    try:
        with transaction.atomic():
            return Unit.objects.create(organization=organization, name=name)
    except IntegrityError:  # the same name, added at the same moment
        raise ValidationError(f"{organization.name} already has a unit called “{name}”.") from None


def do_rename_unit(*, unit: Unit, name: str) -> Unit:
    unit.name = _unique_name(unit.organization, name, unit=unit)
    unit.save(update_fields=["name"])
    return unit


@transaction.atomic
def do_merge_units(*, unit: Unit, into: Unit) -> int:
    """Move every profile of `unit` to `into` and delete `unit`. Returns how many profiles
    moved."""
    if unit.pk == into.pk:
        raise ValidationError("Choose another unit to merge into.")
    if unit.organization_id != into.organization_id:
        raise ValidationError("Both units must belong to the same organisation.")
    moved = Profile.objects.filter(unit=unit).update(unit=into)
    # Everything else that names the unit (a stakeholder's unit, a new owner's unit) moves
    # too; those models live in apps above this one, so they are found through the field.
    for relation in Unit._meta.related_objects:
        if relation.many_to_one and relation.related_model is not Profile:
            name = relation.field.name
            relation.related_model._base_manager.filter(**{name: unit}).update(**{name: into})
    unit.delete()
    return moved


def do_retire_unit(*, unit: Unit) -> Unit:
    """Hide the unit from pickers and new assignments; profiles that name it keep it."""
    if unit.retired_at is None:
        unit.retired_at = timezone.now()
        unit.save(update_fields=["retired_at"])
    return unit


def do_restore_unit(*, unit: Unit) -> Unit:
    """Offer a retired unit again."""
    unit.retired_at = None
    unit.save(update_fields=["retired_at"])
    return unit
