"""Background tasks of the email channel (discovered by the scheduler as `<app>.tasks`).

One module per concern, each registering its own periodic jobs:
inbound.py (processing stored mail), delivery.py (sending), polling.py (IMAP).
"""

from frontline.mail.tasks import delivery, inbound, polling

__all__ = ["delivery", "inbound", "polling"]
