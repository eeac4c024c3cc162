from __future__ import annotations

from celery import shared_task


@shared_task(name="coaching.send_invitations", ignore_result=True)
def send_invitations(session_id: int, sequence: int) -> int:
    """Email a session's calendar invitation (or its update) to the team and advisors."""
    from coaching.invitations import do_send_invitations

    return do_send_invitations(session_id=session_id, sequence=sequence)
