"""The acceptance journey of team sessions: a coach on a laptop and three members, one of
them on a phone, run a session end to end: attendance, the question, the timer of the
question-first round, a question from the coach's bank, two new actions, the learning
round; then the owners are told, the pulse is open and the coach's private note holds the
task/process split."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser

import re

from django.urls import reverse

from coaching.models import LearningEntry, PulseSurvey, TeamSession
from coaching.services import session_members
from notifications.models import Notification
from programs.models import User
from projects.models import Action
from teams.models import Team
from tests.e2e.conftest import COACH, sign_in

LAPTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
BANK_QUESTION = "What are we assuming that might not be true?"


def test_a_coach_and_three_members_run_a_session_end_to_end(browser: Browser, demo: str) -> None:
    coach = User.objects.get(email=COACH)
    team = Team.objects.filter(coach=coach).order_by("name").first()
    assert team is not None
    session = TeamSession.objects.get(team=team, status=TeamSession.Status.PLANNED)
    here = session_members(team)[:3]
    assert len(here) == 3
    on_phone, first_owner, second_owner = here
    run_url = demo + reverse("coaching:run", args=[session.pk])

    # The coach runs the session from a laptop.
    laptop = sign_in(browser, demo, COACH, **LAPTOP)
    laptop.goto(run_url)
    laptop.click("main button:has-text('Start the session')")
    laptop.get_by_text("Running.").wait_for()
    for member in here:
        laptop.get_by_label(member.display_name).check()
    laptop.click("main button:has-text('Save attendance')")
    laptop.fill("#id_question", "Why do discharges wait until the afternoon?")
    laptop.fill("#id_decisions", "Pilot a morning discharge huddle on ward 5.")
    laptop.click("main button:has-text('Save the question and decisions')")
    laptop.get_by_text("Pilot a morning discharge huddle on ward 5.").first.wait_for()

    # The question-first round: the timer counts down, the coach asks a bank question,
    # then taps an intervention about the process.
    timer = laptop.locator("[data-timer-display]")
    assert timer.inner_text() == "15:00"
    laptop.click("[data-timer-toggle]")
    laptop.locator("[data-timer-display]", has_text=re.compile(r"^14:[0-9]{2}$")).wait_for()
    # Paused, the round waits for the coach.
    laptop.click("[data-timer-toggle]")
    laptop.locator("li", has_text=BANK_QUESTION).last.locator("button:has-text('Asked')").click()
    laptop.locator("#my-record li", has_text=BANK_QUESTION).wait_for()
    laptop.click("#my-record button[value=process]")
    laptop.locator("#my-record li", has_text="Process").wait_for()

    # Two new actions, each with an owner and a due date.
    for title, owner in (
        ("Ask pharmacy for discharge data", first_owner),
        ("Book the ward 5 huddle room", second_owner),
    ):
        laptop.fill("#id_title", title)
        laptop.select_option("#id_owner", str(owner.pk))
        laptop.fill("#id_due_on", "2030-01-15")
        laptop.click("main button:has-text('Add the action')")
        laptop.locator("#decisions li", has_text=title).wait_for()

    # A member follows on a phone: the page fits the screen, the timer is shown, and they
    # write their learning and share it with the team.
    phone = sign_in(browser, demo, on_phone.email, **PHONE)
    phone.goto(run_url)
    assert phone.locator("[data-timer-display]").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.get_by_text("Ask pharmacy for discharge data").first.wait_for()
    phone.fill("#id_learned", "Asking before answering surfaced the real bottleneck.")
    phone.fill("#id_differently", "Hold my fix until the second question.")
    phone.check("#id_shared")
    phone.click("main button:has-text('Save my learning')")
    phone.get_by_text("Saved and shared with the team.").wait_for()
    assert "surfaced the real bottleneck" in phone.input_value("#id_learned")

    # The coach sees the shared learning and ends the session.
    laptop.reload()
    laptop.locator("#learning li", has_text="surfaced the real bottleneck").wait_for()
    laptop.click("main button:has-text('End the session and open the pulse')")
    laptop.get_by_text("The team pulse is open for the members.").wait_for()

    session.refresh_from_db()
    assert session.status == TeamSession.Status.DONE
    # The two actions are the project's, and each owner was told.
    assert {a.title for a in session.actions.all()} == {
        "Ask pharmacy for discharge data",
        "Book the ward 5 huddle room",
    }
    assert Action.objects.filter(project__team=team, owner=first_owner).exists()
    for owner in (first_owner, second_owner):
        assert Notification.objects.filter(recipient=owner, kind="action_assigned").exists()
    # The learning entry is the member's, shared with the team.
    entry = LearningEntry.objects.get(session=session, author=on_phone)
    assert entry.shared_at is not None
    # The pulse is open: the member on the phone can answer it.
    survey = PulseSurvey.objects.filter(team=team).order_by("-created_at").first()
    assert survey is not None
    assert Notification.objects.filter(recipient=on_phone, kind="pulse_opened").exists()
    phone.goto(demo + reverse("coaching:pulse_answer", args=[survey.pk]))
    phone.locator("main form").first.wait_for()

    # The coach's private note of the session holds the split and the question used.
    note = session.coach_note
    assert note is not None
    assert note.author_id == coach.pk
    assert note.task_minutes + note.process_minutes >= 1
    laptop.goto(run_url)
    laptop.click("text=My coach note of this session")
    laptop.get_by_text("Interventions: 1 on the task, 1 on the process.").wait_for()
    laptop.get_by_text("min on the process", exact=False).first.wait_for()
    laptop.get_by_text(BANK_QUESTION).first.wait_for()
