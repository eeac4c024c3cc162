"""Demo data for the journal: a prompt schedule, Be Better Now plans, twelve weeks of
check-ins (with a few missed weeks), private and shared reflections, a team reflection
per team, and a few read receipts.

`seed_reflections(program=...)` is idempotent: everything is found by its natural key
(prompt text, plan per person, check-in per week, entry title), so running it again adds
nothing.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from dashboards.analytics import ANALYTICS_WEEKS
from programs.models import Membership, Program, Role, User
from reflections.models import (
    CheckIn,
    CheckInVisibility,
    Plan,
    Prompt,
    ReadReceipt,
    Reflection,
    Tag,
    TeamReflection,
    TeamReflectionEdit,
    Visibility,
)
from reflections.services import share_checkin, share_reflection, share_team_reflection
from reflections.weeks import LocalWeek
from teams.models import Team, TeamMember

PROMPTS = [
    (1, "What do you hope to learn about yourself as a leader in this program?"),
    (2, "Describe a moment this week when you asked a question instead of giving an answer."),
    (3, "Who outside your own unit did you learn something from this week?"),
    (4, "What did your team's first meeting with your sponsor teach you?"),
    (5, "Where did you notice yourself avoiding a difficult conversation?"),
    (6, "What is one assumption about your project that turned out to be wrong?"),
    (7, "How did you make room for a quieter voice in your team this week?"),
    (8, "What feedback did you receive, and what will you do with it?"),
    (9, "Which stakeholder did you move from informing to involving?"),
    (10, "What does your team do well together that you did not expect?"),
    (11, "What would you do differently if you started the project again today?"),
    (12, "What have you stopped doing to make time for what matters more?"),
    (None, "What surprised you this week, and what does it tell you?"),
    (None, "Which of the program's competencies did you practise this week, and how?"),
]

ASPECTS = [
    "How I listen in meetings where I hold the most authority in the room.",
    "How I give feedback to people who do not report to me.",
    "How I involve frontline staff before decisions are made, not after.",
    "How I delegate: I still take back work I have handed over.",
    "How I make space for reflection in a week that is full of meetings.",
    "How I respond when a physician colleague disagrees with me in public.",
]
ACTIONS = [
    "ask one open question before I offer advice in each huddle",
    "end every one-to-one by asking what I could do differently",
    "walk the unit for fifteen minutes every Tuesday and Thursday and ask what gets in the way",
    "agree a clear outcome and a check-in date whenever I delegate, and then not step in",
    "block thirty minutes on Friday afternoons to write down what I learned that week",
    "name the disagreement out loud and ask to understand it before I defend my view",
]
STEPS = [
    "Asked an open question before advising in three of four huddles. "
    "In the fourth I slipped back into fixing.",
    "Met the pharmacy lead to hear how our discharge changes land on her team.",
    "Held back in the bed meeting and let the charge nurse lead; she found a better option.",
    "Wrote down my reflection on Friday, even though the week was chaotic.",
    "Asked my sponsor for feedback on how I present the project's risks.",
    "Delegated the data pull to Sofia and did not check on it before the due date.",
    "Noticed I interrupted twice in the steering meeting; apologised afterwards.",
    "Spent an hour on 5 West asking the night staff what slows discharges down.",
    "Shared our draft charter with the finance team before the sponsor meeting.",
    "Tried the 'what else?' question in two one-to-ones; both went deeper than usual.",
]
FOCUSES = [
    "Keep the open question going in huddles, including the busy Monday one.",
    "Prepare two questions for the stakeholder interview with the ED director.",
    "Let the team run the next meeting; I will take notes only.",
    "Follow up with the night staff on the two ideas they gave me.",
    "Ask one peer outside my unit for feedback on how I run meetings.",
    "Protect my Friday reflection time; decline the overlapping meeting.",
    "Give Sofia feedback on the data work, specific and the same day.",
    "Notice when I start to defend instead of listen, and pause.",
]
REFLECTIONS = [
    (
        "The question I did not ask",
        "In Tuesday's huddle the team proposed moving discharge rounds earlier. I had an "
        "answer ready and gave it.\n\nLooking back, I never asked **why** they thought it "
        "would work. Next time: *ask first, then decide together*.",
        ["questioning", "listening"],
    ),
    (
        "Meeting our sponsor",
        "Our sponsor pushed back on the scope: two units, not four. I felt defensive at "
        "first, then relieved.\n\n- Smaller scope, faster learning\n- Clearer measures\n"
        "- We still need pharmacy at the table",
        ["sponsor", "scope"],
    ),
    (
        "Learning across boundaries",
        "Sitting with the finance analyst showed me how our length-of-stay numbers are "
        "built. I had been arguing with a number I did not understand.",
        ["cross-boundary", "data"],
    ),
    (
        "Feedback I did not want to hear",
        "A nurse manager told me our project feels like 'another thing done to us'. "
        "She is right about how we started. We need to involve the frontline earlier.",
        ["feedback", "stakeholders"],
    ),
    (
        "What our team does well",
        "We disagree openly and nobody sulks afterwards. That took six weeks to build; I "
        "want to name it at our next meeting so we keep it.",
        ["team", "psychological-safety"],
    ),
]
TEAM_REFLECTION = (
    "What our first stakeholder conversations taught us",
    "We spoke with eleven people in four units over two weeks.\n\n"
    "1. Everyone agrees the problem is real; nobody agrees on its cause.\n"
    "2. The night staff see things the day meetings never hear about.\n"
    "3. We were asking for buy-in when we should have been asking for ideas.\n\n"
    "**Next:** two listening sessions with night staff before we change the charter.",
)


def _seed_prompts(program: Program) -> None:
    for week, text in PROMPTS:
        Prompt.objects.get_or_create(program=program, text=text, defaults={"week_number": week})


def _seed_plan(user: User, program: Program, index: int, partner: User | None) -> None:
    now = timezone.now()
    Plan.objects.get_or_create(
        user=user,
        program=program,
        defaults={
            "aspect": ASPECTS[index % len(ASPECTS)],
            "action": ACTIONS[index % len(ACTIONS)],
            "partner_user": partner,
            "checkin_weekday": program.checkin_weekday,
            "checkin_time": program.checkin_time,
            "created_at": now,
            "updated_at": now,
        },
    )


def _seed_checkins(user: User, program: Program, index: int, team: Team) -> None:
    zone = user.zone
    this_week = LocalWeek.of(timezone.now(), zone)
    week = this_week.previous()
    # Every week of the analytics' window, with a dip five and six weeks ago (a busy
    # fortnight on the wards), so its chart shows a trend.
    for weeks_ago in range(1, ANALYTICS_WEEKS + 1):
        busy = weeks_ago in (5, 6) and index % 3 == 0
        if (index + weeks_ago) % 4 == 0 or busy or week.ends_on < program.starts_on:
            week = week.previous()
            continue  # a missed week
        written = datetime.datetime.combine(
            week.starts_on + datetime.timedelta(days=program.checkin_weekday),
            program.checkin_time,
            tzinfo=zone,
        ) + datetime.timedelta(minutes=15 + index)
        n = index + weeks_ago
        checkin, created = CheckIn.objects.get_or_create(
            user=user,
            program=program,
            iso_year=week.iso_year,
            iso_week=week.iso_week,
            defaults={
                "team": team,
                "week_starts_on": week.starts_on,
                "time_zone": zone.key,
                "steps_taken": STEPS[n % len(STEPS)],
                "next_focus": FOCUSES[n % len(FOCUSES)],
                "progress": 2 + n % 4,
                "visibility": CheckInVisibility.COACH if n % 3 == 0 else CheckInVisibility.PRIVATE,
                "created_at": written,
                "updated_at": written,
            },
        )
        if created:
            # Shared with the team's coach of the time, as the check-in page does.
            share_checkin(checkin)
        week = week.previous()


def _seed_reflections(user: User, program: Program, index: int, team: Team) -> None:
    audiences = [Visibility.PRIVATE, Visibility.TEAM, Visibility.COACH]
    prompts = list(Prompt.objects.filter(program=program, week_number__isnull=False))
    for offset in range(1 + index % 3):
        title, body, tags = REFLECTIONS[(index + offset) % len(REFLECTIONS)]
        written = timezone.now() - datetime.timedelta(days=5 + 9 * offset + index % 5, hours=index)
        entry, created = Reflection.objects.get_or_create(
            author=user,
            program=program,
            title=title,
            defaults={
                "team": team,
                "prompt": prompts[(index + offset) % len(prompts)] if prompts else None,
                "body": body,
                "visibility": audiences[(index + offset) % len(audiences)],
                "created_at": written,
                "updated_at": written,
            },
        )
        if created:
            entry.tags.set([Tag.objects.get_or_create(name=name)[0] for name in tags])
            share_reflection(entry)
            # The coach has read what was shared, all but each person's newest entry:
            # their home has something shared still to read.
            if entry.visibility != Visibility.PRIVATE and team.coach is not None and offset:
                ReadReceipt.objects.create(
                    reader=team.coach,
                    reflection=entry,
                    read_at=written + datetime.timedelta(hours=20),
                )


def _seed_team_reflection(team: Team, members: list[User], index: int) -> None:
    if not members:
        return
    title, body = TEAM_REFLECTION
    written = timezone.now() - datetime.timedelta(days=12)
    entry, created = TeamReflection.objects.get_or_create(
        team=team,
        title=title,
        defaults={
            "body": body,
            "share_with_sponsor": index % 2 == 0,
            "version": 2 if len(members) > 1 else 1,
            "created_by": members[0],
            "created_at": written,
            "updated_by": members[-1],
            "updated_at": written + datetime.timedelta(days=1),
        },
    )
    if created:
        share_team_reflection(entry)
        TeamReflectionEdit.objects.create(
            team_reflection=entry,
            editor=members[0],
            version=1,
            edited_at=written,
            title=title,
            body=body,
        )
        if len(members) > 1:
            TeamReflectionEdit.objects.create(
                team_reflection=entry,
                editor=members[-1],
                version=2,
                edited_at=written + datetime.timedelta(days=1),
                title=title,
                body=body,
            )


@transaction.atomic
def seed_reflections(*, program: Program) -> None:
    """Give the program's participants believable journals, plans and check-ins."""
    _seed_prompts(program)
    active = set(
        Membership.objects.filter(
            program=program, role=Role.PARTICIPANT, is_active=True
        ).values_list("user_id", flat=True)
    )
    index = 0
    for team_index, team in enumerate(
        Team.objects.filter(cohort__program=program).select_related("coach").order_by("name")
    ):
        members = [
            member.user
            for member in TeamMember.objects.filter(team=team)
            .select_related("user")
            .order_by("user__email")
            if member.user_id in active
        ]
        for position, user in enumerate(members):
            partner = members[(position + 1) % len(members)] if len(members) > 1 else None
            _seed_plan(user, program, index, partner)
            if index % 7 != 6:  # most, not all, keep checking in
                _seed_checkins(user, program, index, team)
            _seed_reflections(user, program, index, team)
            index += 1
        _seed_team_reflection(team, members, team_index)
