"""A program admin makes herself the team's coach to read, or take back, the previous
coach's record of a session.

The previous coach shared the figures of their record (the task/process split and the
questions used) with the team's members. The admin invites herself as a coach, accepts and
assigns herself to the team. She may now open the session page, as the team's coach does,
but the shared record was shared with the members, not with whoever coaches next: she sees
neither the split nor the questions, and cannot stop (or start) sharing a record she did
not write. The members still see it.
"""

from __future__ import annotations

from django.urls import reverse

from coaching.models import TeamSession
from tests.coaching.test_coach_record import CANARY, run_a_session_with_interventions
from tests.conftest import Cast
from tests.security.adversary.test_admin_makes_herself_coach import make_herself_coach

SPLIT = "20 min (33% process)"


def test_the_admin_turned_coach_neither_reads_nor_takes_back_the_shared_record(
    cast: Cast,
) -> None:
    session = run_a_session_with_interventions(cast)
    shared = cast.client_for("coach").post(
        reverse("coaching:share_record", args=[session.pk]), {"share": "yes"}
    )
    assert shared.status_code == 302

    client = make_herself_coach(cast)

    page = client.get(reverse("coaching:detail", args=[session.pk]))
    assert page.status_code == 200
    assert SPLIT not in page.text
    assert CANARY not in page.text
    assert "Stop sharing" not in page.text

    for choice in ("no", "yes"):
        response = client.post(
            reverse("coaching:share_record", args=[session.pk]), {"share": choice}
        )
        assert response.status_code == 403
    session = TeamSession.objects.get(pk=session.pk)
    assert session.record_shared_at is not None
    member_page = cast.client_for("participant").get(reverse("coaching:detail", args=[session.pk]))
    assert SPLIT in member_page.text
    assert CANARY in member_page.text
