"""The sequences that span apps, written once as explicit calls.

Faces (desk, portal, API, CLI), channel intakes (mail; later phone and chat)
and tasks call these; these call the per-ticket apps (routing, the SLA clock,
search, costs) and the ticket's own operations (frontline.tickets.services).
Nothing below imports this package: a lower layer that must reach up does it
through a registry filled in `AppConfig.ready()` (channels in
frontline.tickets.channels, periodic jobs in frontline.core.scheduler).

    opening        open a ticket: rows -> route -> SLA clock -> search index
    conversation   replies, notes, customer messages (and their batch form)
    changes        status, assignee, priority, category, team, subject, PATCH
    tiers          a tier change from a generic face goes through escalation
    resolution     the customer confirms; quiet resolved tickets are reminded, then closed
    bulk           one change or a merge on many tickets, each as a single change
    merging        merge and link, with the search index in step; a conversation
                   that arrived out of order joined on the mail's evidence
    organizations  organization changes whose promises follow (plan, contract)
    promises       the SLA scan and the actions a breach runs
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from frontline.tickets.services import (
        EntryKind,
        customer_message_decision,
        get_ticket,
        landing,
        link_tickets,
        locked_ticket,
        surviving_ticket,
        unlink_tickets,
    )
    from frontline.workflow.changes import (
        UPDATABLE_FIELDS,
        assign,
        change_status,
        reopen,
        set_category,
        set_priority,
        set_subject,
        set_team,
        update_ticket,
    )
    from frontline.workflow.conversation import (
        add_customer_message,
        add_note,
        add_reply,
        reply_recipients,
        undo_reply,
    )
    from frontline.workflow.merging import join_conversation, merge_tickets
    from frontline.workflow.opening import open_ticket
    from frontline.workflow.resolution import close_quiet_resolved, confirm_resolution
    from frontline.workflow.tiers import set_tier

# Django imports this package while it loads the apps, before models may be
# imported; the operations load on first use (PEP 562).
_OPERATIONS = {
    "EntryKind": "frontline.tickets.services",
    "UPDATABLE_FIELDS": "frontline.workflow.changes",
    "add_customer_message": "frontline.workflow.conversation",
    "add_note": "frontline.workflow.conversation",
    "add_reply": "frontline.workflow.conversation",
    "assign": "frontline.workflow.changes",
    "change_status": "frontline.workflow.changes",
    "close_quiet_resolved": "frontline.workflow.resolution",
    "confirm_resolution": "frontline.workflow.resolution",
    "customer_message_decision": "frontline.tickets.services",
    "get_ticket": "frontline.tickets.services",
    "join_conversation": "frontline.workflow.merging",
    "landing": "frontline.tickets.services",
    "link_tickets": "frontline.tickets.services",
    "locked_ticket": "frontline.tickets.services",
    "merge_tickets": "frontline.workflow.merging",
    "open_ticket": "frontline.workflow.opening",
    "reopen": "frontline.workflow.changes",
    "reply_recipients": "frontline.workflow.conversation",
    "set_category": "frontline.workflow.changes",
    "set_priority": "frontline.workflow.changes",
    "set_subject": "frontline.workflow.changes",
    "set_team": "frontline.workflow.changes",
    "set_tier": "frontline.workflow.tiers",
    "surviving_ticket": "frontline.tickets.services",
    "undo_reply": "frontline.workflow.conversation",
    "unlink_tickets": "frontline.tickets.services",
    "update_ticket": "frontline.workflow.changes",
}


def __getattr__(name: str) -> Any:
    if name not in _OPERATIONS:
        raise AttributeError(f"module 'frontline.workflow' has no attribute {name!r}")
    return getattr(importlib.import_module(_OPERATIONS[name]), name)


__all__ = [
    "UPDATABLE_FIELDS", "EntryKind", "add_customer_message", "add_note", "add_reply",
    "assign", "change_status", "close_quiet_resolved", "confirm_resolution",
    "customer_message_decision", "get_ticket", "join_conversation", "landing",
    "link_tickets", "locked_ticket", "merge_tickets", "open_ticket", "reopen", "reply_recipients",
    "set_category",
    "set_priority", "set_subject", "set_team", "set_tier", "surviving_ticket",
    "undo_reply", "unlink_tickets", "update_ticket",
]
