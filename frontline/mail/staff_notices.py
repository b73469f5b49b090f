"""Mail to staff about their notifications (a mention, an assignment), for those
who asked for it on the notifications page (frontline.notifications).

Not the outbound queue: that queue is the customer conversation's (a ticket's
thread, reply tokens, loop limits, the timeline's delivery marks). A notice to a
colleague belongs to no thread; it leaves through the same transport
(frontline.mail.transport) from a task, so a slow server never holds a request,
and a failed send is logged and the notification still waits in the desk.
"""

from __future__ import annotations

import logging
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMessage
from django_tasks import task

from frontline.mail import addresses, compose, transport
from frontline.mail.auto import DEFAULT_LOOP_HEADER
from frontline.notifications.models import Notification

logger = logging.getLogger(__name__)


def notice_mail(notification: Notification) -> EmailMessage | None:
    """The mail for one notification; None when its person has no valid address."""
    to = compose.clean_address(notification.user.email)
    if to is None:
        return None
    link = ""
    if notification.ticket is not None:
        link = f"\n\n{settings.FRONTLINE_SITE_URL.rstrip('/')}" \
               f"{notification.ticket.get_absolute_url()}"
    return EmailMessage(
        subject=compose.header_text(notification.text, 200),
        body=f"{notification.text}{link}\n\nYou get these mails because you asked for them "
             "on your notifications page; switch them off there.\n",
        from_email=formataddr(
            (compose.header_text(settings.FRONTLINE_SUPPORT_NAME, 80) or "Support",
             addresses.support_address()), charset="utf-8"),
        to=[to],
        # RFC 3834: a notice is machine-made; nobody's auto-reply should answer it.
        headers={"Auto-Submitted": "auto-generated",
                 DEFAULT_LOOP_HEADER: settings.FRONTLINE_MESSAGE_ID_DOMAIN},
    )


def send_notices(notification_ids: list[int]) -> int:
    """Send the mails of these notifications now; returns how many left."""
    rows = Notification.objects.filter(pk__in=notification_ids).select_related("user", "ticket")
    mails = [mail for mail in map(notice_mail, rows) if mail is not None]
    if not mails:
        return 0
    with transport.connection() as connection:
        return int(connection.send_messages(mails) or 0)


@task()
def send_notices_task(notification_ids: list[int]) -> int:
    return send_notices(notification_ids)


def queue_notices(notification_ids: list[int]) -> None:
    """The mailer frontline.notifications.delivery calls after commit."""
    try:
        send_notices_task.enqueue(notification_ids)
    except Exception:
        # The notifications are committed and shown in the desk; only the mail is lost.
        logger.exception("Could not queue notification mails %s", notification_ids)
