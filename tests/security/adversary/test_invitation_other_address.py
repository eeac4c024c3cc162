"""Attack: the holder of an invitation link creates an account for an address that is not
the invited one (someone else's, to squat it, or their own, to join with an address the
admin did not choose).

Before: the link's sign-up step (a program's or an organisation's invitation) opened
allauth's general sign-up form for the session, with the invited address prefilled but
editable, so any address could be registered.
Now: the invitation's own sign-up form has no address field; the account it creates is
the invited address's, and the general sign-up stays closed for the session.
"""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from programs.models import Invitation, Membership, User
from programs.org_services import do_invite_organization_admin, organization_invitation_token
from programs.services import do_invite, invitation_token
from tests.conftest import Cast

INVITED = "new.leader@example.org"
VICTIM = "chief.executive@example.org"


def signup_data(**extra: str) -> dict[str, str]:
    return {
        "first_name": "Mallory",
        "last_name": "Holder",
        "time_zone": "Europe/London",
        "password1": "a-Strong-passphrase-9",
        "password2": "a-Strong-passphrase-9",
        "org-discipline": "nurse",
    } | extra


def invitation(cast: Cast) -> Invitation:
    return do_invite(
        program=cast.program,
        email=INVITED,
        role="participant",
        cohort=cast.program.cohorts.get(),
        by=cast.program_admin,
    )


def test_the_sign_up_form_creates_only_the_invited_address(cast: Cast) -> None:
    token = invitation_token(invitation(cast))
    client = Client()
    url = reverse("programs:invitation_signup", args=[token])
    form = client.get(url).content.decode()
    assert 'name="email"' not in form

    client.post(url, signup_data(email=VICTIM))

    assert not User.objects.filter(email__iexact=VICTIM).exists()
    person = User.objects.get(email=INVITED)
    assert Membership.objects.filter(user=person, program=cast.program).exists()


def test_general_sign_up_stays_closed_after_opening_an_invitation(cast: Cast) -> None:
    token = invitation_token(invitation(cast))
    client = Client()
    client.get(reverse("programs:invitation", args=[token]))
    client.get(reverse("programs:invitation_signup", args=[token]))
    # The old route: the sign-up step as it was posted, then allauth's form with any address.
    client.post(reverse("programs:invitation_signup", args=[token]))

    page = client.get(reverse("account_signup"))
    client.post(
        reverse("account_signup"),
        {
            "email": VICTIM,
            "password1": "a-Strong-passphrase-9",
            "password2": "a-Strong-passphrase-9",
        },
    )

    assert b"Sign Up Closed" in page.content
    assert not User.objects.filter(email__iexact=VICTIM).exists()
    assert not User.objects.filter(email__iexact=INVITED).exists()


def test_someone_signed_in_cannot_use_the_form_to_add_the_invitation_to_their_account(
    cast: Cast,
) -> None:
    token = invitation_token(invitation(cast))
    client = cast.client_for("outsider")
    client.post(reverse("programs:invitation_signup", args=[token]), signup_data())
    assert not Membership.objects.filter(user=cast.outsider, program=cast.program).exists()
    assert User.objects.get(email=INVITED).memberships.get().program == cast.program


def test_an_organisation_admins_invitation_cannot_register_another_address(cast: Cast) -> None:
    invitation = do_invite_organization_admin(
        organization=cast.program.organization, email=INVITED, by=None
    )
    token = organization_invitation_token(invitation)
    client = Client()
    client.get(reverse("programs:organization_invitation", args=[token]))
    # The old route: the sign-up step posted, then allauth's form with any address.
    client.post(reverse("programs:organization_invitation_signup", args=[token]))
    client.post(
        reverse("account_signup"),
        {
            "email": VICTIM,
            "password1": "a-Strong-passphrase-9",
            "password2": "a-Strong-passphrase-9",
        },
    )
    client.post(
        reverse("programs:organization_invitation_signup", args=[token]),
        signup_data(email=VICTIM),
    )
    assert not User.objects.filter(email__iexact=VICTIM).exists()
    assert User.objects.get(email=INVITED).organization_admin_roles.get().organization == (
        cast.program.organization
    )
