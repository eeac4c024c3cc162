"""The coach's weekly digest and the accountability partner's check-in note (DESIGN.md,
"Weekly reminders").

Both are `ReminderDelivery` rows of their own kind, so "sent once" is the same database
fact as for the check-in reminder: one row per person, program, ISO week and kind. They
share its life (queued → sending → sent, failed or skipped, with the reason), the
pipeline's one claim rule, retries and sweeper (`notifications.pipeline`) and its signed
one-click unsubscribe, and have their own tick and send task.

- **Coach digest**: one per coach and program each week, planned once the coach's own
  Monday 08:00 has passed (the coach's time zone in the program's organisation), for
  every active coach of a running program who guides at least one team there. It counts
  check-in *completion* per team and week (n of m members) and names who has not checked
  in: it never reads what a check-in or a reflection says.
- **Partner note**: when a participant who switched it on in their plan checks in, their
  accountability partner gets one short note that they did, that week; never what they
  wrote. A partner from outside the program gets it only once they agreed to be the
  partner. The delivery row belongs to the participant, so an edited check-in, or a
  second one from another window, never sends a second note that week.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from core.events import subscribe
from core.mail import BulkEmail, compose_email
from notifications import pipeline
from notifications.models import ReminderDelivery
from notifications.pipeline import Composed
from notifications.reminders import (
    Slot,
    enqueue_batches,
    reminders_enabled,
    reminders_turned_off,
    unsubscribe_url,
)
from programs.models import Membership, Program, Role, User, zone_or_site
from reflections.events import CheckedIn
from reflections.models import (
    CheckIn,
    PartnerNudgeOptOut,
    Plan,
    ReminderKind,
)
from reflections.weeks import LocalWeek
from teams.models import Team, TeamMember

# The digest goes out on the coach's Monday morning: last week is complete by then, and
# the coach can plan the week's team meetings with it.
DIGEST_WEEKDAY = Program.Weekday.MONDAY
DIGEST_TIME = datetime.time(8, 0)
# This week and the four before it.
DIGEST_WEEKS = 5
KINDS = (ReminderKind.COACH_DIGEST, ReminderKind.PARTNER_NUDGE)
PARTNER_OPT_OUT_SALT = "reflections.digests.partner-note-opt-out"
# What the planner reads of `digest_coaches`: the coach's zone and the program's dates.
DIGEST_COACH_FIELDS = ("user_id", "program_id", "zone", "program__starts_on", "program__ends_on")

Status = ReminderDelivery.Status


def _is_running(delivery: ReminderDelivery) -> bool:
    """Whether the program runs on the day of the delivery's slot, on the coach's clock."""
    return delivery.program.runs_on(
        delivery.due_at.astimezone(zone_or_site(delivery.time_zone)).date()
    )


# Coach digest: planning ----------------------------------------------------------------


def digest_coaches(now: datetime.datetime) -> QuerySet[Membership]:
    """Active coach memberships of coaches who guide a team there and have not turned the
    digest off, in programs that may run on someone's clock this week (the planner
    compares the program's dates with the coach's own Monday), each annotated with the
    coach's own time zone."""
    today = now.astimezone(datetime.UTC).date()
    return (
        Membership.objects.filter(
            role=Role.COACH,
            is_active=True,
            user__is_active=True,
            program__starts_on__lte=today + datetime.timedelta(days=1),
            program__ends_on__gte=today - datetime.timedelta(days=8),
        )
        .filter(
            Exists(
                Team.objects.filter(coach=OuterRef("user"), cohort__program=OuterRef("program"))
            )
        )
        .exclude(reminders_turned_off(ReminderKind.COACH_DIGEST))
        .annotate(zone=F("user__time_zone"))
        .order_by()
    )


@transaction.atomic
def do_plan_coach_digests(*, now: datetime.datetime | None = None) -> list[int]:
    """Insert this week's digest for every coach whose Monday 08:00 has passed and who has
    none yet, and enqueue their sending after commit. Returns the ids this call inserted:
    a second or concurrent tick inserts nothing, the unique constraint sees to that."""
    now = now or timezone.now()
    coaches = list(digest_coaches(now).values_list(*DIGEST_COACH_FIELDS))
    slots = {
        zone: Slot.this_week(now, DIGEST_WEEKDAY, DIGEST_TIME, zone)
        for zone in {zone for _, _, zone, _, _ in coaches}
    }
    due = [
        (user, program, slots[zone])
        for user, program, zone, starts_on, ends_on in coaches
        if slots[zone].due_at <= now and Program.dates_include(starts_on, ends_on, slots[zone].day)
    ]
    if not due:
        return []
    planned_already = set(
        ReminderDelivery.objects.filter(
            kind=ReminderKind.COACH_DIGEST,
            program_id__in={program for _, program, _ in due},
            iso_year__in={slot.week.iso_year for _, _, slot in due},
            iso_week__in={slot.week.iso_week for _, _, slot in due},
        ).values_list("user_id", "program_id", "iso_year", "iso_week")
    )
    due = [
        (user, program, slot)
        for user, program, slot in due
        if (user, program, slot.week.iso_year, slot.week.iso_week) not in planned_already
    ]
    if not due:
        return []
    tick = uuid.uuid4()
    ReminderDelivery.objects.bulk_create(
        [
            ReminderDelivery(
                user_id=user,
                program_id=program,
                kind=ReminderKind.COACH_DIGEST,
                iso_year=slot.week.iso_year,
                iso_week=slot.week.iso_week,
                time_zone=slot.zone_name,
                due_at=slot.due_at,
                planned_by=tick,
                created_at=now,
                queued_at=now,
            )
            for user, program, slot in due
        ],
        ignore_conflicts=True,
    )
    return _enqueue_planned_by(tick)


def _enqueue_planned_by(tick: uuid.UUID) -> list[int]:
    # With ignore_conflicts the database returns no ids; the tick's mark finds exactly the
    # rows this call inserted, not those another one won.
    planned = list(
        ReminderDelivery.objects.filter(planned_by=tick)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    enqueue_sending(planned)
    return planned


def enqueue_sending(delivery_ids: Sequence[int]) -> None:
    """Hand digests and partner notes to workers after commit, in batches."""
    from notifications.tasks import send_digest_deliveries

    enqueue_batches(send_digest_deliveries.delay, delivery_ids)


def do_requeue_stuck_digests(*, now: datetime.datetime | None = None) -> int:
    """The digests' and partner notes' sweeper (`pipeline.requeue_stuck`)."""
    return pipeline.requeue_stuck(
        ReminderDelivery, enqueue=enqueue_sending, now=now or timezone.now(), kind__in=KINDS
    )


# Coach digest: content -----------------------------------------------------------------


@dataclass(frozen=True)
class WeekCount:
    """How many of a team's members checked in during one week (`started` is False for
    a week before the team's cohort began)."""

    week: LocalWeek
    done: int
    members: int
    started: bool = True


@dataclass(frozen=True)
class TeamDigest:
    team: Team
    weeks: list[WeekCount]
    # Display names of the members without a check-in last week: completion, not content.
    missed_last_week: list[str]


def digest_weeks(current: LocalWeek, program: Program) -> list[LocalWeek]:
    """This week and the ones before it, newest first, none before the program began."""
    weeks = [current]
    while len(weeks) < DIGEST_WEEKS:
        weeks.append(weeks[-1].previous())
    return [week for week in weeks if week.ends_on >= program.starts_on]


def build_coach_digest(*, coach: User, program: Program, current: LocalWeek) -> list[TeamDigest]:
    """Check-in completion of the teams `coach` guides in `program`, for the digest's
    weeks. Members are the team's active participants. Three queries whatever the
    number of teams, and none of them reads a check-in's text."""
    weeks = digest_weeks(current, program)
    teams = list(
        Team.objects.filter(cohort__program=program, coach=coach)
        .select_related("cohort")
        .order_by("name")
    )
    active = Membership.objects.filter(
        user=OuterRef("user"), program=program, role=Role.PARTICIPANT, is_active=True
    )
    members: dict[int, list[User]] = defaultdict(list)
    for member in (
        TeamMember.objects.filter(team__in=teams)
        .filter(Exists(active))
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    ):
        members[member.team_id].append(member.user)
    done: set[tuple[int, LocalWeek]] = {
        (user_id, LocalWeek(year, week))
        for user_id, year, week in CheckIn.objects.filter(
            program=program,
            user_id__in=[user.pk for people in members.values() for user in people],
            week_starts_on__in=[week.starts_on for week in weeks],
        ).values_list("user_id", "iso_year", "iso_week")
    }
    last_week = current.previous()
    digests = []
    for team in teams:
        people = members[team.pk]
        counts = [
            WeekCount(
                week=week,
                done=sum((user.pk, week) in done for user in people),
                members=len(people),
                started=week.ends_on >= team.cohort.starts_on,
            )
            for week in weeks
        ]
        missed = []
        if last_week in weeks and last_week.ends_on >= team.cohort.starts_on:
            missed = [user.display_name for user in people if (user.pk, last_week) not in done]
        digests.append(TeamDigest(team=team, weeks=counts, missed_last_week=missed))
    return digests


def _digest_skip_reason(delivery: ReminderDelivery, now: datetime.datetime) -> str:
    """Why the digest should not go out any more ("" when it should)."""
    if not reminders_enabled(delivery.user, delivery.kind):
        return "Digests turned off by the coach."
    if not _is_running(delivery):
        return "The program is not running."
    if not Membership.objects.filter(
        user_id=delivery.user_id, program_id=delivery.program_id, role=Role.COACH, is_active=True
    ).exists():
        return "No longer a coach in the program."
    if not Team.objects.filter(
        coach_id=delivery.user_id, cohort__program_id=delivery.program_id
    ).exists():
        return "Guides no team in the program any more."
    if LocalWeek.of(now, zone_or_site(delivery.time_zone)) != LocalWeek(
        delivery.iso_year, delivery.iso_week
    ):
        return "The week ended before the digest could be sent."
    return ""


def _message(
    *, subject: str, template: str, context: dict[str, object], to: str, unsubscribe: str
) -> BulkEmail:
    """Text and HTML email with the one-click unsubscribe headers (RFC 8058)."""
    return compose_email(
        subject=subject,
        text_template=f"notifications/email/{template}.txt",
        html_template=f"notifications/email/{template}.html",
        context={**context, "unsubscribe_url": unsubscribe},
        to=[to],
        unsubscribe_url=unsubscribe,
    )


def digest_message(delivery: ReminderDelivery) -> BulkEmail:
    coach, program = delivery.user, delivery.program
    current = LocalWeek(delivery.iso_year, delivery.iso_week)
    return _message(
        subject=f"Check-in completion of your teams, week of {week_start(current)} · "
        f"{program.name}",
        template="coach_digest",
        context={
            "coach": coach,
            "program": program,
            "current": current,
            "teams": build_coach_digest(coach=coach, program=program, current=current),
            "dashboard_url": settings.SITE_URL
            + reverse("dashboards:coach_dashboard", args=[program.pk]),
        },
        to=coach.email,
        unsubscribe=unsubscribe_url(coach, ReminderKind.COACH_DIGEST),
    )


def week_start(week: LocalWeek) -> str:
    return f"{week.starts_on:%-d %B %Y}"


# Partner note --------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str
    unsubscribe_url: str


def partner_opt_out_token(email: str) -> str:
    """A signed token naming an address that wants no more partner notes. It does not
    expire: the link in a months-old note must still work."""
    return signing.dumps({"email": email.lower()}, salt=PARTNER_OPT_OUT_SALT)


def partner_opt_out_url(email: str) -> str:
    return settings.SITE_URL + reverse(
        "notifications:partner_unsubscribe", args=[partner_opt_out_token(email)]
    )


def email_from_partner_opt_out_token(token: str) -> str | None:
    """The address a valid token names; None for a forged or altered token."""
    try:
        data = signing.loads(token, salt=PARTNER_OPT_OUT_SALT)
    except signing.BadSignature:
        return None
    email = data.get("email") if isinstance(data, dict) else None
    return email if isinstance(email, str) and "@" in email else None


def do_opt_out_of_partner_notes(*, email: str) -> PartnerNudgeOptOut:
    """No more partner notes to this address, whoever names it as their partner."""
    opt_out, _ = PartnerNudgeOptOut.objects.get_or_create(
        email=email.lower(), defaults={"created_at": timezone.now()}
    )
    return opt_out


def partner_recipient(plan: Plan) -> Recipient | str:
    """Who gets the note about this plan's check-ins, or why nobody does: a partner in
    the program who has not turned the notes off, or a partner from outside it who
    agreed to be the partner and has not unsubscribed."""
    partner = plan.partner_user
    if partner is not None:
        if not partner.is_active:
            return "The partner's account is closed."
        if (
            not Membership.objects.not_left()
            .filter(user=partner, program_id=plan.program_id)
            .exists()
        ):
            # A partner chosen among the program's members hears nothing once they left
            # it; after the program (ended or archived) the partnership goes on.
            return "The partner's membership in the program ended."
        if not reminders_enabled(partner, ReminderKind.PARTNER_NUDGE):
            return "The partner turned these notes off."
        return Recipient(
            name=partner.first_name or partner.display_name,
            email=partner.email,
            unsubscribe_url=unsubscribe_url(partner, ReminderKind.PARTNER_NUDGE),
        )
    if not plan.partner_email:
        return "The plan names no accountability partner."
    if plan.partner_confirmed_at is None:
        return "The partner has not agreed to be the accountability partner."
    if PartnerNudgeOptOut.objects.filter(email=plan.partner_email.lower()).exists():
        return "The partner turned these notes off."
    return Recipient(
        name=plan.partner_name,
        email=plan.partner_email,
        unsubscribe_url=partner_opt_out_url(plan.partner_email),
    )


def _opted_in_plan(user_id: int, program_id: int) -> Plan | None:
    return (
        Plan.objects.select_related("partner_user")
        .filter(user_id=user_id, program_id=program_id, notify_partner=True)
        .first()
    )


def do_plan_partner_note(
    *,
    user_id: int,
    program_id: int,
    iso_year: int,
    iso_week: int,
    time_zone: str,
    now: datetime.datetime | None = None,
) -> int | None:
    """Called when a check-in is saved: if its author asked to tell their partner and has
    one who may hear from us, insert the week's note (once per person, program and week)
    and enqueue its sending after commit. Returns the new delivery's id, or None (not
    asked, nobody to tell, or this week's note exists already)."""
    plan = _opted_in_plan(user_id, program_id)
    if plan is None or not isinstance(partner_recipient(plan), Recipient):
        return None
    now = now or timezone.now()
    tick = uuid.uuid4()
    ReminderDelivery.objects.bulk_create(
        [
            ReminderDelivery(
                user_id=user_id,
                program_id=program_id,
                kind=ReminderKind.PARTNER_NUDGE,
                iso_year=iso_year,
                iso_week=iso_week,
                time_zone=time_zone,
                due_at=now,
                planned_by=tick,
                created_at=now,
                queued_at=now,
            )
        ],
        ignore_conflicts=True,
    )
    planned = _enqueue_planned_by(tick)
    return planned[0] if planned else None


def checked_in(event: CheckedIn) -> None:
    """A check-in was saved: plan its week's partner note, inside the check-in's own
    transaction (a check-in that rolls back plans nothing)."""
    do_plan_partner_note(
        user_id=event.user_id,
        program_id=event.program_id,
        iso_year=event.iso_year,
        iso_week=event.iso_week,
        time_zone=event.time_zone,
        now=event.at,
    )


def register() -> None:
    """Subscribe the partner notes to check-ins (called from `NotificationsConfig.ready`)."""
    subscribe(CheckedIn, checked_in, after_commit=False)


def _partner_note_recipient(delivery: ReminderDelivery) -> str | Recipient:
    """The note's recipient, or why the note should not go out any more."""
    plan = _opted_in_plan(delivery.user_id, delivery.program_id)
    if plan is None:
        return "The person no longer tells their partner."
    if not CheckIn.objects.filter(
        user_id=delivery.user_id,
        program_id=delivery.program_id,
        iso_year=delivery.iso_year,
        iso_week=delivery.iso_week,
    ).exists():
        return "The check-in no longer exists."
    return partner_recipient(plan)


def partner_note_message(delivery: ReminderDelivery, to: Recipient) -> BulkEmail:
    person = delivery.user
    week = LocalWeek(delivery.iso_year, delivery.iso_week)
    return _message(
        subject=f"{person.display_name} checked in this week · Be Better Now",
        template="partner_nudge",
        context={
            "partner_name": to.name,
            "person": person,
            "program": delivery.program,
            "week_start": week_start(week),
        },
        to=to.email,
        unsubscribe=to.unsubscribe_url,
    )


# Sending -------------------------------------------------------------------------------


def _composed(delivery: ReminderDelivery, now: datetime.datetime) -> Composed:
    """The email to send for the delivery, or the reason to skip it."""
    if delivery.kind == ReminderKind.COACH_DIGEST:
        reason = _digest_skip_reason(delivery, now)
        return reason or digest_message(delivery)
    recipient = _partner_note_recipient(delivery)
    if isinstance(recipient, str):
        return recipient
    return partner_note_message(delivery, recipient)


def _compose(claimed: Sequence[int], now: datetime.datetime) -> Iterator[tuple[int, Composed]]:
    deliveries = ReminderDelivery.objects.select_related("user", "program__organization")
    for delivery in deliveries.filter(pk__in=claimed).order_by("pk"):
        yield delivery.pk, _composed(delivery, now)


def do_send_digest_deliveries(
    *,
    delivery_ids: Iterable[int],
    final_attempt: bool = False,
    now: datetime.datetime | None = None,
) -> list[int]:
    """Send a batch of coach digests and partner notes through one SMTP connection, each
    unless it was sent, skipped or failed already or another worker claimed it; returns
    the ids left queued by a transient failure, to retry. Deliveries of other kinds are
    left alone."""
    statuses = _send_batch(delivery_ids, final_attempt=final_attempt, now=now)
    return [pk for pk, status in statuses.items() if status == Status.QUEUED]


def do_send_digest_delivery(
    *, delivery_id: int, final_attempt: bool = False, now: datetime.datetime | None = None
) -> str:
    """Send one digest or partner note (as a batch of one) and return the delivery's
    status afterwards."""
    statuses = _send_batch([delivery_id], final_attempt=final_attempt, now=now)
    return statuses.get(delivery_id, Status.SKIPPED)


def _send_batch(
    delivery_ids: Iterable[int], *, final_attempt: bool, now: datetime.datetime | None
) -> dict[int, str]:
    # Only the digests' and partner notes' rows: a reminder's id sent here by mistake is
    # not claimed (its own task sends it).
    ours = ReminderDelivery.objects.filter(pk__in=list(delivery_ids), kind__in=KINDS)
    return pipeline.send_batch(
        ReminderDelivery,
        ours.values_list("pk", flat=True),
        _compose,
        final_attempt=final_attempt,
        now=now or timezone.now(),
    )
