"""The words of the sponsor–team loop stay on the site, behind sign-in.

Before: asking the sponsor to open a door emailed the request's text, so the team's
writing sat in a mailbox (forwarded, read by an assistant, kept after the sponsor left the
program). Now every step of the loop is a notification that names the team and the
project and links to the page; the program admin, who has the most access and is told when
a project completes, learns no one's words from what she is told, and cannot open a
notification addressed to someone else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.mail import EmailMessage
from django.urls import reverse

from notifications.kinds import Kind
from notifications.models import Notification
from projects.models import Criterion, CriterionAssessment, Phase
from projects.services import do_save_transition_plan
from tests import factories as f
from tests.conftest import Cast

SECRET = "zx-private-words-of-the-team"


def _everything_in(outbox: list[EmailMessage]) -> str:
    parts: list[str] = []
    for message in outbox:
        parts += [message.subject, str(message.body), *map(str, message.extra_headers.values())]
        parts += [str(content) for content, _ in getattr(message, "alternatives", [])]
    return " ".join(parts)


def test_a_door_request_reaches_the_sponsor_without_its_words(
    cast: Cast,
    django_capture_on_commit_callbacks: Callable[..., Any],
    mailoutbox: list[EmailMessage],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        cast.client_for("participant").post(
            reverse("projects:door_create", args=[cast.project.pk]),
            {"kind": "decision", "request": f"Close ward 6 on Fridays. {SECRET}"},
        )

    assert [m.to for m in mailoutbox] == [[cast.sponsor.email]]
    assert "Flow Forward" in mailoutbox[0].subject
    assert SECRET not in _everything_in(mailoutbox)
    # The words are on the page the link opens, for the sponsor signed in.
    page = cast.client_for("sponsor").get(reverse("projects:doors", args=[cast.project.pk]))
    assert SECRET in page.content.decode()


def test_the_program_admin_learns_no_words_from_the_loop_and_opens_no_one_elses_notice(
    cast: Cast,
    django_capture_on_commit_callbacks: Callable[..., Any],
    mailoutbox: list[EmailMessage],
) -> None:
    project = cast.project
    project.problem_statement = f"Boarding. {SECRET}"
    project.save()
    for value in Criterion.values:
        CriterionAssessment.objects.create(
            project=project,
            criterion=value,
            rationale=f"Because. {SECRET}",
            review=CriterionAssessment.Review.CONFIRMED,
        )

    def post(who: str, name: str, data: dict[str, str], *args: object) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            cast.client_for(who).post(reverse(name, args=[project.pk, *args]), data)

    post("participant", "projects:gate", {}, "submit-charter")
    post("sponsor", "projects:gate", {"comment": f"Go. {SECRET}"}, "approve-charter")
    post("participant", "projects:door_create", {"kind": "resource", "request": SECRET})
    post(
        "participant",
        "projects:update_create",
        {"progress": SECRET, "next_steps": SECRET, "risks": SECRET},
    )
    update = project.updates.get()
    post("sponsor", "projects:update_comment", {"body": SECRET}, update.pk)
    project.refresh_from_db()
    project.phase = Phase.TRANSITIONING
    project.save()
    do_save_transition_plan(
        project=project,
        new_owner_name="Director of Patient Flow",
        new_owner_unit=f.UnitFactory(organization=cast.program.organization),
        sustainment=f"A weekly huddle. {SECRET}",
    )
    post("teammate", "projects:gate", {}, "submit-plan")
    post("sponsor", "projects:gate", {}, "accept-plan")

    # She hears that the project completed, and only that.
    mine = Notification.objects.filter(recipient=cast.program_admin)
    assert list(mine.values_list("kind", flat=True)) == [Kind.TRANSITION_ACCEPTED]
    to_her = [m for m in mailoutbox if cast.program_admin.email in m.to]
    assert len(to_her) == 1
    # Nobody's words are in any notification or email of the whole loop.
    assert SECRET not in _everything_in(mailoutbox)
    for notification in Notification.objects.all():
        assert SECRET not in f"{notification.subject} {notification.link}"

    # The sponsor's notice of the door request is not hers to open or mark read.
    theirs = Notification.objects.get(recipient=cast.sponsor, kind=Kind.DOOR_REQUESTED)
    admin = cast.client_for("program_admin")
    assert admin.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    response = admin.post(reverse("notifications:mark_read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
