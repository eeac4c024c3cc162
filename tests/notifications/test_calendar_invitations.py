"""Calendar invitations (iTIP, RFC 5546): the weekly Be Better Now slot lands in the
person's own calendar as a real invitation, moves when it changes and is cancelled when
they leave; milestones likewise for the people who ask. Each email is read back from its
raw MIME bytes and its calendar parsed with `icalendar` and held to the rules of RFC 5546
named in each assertion.

Nobody else hears anything: a person without a change gets nothing, a person who left gets
no further update, a milestone goes only to the people who asked for them."""

from __future__ import annotations

import datetime
import email
import email.policy
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from email.message import EmailMessage as Parsed
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from icalendar import Calendar, Event

from notifications import pipeline
from notifications.invitations import do_send_invitations
from notifications.models import CalendarInvitation, InvitationDelivery, ReminderDelivery
from programs.models import Membership, Milestone, Program, Role, User
from programs.services import (
    do_add_membership,
    do_archive_program,
    do_delete_milestone,
    do_save_milestone,
    do_save_program,
    do_update_person,
)
from reflections.services import do_save_plan
from teams.services import do_end_membership
from tests import factories as f

Capture = Callable[..., AbstractContextManager[Any]]
TUESDAY, THURSDAY = 1, 3


@pytest.fixture
def program(db: None) -> Program:
    return f.ProgramFactory(
        name="Clinical Leadership",
        starts_on=datetime.date(2026, 1, 5),
        ends_on=datetime.date(2027, 6, 4),
        checkin_weekday=TUESDAY,
        checkin_time=datetime.time(9, 0),
    )


@pytest.fixture
def join(program: Program, committed: Callable[[], Any]) -> Callable[..., User]:
    """A new participant of the program, in `zone`, as the invitation service adds them."""

    def make(zone: str = "Europe/Paris", email_address: str | None = None) -> User:
        user = f.UserFactory(time_zone=zone, **({"email": email_address} if email_address else {}))
        cohort = program.cohorts.first() or f.CohortFactory(program=program)
        with committed():
            do_add_membership(
                program=program, user=user, role=Role.PARTICIPANT, cohort=cohort, how="added"
            )
        return user

    return make


def raw(message: Any) -> Parsed:
    """The email as its recipient's client reads it: generated and parsed again."""
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, Parsed)
    return parsed


def calendar_of(message: Any) -> tuple[Calendar, Event, str]:
    """The invitation's calendar (from its `text/calendar` alternative part), its one
    event, and the part's `method=` parameter; the .ics file carries the same calendar."""
    parsed = raw(message)
    parts = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    inline = [p for p in parts if p.get_content_disposition() is None]
    files = [p for p in parts if p.get_filename() == "invite.ics"]
    assert len(inline) == 1 and len(files) == 1
    content = inline[0].get_content()
    assert files[0].get_content() == content
    assert inline[0].get_param("method") == files[0].get_param("method")
    calendar = Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    return calendar, event, str(inline[0].get_param("method"))


def invitation_emails(user: User) -> list[Any]:
    """The invitation emails the person got (not their other notifications)."""
    return [
        m
        for m in mail.outbox
        if m.to == [user.email] and any("text/calendar" in t for _, t in m.alternatives)
    ]


def invitations_to(user: User) -> list[tuple[Calendar, Event, str]]:
    return [calendar_of(m) for m in invitation_emails(user)]


def check_itip(calendar: Calendar, event: Event, part_method: str) -> None:
    """The rules every invitation keeps (RFC 5546, section 3.2)."""
    # METHOD is present and is the one the email part announces.
    assert calendar["METHOD"] == part_method
    assert part_method in ("REQUEST", "CANCEL")
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    # One event, and the only UID in the message is its own.
    assert len(calendar.walk("VEVENT")) == 1 and "UID" not in calendar
    # DTSTAMP, UID, SEQUENCE, ORGANIZER and ATTENDEE in both REQUEST and CANCEL.
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert event["UID"]
    assert isinstance(event.decoded("SEQUENCE"), int)
    name, address = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)
    assert str(event["ORGANIZER"]) == f"mailto:{address}"
    assert event["ORGANIZER"].params["CN"] == name
    attendee = event["ATTENDEE"]
    assert str(attendee).startswith("mailto:")
    if part_method == "REQUEST":
        assert event["DTSTART"] and event["SUMMARY"]
        assert attendee.params["RSVP"] == "TRUE"
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    else:
        assert event["STATUS"] == "CANCELLED"


def test_a_new_participant_is_invited_to_the_weekly_slot_as_an_itip_request(
    join: Callable[..., User],
) -> None:
    user = join("Europe/Paris")
    [(calendar, event, method)] = invitations_to(user)
    check_itip(calendar, event, method)
    assert method == "REQUEST"
    assert str(event["ATTENDEE"]) == f"mailto:{user.email}"
    assert event.decoded("SEQUENCE") == 0
    # Every time is local to the person's zone, with its VTIMEZONE in the calendar.
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    start = event.decoded("DTSTART")
    assert (start.weekday(), start.time()) == (TUESDAY, datetime.time(9, 0))
    [vtimezone] = calendar.walk("VTIMEZONE")
    assert vtimezone["TZID"] == "Europe/Paris"
    # Its daylight-saving rules travel with it: the meeting stays at 09:00 local in summer.
    assert {c.name for c in vtimezone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert event["RRULE"]["FREQ"] == ["WEEKLY"] and event["RRULE"]["BYDAY"] == ["TU"]
    record = CalendarInvitation.objects.get(user=user)
    assert (record.uid, record.sequence, record.cancelled) == (str(event["UID"]), 0, False)
    assert record.deliveries.get().status == "sent"


def test_the_email_has_a_text_calendar_method_request_alternative_part(
    join: Callable[..., User],
) -> None:
    user = join()
    [message] = invitation_emails(user)
    data = message.message().as_bytes()
    assert b'Content-Type: text/calendar; charset="utf-8"; method=REQUEST' in data
    parsed = raw(message)
    alternative = next(p for p in parsed.walk() if p.get_content_type() == "multipart/alternative")
    subtypes = [p.get_content_type() for p in alternative.iter_parts()]
    assert subtypes == ["text/plain", "text/html", "text/calendar"]
    assert parsed.get_content_type() == "multipart/mixed"
    assert "Invitation: Be Better Now check-in" in parsed["Subject"]


def test_changing_the_plans_slot_sends_exactly_one_update_of_the_same_event(
    join: Callable[..., User], program: Program, committed: Callable[[], Any]
) -> None:
    user, other = join(), join()
    mail.outbox.clear()

    def save_plan(weekday: int, at: datetime.time) -> None:
        with committed():
            do_save_plan(
                user=user,
                program=program,
                aspect="Listening",
                action="ask one more question",
                partner_user=None,
                partner_name="",
                partner_email="",
                checkin_weekday=weekday,
                checkin_time=at,
            )

    # A new plan keeping the program's slot moves nothing: no email.
    save_plan(TUESDAY, datetime.time(9, 0))
    assert mail.outbox == []
    save_plan(THURSDAY, datetime.time(17, 30))
    [(calendar, event, method)] = invitations_to(user)
    check_itip(calendar, event, method)
    assert method == "REQUEST"
    first = CalendarInvitation.objects.get(user=user)
    assert str(event["UID"]) == first.uid
    assert event.decoded("SEQUENCE") == 1
    start = event.decoded("DTSTART")
    assert (start.weekday(), start.time()) == (THURSDAY, datetime.time(17, 30))
    assert event["RRULE"]["BYDAY"] == ["TH"]
    assert "Updated invitation" in invitation_emails(user)[0].subject
    # Saving the plan again without changing the slot sends none.
    mail.outbox.clear()
    save_plan(THURSDAY, datetime.time(17, 30))
    assert mail.outbox == []
    assert invitations_to(other) == []


def test_a_new_time_zone_moves_the_event_to_the_new_clock(
    join: Callable[..., User], committed: Callable[[], Any]
) -> None:
    user, other = join("Europe/Paris"), join("Europe/Paris")
    uid = CalendarInvitation.objects.get(user=user).uid
    mail.outbox.clear()
    with committed():
        do_update_person(
            user=user, first_name=user.first_name, last_name=user.last_name, time_zone="Asia/Tokyo"
        )
    [(calendar, event, method)] = invitations_to(user)
    check_itip(calendar, event, method)
    assert (str(event["UID"]), event.decoded("SEQUENCE")) == (uid, 1)
    assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert event.decoded("DTSTART").time() == datetime.time(9, 0)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    # Saving the profile with the same zone sends nothing; nobody else hears anything.
    mail.outbox.clear()
    with committed():
        do_update_person(user=user, first_name="New", last_name="Name", time_zone="Asia/Tokyo")
    assert mail.outbox == []
    assert invitations_to(other) == []


def test_the_programs_slot_moves_the_people_without_a_plan_only(
    join: Callable[..., User], program: Program, committed: Callable[[], Any]
) -> None:
    with_plan, without = join(), join()
    with committed():
        do_save_plan(
            user=with_plan,
            program=program,
            aspect="a",
            action="b",
            partner_user=None,
            partner_name="",
            partner_email="",
            checkin_weekday=THURSDAY,
            checkin_time=datetime.time(8, 0),
        )
    mail.outbox.clear()

    def change(**fields: object) -> None:
        for name, value in fields.items():
            setattr(program, name, value)
        with committed():
            do_save_program(program=program, save=program.save)

    change(checkin_time=datetime.time(11, 15))
    [(_, event, method)] = invitations_to(without)
    assert method == "REQUEST" and event.decoded("DTSTART").time() == datetime.time(11, 15)
    assert invitations_to(with_plan) == []
    # The program's last day bounds everyone's weekly check-in.
    mail.outbox.clear()
    change(ends_on=datetime.date(2027, 7, 2))
    assert len(invitations_to(without)) == len(invitations_to(with_plan)) == 1
    # Its name alone moves nothing.
    mail.outbox.clear()
    change(name="Clinical Leadership (renamed)")
    assert mail.outbox == []


def test_ending_the_membership_cancels_and_later_changes_do_not_reach_the_person(
    join: Callable[..., User], program: Program, committed: Callable[[], Any]
) -> None:
    leaving, staying = join(), join()
    uid = CalendarInvitation.objects.get(user=leaving).uid
    mail.outbox.clear()
    with committed():
        do_end_membership(
            membership=Membership.objects.get(user=leaving, program=program, role=Role.PARTICIPANT)
        )
    [(calendar, event, method)] = invitations_to(leaving)
    check_itip(calendar, event, method)
    assert method == "CANCEL"
    assert (str(event["UID"]), event.decoded("SEQUENCE")) == (uid, 1)
    assert event["STATUS"] == "CANCELLED"
    assert CalendarInvitation.objects.get(user=leaving).cancelled
    assert invitations_to(staying) == []
    # The program's slot moves: the one who stayed hears of it, the one who left does not.
    mail.outbox.clear()
    program.checkin_weekday = THURSDAY
    with committed():
        do_save_program(program=program, save=program.save)
    assert invitations_to(leaving) == []
    assert len(invitations_to(staying)) == 1
    # Their own zone change does not reach a cancelled event either.
    mail.outbox.clear()
    with committed():
        do_update_person(user=leaving, first_name="A", last_name="B", time_zone="Asia/Tokyo")
    assert mail.outbox == []


def test_uid_is_stable_and_sequence_strictly_increases_through_updates_and_cancel(
    join: Callable[..., User], program: Program, committed: Callable[[], Any]
) -> None:
    user = join("America/New_York")
    for zone in ("Europe/London", "Australia/Sydney"):
        with committed():
            do_update_person(user=user, first_name="A", last_name="B", time_zone=zone)
    with committed():
        do_archive_program(program=program, by=f.UserFactory())
    events = invitations_to(user)
    for calendar, event, method in events:
        check_itip(calendar, event, method)
    assert [method for _, _, method in events] == ["REQUEST", "REQUEST", "REQUEST", "CANCEL"]
    assert len({str(event["UID"]) for _, event, _ in events}) == 1
    sequences = [event.decoded("SEQUENCE") for _, event, _ in events]
    assert sequences == sorted(set(sequences)) == [0, 1, 2, 3]


def test_a_delivery_overtaken_by_a_later_change_is_skipped_and_a_batch_sends_once(
    join: Callable[..., User],
    committed: Callable[[], Any],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    user = join()
    mail.outbox.clear()
    # Two changes before any worker runs: the callbacks are captured, not run.
    with django_capture_on_commit_callbacks(execute=False):
        do_update_person(user=user, first_name="A", last_name="B", time_zone="Asia/Tokyo")
        do_update_person(user=user, first_name="A", last_name="B", time_zone="Europe/Oslo")
    # The handlers would run after the commit; run them as the commit would, twice each.
    from notifications.invitations import do_update_invitations

    invitation = CalendarInvitation.objects.get(user=user)
    with django_capture_on_commit_callbacks(execute=False):
        first = do_update_invitations([invitation.pk])
        second = do_update_invitations([invitation.pk])
    ids = first + second
    do_send_invitations(delivery_ids=ids)
    do_send_invitations(delivery_ids=ids)
    [(_, event, _)] = invitations_to(user)
    assert event.decoded("SEQUENCE") == 2
    statuses = dict(InvitationDelivery.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert statuses == {first[0]: "skipped", second[0]: "sent"}


def test_the_first_reminder_carries_no_calendar_file_once_the_invitation_went_out(
    join: Callable[..., User], program: Program
) -> None:
    from notifications.reminders import reminder_message

    invited = join()
    not_invited = f.UserFactory(time_zone="Europe/Paris")
    f.MembershipFactory(user=not_invited, program=program, role=Role.PARTICIPANT)
    now = datetime.datetime(2026, 3, 10, 9, 5, tzinfo=datetime.UTC)

    def reminder(user: User) -> Any:
        delivery = ReminderDelivery.objects.create(
            user=user,
            program=program,
            kind="checkin",
            iso_year=2026,
            iso_week=11,
            time_zone="Europe/Paris",
            due_at=now,
            planned_by="00000000-0000-0000-0000-000000000001",
            created_at=now,
            queued_at=now,
        )
        return reminder_message(delivery, now)

    assert reminder(invited).attachments == []
    [(filename, _, mimetype)] = reminder(not_invited).attachments
    assert (filename, mimetype) == ("be-better-now-check-in.ics", "text/calendar")


# Milestones ----------------------------------------------------------------------------


@pytest.fixture
def milestones(program: Program) -> list[Milestone]:
    return [
        Milestone.objects.create(
            program=program, title="Kickoff", due_on=datetime.date(2026, 9, 7)
        ),
        Milestone.objects.create(
            program=program, title="Showcase", due_on=datetime.date(2027, 5, 20)
        ),
    ]


def ask(user: User, program: Program, committed: Callable[[], Any]) -> Any:
    client = Client()
    client.force_login(user)
    with committed():
        return client.post(reverse("notifications:milestone_invitations", args=[program.pk]))


def test_milestones_are_sent_to_who_asks_updated_when_moved_and_cancelled_when_deleted(
    join: Callable[..., User],
    program: Program,
    milestones: list[Milestone],
    committed: Callable[[], Any],
) -> None:
    asker, other = join(), join()
    mail.outbox.clear()
    response = ask(asker, program, committed)
    assert response.status_code == 302
    sent = invitations_to(asker)
    assert len(sent) == 2
    for calendar, event, method in sent:
        check_itip(calendar, event, method)
        assert method == "REQUEST"
    assert {str(e["SUMMARY"]) for _, e, _ in sent} == {
        "Kickoff · Clinical Leadership",
        "Showcase · Clinical Leadership",
    }
    assert sorted(e.decoded("DTSTART") for _, e, _ in sent) == [m.due_on for m in milestones]
    uids = {str(e["SUMMARY"]).split(" ·")[0]: str(e["UID"]) for _, e, _ in sent}
    # Asking again sends nothing new.
    mail.outbox.clear()
    ask(asker, program, committed)
    assert mail.outbox == []
    # The showcase moves: the asker gets its update, nobody else anything.
    showcase = milestones[1]
    showcase.due_on = datetime.date(2027, 5, 27)
    with committed():
        do_save_milestone(milestone=showcase, save=showcase.save)
    [(calendar, event, method)] = invitations_to(asker)
    check_itip(calendar, event, method)
    assert (str(event["UID"]), event.decoded("SEQUENCE")) == (uids["Showcase"], 1)
    assert event.decoded("DTSTART") == datetime.date(2027, 5, 27)
    assert invitations_to(other) == []
    # A milestone added later reaches the asker too.
    mail.outbox.clear()
    review = Milestone(
        program=program, title="Mid-point review", due_on=datetime.date(2027, 1, 15)
    )
    with committed():
        do_save_milestone(milestone=review, save=review.save)
    [(_, event, method)] = invitations_to(asker)
    assert (method, event.decoded("SEQUENCE")) == ("REQUEST", 0)
    assert invitations_to(other) == []
    # The kickoff is deleted: a cancel of the same event.
    mail.outbox.clear()
    with committed():
        do_delete_milestone(milestone=milestones[0])
    [(calendar, event, method)] = invitations_to(asker)
    check_itip(calendar, event, method)
    assert method == "CANCEL"
    assert (str(event["UID"]), event.decoded("SEQUENCE")) == (uids["Kickoff"], 1)
    assert invitations_to(other) == []


def test_leaving_the_program_cancels_the_milestones_asked_for(
    join: Callable[..., User],
    program: Program,
    milestones: list[Milestone],
    committed: Callable[[], Any],
) -> None:
    asker = join()
    ask(asker, program, committed)
    mail.outbox.clear()
    with committed():
        do_end_membership(membership=Membership.objects.get(user=asker, program=program))
    methods = sorted(method for _, _, method in invitations_to(asker))
    assert methods == ["CANCEL", "CANCEL", "CANCEL"]  # the check-in and both milestones
    mail.outbox.clear()
    showcase = milestones[1]
    showcase.due_on = datetime.date(2027, 5, 28)
    with committed():
        do_save_milestone(milestone=showcase, save=showcase.save)
    assert mail.outbox == []


def test_the_program_page_offers_the_milestones_to_a_member(
    join: Callable[..., User], program: Program, milestones: list[Milestone]
) -> None:
    user = join()
    client = Client()
    client.force_login(user)
    page = client.get(reverse("dashboards:program", args=[program.pk])).content.decode()
    assert reverse("notifications:milestone_invitations", args=[program.pk]) in page
    assert "Add the milestones to my calendar" in page


def test_an_invitation_whose_broker_message_was_lost_is_sent_once_by_the_sweeper(
    join: Callable[..., User],
    program: Program,
    committed: Callable[[], Any],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    from notifications.sweeper import do_sweep

    user = join()
    mail.outbox.clear()
    # The change is planned, but the message to the worker is lost.
    from notifications.invitations import do_update_invitations

    with django_capture_on_commit_callbacks(execute=False):
        [pk] = do_update_invitations([CalendarInvitation.objects.get(user=user).pk])
    delivery = InvitationDelivery.objects.get(pk=pk)
    assert delivery.status == "queued" and mail.outbox == []
    later = delivery.queued_at + pipeline.LEASE + datetime.timedelta(seconds=1)
    with committed():
        assert do_sweep(now=later) == 1
    with committed():
        assert do_sweep(now=later + pipeline.LEASE * 2) == 0
    [(_, event, method)] = invitations_to(user)
    assert (method, event.decoded("SEQUENCE")) == ("REQUEST", 1)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


@pytest.fixture(autouse=True)
def _clean_outbox() -> Iterator[None]:
    mail.outbox = []
    yield


def test_archiving_cancels_and_restoring_invites_again_to_the_same_event(
    join: Callable[..., User],
    program: Program,
    milestones: list[Milestone],
    committed: Callable[[], Any],
) -> None:
    from programs.services import do_restore_program

    participant = join()
    admin = f.UserFactory()
    f.MembershipFactory(user=admin, program=program, role=Role.PROGRAM_ADMIN)
    ask(participant, program, committed)
    ask(admin, program, committed)
    mail.outbox.clear()
    with committed():
        do_archive_program(program=program, by=admin)
    assert sorted(m for _, _, m in invitations_to(participant)) == ["CANCEL"] * 3
    # The program admin keeps the program (and her milestones).
    assert invitations_to(admin) == []
    mail.outbox.clear()
    with committed():
        do_restore_program(program=program)
    back = invitations_to(participant)
    assert sorted(m for _, _, m in back) == ["REQUEST"] * 3
    uids = {r.uid: r.sequence for r in CalendarInvitation.objects.filter(user=participant)}
    assert {str(e["UID"]): e.decoded("SEQUENCE") for _, e, _ in back} == uids
    assert set(uids.values()) == {2}
    assert invitations_to(admin) == []


def test_the_admins_pages_move_and_cancel_the_milestones_and_the_check_in(
    join: Callable[..., User],
    program: Program,
    milestones: list[Milestone],
    committed: Callable[[], Any],
) -> None:
    """The schedule's and the program's own pages go through the services that announce."""
    asker = join()
    ask(asker, program, committed)
    admin = f.UserFactory()
    f.MembershipFactory(user=admin, program=program, role=Role.PROGRAM_ADMIN)
    client = Client()
    client.force_login(admin)
    mail.outbox.clear()
    kickoff = milestones[0]
    with committed():
        response = client.post(
            reverse("programs:milestone_edit", args=[program.pk, kickoff.pk]),
            {"kind": "kickoff", "title": "Kickoff", "due_on": "2026-09-14", "description": ""},
        )
    assert response.status_code == 302
    [(_, event, method)] = invitations_to(asker)
    assert (method, event.decoded("DTSTART")) == ("REQUEST", datetime.date(2026, 9, 14))
    mail.outbox.clear()
    with committed():
        client.post(reverse("programs:milestone_delete", args=[program.pk, kickoff.pk]))
    [(_, event, method)] = invitations_to(asker)
    assert method == "CANCEL" and event["STATUS"] == "CANCELLED"
    assert invitations_to(admin) == []
