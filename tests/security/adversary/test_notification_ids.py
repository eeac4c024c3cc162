"""Attack: the program admin walks notification ids, and a notification link is made to
point off the site.

A notification has exactly one reader. The person with the most access in the program, its
admin, tries every id: opening one or marking it read must neither show its subject, nor
mark it read, nor tell an existing notification from a missing one (404 for both), and her
centre and unread count show only her own. A link that is not a path on this site (a title
turned into a link by mistake, a hostile import) never sends the reader elsewhere.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.kinds import Kind
from notifications.models import Notification
from notifications.services import do_notify
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def test_walking_notification_ids_finds_nothing_of_anyone_else(cast: Cast) -> None:
    do_notify(
        kind=Kind.SHARED_WITH_YOU,
        recipients=[cast.coach, cast.participant, cast.teammate],
        program=cast.program,
        subject="A check-in from Pat Participant",
        link="/",
    )
    theirs = list(Notification.objects.values_list("pk", flat=True))
    admin = cast.client_for("program_admin")
    missing = max(theirs) + 1
    for pk in [*theirs, missing]:
        opened = admin.get(reverse("notifications:open", args=[pk]))
        marked = admin.post(reverse("notifications:mark_read", args=[pk]))
        assert (opened.status_code, marked.status_code) == (404, 404)
        assert b"Pat Participant" not in opened.content + marked.content
    assert not Notification.objects.filter(read_at__isnull=False).exists()
    admin.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(read_at__isnull=False).exists()
    assert b"Pat Participant" not in admin.get(reverse("notifications:centre")).content
    assert b"badge" not in admin.get(reverse("notifications:unread")).content


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/login",
        "//evil.example/login",
        "/\\evil.example/login",
        "\\\\evil.example",
        " https://evil.example",
        "javascript:alert(1)",
    ],
)
def test_a_link_off_the_site_lands_on_the_centre(cast: Cast, link: str) -> None:
    (notification,) = do_notify(
        kind=Kind.SPONSOR_COMMENT,
        recipients=[cast.participant],
        program=cast.program,
        subject=cast.project.title,
        link=link,
    )
    response = cast.client_for("participant").get(
        reverse("notifications:open", args=[notification.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:centre")
