"""Demo data for notifications: a few unread (and some read) notifications for each demo
role, made through `do_notify` as the events themselves would make them.

`seed_notifications(program=...)` is idempotent: each notification has a dedupe key, so
running it again notifies nobody twice. The demo's notifications are dated over the last
days; their emails count as sent then, so loading the demo sends none.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from notifications.kinds import Kind
from notifications.models import EmailDelivery, Notification, ReminderDelivery
from notifications.services import do_notify
from programs.models import Membership, Program, Role, User
from reflections.models import CheckIn, ReminderKind
from reflections.weeks import LocalWeek
from teams.models import Team


@dataclass(frozen=True)
class Demo:
    kind: str
    recipients: list[User]
    subject: str
    link: str
    hours_ago: int
    read: bool = False


def _demo_notifications(program: Program, team: Team, admins: list[User]) -> list[Demo]:
    """The notices the team's loop would have sent, worded and routed as the subscribers
    word and route them (`notifications/subscribers*.py`)."""
    project = team.project
    members = [tm.user for tm in team.members.select_related("user").order_by("pk")]
    updates = reverse("projects:updates", args=[project.pk])
    notes: list[Demo] = []
    if team.sponsor is not None:
        sponsor = [team.sponsor]
        notes += [
            Demo(
                Kind.DOOR_REQUESTED,
                sponsor,
                f"{team.name} asks you to open a door: {project.title}",
                reverse("projects:doors", args=[project.pk]),
                5,
            ),
            Demo(
                Kind.STATUS_UPDATE,
                sponsor,
                f"Status update from {team.name}: {project.title}",
                updates,
                30,
            ),
            Demo(
                Kind.ADVISOR_ASSIGNED,
                sponsor,
                f"You are now the sponsor of {team.name}",
                reverse("teams:detail", args=[team.pk]),
                24 * 20,
                read=True,
            ),
        ]
    if team.coach is not None:
        coach = [team.coach]
        notes += [
            Demo(
                Kind.SHARED_WITH_YOU,
                coach,
                f"{members[0].display_name} shared their check-in with you"
                if members
                else f"{team.name} shared a team reflection with you",
                reverse("reflections:shared", args=[program.pk]),
                3,
            ),
            Demo(
                Kind.ADVISOR_ASSIGNED,
                coach,
                f"You are now the coach of {team.name}",
                reverse("teams:detail", args=[team.pk]),
                24 * 20,
                read=True,
            ),
        ]
    if members:
        notes += [
            Demo(
                Kind.SPONSOR_COMMENT,
                members,
                f"Sponsor commented on a status update: {project.title}",
                updates,
                6,
            ),
            Demo(
                Kind.ACTION_ASSIGNED,
                members[:1],
                f"Action assigned to you: map the admission handoffs ({project.title})",
                reverse("projects:actions", args=[project.pk]),
                26,
            ),
            Demo(
                Kind.PULSE_OPENED,
                members,
                f"{team.name}: a pulse on your last meeting",
                reverse("teams:detail", args=[team.pk]),
                50,
                read=True,
            ),
        ]
    return notes


def _admin_notifications(program: Program, admins: list[User]) -> list[Demo]:
    if not admins:
        return []
    return [
        Demo(
            Kind.ROLE_CHANGED,
            admins,
            f"You are now a program admin in {program.name}",
            reverse("dashboards:program", args=[program.pk]),
            8,
        )
    ]


def seed_notifications(*, program: Program) -> None:
    """A few notifications for each demo team's people, the program's admins and the
    organisation's admins."""
    now = timezone.now()
    admins = [
        m.user
        for m in Membership.objects.filter(
            program=program, role=Role.PROGRAM_ADMIN, is_active=True
        ).select_related("user")
    ]
    teams = Team.objects.filter(cohort__program=program).select_related(
        "project", "coach", "sponsor"
    )
    # The organisation's admins hold no role in the program: told of the program they run
    # it in, without a program.
    organization = program.organization
    org_admins = list(User.objects.filter(organization_admin_roles__organization=organization))
    demos: list[tuple[str, Program | None, Demo]] = [
        (
            "org",
            None,
            Demo(
                Kind.ROLE_CHANGED,
                org_admins,
                f"You are now an admin of {organization.name}",
                reverse("programs:organization", args=[organization.pk]),
                24 * 30,
            ),
        )
    ]
    for team in teams.order_by("pk"):
        if hasattr(team, "project"):
            demos += [
                (str(team.pk), program, demo)
                for demo in _demo_notifications(program, team, admins)
            ]
    demos += [("admins", program, demo) for demo in _admin_notifications(program, admins)]
    for key, about, demo in demos:
        if demo.recipients:
            created = do_notify(
                kind=demo.kind,
                recipients=demo.recipients,
                program=about,
                subject=demo.subject,
                link=demo.link,
                dedupe_key=f"demo-{key}-{demo.kind}-{demo.hours_ago}",
            )
            when = now - datetime.timedelta(hours=demo.hours_ago)
            pks = [n.pk for n in created]
            Notification.objects.filter(pk__in=pks).update(
                created_at=when, read_at=when + datetime.timedelta(hours=1) if demo.read else None
            )
            EmailDelivery.objects.filter(notification_id__in=pks).update(
                status=EmailDelivery.Status.SENT,
                created_at=when,
                queued_at=when,
                sent_at=when,
                attempts=1,
            )
            # Daily notifications of the demo's past days went out in their digests.
            Notification.objects.filter(pk__in=pks, email="daily").update(email="off")


def seed_reminder_log(*, program: Program) -> None:
    """Four weeks of the reminder log: a reminder for each week someone had not checked
    in by their slot, mostly sent, now and then failed with the SMTP server's reason."""
    now = timezone.now()
    memberships = (
        Membership.objects.filter(program=program, role=Role.PARTICIPANT, is_active=True)
        .select_related("user")
        .order_by("user__email")
    )
    for index, membership in enumerate(memberships):
        user = membership.user
        zone = user.zone
        week = LocalWeek.of(now, zone).previous()
        for weeks_ago in range(1, 5):
            if week.ends_on < program.starts_on:
                break
            checked_in = CheckIn.objects.filter(
                user=user, program=program, iso_year=week.iso_year, iso_week=week.iso_week
            ).exists()
            if not checked_in:
                due = datetime.datetime.combine(
                    week.starts_on + datetime.timedelta(days=program.checkin_weekday),
                    program.checkin_time,
                    tzinfo=zone,
                )
                failed = weeks_ago == 2 and index % 4 == 0  # now and then
                ReminderDelivery.objects.get_or_create(
                    user=user,
                    program=program,
                    kind=ReminderKind.CHECKIN,
                    iso_year=week.iso_year,
                    iso_week=week.iso_week,
                    defaults={
                        "time_zone": zone.key,
                        "due_at": due,
                        "status": "failed" if failed else "sent",
                        "reason": "SMTPRecipientsRefused: mailbox full" if failed else "",
                        "attempts": 7 if failed else 1,
                        "planned_by": uuid.uuid4(),
                        "created_at": due,
                        "queued_at": due,
                        "sent_at": None if failed else due + datetime.timedelta(seconds=4),
                    },
                )
            week = week.previous()


def seed_calendar_invitations(*, program: Program, asked_for_milestones: User) -> None:
    """Every active participant got their weekly check-in invitation when they joined
    (sent then, at SEQUENCE 0), and `asked_for_milestones` asked for the program's
    milestones. The records only: loading the demo sends no email. Idempotent."""
    from notifications.invitations import checkin_uid, milestone_uid
    from notifications.models import (
        CalendarInvitation,
        InvitationDelivery,
        MilestoneInvitationRequest,
    )
    from programs.models import Milestone

    def record(invitation: CalendarInvitation, sent_at: datetime.datetime) -> None:
        for sequence in range(invitation.sequence + 1):
            InvitationDelivery.objects.get_or_create(
                invitation=invitation,
                sequence=sequence,
                defaults={
                    "method": InvitationDelivery.Method.REQUEST,
                    "status": InvitationDelivery.Status.SENT,
                    "attempts": 1,
                    "created_at": sent_at,
                    "queued_at": sent_at,
                    "sent_at": sent_at + datetime.timedelta(seconds=2),
                },
            )

    memberships = (
        Membership.objects.filter(program=program, role=Role.PARTICIPANT, is_active=True)
        .select_related("user")
        .order_by("user__email")
    )
    for membership in memberships:
        invitation, _ = CalendarInvitation.objects.get_or_create(
            user=membership.user,
            program=program,
            kind=CalendarInvitation.Kind.CHECKIN,
            defaults={
                "uid": checkin_uid(membership.user_id, program.pk),
                "summary": "Be Better Now check-in (10 minutes)",
                "created_at": membership.created_at,
                "updated_at": membership.created_at,
            },
        )
        record(invitation, membership.created_at)
    now = timezone.now()
    MilestoneInvitationRequest.objects.get_or_create(
        user=asked_for_milestones, program=program, defaults={"created_at": now}
    )
    for milestone in Milestone.objects.filter(program=program):
        invitation, _ = CalendarInvitation.objects.get_or_create(
            user=asked_for_milestones,
            program=program,
            kind=CalendarInvitation.Kind.MILESTONE,
            milestone_key=milestone.pk,
            defaults={
                "uid": milestone_uid(asked_for_milestones.pk, milestone.pk),
                "summary": milestone.title,
                "created_at": now,
                "updated_at": now,
            },
        )
        record(invitation, now)
