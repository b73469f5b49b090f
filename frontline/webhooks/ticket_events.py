"""Ticket events as webhooks: which recorded event kinds go out, under which name,
and what the body says.

The tickets app announces every event it records and every message added
(frontline.tickets.observers); `register()`, run from this app's ready(), listens.
Only the kinds below go out: the rest (facts read, time logged, mail delivered)
is the desk's detail, not news for another system.

Every ticket body has the same shape: `event`, `occurred_at`, `ticket`
(reference, subject, status, priority, tier, url), `actor` (a member of staff,
a customer, or null for Frontline itself), `before`, `after`, `detail`, `url`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from frontline.tickets import observers
from frontline.tickets.models import Event, Message, Priority, Status, Ticket
from frontline.webhooks import catalog
from frontline.webhooks.publishing import publish

MESSAGE_TEXT_LIMIT = 10_000

# recorded kind -> webhook event
KINDS = {
    "created": "ticket.created",
    "status_changed": "ticket.status_changed",
    "reopened": "ticket.status_changed",
    "assigned": "ticket.assignee_changed",
    "tier_changed": "ticket.tier_changed",
    "sla_warning": "ticket.sla_warning",
    "sla_breach": "ticket.sla_breach",
    "escalated": "ticket.escalated",
}

DESCRIPTIONS = {
    "ticket.created": "A ticket was opened, by a customer on any channel or by staff.",
    "ticket.message_added": "A message was added: the customer's, an agent's reply, "
                            "an internal note, or a message from Frontline.",
    "ticket.status_changed": "The status changed (reopening included).",
    "ticket.assignee_changed": "The ticket was assigned, reassigned or unassigned.",
    "ticket.tier_changed": "The ticket moved to another tier.",
    "ticket.sla_warning": "A promised time is close.",
    "ticket.sla_breach": "A promised time passed.",
    "ticket.escalated": "The ticket was escalated to a higher tier, with a reason.",
    "ticket.resolved": "The ticket was marked resolved (also sent as status_changed).",
    "ticket.message_withdrawn": "An agent took back a reply within the undo-send window: "
                                "it was never mailed; drop the message_added of that id.",
}


def register() -> None:
    for name, description in DESCRIPTIONS.items():
        catalog.declare(name, app="webhooks", description=description)
    observers.listen("webhooks", events=event_recorded, messages=message_added)


def event_recorded(event: Event) -> None:
    if event.kind == "reply_withdrawn":
        message_withdrawn(event)
        return
    name = KINDS.get(event.kind)
    if name is None:
        return

    def payload() -> dict[str, Any]:
        return {"ticket": ticket_summary(event.ticket),
                "actor": _actor(event.actor, event.actor_contact),
                "before": event.before, "after": event.after, "detail": event.detail or {},
                "url": _link(event.ticket)}

    publish(name, payload, at=event.at)
    if event.kind == "status_changed" and event.after == Status.RESOLVED:
        publish("ticket.resolved", payload, at=event.at)


def message_added(message: Message) -> None:
    def payload() -> dict[str, Any]:
        author = _actor(message.author_user, message.author_contact)
        return {
            "ticket": ticket_summary(message.ticket), "actor": author, "before": None,
            "after": None, "detail": {}, "url": _link(message.ticket),
            "message": {
                "id": message.pk, "kind": message.kind, "channel": message.channel,
                "author": author, "created_at": message.created_at,
                "text": message.body[:MESSAGE_TEXT_LIMIT],
                "truncated": len(message.body) > MESSAGE_TEXT_LIMIT,
            },
        }

    publish("ticket.message_added", payload, at=message.created_at)


def message_withdrawn(event: Event) -> None:
    """Undo send (frontline.workflow.conversation.undo_reply): the reply announced by
    `ticket.message_added` is gone, never mailed. The body names it by the same id,
    with the text it had (a receiver that copied it can drop it) and where it was
    going; `detail.status_kept` when the status the reply set could not go back."""
    detail: dict[str, Any] = event.detail or {}
    text = str(detail.get("body", ""))

    def payload() -> dict[str, Any]:
        author = _actor(event.actor, None)
        return {
            "ticket": ticket_summary(event.ticket), "actor": author, "before": None,
            "after": None, "url": _link(event.ticket),
            "detail": {"to": detail.get("to", []), "cc": detail.get("cc", []),
                       "files": detail.get("files", []),
                       "status_kept": detail.get("status_kept", "")},
            "message": {
                "id": detail.get("message"), "kind": "outbound", "author": author,
                "created_at": detail.get("sent_at"), "text": text[:MESSAGE_TEXT_LIMIT],
                "truncated": len(text) > MESSAGE_TEXT_LIMIT,
            },
        }

    publish("ticket.message_withdrawn", payload, at=event.at)


def ticket_summary(ticket: Ticket) -> dict[str, Any]:
    try:
        priority = Priority(ticket.priority).name.lower()
    except ValueError:
        priority = str(ticket.priority)
    return {"reference": ticket.reference, "subject": ticket.subject,
            "status": ticket.status, "priority": priority, "tier": ticket.tier,
            "url": _link(ticket)}


def _link(ticket: Ticket) -> str:
    return f"{settings.FRONTLINE_SITE_URL.rstrip('/')}{ticket.get_absolute_url()}"


def _actor(user: Any, contact: Any) -> dict[str, Any] | None:
    if user is not None:
        return {"type": "staff", "id": user.pk, "username": user.username,
                "name": user.display_name}
    if contact is not None:
        return {"type": "customer", "id": contact.pk, "name": str(contact)}
    return None
