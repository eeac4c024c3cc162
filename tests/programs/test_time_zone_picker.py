"""The time-zone picker: grouped by region, each zone with its current UTC offset, current
names only (no US/Eastern, EST5EDT, GMT+0 or Asia/Calcutta), UTC and the fixed offsets
that UTC−12 needs; searchable, and the browser's zone suggested on sign-up, by a static
script (no inline script under the CSP)."""

from __future__ import annotations

import datetime
import re

import time_machine
from django.test import Client
from django.urls import reverse

from programs.forms import PersonForm
from programs.models import Invitation, User
from programs.org_services import do_invite_organization_admin, organization_invitation_token
from programs.services import account_to_set_up, do_invite, invitation_token
from programs.time_zones import is_current_name, offered_zone_names, time_zone_choices
from tests.conftest import Cast


def test_zones_are_grouped_by_region_with_utc_and_fixed_offsets_last() -> None:
    groups = [name for name, _ in time_zone_choices()]
    assert groups[:3] == ["Africa", "America", "Antarctica"]
    assert groups[-1] == "UTC and fixed offsets"
    assert "Europe" in groups and "Pacific" in groups


def test_legacy_aliases_are_not_offered_and_current_names_are() -> None:
    names = offered_zone_names()
    for legacy in ("US/Eastern", "EST5EDT", "GMT+0", "Asia/Calcutta", "Australia/NSW", "Etc/UTC"):
        assert legacy not in names
        assert not is_current_name(legacy)
    for current in ("UTC", "Etc/GMT+12", "Pacific/Kiritimati", "Asia/Kolkata", "America/New_York"):
        assert current in names


def test_each_zone_shows_its_offset_now_daylight_saving_included() -> None:
    with time_machine.travel(datetime.datetime(2026, 7, 1, 12, tzinfo=datetime.UTC)):
        summer = dict(choice for _, group in time_zone_choices() for choice in group)
    with time_machine.travel(datetime.datetime(2026, 1, 15, 12, tzinfo=datetime.UTC)):
        winter = dict(choice for _, group in time_zone_choices() for choice in group)
    assert summer["America/New_York"] == "New York (UTC−04:00)"
    assert winter["America/New_York"] == "New York (UTC−05:00)"
    assert winter["Asia/Kolkata"] == "Kolkata (UTC+05:30)"
    assert winter["Pacific/Kiritimati"] == "Kiritimati (UTC+14:00)"
    assert winter["Etc/GMT+12"] == "UTC−12:00 (fixed, Etc/GMT+12)"
    assert winter["America/Argentina/Buenos_Aires"] == "Argentina / Buenos Aires (UTC−03:00)"


def test_one_field_refuses_a_zone_it_does_not_offer() -> None:
    for zone, valid in (("Asia/Kolkata", True), ("US/Eastern", False), ("Nowhere/At_All", False)):
        form = PersonForm({"first_name": "A", "last_name": "B", "time_zone": zone})
        assert form.is_valid() is valid


def test_the_picker_has_a_search_box_and_a_static_script(cast: Cast) -> None:
    html = cast.client_for("participant").get(reverse("programs:profile")).content.decode()
    assert '<optgroup label="Asia">' in html
    assert 'data-time-zone-filter="id_time_zone"' in html
    assert '<script src="/static/js/time_zone.js" nonce=' in html
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html.replace("<script src=", "")) is None


def test_sign_up_suggests_the_browsers_zone_and_profile_keeps_the_chosen_one(
    cast: Cast,
) -> None:
    invitation: Invitation = do_invite(
        program=cast.program,
        email="new.leader@example.org",
        role="participant",
        cohort=cast.program.cohorts.get(),
        by=cast.program_admin,
    )
    signup = Client().get(
        reverse("programs:invitation_signup", args=[invitation_token(invitation)])
    )
    assert 'data-time-zone="suggest"' in signup.content.decode()
    refused = Client().post(
        reverse("programs:invitation_signup", args=[invitation_token(invitation)]),
        {"first_name": "Priya", "time_zone": "Asia/Kolkata"},
    )
    assert refused.status_code == 400
    assert 'data-time-zone="keep"' in refused.content.decode()  # her choice stays
    profile = cast.client_for("participant").get(reverse("programs:profile")).content.decode()
    assert 'data-time-zone="keep"' in profile


def test_sign_up_keeps_the_zone_an_import_gave_instead_of_the_browsers(cast: Cast) -> None:
    invitation: Invitation = do_invite(
        program=cast.program,
        email="imported.leader@example.org",
        role="participant",
        cohort=cast.program.cohorts.get(),
        by=cast.program_admin,
    )
    # An import made the account with the zone from the spreadsheet.
    User.objects.create_user(
        email="imported.leader@example.org", first_name="Ana", time_zone="Asia/Kolkata"
    )
    assert account_to_set_up("imported.leader@example.org") is not None
    html = (
        Client()
        .get(reverse("programs:invitation_signup", args=[invitation_token(invitation)]))
        .content.decode()
    )
    assert 'data-time-zone="keep"' in html
    assert '<option value="Asia/Kolkata" selected>' in html


def test_an_organisation_admins_sign_up_keeps_the_zone_an_import_gave(cast: Cast) -> None:
    # Both sign-up pages start from the same rule (`Organization.starting_zone`); this
    # one used to offer the organisation's default over the zone the import gave.
    invitation = do_invite_organization_admin(
        organization=cast.program.organization, email="imported.admin@example.org", by=None
    )
    User.objects.create_user(
        email="imported.admin@example.org", first_name="Ana", time_zone="Asia/Kolkata"
    )
    html = (
        Client()
        .get(
            reverse(
                "programs:organization_invitation_signup",
                args=[organization_invitation_token(invitation)],
            )
        )
        .content.decode()
    )
    assert 'data-time-zone="keep"' in html
    assert '<option value="Asia/Kolkata" selected>' in html
    assert 'value="Ana"' in html
