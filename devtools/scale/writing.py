"""A year of each participant's writing and each team's meetings: Be Better Now plans,
weekly check-ins, reflections with tags and read receipts, pulses, coach notes and team
reflections."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from coaching.models import PULSE_DIMENSIONS, CoachNote, PulseResponse, PulseSurvey
from devtools.demo.coach_tools import NOTES
from devtools.demo.reflections import (
    ACTIONS,
    ASPECTS,
    FOCUSES,
    REFLECTIONS,
    STEPS,
    TEAM_REFLECTION,
)
from devtools.scale.data import (
    MEETING_EVERY_WEEKS,
    MINUTES_PAST_SLOT,
    TIME_ZONES,
)
from reflections.models import (
    Audience,
    AudienceRole,
    CheckIn,
    CheckInVisibility,
    Plan,
    ReadReceipt,
    Reflection,
    TeamReflection,
    TeamReflectionEdit,
    Visibility,
)
from reflections.weeks import LocalWeek

if TYPE_CHECKING:
    from devtools.scale.seeder import Seeder


def local_weeks(s: Seeder, zone: zoneinfo.ZoneInfo) -> list[LocalWeek]:
    """The program's weeks before the person's current one, oldest first."""
    current = LocalWeek.of(s.now, zone)
    week = LocalWeek.containing(s.starts_on)
    found = []
    while week < current:
        found.append(week)
        week = LocalWeek.containing(week.starts_on + datetime.timedelta(days=7))
    return found


def seed_checkins_and_plans(s: Seeder) -> None:
    rng, w, program = s.rng, s.writer, s.program
    plan_rows = []
    now = s.now
    created = s.at(s.starts_on + datetime.timedelta(days=3))
    zones = {name: zoneinfo.ZoneInfo(name) for name, _ in TIME_ZONES}
    weeks_in = {name: local_weeks(s, zone) for name, zone in zones.items()}
    for team in s.teams:
        members = team.members
        for position, person in enumerate(members):
            partner = members[(position + 1) % len(members)] if len(members) > 1 else None
            plan_rows.append(
                (
                    person.user_id,
                    program.pk,
                    ASPECTS[person.user_id % len(ASPECTS)],
                    ACTIONS[person.user_id % len(ACTIONS)],
                    partner.user_id if partner else None,
                    "",
                    "",
                    "",
                    program.checkin_weekday,
                    program.checkin_time,
                    created,
                    created,
                )
            )
            # Most people keep checking in; some drift away; participant 1 is steady.
            s.diligence[person.user_id] = (
                0.9 if person is s.participants[0] else rng.betavariate(5, 1.6)
            )
    w.write(
        Plan,
        (
            "user program aspect action partner_user partner_name partner_email "
            "partner_invited_email checkin_weekday checkin_time created_at "
            "updated_at"
        ),
        plan_rows,
    )
    slot = program.checkin_time
    visibilities = [CheckInVisibility.PRIVATE] * 3 + [
        CheckInVisibility.COACH,
        CheckInVisibility.PARTNER,
    ]

    def rows() -> Iterator[tuple[Any, ...]]:
        random_ = rng.random
        for team in s.teams:
            for person in team.members:
                zone = zones[person.time_zone]
                keep = s.diligence[person.user_id]
                n = person.user_id
                for week in weeks_in[person.time_zone]:
                    n += 1
                    if random_() > keep:
                        continue
                    starts = week.starts_on
                    written = datetime.datetime.combine(
                        starts + datetime.timedelta(days=program.checkin_weekday),
                        slot,
                        tzinfo=zone,
                    ) + datetime.timedelta(minutes=MINUTES_PAST_SLOT + n % 90)
                    written = min(written, now)
                    yield (
                        person.user_id,
                        program.pk,
                        team.team_id,
                        week.iso_year,
                        week.iso_week,
                        starts,
                        person.time_zone,
                        STEPS[n % len(STEPS)],
                        FOCUSES[n % len(FOCUSES)],
                        1 + n % 5,
                        visibilities[n % len(visibilities)],
                        written,
                        written,
                    )

    w.write(
        CheckIn,
        (
            "user program team iso_year iso_week week_starts_on time_zone steps_taken "
            "next_focus progress visibility created_at updated_at"
        ),
        rows(),
    )


# -- reflections -----------------------------------------------------------------


def seed_reflections(s: Seeder) -> None:
    rng, w, program = s.rng, s.writer, s.program
    weeks = s.spec.weeks
    prompt_by_week = {p.week_number: p.pk for p in s.prompts if p.week_number}
    audiences = [Visibility.PRIVATE, Visibility.PRIVATE, Visibility.TEAM, Visibility.COACH]
    entries, tags, receipts, audience = [], [], [], []
    # About one entry every other week each, fewer for those who drift away.
    expected = int(s.spec.participants * weeks * 0.6) + 1
    next_id = first_id = w.reserve(Reflection, expected)
    for team in s.teams:
        for person in team.members:
            keep = s.diligence[person.user_id] * 0.55
            for week in range(weeks):
                if rng.random() > keep:
                    continue
                n = person.user_id + week
                title, body, _ = REFLECTIONS[n % len(REFLECTIONS)]
                written = s.at(s.week_start(week) + datetime.timedelta(days=n % 7), 7 + n % 12)
                visibility = audiences[n % len(audiences)]
                deleted = (
                    written + datetime.timedelta(days=2)
                    if n % 97 == 0 and week < weeks - 1
                    else None
                )
                entries.append(
                    (
                        next_id,
                        person.user_id,
                        program.pk,
                        team.team_id,
                        prompt_by_week.get(week + 1),
                        title,
                        body,
                        visibility,
                        written,
                        written,
                        min(deleted, s.now) if deleted else None,
                    )
                )
                tags.append((next_id, s.tag_ids[n % len(s.tag_ids)]))
                if n % 3 == 0:
                    tags.append((next_id, s.tag_ids[(n + 5) % len(s.tag_ids)]))
                # Who held the places when the entry was shared (see `Audience`): the
                # team's coach, and for "my team and coach" its other members.
                if visibility != Visibility.PRIVATE:
                    audience.append((team.coach_id, AudienceRole.COACH, next_id, written))
                if visibility == Visibility.TEAM:
                    audience += [
                        (mate.user_id, AudienceRole.MEMBER, next_id, written)
                        for mate in team.members
                        if mate.user_id != person.user_id
                    ]
                if visibility != Visibility.PRIVATE and n % 5 < 3 and deleted is None:
                    receipts.append(
                        (
                            team.coach_id,
                            next_id,
                            min(written + datetime.timedelta(hours=20), s.now),
                        )
                    )
                next_id += 1
    if next_id > first_id + expected:
        raise RuntimeError("More reflections than reserved ids.")
    w.write(
        Reflection,
        ("id author program team prompt title body visibility created_at updated_at deleted_at"),
        entries,
    )
    w.write(Reflection.tags.through, "reflection tag", tags)
    w.write(ReadReceipt, "reader reflection read_at", receipts)
    w.write(Audience, "reader role reflection granted_at", audience)


# -- pulses, coach notes, team reflections ---------------------------------------


def seed_team_life(s: Seeder) -> None:
    rng, w, weeks = s.rng, s.writer, s.spec.weeks
    meetings = range(1, weeks + 1, MEETING_EVERY_WEEKS)
    survey_first = w.reserve(PulseSurvey, s.spec.teams * len(meetings))
    entry_first = w.reserve(TeamReflection, s.spec.teams * (weeks // 4 + 1))
    survey_id, entry_id = survey_first, entry_first
    surveys, responses, notes, entries, edits = [], [], [], [], []
    title, body = TEAM_REFLECTION
    dims = list(PULSE_DIMENSIONS)
    for team in s.teams:
        base = rng.uniform(2.6, 4.2)
        weekday = team.index % 5
        members = team.members
        for number, week in enumerate(meetings):
            meeting_on = s.week_start(week) + datetime.timedelta(days=weekday)
            if meeting_on >= s.today:
                break
            opened = s.at(meeting_on, 16)
            surveys.append((survey_id, team.team_id, meeting_on, team.coach_id, opened))
            drift = 0.8 * number / max(len(meetings), 1)
            for person in members:
                if rng.random() > 0.8:
                    continue
                scores = [max(1, min(5, round(rng.gauss(base + drift, 0.7)))) for _ in dims]
                responses.append((survey_id, person.user_id, *scores, "", s.at(meeting_on, 17)))
            note_body, task, process = NOTES[number % len(NOTES)]
            notes.append(
                (
                    team.team_id,
                    team.coach_id,
                    meeting_on,
                    note_body,
                    task,
                    process,
                    s.at(meeting_on, 18),
                    s.at(meeting_on, 18),
                )
            )
            survey_id += 1
        for week in range(2, weeks, 4):
            written = s.at(s.week_start(week) + datetime.timedelta(days=2), 12)
            edited = min(written + datetime.timedelta(days=1), s.now)
            first, last = members[0].user_id, members[-1].user_id
            entries.append(
                (
                    entry_id,
                    team.team_id,
                    title,
                    body,
                    week % 8 == 2,
                    2,
                    first,
                    written,
                    last,
                    edited,
                )
            )
            edits += [(entry_id, first, 1, written), (entry_id, last, 2, edited)]
            entry_id += 1
    w.write(PulseSurvey, "id team meeting_on opened_by created_at", surveys)
    w.write(
        PulseResponse,
        f"survey respondent {' '.join(dims)} comment created_at",
        responses,
    )
    w.write(
        CoachNote,
        "team author held_on body task_minutes process_minutes created_at updated_at",
        notes,
    )
    w.write(
        TeamReflection,
        (
            "id team title body share_with_sponsor version created_by created_at updated_by "
            "updated_at"
        ),
        entries,
    )
    w.write(TeamReflectionEdit, "team_reflection editor version edited_at", edits)
