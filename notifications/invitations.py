"""Calendar invitations (iTIP, RFC 5546): the weekly Be Better Now check-in, and the
program's milestones for the people who ask, as real events in the calendar people live
in, which Outlook and Google Calendar add with one click and move when they change.

Each event a person is invited to is a `CalendarInvitation` with a UID that never changes.
Its first email is a `METHOD:REQUEST` at SEQUENCE 0; every change (the person's plan moves
the slot, they change their time zone, the program's default slot or dates change for the
people it concerns, a milestone's date changes) raises the SEQUENCE and sends the event
as it is now, as a REQUEST again; ending the membership, archiving the program or deleting
the milestone sends a `METHOD:CANCEL` with STATUS:CANCELLED, at a higher SEQUENCE still;
coming back (a membership or the program restored) sends a REQUEST again.
ORGANIZER is the app's sender (DEFAULT_FROM_EMAIL), ATTENDEE the person, who is asked to
answer (RSVP, PARTSTAT NEEDS-ACTION). Times carry the TZID of the person's zone with its
VTIMEZONE, so daylight saving keeps the local hour.

Every email is an `InvitationDelivery`, planned once per invitation and SEQUENCE (unique),
enqueued after commit and sent under the pipeline's one claim rule
(`notifications.pipeline`). A delivery that a later change overtook before it went out is
skipped: the later one carries the event as it is then.

The services that change a slot announce it (`core.events`); the handlers here (see
`register`) run after their transaction commits, each in its own transaction.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Iterator, Sequence
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from core.events import subscribe
from core.mail import BulkEmail, compose_email
from core.text import one_line
from notifications import pipeline
from notifications.models import (
    CalendarInvitation,
    InvitationDelivery,
    MilestoneInvitationRequest,
)
from notifications.pipeline import SEND_BATCH_SIZE, Composed
from programs.events import (
    MilestoneDeleted,
    MilestoneSaved,
    ProgramArchived,
    ProgramRestored,
    ProgramScheduleChanged,
    RoleEnded,
    RoleGranted,
    TimeZoneChanged,
)
from programs.models import Membership, Milestone, Program, Role, User, zone_or_site
from reflections.calendar import add_time_zones, checkin_event
from reflections.events import CheckInSlotChanged
from reflections.models import Plan
from reflections.weeks import next_slot

Kind = CalendarInvitation.Kind
Method = InvitationDelivery.Method
Status = InvitationDelivery.Status
PRODID = "-//ActionLab//Calendar invitations//EN"
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# The MIME type of the invitation's calendar part, and of the .ics file with it.
CALENDAR_TYPE = "text/calendar; method={method}"


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "actionlab.localhost"


def checkin_uid(user_id: int, program_id: int) -> str:
    return f"be-better-now-invitation-{program_id}-{user_id}@{_host()}"


def milestone_uid(user_id: int, milestone_id: int) -> str:
    return f"milestone-invitation-{milestone_id}-{user_id}@{_host()}"


# Planning ------------------------------------------------------------------------------


def enqueue_sending(delivery_ids: Sequence[int]) -> None:
    """Hand the deliveries to workers once the transaction commits."""
    from notifications.tasks import send_invitations

    for start in range(0, len(delivery_ids), SEND_BATCH_SIZE):
        batch = list(delivery_ids[start : start + SEND_BATCH_SIZE])
        transaction.on_commit(functools.partial(send_invitations.delay, batch))


def _plan(
    invitation: CalendarInvitation, method: str, now: datetime.datetime, *, first: bool = False
) -> int:
    """Raise the locked invitation's SEQUENCE (unless this is its `first` email), record
    the method, and plan the delivery of that SEQUENCE."""
    if not first:
        invitation.sequence += 1
    invitation.cancelled = method == Method.CANCEL
    invitation.updated_at = now
    invitation.save()
    delivery = InvitationDelivery.objects.create(
        invitation=invitation,
        sequence=invitation.sequence,
        method=method,
        created_at=now,
        queued_at=now,
    )
    enqueue_sending([delivery.pk])
    return delivery.pk


def _is_participant(user_id: int, program_id: int) -> bool:
    return Membership.objects.filter(
        user_id=user_id,
        program_id=program_id,
        role=Role.PARTICIPANT,
        is_active=True,
        program__archived_at__isnull=True,
    ).exists()


def _is_member(user_id: int, program_id: int) -> bool:
    return Membership.objects.filter(
        user_id=user_id, program_id=program_id, is_active=True, program__archived_at__isnull=True
    ).exists()


@transaction.atomic
def do_invite_to_checkin(
    *, user_id: int, program_id: int, moved: bool = False, now: datetime.datetime | None = None
) -> int | None:
    """Invite the participant to their weekly check-in: the first REQUEST, or a REQUEST
    again after a cancel (they came back). With `moved` (their slot changed) a live
    invitation is updated. Returns the delivery planned, if any: none for someone who is
    not an active participant, nor for a live invitation that did not move."""
    now = now or timezone.now()
    if not _is_participant(user_id, program_id):
        return None
    invitation, created = _locked(
        user_id=user_id,
        program_id=program_id,
        kind=Kind.CHECKIN,
        milestone_key=None,
        defaults={
            "uid": checkin_uid(user_id, program_id),
            "summary": "Be Better Now check-in (10 minutes)",
        },
        now=now,
    )
    if not created and not invitation.cancelled and not moved:
        return None
    return _plan(invitation, Method.REQUEST, now, first=created)


def _locked(
    *, defaults: dict[str, object], now: datetime.datetime, **key: object
) -> tuple[CalendarInvitation, bool]:
    """The invitation of `key`, made now if there is none (a concurrent maker's row is
    taken instead: the unique constraints), locked for the rest of the transaction; and
    whether it was made here."""
    invitation, created = CalendarInvitation.objects.get_or_create(
        **key, defaults={**defaults, "created_at": now, "updated_at": now}
    )
    if created:
        return invitation, True
    return CalendarInvitation.objects.select_for_update().get(pk=invitation.pk), False


@transaction.atomic
def do_update_invitations(
    invitations: Iterable[int], *, now: datetime.datetime | None = None
) -> list[int]:
    """Send the live ones of these invitations again, as they are now, at a higher
    SEQUENCE. Returns the deliveries planned."""
    now = now or timezone.now()
    locked = CalendarInvitation.objects.select_for_update().filter(
        pk__in=list(invitations), cancelled=False
    )
    return [_plan(invitation, Method.REQUEST, now) for invitation in locked.order_by("pk")]


@transaction.atomic
def do_cancel_invitations(
    invitations: Iterable[int], *, now: datetime.datetime | None = None
) -> list[int]:
    """Cancel the live ones of these invitations. Returns the deliveries planned."""
    now = now or timezone.now()
    locked = CalendarInvitation.objects.select_for_update().filter(
        pk__in=list(invitations), cancelled=False
    )
    return [_plan(invitation, Method.CANCEL, now) for invitation in locked.order_by("pk")]


def _live(**only: object) -> list[int]:
    return list(
        CalendarInvitation.objects.filter(cancelled=False, **only).values_list("pk", flat=True)
    )


@transaction.atomic
def do_request_milestone_invitations(
    *, user: User, program: Program, now: datetime.datetime | None = None
) -> list[int]:
    """The person asks for the program's milestones as invitations: each one they do not
    have yet (or had cancelled) is sent, and milestones added later will be. Returns the
    deliveries planned."""
    now = now or timezone.now()
    if program.archived_at is not None:
        return []
    MilestoneInvitationRequest.objects.get_or_create(
        user=user, program=program, defaults={"created_at": now}
    )
    planned = []
    for milestone in Milestone.objects.filter(program=program).order_by("due_on", "pk"):
        if (pk := _invite_to_milestone(user.pk, milestone, now)) is not None:
            planned.append(pk)
    return planned


def _invite_to_milestone(
    user_id: int, milestone: Milestone, now: datetime.datetime, *, moved: bool = False
) -> int | None:
    invitation, created = _locked(
        user_id=user_id,
        program_id=milestone.program_id,
        kind=Kind.MILESTONE,
        milestone_key=milestone.pk,
        defaults={"uid": milestone_uid(user_id, milestone.pk)},
        now=now,
    )
    if not created and not invitation.cancelled and not moved:
        return None
    invitation.summary = one_line(milestone.title)[:300]
    return _plan(invitation, Method.REQUEST, now, first=created)


@transaction.atomic
def do_milestone_saved(*, milestone_id: int, now: datetime.datetime | None = None) -> list[int]:
    """A milestone was added or changed: every active member of its program who asked
    for the milestones gets it, or its update."""
    now = now or timezone.now()
    milestone = Milestone.objects.filter(pk=milestone_id).first()
    if milestone is None:
        return []
    asked = MilestoneInvitationRequest.objects.filter(program_id=milestone.program_id)
    planned = []
    for user_id in asked.order_by("user_id").values_list("user_id", flat=True):
        if _is_member(user_id, milestone.program_id):
            pk = _invite_to_milestone(user_id, milestone, now, moved=True)
            if pk is not None:
                planned.append(pk)
    return planned


# Handlers of the services' events ------------------------------------------------------


def role_granted(event: RoleGranted) -> None:
    if event.role == Role.PARTICIPANT:
        do_invite_to_checkin(user_id=event.user_id, program_id=event.program_id)


def role_ended(event: RoleEnded) -> None:
    """A participant who leaves has their check-in cancelled; someone left with no role
    in the program, their milestones too (and their request ends)."""
    with transaction.atomic():
        if not _is_participant(event.user_id, event.program_id):
            do_cancel_invitations(
                _live(user_id=event.user_id, program_id=event.program_id, kind=Kind.CHECKIN)
            )
        if not _is_member(event.user_id, event.program_id):
            MilestoneInvitationRequest.objects.filter(
                user_id=event.user_id, program_id=event.program_id
            ).delete()
            do_cancel_invitations(_live(user_id=event.user_id, program_id=event.program_id))


def slot_changed(event: CheckInSlotChanged) -> None:
    do_invite_to_checkin(user_id=event.user_id, program_id=event.program_id, moved=True)


def time_zone_changed(event: TimeZoneChanged) -> None:
    """The person's check-in invitations move to their new clock (milestones are whole
    days and stay)."""
    do_update_invitations(_live(user_id=event.user_id, kind=Kind.CHECKIN))


def program_schedule_changed(event: ProgramScheduleChanged) -> None:
    """The program's dates bound everyone's weekly check-in; its default slot is the slot
    of the people without a plan of their own: their invitations move."""
    invitations = CalendarInvitation.objects.filter(
        program_id=event.program_id, kind=Kind.CHECKIN, cancelled=False
    )
    if not event.dates_changed:
        with_plans = Plan.objects.filter(program_id=event.program_id).values("user_id")
        invitations = invitations.exclude(user_id__in=with_plans)
    do_update_invitations(list(invitations.values_list("pk", flat=True)))


def program_archived(event: ProgramArchived) -> None:
    """Everyone whose membership the archiving paused has their invitations cancelled."""
    still_members = Membership.objects.filter(program_id=event.program_id, is_active=True)
    invitations = (
        CalendarInvitation.objects.filter(program_id=event.program_id, cancelled=False)
        .exclude(user_id__in=still_members.values("user_id"))
        .values_list("pk", flat=True)
    )
    do_cancel_invitations(list(invitations))


def program_restored(event: ProgramRestored) -> None:
    """The people the restoring brought back are invited again: participants to their
    check-in, and whoever had asked to the milestones."""
    with transaction.atomic():
        participants = Membership.objects.filter(
            program_id=event.program_id, role=Role.PARTICIPANT, is_active=True
        )
        for user_id in participants.order_by("user_id").values_list("user_id", flat=True):
            do_invite_to_checkin(user_id=user_id, program_id=event.program_id)
        asked = MilestoneInvitationRequest.objects.filter(program_id=event.program_id)
        for request in asked.select_related("user", "program").order_by("user_id"):
            if _is_member(request.user_id, event.program_id):
                do_request_milestone_invitations(user=request.user, program=request.program)


def milestone_saved(event: MilestoneSaved) -> None:
    do_milestone_saved(milestone_id=event.milestone_id)


def milestone_deleted(event: MilestoneDeleted) -> None:
    do_cancel_invitations(
        _live(program_id=event.program_id, kind=Kind.MILESTONE, milestone_key=event.milestone_id)
    )


def register() -> None:
    """Subscribe the handlers: each runs once the announcer's transaction commits."""
    subscribe(RoleGranted, role_granted, after_commit=True)
    subscribe(RoleEnded, role_ended, after_commit=True)
    subscribe(CheckInSlotChanged, slot_changed, after_commit=True)
    subscribe(TimeZoneChanged, time_zone_changed, after_commit=True)
    subscribe(ProgramScheduleChanged, program_schedule_changed, after_commit=True)
    subscribe(ProgramArchived, program_archived, after_commit=True)
    subscribe(ProgramRestored, program_restored, after_commit=True)
    subscribe(MilestoneSaved, milestone_saved, after_commit=True)
    subscribe(MilestoneDeleted, milestone_deleted, after_commit=True)


# The calendar and its email --------------------------------------------------------------


def _organizer() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    if name:
        organizer.params["CN"] = vText(name)
    return organizer


def _attendee(user: User) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{user.email}")
    attendee.params["CN"] = vText(one_line(user.display_name))
    attendee.params["CUTYPE"] = vText("INDIVIDUAL")
    attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
    attendee.params["PARTSTAT"] = vText("NEEDS-ACTION")
    attendee.params["RSVP"] = vText("TRUE")
    return attendee


def invitation_calendar(
    invitation: CalendarInvitation,
    *,
    method: str,
    user: User,
    program: Program,
    milestone: Milestone | None,
    now: datetime.datetime,
) -> tuple[str, str]:
    """The iTIP calendar of the invitation as it is now (the REQUEST or the CANCEL of its
    current SEQUENCE), and a sentence saying when it is, on the person's clock."""
    stamp = now.astimezone(datetime.UTC).replace(microsecond=0)
    start: datetime.datetime | None = None
    last_day = stamp
    if invitation.kind == Kind.CHECKIN:
        weekday, at, zone_name, _ = Plan.objects.slot_for(user, program)
        zone = zone_or_site(zone_name)
        # The first meeting: the next slot, or the first one of a program yet to begin.
        begins = datetime.datetime.combine(program.starts_on, datetime.time(0), tzinfo=zone)
        start = next_slot(max(now, begins - datetime.timedelta(microseconds=1)), weekday, at, zone)
        event, last_day = checkin_event(
            uid=invitation.uid,
            program_id=program.pk,
            ends_on=program.ends_on,
            weekday=weekday,
            start=start,
            time_zone=zone_name,
            stamp=stamp,
        )
        when = f"every {WEEKDAY_NAMES[weekday]} at {at:%H:%M} ({zone_name})"
        event["summary"] = vText(one_line(f"Be Better Now check-in · {program.name}"))
    elif milestone is not None:
        event = Event.new(
            uid=invitation.uid,
            summary=one_line(f"{milestone.title} · {program.name}"),
            start=milestone.due_on,
            end=milestone.due_on + datetime.timedelta(days=1),
            stamp=stamp,
            description=milestone.description or None,
        )
        event.add("transp", "TRANSPARENT")
        when = f"on {milestone.due_on:%A %d %B %Y}"
    else:  # a deleted milestone: only its cancel is sent
        event = Event.new(uid=invitation.uid, summary=invitation.summary, stamp=stamp)
        when = ""
    event.add("sequence", invitation.sequence)
    event.add("organizer", _organizer())
    event.add("attendee", _attendee(user))
    if method == Method.CANCEL:
        event.add("status", "CANCELLED")
        # No reminder for an event that is gone.
        event.subcomponents = []
    else:
        event.add("status", "CONFIRMED")
    calendar = Calendar.new(prodid=PRODID, method=method)
    # One UID per message, the event's (RFC 5546): no calendar-wide one of its own.
    calendar.pop("UID", None)
    calendar.add_component(event)
    if start is not None:
        add_time_zones(calendar, start, last_day)
    return calendar.to_ical().decode(), when


def message_id(delivery: InvitationDelivery) -> str:
    """The same Message-ID for every attempt at one delivery."""
    return f"<invitation.{delivery.invitation_id}.{delivery.sequence}.{delivery.pk}@{_host()}>"


def invitation_message(
    delivery: InvitationDelivery, milestone: Milestone | None, now: datetime.datetime
) -> BulkEmail:
    """The email of one delivery: text and HTML saying what it is, the calendar as a
    `text/calendar; method=…` alternative (what Outlook and Google Calendar offer their
    buttons for), and the same calendar as an .ics file."""
    invitation = delivery.invitation
    user, program = invitation.user, invitation.program
    ics, when = invitation_calendar(
        invitation,
        method=delivery.method,
        user=user,
        program=program,
        milestone=milestone,
        now=now,
    )
    checkin = invitation.kind == Kind.CHECKIN
    what = "Be Better Now check-in" if checkin else invitation.summary
    cancelled = delivery.method == Method.CANCEL
    if cancelled:
        subject = f"Cancelled: {what} · {program.name}"
    elif delivery.sequence:
        subject = f"Updated invitation: {what} · {program.name}"
    else:
        subject = f"Invitation: {what} · {program.name}"
    context = {
        "person": user,
        "program": program,
        "checkin": checkin,
        "what": what,
        "when": when,
        "cancelled": cancelled,
        "updated": bool(delivery.sequence) and not cancelled,
    }
    message = compose_email(
        subject=subject,
        text_template="notifications/email/invitation.txt",
        html_template="notifications/email/invitation.html",
        context=context,
        to=[user.email],
        headers={"Message-ID": message_id(delivery)},
    )
    calendar_type = CALENDAR_TYPE.format(method=delivery.method)
    message.attach_alternative(ics, calendar_type)
    message.attach("invite.ics", ics, calendar_type)
    return message


def _compose(claimed: Sequence[int], now: datetime.datetime) -> Iterator[tuple[int, Composed]]:
    deliveries = list(
        InvitationDelivery.objects.filter(pk__in=claimed)
        .select_related("invitation__user", "invitation__program")
        .order_by("pk")
    )
    milestones = Milestone.objects.in_bulk(
        [d.invitation.milestone_key for d in deliveries if d.invitation.milestone_key]
    )
    for delivery in deliveries:
        invitation = delivery.invitation
        if delivery.sequence < invitation.sequence:
            yield delivery.pk, "A later change of the event was sent instead."
        elif not invitation.user.is_active or not invitation.user.email:
            yield delivery.pk, "The person's account is closed."
        else:
            milestone = milestones.get(invitation.milestone_key or 0)
            gone = invitation.kind == Kind.MILESTONE and milestone is None
            if gone and delivery.method == Method.REQUEST:
                yield delivery.pk, "The milestone was deleted."
            else:
                yield delivery.pk, invitation_message(delivery, milestone, now)


def do_send_invitations(
    *,
    delivery_ids: Iterable[int],
    final_attempt: bool = False,
    now: datetime.datetime | None = None,
) -> list[int]:
    """Send a batch of invitation emails under the pipeline's claim rule; returns the ids
    left queued by a transient failure, for the caller to retry later."""
    statuses = pipeline.send_batch(
        InvitationDelivery,
        delivery_ids,
        _compose,
        final_attempt=final_attempt,
        now=now or timezone.now(),
    )
    return [pk for pk, status in statuses.items() if status == Status.QUEUED]


def do_requeue_stuck_invitations(*, now: datetime.datetime | None = None) -> int:
    """Hand to a worker again the rows idle past their lease (`pipeline.requeue_stuck`)."""
    return pipeline.requeue_stuck(
        InvitationDelivery, enqueue=enqueue_sending, now=now or timezone.now()
    )


# What the reminders and pages read -------------------------------------------------------


def invited_to_checkin(pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """The (person, program) pairs whose live check-in invitation went out: their first
    reminder needs no calendar file of its own."""
    pairs = list(pairs)
    if not pairs:
        return set()
    users = {user for user, _ in pairs}
    programs = {program for _, program in pairs}
    return set(
        CalendarInvitation.objects.filter(
            user_id__in=users,
            program_id__in=programs,
            kind=Kind.CHECKIN,
            cancelled=False,
            deliveries__status=Status.SENT,
        ).values_list("user_id", "program_id")
    )


def asked_for_milestones(user: User, program: Program) -> bool:
    return MilestoneInvitationRequest.objects.filter(user=user, program=program).exists()
