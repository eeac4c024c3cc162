"""The demo's team sessions: for every coached team, its past sessions run in the app
(attendance, the question, decisions, the coach's taps, shared learning; ended, so its
pulse opened; the coach's record of the latest one shared with the team) and the next one
scheduled. Built through the services; the caller loads the demo inside
`core.events.quiet()`, so nobody is told and no invitation is emailed."""

from __future__ import annotations

import datetime

from django.utils import timezone

from coaching.models import CoachQuestion, TeamSession
from coaching.services import (
    do_end_session,
    do_ensure_default_question_bank,
    do_record_attendance,
    do_record_intervention,
    do_save_session_notes,
    do_schedule_session,
    do_share_session_record,
    do_start_session,
    do_write_learning,
    session_members,
)
from programs.models import Program
from teams.models import Team

# Every other week, like the demo's pulses, the latest a day after the pulses' last meeting.
PAST_SESSIONS = 4
EVERY = datetime.timedelta(days=14)
LENGTH = datetime.timedelta(minutes=90)

QUESTIONS = (
    "Why do patients wait for the pharmacy before they can leave?",
    "Which of our units would feel the change first, and how do we hear from them?",
    "What would make the pilot ward say yes to a second month?",
    "What do we hand over, and to whom, if the pilot works?",
)
DECISIONS = (
    "Map one week of discharges on ward 5 before changing anything.",
    "Invite the pharmacy lead to the next session.",
    "Run the pilot on two wards for four weeks.",
    "Draft the hand-over note with the service line director.",
)
LEARNING = (
    ("I reach for answers before I understand the question.", "Ask two questions first."),
    ("The quietest person in the room had the data we needed.", "Invite views by name."),
    ("Disagreeing early saved us a month.", "Name my assumptions out loud."),
)
# The coach's taps in each session: minutes after the start, about, a bank question.
TAPS = (
    (10, "process", "Who has not spoken yet, and what do they think?"),
    (25, "task", "What are we assuming that might not be true?"),
    (50, "process", "Are we asking questions, or giving answers?"),
    (65, "task", None),
)


def seed_sessions(*, program: Program) -> None:
    """Sessions for every coached team of `program` that has none yet (idempotent)."""
    now = timezone.now()
    do_ensure_default_question_bank()
    bank = {q.text: q for q in CoachQuestion.objects.for_program(program)}
    teams = Team.objects.filter(cohort__program=program, coach__isnull=False).select_related(
        "coach", "cohort"
    )
    for team_index, team in enumerate(teams.order_by("name")):
        if TeamSession.objects.filter(team=team).exists():
            continue
        coach = team.coach
        members = session_members(team)
        if coach is None or not members:
            continue
        zone = coach.zone
        today = now.astimezone(zone).date()
        for number in range(PAST_SESSIONS):
            day = today - EVERY * (PAST_SESSIONS - number) + datetime.timedelta(days=1)
            starts_at = datetime.datetime.combine(day, datetime.time(15), tzinfo=zone)
            session = do_schedule_session(
                team=team,
                by=coach,
                starts_at=starts_at,
                duration=LENGTH,
                place="Education centre, room 2",
                agenda="Check-in round · our question · questions first · actions · learning",
                now=starts_at - datetime.timedelta(days=10),
            )
            do_start_session(session=session, by=coach, now=starts_at)
            # Everyone came, except one member at every third session.
            absent = members[(team_index + number) % len(members)] if number % 3 == 1 else None
            do_record_attendance(session=session, present=[m for m in members if m != absent])
            do_save_session_notes(
                session=session, question=QUESTIONS[number], decisions=DECISIONS[number]
            )
            for minutes, about, text in TAPS:
                do_record_intervention(
                    session=session,
                    coach=coach,
                    about=about,
                    question=bank.get(text) if text else None,
                    now=starts_at + datetime.timedelta(minutes=minutes),
                )
            for index, member in enumerate(members[:3]):
                learned, differently = LEARNING[(index + number) % len(LEARNING)]
                do_write_learning(
                    session=session,
                    author=member,
                    learned=learned,
                    differently=differently,
                    # Most share with the team; one keeps it to themselves.
                    shared=index != 2,
                    now=starts_at + LENGTH,
                )
            do_end_session(session=session, by=coach, now=starts_at + LENGTH)
            if number == PAST_SESSIONS - 1:
                # The coach shares the figures of the latest session with the team.
                session.refresh_from_db()
                do_share_session_record(
                    session=session, by=coach, now=starts_at + LENGTH + datetime.timedelta(hours=1)
                )
        next_day = today + datetime.timedelta(days=7 - team_index % 3)
        do_schedule_session(
            team=team,
            by=coach,
            starts_at=datetime.datetime.combine(next_day, datetime.time(15), tzinfo=zone),
            duration=LENGTH,
            place="Education centre, room 2",
            agenda="Check-in round · our question · questions first · actions · learning",
            now=now,
        )
