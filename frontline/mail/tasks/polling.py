"""Tasks: polling the IMAP mailboxes. Thin: they call frontline.mail.imap.

The periodic job queues one task per mailbox, so several workers can poll several
mailboxes at once; each task claims its mailbox first, so no two poll the same one.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django_tasks import task

from frontline.core import scheduler
from frontline.mail import imap


@task()
def poll_mailbox_task(mailbox_id: int) -> dict[str, object]:
    """Fetch and store the new mail of one mailbox."""
    result = imap.poll_mailbox(mailbox_id)
    return {"mailbox": result.mailbox, "stored": result.stored,
            "already_there": result.already_there, "skipped": result.skipped,
            "error": result.error, "claimed": result.claimed}


@task()
def poll_mailboxes() -> int:
    """Queue a poll for every enabled mailbox not being polled right now."""
    due = imap.due_mailbox_ids()
    for mailbox_id in due:
        poll_mailbox_task.enqueue(mailbox_id)
    return len(due)


scheduler.register("mail.poll_mailboxes",
                   timedelta(seconds=max(10, settings.FRONTLINE_IMAP_POLL_SECONDS)),
                   poll_mailboxes)
