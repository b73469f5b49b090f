"""The ticket's own operations: its rows, its state, its events, merge and link.

Sequences that involve other apps (opening a ticket routes it, starts its SLA
clock, indexes it and acknowledges it) are in frontline.workflow, which faces
and channels call; this package imports no routing, SLA, search, mail or cost
code (pyproject.toml's import contract checks it).
"""

from frontline.tickets.services.entry import (
    EntryKind,
    customer_message_decision,
    landing,
    surviving_ticket,
)
from frontline.tickets.services.events import record_event
from frontline.tickets.services.lookup import get_ticket, locked_ticket
from frontline.tickets.services.merge import link_tickets, merge_tickets, unlink_tickets
from frontline.tickets.services.state import (
    TRANSITIONS,
    apply_assignee,
    apply_status,
    change_field,
    reopen_status,
    touch,
)

__all__ = [
    "TRANSITIONS", "EntryKind", "apply_assignee", "apply_status", "change_field",
    "customer_message_decision", "get_ticket", "landing", "link_tickets", "locked_ticket",
    "merge_tickets", "record_event", "reopen_status", "surviving_ticket", "touch",
    "unlink_tickets",
]
