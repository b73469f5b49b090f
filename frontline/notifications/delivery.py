"""How a notification reaches a person outside the desk: by mail, through the
sender a channel app registers in its AppConfig.ready() (frontline.mail does).

Mail is a channel above the workflow, so this app may not import it; it
registers here as it registers its reply sender with frontline.tickets.channels.
Without a registered mailer (a deployment without the mail app) the desk's list
still holds every notification: nothing is lost, only not mailed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

Mailer = Callable[[list[int]], None]
_mailer: Mailer | None = None


def register_mailer(mailer: Mailer) -> None:
    """`mailer(notification_ids)` queues one mail per notification; called after commit."""
    global _mailer
    _mailer = mailer


def mail(notification_ids: list[int]) -> None:
    if _mailer is None:
        logger.info("No mailer registered; %d notifications stay in the desk only.",
                    len(notification_ids))
        return
    _mailer(notification_ids)
