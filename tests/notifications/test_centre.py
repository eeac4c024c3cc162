"""The notification centre: the list, mark as read, the unread count, and opening an item."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from notifications.kinds import Kind
from notifications.models import Notification
from notifications.services import do_notify
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def notify(cast: Cast, subject: str, link: str = "/", recipient: Any = None) -> Notification:
    (notification,) = do_notify(
        kind=Kind.SPONSOR_COMMENT,
        recipients=[recipient or cast.participant],
        program=cast.program,
        subject=subject,
        link=link,
    )
    return notification


def test_the_centre_lists_my_notifications_newest_first_with_the_unread_marked(
    cast: Cast,
) -> None:
    notify(cast, "First project")
    read = notify(cast, "Second project")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    notify(cast, "Someone else's", recipient=cast.teammate)
    response = cast.client_for("participant").get(reverse("notifications:centre"))
    html = response.content.decode()
    assert html.index("Second project") < html.index("First project")
    assert "Someone else&#x27;s" not in html and "Someone else's" not in html
    assert html.count('class="badge">New<') == 1


def test_an_empty_centre_says_what_will_show_there(cast: Cast) -> None:
    response = cast.client_for("participant").get(reverse("notifications:centre"))
    assert b"No notifications yet" in response.content


def test_the_header_count_shows_my_unread_notifications(cast: Cast) -> None:
    client = cast.client_for("participant")
    page = client.get(reverse("notifications:centre")).content.decode()
    assert 'hx-get="/notifications/unread/"' in page
    assert 'hx-trigger="load, every 60s, notificationsRead from:body"' in page
    assert b"badge" not in client.get(reverse("notifications:unread")).content
    notify(cast, "One")
    notify(cast, "Two")
    assert b'<span class="badge">2</span>' in client.get(reverse("notifications:unread")).content


def test_the_unread_count_is_one_query(cast: Cast, django_assert_num_queries: Any) -> None:
    client = cast.client_for("participant")
    notify(cast, "One")
    client.get(reverse("notifications:unread"))
    # The session and the user, then the count.
    with django_assert_num_queries(3):
        client.get(reverse("notifications:unread"))


def test_mark_as_read_and_mark_all_as_read(cast: Cast) -> None:
    client = cast.client_for("participant")
    first, second, third = (notify(cast, name) for name in ("A", "B", "C"))
    response = client.post(reverse("notifications:mark_read", args=[first.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("notifications:centre")
    assert set(Notification.objects.unread().values_list("pk", flat=True)) == {
        second.pk,
        third.pk,
    }
    response = client.post(reverse("notifications:mark_all_read"), follow=True)
    assert b"Marked 2 notifications as read." in response.content
    assert not Notification.objects.unread().exists()


def test_mark_as_read_with_htmx_returns_the_item_without_its_button(cast: Cast) -> None:
    notification = notify(cast, "A")
    response = cast.client_for("participant").post(
        reverse("notifications:mark_read", args=[notification.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert f'id="notification-{notification.pk}"' in html
    assert "Mark as read" not in html and "<html" not in html
    # The header's count fetches itself again.
    assert response["HX-Trigger"] == "notificationsRead"


def test_opening_a_notification_marks_it_read_and_goes_to_the_thing(cast: Cast) -> None:
    link = reverse("projects:detail", args=[cast.project.pk])
    notification = notify(cast, cast.project.title, link=link)
    response = cast.client_for("participant").get(
        reverse("notifications:open", args=[notification.pk])
    )
    assert response.status_code == 302 and response["Location"] == link
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize(
    "link", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_opening_a_notification_never_leaves_the_site(cast: Cast, link: str) -> None:
    notification = notify(cast, "A", link=link)
    response = cast.client_for("participant").get(
        reverse("notifications:open", args=[notification.pk])
    )
    assert response["Location"] == reverse("notifications:centre")


def test_someone_elses_notification_does_not_exist_for_me(cast: Cast) -> None:
    notification = notify(cast, "A", recipient=cast.teammate)
    client = cast.client_for("participant")
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
    url = reverse("notifications:mark_read", args=[notification.pk])
    assert client.post(url).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_centre_shows_25_a_page(cast: Cast) -> None:
    for n in range(30):
        notify(cast, f"Project {n:02d}")
    client = cast.client_for("participant")
    first = client.get(reverse("notifications:centre")).content.decode()
    second = client.get(reverse("notifications:centre") + "?page=2").content.decode()
    assert first.count('class="card notification') == 25
    assert second.count('class="card notification') == 5
    assert "Page 2 of 2" in second


def test_times_are_shown_on_my_own_clock(cast: Cast) -> None:
    cast.participant.time_zone = "Asia/Tokyo"
    cast.participant.save()
    notification = notify(cast, "A")
    Notification.objects.filter(pk=notification.pk).update(
        created_at=datetime.datetime(2026, 10, 7, 20, 30, tzinfo=datetime.UTC)
    )
    html = cast.client_for("participant").get(reverse("notifications:centre")).content
    assert b"8 Oct 2026, 05:30" in html


def test_each_notice_reads_as_its_own_subject_said_once(cast: Cast) -> None:
    notify(cast, "Sponsor commented on a status update: Cut ED boarding time")
    html = cast.client_for("participant").get(reverse("notifications:centre")).content.decode()
    assert ">Sponsor commented on a status update: Cut ED boarding time</a>" in html
    assert str(Kind.SPONSOR_COMMENT.label) not in html
