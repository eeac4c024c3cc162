"""A program from scratch, in the browser, never through the Django admin.

The installation is empty but for the operator's account (as `createsuperuser` makes it).
The operator creates an organisation and invites its first admin; she accepts from the
emailed link, adds units, starts a program and its cohort, invites six participants, a
coach and a sponsor, who each accept in their own browser with their name and their own
time zone, and imports three more people from a spreadsheet. She forms the teams with the
proposal, names them and gives each its coach and sponsor; a participant writes the
team's project charter; and every participant's check-in page names that person's zone.
No page under /admin/ is requested by anyone, at any step.
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command

from tests.e2e.conftest import PASSWORD

OPERATOR = "ops@northshore-health.example"
ORG_ADMIN = "priya.raman@northshore-health.example"
ORGANISATION = "Northshore Health"
PROGRAM = "Clinical Leadership Academy"
COHORT = "First cohort"
UNITS = ["Emergency Medicine", "Nursing", "Finance", "Pharmacy"]
# Everyone invited accepts during the kickoff in Chicago, so each browser suggests
# America/Chicago; each person picks their own zone with the picker's search box.
KICKOFF_ZONE = "America/Chicago"


class Person:
    def __init__(
        self,
        first: str,
        last: str,
        zone: str,
        search: str,
        *,
        role: str = "participant",
        unit: str = "",
        discipline: str = "Physician",
        title: str = "",
    ) -> None:
        self.first, self.last, self.zone, self.search = first, last, zone, search
        self.role, self.unit, self.discipline, self.title = role, unit, discipline, title
        self.email = f"{first}.{last}@northshore-health.example".lower()
        self.page: Any = None

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


INVITED = [
    Person("Amara", "Okoye", "America/New_York", "New York", unit="Emergency Medicine"),
    Person("Ravi", "Menon", "Asia/Kolkata", "Kolkata", unit="Nursing", discipline="Nurse"),
    Person(
        "Helen", "Marsh", "Europe/London", "London", unit="Finance", discipline="Administrator"
    ),
    Person(
        "Liam", "Walsh", "Australia/Sydney", "Sydney", unit="Pharmacy", discipline="Allied health"
    ),
    Person(
        "Sofia", "Reyes", "America/Los_Angeles", "Los Angeles", unit="Nursing", discipline="Nurse"
    ),
    Person("Tunde", "Bello", "Africa/Lagos", "Lagos", unit="Emergency Medicine"),
]
COACH = Person("Grace", "Tane", "Pacific/Auckland", "Auckland", role="coach", discipline="Other")
SPONSOR = Person(
    "Kenji", "Sato", "Asia/Tokyo", "Tokyo", role="sponsor", discipline="Administrator"
)
# Imported from a spreadsheet: the zone comes from its "Time Zone" column, and each
# person's browser is in that zone when they set up their account.
IMPORTED = [
    Person("Beatriz", "Costa", "America/Sao_Paulo", "", unit="Finance", discipline="Nurse"),
    Person("Jonas", "Keller", "Europe/Berlin", "", unit="Pharmacy", discipline="Research"),
    Person("Mei", "Tan", "Asia/Singapore", "", unit="Nursing", discipline="Physician"),
]
CSV_HEADER = "First Name,Last Name,E-mail,Department,Time Zone,Role\n"
INVITATION_LINK = re.compile(r"https?://\S+?(/(?:programs|organisations)/invitations/[^/\s]+/)")


def email_to(email: str) -> str:
    """The body of the newest email to `email`."""
    for message in reversed(mail.outbox):
        if email in message.to:
            return str(message.body)
    raise AssertionError(f"no email to {email}; sent to {[m.to for m in mail.outbox]}")


def invitation_path(email: str) -> str:
    """The path of the newest invitation link emailed to `email`."""
    body = email_to(email)
    found = INVITATION_LINK.search(body)
    assert found, f"no invitation link in the email to {email}: {body}"
    return found.group(1)


@pytest.fixture
def empty_site(transactional_db: None, live_server: Any, monkeypatch: Any) -> str:
    """An empty installation served by the live server: only the operator's account,
    made the way an operator makes it."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", interactive=False, email=OPERATOR, verbosity=0)
    return str(live_server.url)


def test_an_operator_starts_a_program_from_an_empty_installation_without_the_admin(
    browser: Any, empty_site: str, tmp_path: Path
) -> None:
    base = empty_site
    requested: list[str] = []

    def new_page(**options: Any) -> Any:
        context = browser.new_context(**options)
        context.on("request", lambda request: requested.append(urlsplit(request.url).path))
        return context.new_page()

    def expect_text(page: Any, text: str) -> None:
        page.get_by_text(text, exact=False).first.wait_for()

    # The operator signs in and creates the organisation, inviting its first admin.
    operator = new_page()
    operator.goto(f"{base}/accounts/login/")
    operator.fill("#id_login", OPERATOR)
    operator.fill("#id_password", PASSWORD)
    operator.click("main button[type=submit]")
    operator.wait_for_url(f"{base}/")
    operator.click("main >> text=Organisations")
    expect_text(operator, "No organisations yet.")
    operator.fill("#id_name", ORGANISATION)
    operator.select_option("#id_time_zone", KICKOFF_ZONE)
    operator.fill("#id_admin_email", ORG_ADMIN)
    operator.click("main button:has-text('Create organisation and send invitation')")
    expect_text(operator, f"Organisation “{ORGANISATION}” created")
    assert operator.locator("main table", has_text=ORG_ADMIN).count() == 1  # waiting

    # The organisation admin accepts from the emailed link with a new account.
    admin = new_page(timezone_id=KICKOFF_ZONE)
    admin.goto(base + invitation_path(ORG_ADMIN))
    expect_text(admin, f"You are invited to administer {ORGANISATION}")
    admin.click("main button:has-text('Create my account')")
    admin.fill("#id_first_name", "Priya")
    admin.fill("#id_last_name", "Raman")
    assert admin.input_value("#id_time_zone") == KICKOFF_ZONE  # the browser's suggestion
    admin.fill("#id_password1", PASSWORD)
    admin.fill("#id_password2", PASSWORD)
    admin.click("main button:has-text('Create my account and accept')")
    expect_text(admin, f"You are now an admin of {ORGANISATION}.")
    # Her name and zone can be changed on her profile too.
    admin.click("header >> text=My profile")
    admin.fill("#id_first_name", "Priya")
    admin.fill("#id_last_name", "Raman")
    admin.fill("#id_time_zone-filter", "Chicago")
    assert admin.input_value("#id_time_zone") == KICKOFF_ZONE
    admin.click("main button:has-text('Save my profile')")
    expect_text(admin, "Your profile is saved.")
    admin.goto(f"{base}/")
    admin.click(f"main >> text={ORGANISATION}")

    # Units, then the program and its cohort.
    for unit in UNITS:
        admin.fill("#id_name", unit)
        admin.click("main button:has-text('Add unit')")
        expect_text(admin, f"Unit “{unit}” added.")
    admin.click("main >> text=New program")
    today = datetime.datetime.now(datetime.UTC).date()
    monday = today - datetime.timedelta(days=today.weekday())
    admin.fill("#id_name", PROGRAM)
    admin.fill("#id_starts_on", monday.isoformat())
    admin.fill("#id_ends_on", (monday + datetime.timedelta(weeks=36)).isoformat())
    admin.click("main button[type=submit]")
    expect_text(admin, f"Program “{PROGRAM}” created.")
    admin.click("main >> text=Add a cohort")
    admin.fill("#id_name", COHORT)
    admin.click("main button[type=submit]")
    expect_text(admin, f"Cohort “{COHORT}” added.")
    program_url = admin.url

    # Six participants at once, then the coach and the sponsor one by one.
    admin.click("main >> text=People and invitations")
    admin.click("main >> text=Invite someone")
    admin.fill("#id_many-addresses", "\n".join(f"{p.name} <{p.email}>" for p in INVITED))
    admin.select_option("#id_many-role", "participant")
    admin.click("main button:has-text('Send the invitations')")
    expect_text(admin, "6 invitations sent, as participant")
    for advisor in (COACH, SPONSOR):
        admin.fill("#id_email", advisor.email)
        admin.select_option("#id_role", advisor.role)
        admin.click("main button:has-text('Send invitation')")
        expect_text(admin, f"Invitation sent to {advisor.email}")
        admin.click("main >> text=Invite someone")

    # Each accepts in a browser of their own: a name, their unit and discipline, and
    # their own zone, found with the picker's search box.
    assert f"Priya Raman invites you to {PROGRAM}" in email_to(COACH.email)
    for person in [*INVITED, COACH, SPONSOR]:
        page = person.page = new_page(timezone_id=KICKOFF_ZONE)
        page.goto(base + invitation_path(person.email))
        expect_text(page, f"You are invited to {PROGRAM}")
        page.click("main >> text=Create my account")
        page.fill("#id_first_name", person.first)
        page.fill("#id_last_name", person.last)
        assert page.input_value("#id_time_zone") == KICKOFF_ZONE  # the browser's suggestion
        page.fill("#id_time_zone-filter", person.search)
        assert page.input_value("#id_time_zone") == person.zone
        if person.unit:
            page.select_option("#id_org-unit", label=person.unit)
        page.select_option("#id_org-discipline", label=person.discipline)
        page.fill("#id_password1", PASSWORD)
        page.fill("#id_password2", PASSWORD)
        page.click("main button:has-text('Create my account and join')")
        expect_text(page, f"Welcome to {PROGRAM}, {person.first}")

    # Three more from a spreadsheet, with its own headers.
    admin.goto(program_url)
    admin.click("main >> text=People and invitations")
    admin.click("main >> text=Import a CSV")
    upload = tmp_path / "cohort-roster.csv"
    upload.write_text(
        CSV_HEADER
        + "".join(
            f"{p.first},{p.last},{p.email},{p.unit},{p.zone},Participant\n" for p in IMPORTED
        )
    )
    admin.set_input_files("input[type=file]", str(upload))
    admin.click("main button:has-text('Upload and preview')")
    for person in IMPORTED:
        row = admin.locator("main tr", has_text=person.email)
        assert person.zone in row.inner_text()
        assert person.unit in row.inner_text()
    assert admin.get_by_text("Columns not used").count() == 0  # every header was understood
    admin.click("main button:has-text('Import 3 rows')")
    expect_text(admin, "This file was imported on")
    for person in IMPORTED:
        page = person.page = new_page(timezone_id=person.zone)
        page.goto(base + invitation_path(person.email))
        page.click("main >> text=Create my account")
        assert page.input_value("#id_first_name") == person.first
        assert page.input_value("#id_time_zone") == person.zone
        page.select_option("#id_org-discipline", label=person.discipline)
        page.fill("#id_password1", PASSWORD)
        page.fill("#id_password2", PASSWORD)
        page.click("main button:has-text('Create my account and join')")
        expect_text(page, f"Welcome to {PROGRAM}, {person.first}")

    # Teams: the proposal for the nine, then names, coach and sponsor on the same page.
    admin.goto(program_url)
    admin.click(f"main >> text=Team builder for {COHORT}")
    expect_text(admin, "Unassigned participants (9 of 9)")
    admin.fill("#team-count", "2")
    admin.click("main button:has-text('Propose teams')")
    expect_text(admin, "Nothing is saved until you apply it.")
    admin.click("main button:has-text('Apply: create 2 teams')")
    expect_text(admin, "2 teams created for 9 participants; give each a coach and a sponsor.")
    assert admin.locator("main section.team-card").count() == 2

    def team_card(name: str) -> Any:
        heading = admin.get_by_role("heading", name=name, exact=True)
        return admin.locator("main section.team-card", has=heading)

    proposed = admin.locator("main section.team-card h2").all_inner_texts()
    for old, name in zip(proposed, ["Flow Forward", "Safe Passage"], strict=True):
        card = team_card(old)
        card.locator("details.rename summary").click()
        card.locator("input[name=name]").fill(name)
        card.locator("button:has-text('Save name')").click()
        expect_text(admin, f"“{old}” is now called “{name}”.")
        card = team_card(name)
        card.locator("select[name=coach]").select_option(label=COACH.name)
        card.locator("select[name=sponsor]").select_option(label=SPONSOR.name)
        card.locator("button:has-text('Save coach and sponsor')").click()
        expect_text(admin, f"Coach and sponsor of {name} saved.")
    sizes = sorted(
        admin.locator("main section.team-card").nth(i).locator(".member-list li").count()
        for i in range(2)
    )
    assert sizes == [4, 5]

    # The coach and the sponsor see both teams on their home page.
    for advisor, heading in ((COACH, "Teams I coach"), (SPONSOR, "Projects I sponsor")):
        advisor.page.goto(f"{base}/")
        section = advisor.page.locator("main section", has_text=heading)
        for name in ("Flow Forward", "Safe Passage"):
            assert section.get_by_text(name).count() >= 1

    # A participant names the team's project and writes its problem statement.
    writer = INVITED[0]
    page = writer.page
    page.goto(f"{base}/")
    my_team = page.locator("main article.card", has_text=COACH.name)
    team_name = my_team.locator("h3").inner_text()
    assert team_name in ("Flow Forward", "Safe Passage")
    my_team.locator("dd a").first.click()
    expect_text(page, f"Coach: {COACH.name} · Sponsor: {SPONSOR.name}")
    page.fill("#project-title", "Faster handoffs from the emergency department")
    page.click("main button:has-text('Save title and type')")
    page.locator("main h1", has_text="Faster handoffs from the emergency department").wait_for()
    section = page.locator("#section-problem_statement")
    section.locator("a", has_text="Edit").click()
    section = page.locator("#section-problem_statement")
    section.locator("textarea").fill("Admitted patients wait four hours for a ward bed.")
    section.locator("button:has-text('Save')").click()
    page.locator("#section-problem_statement", has_text="Saved.").wait_for()
    page.reload()
    expect_text(page, "Admitted patients wait four hours for a ward bed.")

    # Every participant's check-in page names their own zone; coach and sponsor see
    # theirs on their profile.
    for person in [*INVITED, *IMPORTED]:
        person.page.goto(f"{base}/")
        person.page.click("main >> text=This week’s check-in")
        expect_text(person.page, f"on your clock ({person.zone})")
    for advisor in (COACH, SPONSOR):
        advisor.page.goto(f"{base}/")
        advisor.page.click("header >> text=My profile")
        expect_text(advisor.page, f"({advisor.zone})")

    # No one, at any step, needed the Django admin.
    assert requested
    assert [path for path in requested if path.startswith("/admin/")] == []


def test_the_first_organisation_admin_gives_her_name_and_zone_on_accepting(
    browser: Any, empty_site: str
) -> None:
    call_command(
        "create_organization",
        name=ORGANISATION,
        admin_email=ORG_ADMIN,
        time_zone="America/New_York",
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    page = browser.new_context(timezone_id=KICKOFF_ZONE).new_page()
    page.goto(empty_site + invitation_path(ORG_ADMIN))
    page.click("main button:has-text('Create my account')")
    page.locator("main form", has=page.locator("#id_password1")).wait_for()
    assert page.locator("#id_first_name").count() == 1
    assert page.locator("#id_last_name").count() == 1
    assert page.input_value("#id_time_zone") == KICKOFF_ZONE  # the browser's suggestion
