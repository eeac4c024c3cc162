"""My profile: a person owns their name, their one time zone and their unit, discipline
and title; program admins correct unit, discipline and title; the header links to it;
notification switches turn reminders off and back on."""

from __future__ import annotations

import datetime
import re

import time_machine
from django.urls import reverse

from notifications.reminders import do_set_reminders, reminders_enabled
from programs.models import Discipline, Profile, User
from reflections.models import ReminderKind
from tests import factories as f
from tests.conftest import Cast


def profile_data(cast: Cast, who: str = "participant", **overrides: str) -> dict[str, str]:
    person = getattr(cast, who)
    org = cast.program.organization_id
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "time_zone": person.time_zone,
        f"org{org}-unit": str(person.profiles.get().unit_id),
        f"org{org}-discipline": "nurse",
        f"org{org}-job_title": "Nurse Manager",
    } | overrides


def test_the_header_links_to_my_profile_not_allauths_email_page(cast: Cast) -> None:
    html = cast.client_for("participant").get(reverse("home")).content.decode()
    assert f'<a href="{reverse("programs:profile")}"' in html
    assert ">My profile</a>" in html
    assert ">Account</a>" not in html


def test_my_profile_shows_name_zone_organisation_and_account_links(cast: Cast) -> None:
    html = cast.client_for("participant").get(reverse("programs:profile")).content.decode()
    assert 'value="Pat"' in html
    assert '<option value="America/New_York" selected>' in html
    assert f"At {cast.program.organization.name}" in html
    for name in (
        "account_email",
        "account_change_password",
        "mfa_index",
        "notifications:reminder_settings",
    ):
        assert f'href="{reverse(name)}"' in html


def test_changing_my_name_and_zone_shows_every_time_on_my_new_clock(cast: Cast) -> None:
    client = cast.client_for("participant")
    response = client.post(
        reverse("programs:profile"),
        profile_data(cast, first_name="Priya", last_name="Natarajan", time_zone="Asia/Kolkata"),
        follow=True,
    )
    html = response.content.decode()
    assert "Your profile is saved. Your dates, times, check-in week and reminders now follow" in (
        html
    )
    person = User.objects.get(pk=cast.participant.pk)
    assert (person.display_name, person.time_zone) == ("Priya Natarajan", "Asia/Kolkata")
    profile = person.profiles.get()
    assert (profile.discipline, profile.job_title) == ("nurse", "Nurse Manager")
    # 12:00 UTC is 17:30 in Kolkata: pages show the person's clock.
    with time_machine.travel(datetime.datetime(2026, 11, 18, 12, 0, tzinfo=datetime.UTC)):
        html = client.get(reverse("programs:profile")).content.decode()
    assert "Now on your clock: Wednesday 18 November, 17:30 (Asia/Kolkata)." in html


def test_a_legacy_or_unknown_zone_is_refused_and_nothing_changes(cast: Cast) -> None:
    client = cast.client_for("participant")
    for zone in ("US/Eastern", "Mars/Olympus_Mons"):
        response = client.post(
            reverse("programs:profile"), profile_data(cast, first_name="Changed", time_zone=zone)
        )
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
    person = User.objects.get(pk=cast.participant.pk)
    assert (person.first_name, person.time_zone) == ("Pat", "America/New_York")


def test_an_empty_name_is_refused(cast: Cast) -> None:
    response = cast.client_for("participant").post(
        reverse("programs:profile"), profile_data(cast, first_name="")
    )
    assert response.status_code == 400
    assert User.objects.get(pk=cast.participant.pk).first_name == "Pat"


def test_a_unit_of_another_organisation_is_refused(cast: Cast) -> None:
    elsewhere = f.UnitFactory(organization=f.OrganizationFactory(name="Elsewhere Health"))
    org = cast.program.organization_id
    response = cast.client_for("participant").post(
        reverse("programs:profile"), profile_data(cast, **{f"org{org}-unit": str(elsewhere.pk)})
    )
    assert response.status_code == 400
    assert Profile.objects.get(user=cast.participant).unit != elsewhere


# A program admin corrects a member's unit, discipline and title. -------------------------


def test_the_people_page_links_to_each_members_profile(cast: Cast) -> None:
    html = (
        cast.client_for("program_admin")
        .get(reverse("teams:people", args=[cast.program.pk]))
        .content.decode()
    )
    url = reverse("programs:member_profile", args=[cast.program.pk, cast.participant.pk])
    assert f'href="{url}"' in html


def test_a_program_admin_corrects_a_members_discipline_and_title(cast: Cast) -> None:
    unit = f.UnitFactory(organization=cast.program.organization, name="Cardiology")
    url = reverse("programs:member_profile", args=[cast.program.pk, cast.participant.pk])
    client = cast.client_for("program_admin")
    assert "Their name and time zone are theirs to change." in client.get(url).content.decode()
    response = client.post(
        url,
        {"unit": str(unit.pk), "discipline": Discipline.PHYSICIAN, "job_title": "Cardiologist"},
        follow=True,
    )
    assert "Pat Participant’s unit, discipline and job title are saved." in (
        response.content.decode()
    )
    profile = Profile.objects.get(user=cast.participant)
    assert (profile.unit, profile.discipline, profile.job_title) == (
        unit,
        "physician",
        "Cardiologist",
    )
    assert User.objects.get(pk=cast.participant.pk).time_zone == "America/New_York"


# Notification settings ------------------------------------------------------------------


def test_reminders_turned_off_by_the_unsubscribe_link_can_be_turned_back_on(cast: Cast) -> None:
    do_set_reminders(user=cast.participant, kind=ReminderKind.CHECKIN, enabled=False)
    client = cast.client_for("participant")
    html = client.get(reverse("notifications:reminder_settings")).content.decode()
    checkbox = re.search(r'<input type="checkbox" name="checkin"[^>]*>', html)
    assert checkbox and "checked" not in checkbox.group(0)
    response = client.post(
        reverse("notifications:reminder_settings"),
        {"checkin": "on", "coach_digest": "on", "partner_nudge": "on"},
        follow=True,
    )
    assert "Saved: weekly check-in reminders on." in response.content.decode()
    assert reminders_enabled(cast.participant, ReminderKind.CHECKIN)


def test_turning_a_kind_off_leaves_the_others_on(cast: Cast) -> None:
    cast.client_for("coach").post(reverse("notifications:reminder_settings"), {"checkin": "on"})
    assert reminders_enabled(cast.coach, ReminderKind.CHECKIN)
    assert not reminders_enabled(cast.coach, ReminderKind.COACH_DIGEST)
    assert not reminders_enabled(cast.coach, ReminderKind.PARTNER_NUDGE)
