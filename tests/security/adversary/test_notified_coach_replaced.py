"""A coach is told of an entry shared with them, then replaced; the program admin takes
the coach's place herself. What do the notifications give away?

Before: nothing was notified, so there was nothing to test; with notifications, a notice
could become a way in: a link kept after the place is lost, an email that quotes the
entry, or a notice to whoever takes the place later about writing shared before them.
Now:

- the notice and its email carry who shared and a link, never a word of the entry;
- the replaced coach's link leads nowhere once they no longer hold the place (404, the
  same as an entry that does not exist);
- the admin who makes herself the team's coach is not told of her own step, and hears
  of nothing shared before she took the place (the audience is fixed when writing is
  shared, DESIGN.md rule 7): she is told of an earlier entry, and can open it, only
  once its author shares it again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.mail import EmailMessage
from django.urls import reverse

from notifications.kinds import Kind
from notifications.models import Notification
from programs.models import Role
from reflections.models import Reflection, Visibility
from tests import factories as f
from tests.conftest import Cast

CANARY = "canary-91fe-what-the-coach-read"


def test_a_notice_is_no_way_in_for_a_replaced_coach_or_the_admin_who_takes_the_place(
    cast: Cast,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    participant = cast.client_for("participant")
    with django_capture_on_commit_callbacks(execute=True):
        participant.post(
            reverse("reflections:write", args=[cast.program.pk]),
            {"title": f"Doubts {CANARY}", "body": f"{CANARY}", "visibility": Visibility.COACH},
        )
    entry = Reflection.objects.get(author=cast.participant)
    notice = Notification.objects.get(recipient=cast.coach, kind=Kind.SHARED_WITH_YOU)
    (message,) = mailoutbox
    assert CANARY not in message.subject + str(message.body) + notice.subject
    coach = cast.client_for("coach")
    opened = coach.get(reverse("notifications:open", args=[notice.pk]), follow=True)
    assert opened.status_code == 200

    # The program admin gives herself the coach role and takes the team's coach place.
    f.MembershipFactory(user=cast.program_admin, program=cast.program, role=Role.COACH)
    admin = cast.client_for("program_admin")
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            reverse(
                "teams:builder_team_advisors",
                args=[cast.program.pk, cast.team.cohort_id, cast.team.pk],
            ),
            {"coach": cast.program_admin.pk, "sponsor": cast.sponsor.pk},
        )
    cast.team.refresh_from_db()
    assert cast.team.coach == cast.program_admin

    # The replaced coach's notice leads nowhere now.
    again = coach.get(reverse("notifications:open", args=[notice.pk]), follow=True)
    assert again.status_code == 404
    # The admin heard of neither her own step nor the entry shared before her.
    assert not Notification.objects.filter(recipient=cast.program_admin).exists()
    assert admin.get(reverse("reflections:detail", args=[entry.pk])).status_code == 404

    # Once the author shares it again, she is told and may read it.
    with django_capture_on_commit_callbacks(execute=True):
        participant.post(reverse("reflections:share_again", args=[entry.pk]))
    told = Notification.objects.get(recipient=cast.program_admin, kind=Kind.SHARED_WITH_YOU)
    assert CANARY not in told.subject
    assert admin.get(told.link).status_code == 200
    for message in mailoutbox:
        body = message.subject + str(message.body)
        body += "".join(str(content) for content, _ in message.alternatives)
        assert CANARY not in body
