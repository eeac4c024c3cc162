"""One journey per role, asserting what the person sees."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser

from pathlib import Path

from projects.models import DoorRequest, Phase, Project
from teams.models import Team
from tests.e2e.conftest import COACH, ORG_ADMIN, PARTICIPANT, sign_in

CSV = (
    "email,first_name,last_name,unit,discipline,job_title,role,team,reports_to_email\n"
    "ana.silva@example.org,Ana,Silva,Emergency Medicine,Physician,Attending,participant,,\n"
    "ben.okafor@example.org,Ben,Okafor,Finance,Administrator,Analyst,participant,,\n"
    "cara.novak@example.org,Cara,Novak,Pharmacy,Allied health,Pharmacist,participant,,\n"
    "dev.patel@example.org,Dev,Patel,Nursing Administration,Nurse,Nurse Manager,participant,,\n"
    "eli.berg@example.org,Eli,Berg,Cardiology,Physician,Cardiologist,participant,,\n"
    "fay.lund@example.org,Fay,Lund,Information Services,Administrator,Analyst,participant,,"
    "dev.patel@example.org\n"
)


def test_organisation_admin_creates_a_program_imports_people_and_forms_teams(
    browser: Browser, demo: str, tmp_path: Path
) -> None:
    # The organisation admin starts the program from home and becomes its program admin.
    page = sign_in(browser, demo, ORG_ADMIN)
    page.click("main >> text=New program")
    page.select_option("#id_organization", index=1)
    page.fill("#id_name", "Emerging Leaders 2027")
    page.fill("#id_starts_on", "2027-01-11")
    page.fill("#id_ends_on", "2027-07-02")
    page.fill("#id_team_min_size", "3")  # six people make two teams of three
    page.click("main button[type=submit]")
    page.get_by_text("Program “Emerging Leaders 2027” created.").wait_for()
    page.click("text=Add a cohort")
    page.fill("#id_name", "Spring cohort")
    page.click("main button[type=submit]")
    page.get_by_text("Cohort “Spring cohort” added.").wait_for()

    page.click("text=People and invitations")
    page.click("text=Import a CSV")
    upload = tmp_path / "people.csv"
    upload.write_text(CSV)
    page.set_input_files("input[type=file]", str(upload))
    page.click("text=Upload and preview")
    page.get_by_text("ana.silva@example.org").first.wait_for()
    page.click("main button:has-text('Import 6 rows')")
    page.get_by_text("Ana Silva").first.wait_for()

    page.click("header nav >> text=Emerging Leaders 2027")
    page.click("text=Team builder")
    page.get_by_text("Unassigned participants (6 of 6)").wait_for()
    page.fill("#team-count", "2")
    page.click("text=Propose teams")
    page.get_by_text("Nothing is saved until you apply it.").wait_for()
    page.click("text=Apply: create 2 teams")
    page.get_by_text(
        "2 teams created for 6 participants; give each a coach and a sponsor."
    ).wait_for()
    teams = Team.objects.filter(cohort__program__name="Emerging Leaders 2027")
    assert sorted(team.members.count() for team in teams) == [3, 3]
    # Fay reports to Dev: the proposal keeps them apart.
    assert all(
        not {"dev.patel@example.org", "fay.lund@example.org"}
        <= set(team.members.values_list("user__email", flat=True))
        for team in teams
    )


def test_participant_writes_sets_a_plan_downloads_the_event_and_checks_in(
    browser: Browser, demo: str
) -> None:
    page = sign_in(browser, demo, PARTICIPANT)
    page.click("text=Write a reflection")
    page.fill("#id_title", "Listening before fixing")
    page.fill("#id_body", "In the huddle I asked *one* question first.")
    page.click("main form button[type=submit]")
    page.get_by_text("Only you can read this entry", exact=False).first.wait_for()
    assert page.locator("main em", has_text="one").count() == 1

    page.click("text=Be Better Now plan")
    page.fill("#id_aspect", "Listening to the night shift")
    page.fill("#id_action", "I will ask one open question in every huddle")
    page.click("main form button[type=submit]")
    with page.expect_download() as download:
        page.click("text=Add the weekly check-in to my calendar")
    assert download.value.suggested_filename.endswith(".ics")
    assert "RRULE:FREQ=WEEKLY" in Path(download.value.path()).read_text()

    page.goto(f"{demo}/")
    page.click("text=This week’s check-in")
    page.fill("#id_steps_taken", "Asked before advising in three huddles.")
    page.fill("#id_next_focus", "Ask the night shift lead what gets in the way.")
    page.click("main form button[type=submit]")
    page.click("text=Check-in history")
    assert page.locator(".streak").inner_text().split()[0].isdigit()
    assert "in a row" in page.locator(".streak").inner_text()


def test_sponsor_approves_a_submitted_charter_and_answers_a_door(
    browser: Browser, demo: str
) -> None:
    project = Project.objects.get(team__name="Safe Passage")
    sponsor = project.team.sponsor
    assert sponsor is not None
    sponsor_email = sponsor.email
    assert project.charter_submitted_at is not None
    page = sign_in(browser, demo, sponsor_email)
    page.goto(f"{demo}/projects/{project.pk}/")
    page.get_by_text("The charter was submitted to").wait_for()
    page.click("#criterion-1 button:has-text('Confirm')")
    page.locator("#criterion-1", has_text="Confirmed by the sponsor").wait_for()
    page.fill("#approve-comment", "A clear pilot with a named new owner in mind. Go.")
    page.click("text=Approve the charter")
    page.get_by_text("Charter approved: the project is being carried out.").wait_for()
    project.refresh_from_db()
    assert project.phase == Phase.CARRYING_OUT

    door = DoorRequest.objects.filter(project=project, answered_at__isnull=True).first()
    assert door is not None
    page.goto(f"{demo}/projects/{project.pk}/doors/")
    form = page.locator("form", has=page.locator("button:has-text('Send answer')")).first
    form.locator("textarea").fill("I will introduce you to the CNO on Monday.")
    form.locator("button:has-text('Send answer')").click()
    page.get_by_text("I will introduce you to the CNO on Monday.").first.wait_for()
    door.refresh_from_db()
    assert door.answered_at is not None


def test_coach_sees_the_heatmap_and_a_flag_and_writes_a_coach_note(
    browser: Browser, demo: str
) -> None:
    page = sign_in(browser, demo, COACH)
    page.click("text=Open the coach dashboard")
    heatmap = page.locator("table.dash-heatmap").first
    heatmap.wait_for()
    assert heatmap.locator("tbody tr").count() >= 4  # one row per team member
    flags = page.locator(".dash-flags li")
    assert flags.count() >= 1
    assert flags.first.inner_text().strip()  # the reason, in words

    team = Team.objects.get(coach__email=COACH)
    page.goto(f"{demo}/coaching/teams/{team.pk}/notes/new/")
    page.fill("#id_held_on", "2026-11-20")
    page.fill("#id_body", "We tried silent brainstorming; quieter members spoke first.")
    page.fill("#id_task_minutes", "40")
    page.fill("#id_process_minutes", "20")
    page.click("main button:has-text('Save note')")
    page.get_by_text("quieter members spoke first").first.wait_for()
