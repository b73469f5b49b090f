"""Ticket operations. Import from here: `from frontline.tickets import services`."""

from frontline.tickets.services.events import record_event
from frontline.tickets.services.lifecycle import (
    TRANSITIONS,
    UPDATABLE_FIELDS,
    add_customer_message,
    add_note,
    add_reply,
    assign,
    change_field,
    change_status,
    close_quiet_resolved,
    confirm_resolution,
    find_assignee,
    find_category,
    find_team,
    get_ticket,
    locked_ticket,
    open_ticket,
    reopen,
    set_category,
    set_priority,
    set_subject,
    set_team,
    set_tier,
    touch,
    update_ticket,
)
from frontline.tickets.services.merge import (
    link_tickets,
    merge_tickets,
    resolve_merged,
    unlink_tickets,
)

__all__ = [
    "TRANSITIONS", "UPDATABLE_FIELDS", "add_customer_message", "add_note", "add_reply",
    "assign", "change_field", "change_status", "close_quiet_resolved", "confirm_resolution",
    "find_assignee", "find_category", "find_team", "get_ticket", "link_tickets",
    "locked_ticket", "merge_tickets", "open_ticket", "record_event", "reopen",
    "resolve_merged", "set_category", "set_priority", "set_subject", "set_team", "set_tier",
    "touch", "unlink_tickets", "update_ticket",
]
